#!/usr/bin/python3
"""Overlay one history.csv column of several runs against t.

usage: tools/plot_history.py OUT.png COLUMN LABEL=history.csv [LABEL=history.csv ...] [--log] [--title TEXT]

Exit status: 0 success, 1 bad input (the message names the file, and the line of a bad
row; a history without data rows is refused), 2 bad arguments, 3 matplotlib missing.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402
from csv_table import TableError, read_columns  # noqa: E402

plt = pyplot("plot_history.py")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("column")
    parser.add_argument("runs", nargs="+", help="LABEL=history.csv")
    parser.add_argument("--log", action="store_true", help="logarithmic y axis")
    parser.add_argument("--title", default="")
    args = parser.parse_args()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for item in args.runs:
        if "=" not in item:
            sys.exit(f"plot_history.py: expected LABEL=history.csv, got {item!r}")
        label, path = item.rsplit("=", 1)
        try:
            table = read_columns(path, ("t", args.column))
        except TableError as e:
            sys.exit(f"plot_history.py: {e}")
        if not table["t"]:
            sys.exit(f"plot_history.py: {path}: no data rows (a run that wrote none, or not a history.csv)")
        ax.plot(table["t"], table[args.column], label=label, lw=1.6)
    if args.log:
        ax.set_yscale("log")
    ax.set_xlabel("t")
    ax.set_ylabel(args.column + (" (log scale)" if args.log else ""))
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    if args.title:
        ax.set_title(args.title)
    fig.tight_layout()
    save_png(fig, args.out, "plot_history.py")
    print(args.out)


if __name__ == "__main__":
    main()
