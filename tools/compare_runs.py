"""Compares two output trees of bench/regression_runs.sh, run by run: the largest
difference of the profiles (in units of each field's largest magnitude, at least 1:
the cases' fields are O(1), and velocities near 0 are compared absolutely), whether
the regime columns, steps, cell-steps per layer and switch counts are equal, and both
runs' conservation drifts.
    /usr/bin/python3 tools/compare_runs.py OUTDIR_A OUTDIR_B"""
import csv
import glob
import json
import os
import sys


def column(rows, i):
    return [float(r[i]) for r in rows[1:]]


def main(a, b):
    for name in sorted(os.listdir(a)):
        pa, pb = os.path.join(a, name), os.path.join(b, name)
        if not os.path.isdir(pa):
            continue
        worst, regime_equal = 0.0, True
        for fa in sorted(glob.glob(os.path.join(pa, "profile_*.csv"))):
            ra = list(csv.reader(open(fa)))
            rb = list(csv.reader(open(os.path.join(pb, os.path.basename(fa)))))
            for i, field in enumerate(ra[0]):
                if field in ("x", "y"):
                    continue
                ca, cb = column(ra, i), column(rb, i)
                if field == "regime":
                    regime_equal &= ca == cb
                    continue
                scale = max(max(abs(v) for v in ca), 1.0)
                worst = max(worst, max(abs(x - y) for x, y in zip(ca, cb)) / scale)
        sa = json.load(open(os.path.join(pa, "summary.json")))
        sb = json.load(open(os.path.join(pb, "summary.json")))
        counts_equal = all(sa[k] == sb[k] for k in ("steps", "cell_steps", "layer_switches"))
        drift = lambda s: max(s["conservation"].values())
        print(f"{name:10s} profiles {worst:.2e}  regime equal {regime_equal}  counts equal {counts_equal}  "
              f"largest drift {drift(sa):.1e} / {drift(sb):.1e}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
