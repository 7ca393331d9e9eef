#!/usr/bin/python3
"""Generate the API reference from the project's JSON Schemas and the daemons' route tables.

usage: gen_api_docs.py SOURCE_DIR OUT_DIR

Writes into OUT_DIR (docs/api in the tree):
- openapi.json: an OpenAPI 3.1 document. Every function is POST /gsma/<iface>/<function> with its
  request and response schemas (the schema files themselves, by reference under
  components/schemas); GET /gsma/operations/{id}, /health and /metrics.
- README.md: the index; es1.md ... es8.md: one page per interface. For each function of ES1,
  ES2, ES3, ES4 and ES7 it gives the server that provides it, the role that may call it,
  whether it is answered 202, the handler file, the specification clause, and the members of its
  request and response. ES5 (the SM-SR and the card) and ES8 (the SM-DP and the card) are not
  HTTP interfaces: their pages list the operations and steps with the files that implement both
  sides, from the sources' own header comments.

The output depends on nothing but the sources, so it can be checked for being up to date
(ctest docs/api_reference regenerates it and compares).
"""
import json
import pathlib
import re
import sys

ROLE = {"SM_ROLE_MNO": "MNO", "SM_ROLE_SMDP": "SM-DP", "SM_ROLE_SMSR": "SM-SR", "SM_ROLE_EUM": "EUM",
        "SM_ROLE_ADMIN": "admin"}
DAEMON = {"smdp": "SM-DP (smdp)", "smsr": "SM-SR (smsr)"}
ROUTE = re.compile(r'\bSM_ROUTE(|_ASYNC|_TODO)\("(es\d)",\s*"(\w+)",\s*([A-Z_| ]+?),\s*(?:(\w+),\s*(\w+),\s*)?"([^"]+)"\)',
                   re.S)


def routes(src):
    """(daemon, iface, function, roles, handler, async, spec) of every route table entry."""
    out = []
    for daemon in ("smdp", "smsr"):
        text = (src / daemon / "routes.c").read_text()
        for m in ROUTE.finditer(text):
            kind, iface, fn, roles, handler, _body, spec = m.groups()
            roles = " or ".join(ROLE.get(r.strip(), r.strip()) for r in roles.split("|"))
            out.append((daemon, iface, fn, roles, handler if kind != "_TODO" else None, kind == "_ASYNC", spec))
    return out


def handler_files(src):
    """Handler symbol -> the file defining it (int <symbol>(struct sm_api_call *...)."""
    files = {}
    for daemon in ("smdp", "smsr"):
        for f in sorted((src / daemon).glob("*.c")):
            for m in re.finditer(r"^int (\w+)\(struct sm_api_call \*", f.read_text(), re.M):
                files[m.group(1)] = f"{daemon}/{f.name}"
    return files


def schemas(src):
    out = {}
    for f in sorted((src / "schema").rglob("*.schema.json")):
        out[f.name] = json.loads(f.read_text())
    return out


def type_of(prop, all_schemas, depth=0):
    """A short type text for a property schema."""
    if "type" in prop:
        t = prop["type"]
        if t == "array":
            return "array of " + type_of(prop.get("items", {}), all_schemas, depth + 1)
        return t if isinstance(t, str) else "/".join(t)
    ref = prop.get("$ref")
    if ref and depth < 4:
        name, _, pointer = ref.partition("#")
        target = all_schemas.get(name)
        if target is None:
            return name
        if pointer.startswith("/$defs/"):
            d = pointer[len("/$defs/"):]
            return d + " (" + type_of(target.get("$defs", {}).get(d, {}), all_schemas, depth + 1) + ")"
        return name.replace(".schema.json", "")
    if "enum" in prop:
        return "one of " + ", ".join(json.dumps(v) for v in prop["enum"])
    if "properties" in prop:
        return "object"
    return "any"


def members(schema, all_schemas):
    rows = []
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name == "header":
            continue
        desc = " ".join(prop.get("description", "").split())
        rows.append((name, type_of(prop, all_schemas), name in required, desc))
    return rows


def first_comment(path, limit=400):
    """The file's header comment (after the SPDX line), flattened, cut at limit characters."""
    text = path.read_text()
    m = re.search(r"/\*(.*?)\*/", text[text.find("\n") + 1:], re.S)
    if not m:
        return ""
    body = " ".join(line.strip().lstrip("*").strip() for line in m.group(1).splitlines())
    body = " ".join(body.split())
    return body if len(body) <= limit else body[:limit].rsplit(" ", 1)[0] + " ..."


def es5_page(src):
    lines = ["# ES5: the SM-SR and the eUICC", "",
             "Not an HTTP interface: scripts of APDUs in SCP80 secured packets (SMS over SMPP) or "
             "SCP81 admin sessions (HTTPS with TLS-PSK), and the card's notifications "
             "([smsr.md](../smsr.md), [euicc-sim.md](../euicc-sim.md)). The SM-SR runs each ES3, "
             "ES4 or ES7 function that reaches the card as an ES5 operation:", "",
             "| operation | SM-SR file | what it does (the file's header) |", "|---|---|---|"]
    for f in sorted((src / "smsr").glob("*.c")):
        for m in re.finditer(r"const struct smsr_es5_fn smsr_fn_\w+ = \{\s*\.name = \"(\w+)\"",
                             f.read_text()):
            lines.append(f"| {m.group(1)} | `smsr/{f.name}` | {cell(first_comment(f))} |")
    lines += ["", "The card's side (euicc-sim):", "", "| file | what it does (the file's header) |",
              "|---|---|"]
    for f in sorted((src / "tools" / "euicc-sim").glob("isdr*.c")) + [
            src / "tools" / "euicc-sim" / "ota.c"]:
        lines.append(f"| `tools/euicc-sim/{f.name}` | {cell(first_comment(f))} |")
    lines += ["", "Transport and security: `smsr/es5_sms.c` (SCP80 over SMPP), `smsr/es5_https.c` "
              "(the SCP81 admin agent), `smsr/es5_engine.c` (operations, counters, PoRs, "
              "notifications, the outbox), `common/crypto/scp80.c`, `common/codec/sms.c`."]
    return "\n".join(lines) + "\n"


def es8_page(src):
    dl = src / "smdp" / "download_profile.c"
    steps = re.findall(r'\{"(\w+)", (step_\w+)\}', dl.read_text())
    lines = ["# ES8: the SM-DP and the eUICC", "",
             "Not an HTTP interface: the SM-DP's end-to-end channel to the card's new ISD-P, "
             "carried by ES3.SendData through the SM-SR ([smdp.md](../smdp.md), "
             "[codecs.md](../codecs.md)).", "",
             "The download, step by step (`smdp/download_profile.c`, order steps in this order): "
             + ", ".join(f"`{n}`" for n, _ in steps) + ".", "",
             "| part | file | what it does (the file's header) |", "|---|---|---|"]
    for part, rel in (("the download procedure", "smdp/download_profile.c"),
                      ("ES8 bytes, SM-DP side", "smdp/es8_download.c"),
                      ("key establishment (ECKA, CRT, receipt)", "common/crypto/es8.c"),
                      ("SCP03t", "common/crypto/scp03t.c"),
                      ("the order engine", "smdp/order_engine.c"),
                      ("key establishment, card side", "tools/euicc-sim/isdr_key_establishment.c"),
                      ("the ISD-P, card side (SCP03t, installation)", "tools/euicc-sim/isdp.c"),
                      ("profile installation, card side", "tools/euicc-sim/install.c")):
        f = src / rel
        if f.exists():
            lines.append(f"| {part} | `{rel}` | {cell(first_comment(f))} |")
    return "\n".join(lines) + "\n"


def cell(s):
    return s.replace("|", "\\|")


def main():
    src = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    all_schemas = schemas(src)
    files = handler_files(src)
    table = routes(src)

    paths = {}
    for daemon, iface, fn, roles, handler, asynch, spec in table:
        req = f"{iface}.{fn}.request.schema.json"
        resp = f"{iface}.{fn}.response.schema.json"
        op = {
            "summary": spec,
            "description": (all_schemas.get(req, {}).get("description", "")
                            + f" Served by the {DAEMON[daemon]}; callers: {roles}."
                            + (" Answered 202 with the operation; the result at GET"
                               " /gsma/operations/{id} and at the caller's callback URL."
                               if asynch else "")
                            + ("" if handler else " Not provided by this version: 501.")),
            "operationId": f"{daemon}.{iface}.{fn}",
            "tags": [iface.upper()],
            "responses": {
                "200": {"description": "the function's answer (Executed-Success, -WithWarning, "
                                       "Failed, Expired in header.functionExecutionStatus)"},
                "400": {"description": "malformed request",
                        "content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/error-response.schema.json"}}}},
                "403": {"description": "the client certificate's entity may not call it"},
            },
        }
        if req in all_schemas:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{req}"}}}}
        if resp in all_schemas:
            op["responses"]["200"]["content"] = {"application/json": {"schema": {
                "$ref": f"#/components/schemas/{resp}"}}}
        if asynch:
            op["responses"]["202"] = {"description": "accepted", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/operation.schema.json"}}}}
        paths.setdefault(f"/gsma/{iface}/{fn}", {})["post"] = op
    paths["/gsma/operations/{id}"] = {"get": {
        "summary": "an asynchronous call's state, or its result once done",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the operation", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/operation.schema.json"}}}},
            "404": {"description": "no such call of this caller"}}}}
    paths["/health"] = {"get": {"summary": "liveness and readiness", "responses": {"200": {
        "description": "healthy", "content": {"application/json": {"schema": {
            "$ref": "#/components/schemas/health.schema.json"}}}}}}}
    paths["/metrics"] = {"get": {"summary": "Prometheus text format (admin role)",
                                 "responses": {"200": {"description": "metrics"}}}}
    components = {}
    for name, s in all_schemas.items():
        s = json.loads(json.dumps(s))
        # references by file name become component references
        text = json.dumps(s)
        text = re.sub(r'"\$ref": "([\w.-]+\.schema\.json)(#[^"]*)?"',
                      lambda m: '"$ref": "#/components/schemas/' + m.group(1)
                      + (m.group(2)[1:] if m.group(2) else "") + '"', text)
        components[name] = json.loads(text)
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "sgp02-sm: SM-DP and SM-SR API (JSON binding of SGP.02)",
                 "version": "1",
                 "description": "Generated from schema/ and the daemons' route tables by "
                                "tools/apidoc/gen_api_docs.py. Every call is authenticated by a "
                                "client certificate (mutual TLS) mapped to an entity and its role."},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": components},
    }
    (out / "openapi.json").write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")

    lines = ["# API reference", "",
             "Generated by `tools/apidoc/gen_api_docs.py` from `schema/` and the route tables "
             "(`smdp/routes.c`, `smsr/routes.c`); `ctest -R docs/api_reference` fails when it is "
             "out of date. The same in OpenAPI 3.1: [openapi.json](openapi.json).", "",
             "Every function is `POST /gsma/<interface>/<function>` with a JSON body: the "
             "`header` (functionRequesterIdentifier, functionCallIdentifier, validityPeriod) and "
             "the members below. The answer's `header.functionExecutionStatus` carries the "
             "outcome and, on failure, the SGP.02 subject and reason codes "
             "([status-codes.md](../status-codes.md)). Asynchronous functions answer 202; their "
             "result is at `GET /gsma/operations/<functionCallIdentifier>` and is POSTed to the "
             "caller's callback URL.", ""]
    by_iface = {}
    for r in table:
        by_iface.setdefault(r[1], []).append(r)
    lines.append("| interface | between | functions |")
    lines.append("|---|---|---|")
    between = {"es1": "EUM → SM-SR", "es2": "MNO → SM-DP (and SM-DP → MNO notifications)",
               "es3": "SM-DP → SM-SR (and SM-SR → SM-DP notifications)", "es4": "MNO → SM-SR",
               "es7": "SM-SR → SM-SR"}
    for iface in sorted(by_iface):
        lines.append(f"| [{iface.upper()}]({iface}.md) | {between.get(iface, '')} | "
                     f"{len(by_iface[iface])} |")
    lines += ["| [ES5](es5.md) | SM-SR → eUICC (SCP80, SCP81; not HTTP) | operations |",
              "| [ES8](es8.md) | SM-DP → eUICC through ES3 (not HTTP) | steps |", ""]
    (out / "README.md").write_text("\n".join(lines).rstrip() + "\n")
    for iface in sorted(by_iface):
        lines = [f"# {iface.upper()}: {between.get(iface, '')}", "",
                 "Part of the [API reference](README.md); generated, do not edit.", ""]
        for daemon, _, fn, roles, handler, asynch, spec in sorted(by_iface[iface],
                                                                   key=lambda r: (r[2], r[0])):
            req = all_schemas.get(f"{iface}.{fn}.request.schema.json")
            resp = all_schemas.get(f"{iface}.{fn}.response.schema.json")
            lines += [f"### {iface}.{fn}", ""]
            where = files.get(handler, "—") if handler else "not provided (501)"
            lines += [f"- **{spec}**, served by the {DAEMON[daemon]}, called by {roles}"
                      + ("; answered 202 (asynchronous)" if asynch else "") + ".",
                      f"- handler: `{where}`" if handler else f"- handler: {where}"]
            if req:
                desc = " ".join(req.get("description", "").split())
                if desc:
                    lines.append(f"- {desc}")
            lines.append("")
            for title, s in (("request", req), ("response", resp)):
                rows = members(s, all_schemas) if s else []
                if not rows:
                    continue
                lines += [f"| {title} member | type | required | description |",
                          "|---|---|---|---|"]
                for name, t, reqd, desc in rows:
                    lines.append(f"| `{name}` | {cell(t)} | {'yes' if reqd else ''} | {cell(desc)} |")
                lines.append("")
        (out / f"{iface}.md").write_text("\n".join(lines).rstrip() + "\n")
    (out / "es5.md").write_text(es5_page(src))
    (out / "es8.md").write_text(es8_page(src))
    return 0


if __name__ == "__main__":
    sys.exit(main())
