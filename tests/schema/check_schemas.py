#!/usr/bin/python3
"""Check the project's JSON Schemas (schema/) and validate examples and EIS files against them.

usage: check_schemas.py [-v] SCHEMA_DIR EXAMPLES_DIR [EIS.json ...]

- every *.schema.json under SCHEMA_DIR: valid against the Draft 2020-12 meta-schema, "$schema"
  is Draft 2020-12, "$id" equals the file name (unique across directories), "title" and
  "description" present, every "$ref" resolves. A "$ref" names another schema by file name alone,
  wherever it lives under SCHEMA_DIR ({"$ref": "request-header.schema.json"}).
- EXAMPLES_DIR/<schema file name>/ok-*.json must validate, bad-*.json must not; every request
  schema (*.request.schema.json) and notification schema (notify.*.schema.json) has at least one
  ok and two bad examples.
- every EIS.json given validates against eis.schema.json (all errors are printed).

-v prints why each bad example is refused. Prints one line per failure and
"check_schemas: N passed, N failed"; exits 1 on any failure.
Uses Debian's python3-jsonschema (Draft 2020-12).
"""
import json
import pathlib
import sys

import jsonschema
from jsonschema.validators import Draft202012Validator

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class ByName(jsonschema.RefResolver):
    """Resolves a "$ref" by schema file name only: never fetches anything."""

    def resolve_remote(self, uri):
        raise jsonschema.RefResolutionError(f"no schema named {uri!r} under the schema directory")


class Checker:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def ok(self):
        self.passed += 1

    def bad(self, what):
        self.failed += 1
        print(what)


def refs(node, path=""):
    """Every "$ref" keyword in a schema, with where it is."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield path or "/", v
            elif k in ("properties", "$defs", "patternProperties", "dependentSchemas"):
                # names here are member or definition names, not keywords
                if isinstance(v, dict):
                    for name, sub in v.items():
                        yield from refs(sub, f"{path}/{k}/{name}")
            elif k not in ("const", "enum", "examples", "default"):
                yield from refs(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from refs(v, f"{path}/{i}")


def where(err):
    return "/" + "/".join(str(p) for p in err.absolute_path)


def why(err):
    """One line: the error, or for oneOf/anyOf what each alternative says."""
    if err.context:
        alts = {}
        for sub in err.context:
            alts.setdefault(sub.relative_schema_path[0], []).append(sub)
        return " | ".join(f"{where(e)}: {e.message[:90]}"
                          for subs in alts.values() for e in subs[:1])
    return f"{where(err)}: {err.message[:160]}"


def load_json(path, c):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as e:
        c.bad(f"{path}: not JSON: {e}")
        return None


def main(argv):
    verbose = len(argv) > 1 and argv[1] == "-v"
    args = argv[2:] if verbose else argv[1:]
    if len(args) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    schema_dir, examples_dir = pathlib.Path(args[0]), pathlib.Path(args[1])
    eis_files = [pathlib.Path(a) for a in args[2:]]
    c = Checker(verbose)

    # ---- the schemas
    store, paths = {}, {}
    for p in sorted(schema_dir.rglob("*.schema.json")):
        doc = load_json(p, c)
        if doc is None:
            continue
        if p.name in store:
            c.bad(f"{p}: file name also used by {paths[p.name]}: $ref by name is ambiguous")
            continue
        store[p.name], paths[p.name] = doc, p
    if not store:
        c.bad(f"{schema_dir}: no *.schema.json")

    def validator(name):
        return Draft202012Validator(store[name], format_checker=Draft202012Validator.FORMAT_CHECKER,
                                    resolver=ByName(base_uri=name, referrer=store[name],
                                                    store=store))

    for name, doc in store.items():
        problems = []
        try:
            Draft202012Validator.check_schema(doc)
        except jsonschema.SchemaError as e:
            problems.append(f"not a valid Draft 2020-12 schema at {where(e)}: {e.message}")
        if not isinstance(doc, dict):
            c.bad(f"{paths[name]}: not an object")
            continue
        if doc.get("$schema") != DRAFT:
            problems.append(f'"$schema" is not {DRAFT}')
        if doc.get("$id") != name:
            problems.append(f'"$id" {doc.get("$id")!r} is not the file name')
        for key in ("title", "description"):
            if not isinstance(doc.get(key), str) or not doc[key].strip():
                problems.append(f'no "{key}"')
        resolver = ByName(base_uri=name, referrer=doc, store=store)
        for at, ref in refs(doc):
            try:
                resolver.resolve(ref)
            except jsonschema.RefResolutionError as e:
                problems.append(f'"$ref" {ref!r} at {at} does not resolve: {e}')
        if problems:
            for what in problems:
                c.bad(f"{paths[name]}: {what}")
        else:
            c.ok()

    # ---- the examples
    counts = {}
    for d in sorted(examples_dir.iterdir()) if examples_dir.is_dir() else []:
        if not d.is_dir() or d.name not in store:
            c.bad(f"{d}: not a directory named after a schema under {schema_dir}")
            continue
        v = validator(d.name)
        for ex in sorted(d.iterdir()):
            kind = ex.name.split("-", 1)[0]
            if kind not in ("ok", "bad") or not ex.name.endswith(".json"):
                c.bad(f"{ex}: examples are named ok-*.json or bad-*.json")
                continue
            doc = load_json(ex, c)
            if doc is None:
                continue
            counts.setdefault(d.name, {"ok": 0, "bad": 0})[kind] += 1
            try:
                errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
            except jsonschema.RefResolutionError as e:
                c.bad(f"{ex}: {e}")
                continue
            if kind == "ok" and errors:
                c.bad(f"{ex}: refused by {d.name}: {why(errors[0])}")
            elif kind == "bad" and not errors:
                c.bad(f"{ex}: accepted by {d.name}")
            else:
                c.ok()
                if kind == "bad" and c.verbose:
                    print(f"  {ex.parent.name}/{ex.name}: {why(errors[0])}")
    if not examples_dir.is_dir():
        c.bad(f"{examples_dir}: no such directory")
    for name in store:
        if name.endswith(".request.schema.json") or name.startswith("notify."):
            n = counts.get(name, {"ok": 0, "bad": 0})
            if n["ok"] < 1 or n["bad"] < 2:
                c.bad(f"{name}: {n['ok']} ok and {n['bad']} bad examples, "
                      "needs at least 1 ok and 2 bad")
            else:
                c.ok()

    # ---- EIS files (e.g. what the eUICC simulator produces for ES1)
    if eis_files:
        if "eis.schema.json" not in store:
            c.bad(f"{schema_dir}: no eis.schema.json")
        else:
            v = validator("eis.schema.json")
            for p in eis_files:
                doc = load_json(p, c)
                if doc is None:
                    continue
                errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
                if not errors:
                    c.ok()
                    continue
                c.bad(f"{p}: not valid against eis.schema.json ({len(errors)} errors)")
                for e in errors[:20]:
                    print(f"  at {where(e)}: {e.message[:200]}")

    print(f"check_schemas: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed or not c.passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
