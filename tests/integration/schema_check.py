#!/usr/bin/env python3
"""Checks `strata schema` with python3-jsonschema: the schema is a valid draft 2020-12
schema, every shipped case validates against it, and mistakes the reader refuses (an
unknown key, a wrong type, an unknown plugin parameter) are refused by the schema too.
Usage: schema_check.py STRATA_EXE CASES_DIR. Exit 77 (skipped) without jsonschema."""
import copy
import json
import pathlib
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed (tools/install_deps.sh)")
    sys.exit(77)


def strip_comments(text):
    """JSON with // and /* */ comments (docs/user_guide.md §3) as plain JSON."""
    out, i, in_string = [], 0, False
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            i = text.find("\n", i) - 1 if "\n" in text[i:] else len(text)
        elif text.startswith("/*", i):
            i = text.find("*/", i) + 1
        else:
            out.append(c)
        i += 1
    return "".join(out)


strata, cases = sys.argv[1], pathlib.Path(sys.argv[2])
schema = json.loads(subprocess.run([strata, "schema"], check=True, capture_output=True, text=True).stdout)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failures = 0
shipped = sorted(cases.glob("*.json"))
for path in shipped:
    errors = list(validator.iter_errors(json.loads(strip_comments(path.read_text()))))
    for e in errors:
        print(f"{path.name}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
    failures += bool(errors)
sod = json.loads(strip_comments((cases / "sod.json").read_text()))
for key, change in [("unknown key", lambda c: c["mesh"].update(nxx=3)),
                    ("wrong type", lambda c: c["time"].update(end="soon")),
                    ("unknown parameter", lambda c: c["fluid"].update(gama=1.4)),
                    ("unsafe name", lambda c: c.update(name="../x"))]:
    case = copy.deepcopy(sod)
    change(case)
    if validator.is_valid(case):
        print(f"sod.json with a {key}: accepted by the schema")
        failures += 1
print(f"{len(shipped)} shipped cases checked, {failures} problem(s)")
sys.exit(1 if failures else 0)
