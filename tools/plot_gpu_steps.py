#!/usr/bin/env python3
"""Where a step of paper test 2 goes, CPU against GPU: stacked bars of the phases per
step (summary.json's wall_seconds divided by the steps) for each rect_obstacle check of
bench/device_checks.sh, from its results.jsonl files (one per device call).

    /usr/bin/python3 tools/plot_gpu_steps.py OUT.png LABEL=RESULTS.jsonl [LABEL=RESULTS.jsonl ...]

The CPU bar is taken from the first file; each file adds its GPU bar and, where the
call ran one (RESIDENT=1), its bar with layer 2 resident on the device; the layer-2 phase
is split into the copies over the bus (as boltzmann_cufft logs them, plus the engine's own
for a resident layer 2) and the rest. docs/performance.md, "Measured on an H200", shows the figure of its data in
docs/data/gpu_h200.

Exit status: 0 success, 1 bad arguments or input (the message names the file, and the line
of a bad JSON line), 3 matplotlib missing.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402

plt = pyplot("plot_gpu_steps.py")

TOOL = "plot_gpu_steps.py"
CHECKS = {"layer2_16_2_threads": "layer 2, 16³, 100×100, host 2 threads",
          "layer2_32_50x50_2_threads": "layer 2, 32³, 50×50, host 2 threads",
          "layer2_16_16_threads": "layer 2, 16³, 100×100, host 16 threads"}
PHASES = [("bus", "copies over the bus", "#d62728"), ("layer2", "layer 2 (GPU or CPU operator + engine)", "#1f77b4"),
          ("coupling", "coupling (moments)", "#2ca02c"), ("output", "output (history: entropy)", "#ff7f0e"),
          ("other", "other", "#7f7f7f")]


def checks(path):
    """{check name: {run: line}} from a results.jsonl (JSON lines, then '== name: exit');
    only the runs with phases count."""
    found, pending = {}, []
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        sys.exit(f"{TOOL}: {path}: cannot read it ({getattr(e, 'strerror', None) or e})")
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if line.startswith("{"):
            try:
                pending.append(json.loads(line))
            except ValueError as e:
                sys.exit(f"{TOOL}: {path}:{number}: not a JSON object ({e.msg}; a line cut short?)")
        elif line.startswith("== ") and ": exit" in line:
            name = line[3:line.index(":")]
            runs = {r["run"]: r for r in pending
                    if r.get("run") in ("cpu", "gpu", "resident") and isinstance(r.get("phase_seconds_per_step"), dict)}
            if "cpu" in runs and "gpu" in runs:
                found[name] = runs
            pending = []
    return found


def segments(run):
    p = run["phase_seconds_per_step"]
    bus = run.get("bus_seconds_per_step", 0.0)
    seg = {"bus": bus, "layer2": p.get("layer2", 0.0) - bus, "coupling": p.get("coupling", 0.0),
           "output": p.get("output", 0.0)}
    seg["other"] = max(p["total"] - sum(seg.values()), 0.0)
    return seg


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    bad = [a for a in sys.argv[2:] if "=" not in a]
    if bad:
        sys.exit(f"{TOOL}: expected LABEL=RESULTS.jsonl, got {bad[0]!r}")
    data = [(label, checks(path)) for label, path in (a.split("=", 1) for a in sys.argv[2:])]
    names = [n for n in CHECKS if all(n in d for _, d in data)]
    if not names:
        sys.exit(f"{TOOL}: no rect_obstacle check with phases in every file")
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.2 * len(names) + 0.8), squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        bars = [("CPU (boltzmann_fft)", data[0][1][name]["cpu"])]
        for label, d in data:
            bars.append((f"GPU, {label}", d[name]["gpu"]))
            if "resident" in d[name]:
                bars.append((f"GPU, layer 2 resident ({label})", d[name]["resident"]))
        y = range(len(bars))
        left = [0.0] * len(bars)
        for key, legend, colour in PHASES:
            widths = [segments(run)[key] for _, run in bars]
            ax.barh(list(y), widths, left=left, color=colour, label=legend)
            left = [a + b for a, b in zip(left, widths)]
        for k, (_, run) in enumerate(bars):
            ax.text(left[k], k, f"  {run['phase_seconds_per_step']['total']:.2f} s", va="center", fontsize=8)
        ax.set_yticks(list(y), [b[0] for b in bars], fontsize=8)
        ax.set_title(CHECKS[name], fontsize=9)
        ax.invert_yaxis()
    axes[-1, 0].set_xlabel("seconds per step (all steps, set-up excluded)")
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.suptitle("Paper test 2 (rect_obstacle) on an NVIDIA H200: where a step goes", fontsize=10)
    fig.tight_layout()
    save_png(fig, out, TOOL)
    print(f"{TOOL}: wrote {out}")


if __name__ == "__main__":
    main()
