#!/usr/bin/python3
"""Validate JSON documents against the project's schemas (schema/).

usage: validate_json.py SCHEMA_DIR MANIFEST
MANIFEST lines: "<schema file name> <json file>", as the integration tests write them for every
body a daemon sent. Prints one line per failure and "validate_json: N passed, N failed".
Uses Debian's python3-jsonschema (Draft 2020-12).
"""
import json
import pathlib
import sys

import jsonschema


def main():
    schema_dir = pathlib.Path(sys.argv[1]).resolve()
    store = {}
    for p in schema_dir.rglob("*.schema.json"):
        doc = json.loads(p.read_text())
        store[p.as_uri()] = doc
        store[p.name] = doc
    passed = failed = 0
    for line in pathlib.Path(sys.argv[2]).read_text().splitlines():
        if not line.strip():
            continue
        name, path = line.split(" ", 1)
        schema_path = next(schema_dir.rglob(name))
        schema = store[schema_path.as_uri()]
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        resolver = jsonschema.RefResolver(base_uri=schema_path.name, referrer=schema,
                                          store=store)
        try:
            doc = json.loads(pathlib.Path(path).read_text())
            cls(schema, resolver=resolver).validate(doc)
            passed += 1
        except (ValueError, jsonschema.ValidationError) as e:
            failed += 1
            print(f"{path}: not valid against {name}: {str(e).splitlines()[0]}")
    print(f"validate_json: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
