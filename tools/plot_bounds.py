#!/usr/bin/env python3
"""The ES-BGK cell-step against the memory bandwidth of the minute it ran in: one point per
invocation of bench/layer_costs.sh (its JSON lines), beside the bandwidth bound of the
bytes its cost model gave (192 per velocity point, 160 since the bookkeeping runs while q
is in cache; each bound once), twice that bound, and each invocation's floor (per phase the larger of bytes and in-cache
arithmetic). A step bound by memory would follow the bound's curve; docs/performance.md,
"Against the bounds after these changes", shows the figure of docs/data/layer_costs.

    /usr/bin/python3 tools/plot_bounds.py OUT.png LABEL=LAYER_COSTS.jsonl [LABEL=...]

Exit status: 0 success, 1 bad arguments or input (the message names the file), 3
matplotlib missing.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402

plt = pyplot("plot_bounds.py")

KEYS = ("triad_gb_per_s", "bound_seconds", "seconds_per_cell_step", "floor_seconds")

def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        sys.exit("usage: plot_bounds.py OUT.png LABEL=LAYER_COSTS.jsonl [LABEL=LAYER_COSTS.jsonl ...]")
    grids = (16, 32)
    fig, axes = plt.subplots(1, len(grids), figsize=(11, 5.2))
    markers = "osD^v<>"
    triads = []
    bytes_per_point = set()  # of the cost model each line was measured with
    for f, spec in enumerate(argv[2:]):
        label, path = spec.split("=", 1)
        try:
            with open(path) as fh:
                text = fh.read().splitlines()
        except (OSError, UnicodeDecodeError) as e:
            sys.exit(f"plot_bounds.py: {path}: cannot read it ({getattr(e, 'strerror', None) or e})")
        lines = []
        for number, line in enumerate(text, 1):
            try:
                lines += [json.loads(line)] if line.strip() else []
            except ValueError as e:
                sys.exit(f"plot_bounds.py: {path}:{number}: not a JSON line ({e.msg}; a line cut short?)")
        for ax, n in zip(axes, grids):
            runs = [r for r in lines if isinstance(r, dict) and r.get("layer") == 1 and r.get("velocity_n") == n
                    and all(isinstance(r.get(k), (int, float)) for k in KEYS)]
            if not runs:
                continue
            x = [r["triad_gb_per_s"] for r in runs]
            triads += x
            # whole doubles: bound_seconds is rounded to three digits
            bytes_per_point |= {8 * round(r["bound_seconds"] * r["triad_gb_per_s"] * 1e9 / n**3 / 8) for r in runs}
            ax.scatter(x, [r["seconds_per_cell_step"] for r in runs], marker=markers[f % len(markers)],
                       color=f"C{f}", label=f"{label}: measured")
            ax.scatter(x, [r["floor_seconds"] for r in runs], marker=markers[f % len(markers)], facecolors="none",
                       edgecolors=f"C{f}", label=f"{label}: floor")
    if not triads:
        sys.exit("plot_bounds.py: no layer-1 lines with floor_seconds in the files given")
    lo, hi = 0.9 * min(triads), 1.1 * max(triads)
    t = [lo + (hi - lo) * k / 50 for k in range(51)]
    for ax, n in zip(axes, grids):
        for k, b in enumerate(sorted(bytes_per_point, reverse=True)):
            bound = [b * n**3 / (g * 1e9) for g in t]
            style = ("-", "--") if k == 0 else (":", "-.")
            ax.plot(t, bound, "k" + style[0], label=f"bandwidth bound ({b:.0f} B per point)")
            ax.plot(t, [2 * v for v in bound], "k" + style[1], label=f"2 × bound ({b:.0f} B)")
        ax.set_title(f"ES-BGK cell-step, {n}³ velocities, 2 threads")
        ax.set_xlabel("STREAM triad of the invocation (GB/s)")
        ax.set_ylabel("seconds per cell-step")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=4)
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    save_png(fig, argv[1], "plot_bounds.py", dpi=110)


if __name__ == "__main__":
    main(sys.argv)
