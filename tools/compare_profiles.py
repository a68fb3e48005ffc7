#!/usr/bin/python3
"""Overlay mid-height profiles of several runs (density and temperature against x).

usage: tools/compare_profiles.py OUT.png LABEL=PROFILE.csv [LABEL=PROFILE.csv ...] [--title TEXT]

Each PROFILE.csv is a profile_<t>.csv of a run (or the output of build/bin/sod_exact);
a label starting with "exact" is drawn as a thin black line.

Exit status: 0 success, 1 bad input (the message names the file, and the line of a bad
row; a profile without data rows is refused), 2 bad arguments, 3 matplotlib missing.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402
from csv_table import TableError, read_columns  # noqa: E402

plt = pyplot("compare_profiles.py")


def read_profile(path):
    try:
        table = read_columns(path, ("x", "rho", "T"))
    except TableError as e:
        sys.exit(f"compare_profiles.py: {e}")
    if not table["x"]:
        sys.exit(f"compare_profiles.py: {path}: no data rows (expected a profile, one row per cell)")
    return table["x"], table["rho"], table["T"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("runs", nargs="+", help="LABEL=PROFILE.csv")
    parser.add_argument("--title", default="")
    args = parser.parse_args()
    fig, (ax_rho, ax_T) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    for item in args.runs:
        if "=" not in item:
            sys.exit(f"compare_profiles.py: expected LABEL=PROFILE.csv, got {item!r}")
        label, path = item.rsplit("=", 1)
        x, rho, T = read_profile(path)
        style = dict(color="black", lw=1.0) if label.startswith("exact") else dict(lw=1.6, marker=".", ms=3)
        ax_rho.plot(x, rho, label=label, **style)
        ax_T.plot(x, T, label=label, **style)
    ax_rho.set_ylabel(r"$\rho$")
    ax_T.set_ylabel(r"$T$")
    ax_T.set_xlabel(r"$x$")
    for ax in (ax_rho, ax_T):
        ax.grid(alpha=0.3)
    ax_rho.legend(fontsize=9)
    if args.title:
        fig.suptitle(args.title)
    fig.tight_layout()
    save_png(fig, args.out, "compare_profiles.py")
    print(args.out)


if __name__ == "__main__":
    main()
