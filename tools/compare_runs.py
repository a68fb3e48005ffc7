"""Compares two output trees of bench/regression_runs.sh, run by run: the largest
difference of the profiles (in units of each field's largest magnitude, at least 1:
the cases' fields are O(1), and velocities near 0 are compared absolutely), whether
the regime columns, steps, cell-steps per layer and switch counts are equal, and both
runs' conservation drifts. Profiles must match in name, cell centres and length; a run
missing from either tree, without profiles, with a file that cannot be read (a summary.json
that is not an object with those counts and numeric drifts), or whose summary.json does
not say "completed" (a failed run) is said so (NOT COMPARED) and the exit status is 1.
Two runs' own folders (each with its summary.json) are compared as one run.
    /usr/bin/python3 tools/compare_runs.py OUTDIR_A OUTDIR_B"""
import csv
import glob
import json
import os
import sys


COUNTS = ("steps", "cell_steps", "layer_switches")


class NotCompared(Exception):
    """Why a run cannot be compared."""


def column(rows, i):
    return [float(r[i]) for r in rows[1:]]


def read_summary(run):
    """A run's summary.json, checked for what compare_run reads from a completed run's;
    raises NotCompared."""
    path = os.path.join(run, "summary.json")
    with open(path) as f:
        s = json.load(f)
    if not isinstance(s, dict):
        raise NotCompared(f"{path} is unreadable: expected a JSON object, got {json.dumps(s)[:40]}")
    if s.get("status") != "completed":  # compare_run says it failed; its drifts may be null (NaN)
        return s
    cons = s.get("conservation")
    if any(k not in s for k in COUNTS) or not (isinstance(cons, dict) and cons and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in cons.values())):
        raise NotCompared(f"{path} is unreadable: expected {', '.join(COUNTS)} and conservation drifts "
                          f"that are numbers, got conservation {json.dumps(cons)}")
    return s


def compare_run(pa, pb):
    """The line for one run; raises NotCompared."""
    sa, sb = read_summary(pa), read_summary(pb)
    # Two runs that failed alike are no match: a failed run's results are partial.
    unfinished = [f"{tree}: {s.get('status')}" + (f", {s['error']}" if s.get("error") else "")
                  for tree, s in (("A", sa), ("B", sb)) if s.get("status") != "completed"]
    if unfinished:
        raise NotCompared(f"the run did not complete ({'; '.join(unfinished)})")
    profiles = sorted(glob.glob(os.path.join(pa, "profile_*.csv")))
    if not profiles:
        raise NotCompared("no profile_*.csv in A")
    worst, regime_equal = 0.0, True
    for fa in profiles:
        fb = os.path.join(pb, os.path.basename(fa))
        if not os.path.exists(fb):
            raise NotCompared(f"{os.path.basename(fa)} is missing in B")
        ra, rb = list(csv.reader(open(fa))), list(csv.reader(open(fb)))
        if ra[0] != rb[0] or len(ra) != len(rb):
            raise NotCompared(f"{os.path.basename(fa)}: columns or row counts differ "
                              f"({len(ra) - 1} and {len(rb) - 1} cells)")
        for i, field in enumerate(ra[0]):
            ca, cb = column(ra, i), column(rb, i)
            if field in ("x", "y"):
                if ca != cb:
                    raise NotCompared(f"{os.path.basename(fa)}: the cell centres differ (another mesh)")
                continue
            if field == "regime":
                regime_equal &= ca == cb
                continue
            if not ca:
                raise NotCompared(f"{os.path.basename(fa)} has no rows")
            scale = max(max(abs(v) for v in ca), 1.0)
            diff = max(abs(x - y) for x, y in zip(ca, cb)) / scale
            if diff != diff and any(x == x for x in ca + cb):  # NaN in one run only
                raise NotCompared(f"{os.path.basename(fa)}: {field} is not a number in one run")
            worst = max(worst, diff if diff == diff else 0.0)
    counts_equal = all(sa[k] == sb[k] for k in COUNTS)
    drift = lambda s: max(s["conservation"].values())
    return (f"profiles {worst:.2e}  regime equal {regime_equal}  counts equal {counts_equal}  "
            f"largest drift {drift(sa):.1e} / {drift(sb):.1e}")


def main(a, b):
    runs = [n for n in sorted(os.listdir(a)) if os.path.isdir(os.path.join(a, n))]
    if not runs:
        sys.exit(f"compare_runs.py: {a} holds no run folders (expected an output tree of bench/regression_runs.sh)")
    only_b = [n for n in sorted(os.listdir(b)) if os.path.isdir(os.path.join(b, n)) and n not in runs]
    problems = len(only_b)
    for name in only_b:
        print(f"{name:10s} NOT COMPARED: missing in A")
    for name in runs:
        pb = os.path.join(b, name)
        line, why = None, None
        try:
            if not os.path.isdir(pb):
                raise NotCompared("missing in B")
            line = compare_run(os.path.join(a, name), pb)
        except NotCompared as e:
            why = str(e)
        except (OSError, ValueError, IndexError, KeyError) as e:  # an unreadable or cut file
            why = f"{type(e).__name__}: {e}"
        if why:
            problems += 1
            print(f"{name:10s} NOT COMPARED: {why}")
        else:
            print(f"{name:10s} {line}")
    sys.exit(1 if problems else 0)


def is_run(folder):
    """A run's own folder (it holds summary.json), not a tree of them."""
    return os.path.isfile(os.path.join(folder, "summary.json"))


if __name__ == "__main__":
    usage = __doc__.strip().splitlines()[-1].strip().join(["usage: ", ""])
    if len(sys.argv) != 3:
        sys.exit(f"{usage}\ncompare_runs.py: expected two folders, got {len(sys.argv) - 1} argument(s)")
    for d in sys.argv[1:]:
        if not os.path.isdir(d):
            sys.exit(f"compare_runs.py: {d}: " + ("a file, not a folder" if os.path.exists(d) else "no such folder"))
    a, b = sys.argv[1:]
    if is_run(a) != is_run(b):
        run, tree = (a, b) if is_run(a) else (b, a)
        sys.exit(f"compare_runs.py: {run} is one run's folder (it holds summary.json) and {tree} is not: give two "
                 "trees of runs, or two runs' folders")
    if is_run(a):  # two runs: one line
        try:
            print(compare_run(a, b))
        except NotCompared as e:
            sys.exit(f"NOT COMPARED: {e}")
        except (OSError, ValueError, IndexError, KeyError) as e:
            sys.exit(f"NOT COMPARED: {type(e).__name__}: {e}")
        sys.exit(0)
    main(a, b)
