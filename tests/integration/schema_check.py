#!/usr/bin/env python3
"""Checks `strata schema` with python3-jsonschema: the schema is a valid draft 2020-12
schema, every shipped case validates against it, and mistakes the reader refuses (an
unknown key, a wrong type, an unknown plugin parameter, a boundary side with another
kind's keys) are refused by the schema too.
Usage: schema_check.py STRATA_EXE CASES_DIR. Exit 77 (skipped) without jsonschema."""
import copy
import json
import pathlib
import subprocess
import sys
import tempfile

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


def side(value):
    return lambda c: c["mesh"].update(boundary={"left": value, "right": "outflow", "bottom": "outflow", "top": "outflow"})


circle = {"shape": "circle", "center": [0.5, 0.08], "radius": 0.03, "rho": 1, "T": 1}
# Each mistake must be refused by the schema and by `strata validate` alike.
mistakes = [
    ("unknown key", lambda c: c["mesh"].update(nxx=3)),
    ("wrong type", lambda c: c["time"].update(end="soon")),
    ("unknown parameter", lambda c: c["fluid"].update(gama=1.4)),
    ("unsafe name", lambda c: c.update(name="../x")),
    ("far-field side without T or p", side({"type": "farfield", "rho": 1})),
    ("far-field side without rho", side({"type": "farfield", "T": 1})),
    ("wall side with a density", side({"type": "wall", "T": 1, "rho": 1})),
    ("wall side with an expression for T", side({"type": "wall", "T": "1 + x"})),
    ("pressure side without p", side({"type": "pressure", "T": 1})),
    ("inflow side with an accommodation", side({"type": "inflow", "rho": 1, "T": 1, "accommodation": 1})),
    ("inflow side with both T and p", side({"type": "inflow", "rho": 1, "T": 1, "p": 1})),
    ("inflow side written as text", side("inflow")),
    ("outflow side with a state", side({"type": "outflow", "rho": 1})),
    ("move without cells", lambda c: c.update(obstacles=[dict(circle, move={"every": 2})])),
    ("move of three cells", lambda c: c.update(obstacles=[dict(circle, move={"cells": [1, 0, 0]})])),
    ("circle with one centre coordinate", lambda c: c.update(obstacles=[dict(circle, center=[0.5])])),
    ("circle with an x range", lambda c: c.update(obstacles=[dict(circle, x=[0.4, 0.6])])),
    ("rectangle without y", lambda c: c.update(obstacles=[{"shape": "rectangle", "x": [0.4, 0.6], "rho": 1, "T": 1}])),
    ("polygon vertex of three numbers", lambda c: c.update(obstacles=[{"shape": "polygon", "rho": 1, "T": 1,
                                                                        "vertices": [[0.4, 0.05, 0], [0.6, 0.05], [0.5, 0.1]]}])),
    ("empty checkpoint", lambda c: c["output"].update(checkpoint={}) if "output" in c else c.update(output={"checkpoint": {}})),
    ("initial region without T or p", lambda c: c["initial"][0].pop("T", None) or c["initial"][0].pop("p", None)),
]
# ... and what no shipped case shows, accepted by both.
accepted = [
    ("a polygon", lambda c: c.update(obstacles=[{"shape": "polygon", "rho": 1, "T": 1,
                                                 "vertices": [[0.4, 0.05], [0.6, 0.05], [0.5, 0.1]]}])),
    ("a moving circle", lambda c: c.update(obstacles=[dict(circle, move={"cells": [1, 0], "every": 2})])),
    ("checkpoints", lambda c: c.update(output={"checkpoint": {"every_steps": 10}})),
]
with tempfile.TemporaryDirectory() as scratch:
    for key, change in mistakes + accepted:
        case = copy.deepcopy(sod)
        change(case)
        refused = (key, change) in mistakes
        if validator.is_valid(case) == refused:
            print(f"sod.json changed ({key}): {'accepted' if refused else 'refused'} by the schema")
            failures += 1
        path = pathlib.Path(scratch) / "changed.json"
        path.write_text(json.dumps(case))
        if (subprocess.run([strata, "validate", str(path), "-q"], capture_output=True).returncode == 0) == refused:
            print(f"sod.json changed ({key}): {'accepted' if refused else 'refused'} by strata validate")
            failures += 1
print(f"{len(shipped)} shipped cases checked, {failures} problem(s)")
sys.exit(1 if failures else 0)
