#!/usr/bin/python3
"""Choosing the realizability indicator's thresholds: accuracy against cost on Sod's tube.

usage: tools/indicator_study.py STRATA OUTDIR [--jobs 2] [--reuse]

For each Knudsen number eps in 1e-1, 1e-2, 1e-3, one `strata compare` of cases/sod.json
(2 x 100 cells, 16^3 velocities, t = 0.2) into OUTDIR/eps<eps>: layer 2 (the reference),
layer 0, and the hybrid with the realizability indicator
- at eta0 = 1e-2, 1e-3, 1e-4, 1e-5, each with eta1 = 28 eta0^2 and delta0 = eta0 / 10 (the
  plugin's defaults, 1e-3, 2.8e-5, 1e-4, are the second);
- at the defaults with eta1 10, 100 and 1000 times larger (more cells in layer 1, ES-BGK,
  instead of layer 2).
Prints, per run, the relative L1 distances of the final density and temperature to layer
2, the shares of cell-steps in layers 1 and 2 and the wall time and speed-up the
comparison measured, and draws OUTDIR/indicator_study.png (the distance against the wall
time relative to layer 2's, one line per eps and sweep).

One thread per comparison; about 20 minutes on two idle cores (the wall times are only
meaningful on an otherwise idle machine; the shares and distances do not depend on it).
--reuse continues the comparisons in OUTDIR (`strata compare --resume`: completed runs are
compared as they ended). Exit statuses: 0 success, 2 bad arguments or an unreadable
comparison.json, 3 matplotlib missing, 4 a comparison failed, was refused or did not
complete.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402

plt = pyplot("indicator_study.py")
import strata_runs  # noqa: E402

TOOL = "indicator_study.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KNUDSEN = ("1e-1", "1e-2", "1e-3")


def thresholds(eta0, eta1_factor=1):
    """The indicator's parameters: eta0, and eta1, delta0 in the ratios of the plugin's
    defaults (eta1 times eta1_factor)."""
    return {"eta0": eta0, "eta1": float(f"{28 * eta0 * eta0 * eta1_factor:.3g}"), "delta0": eta0 / 10}


# (sweep, eta0, eta1 factor), in the order of --indicators: the runs are numbered so
SWEEPS = [("eta0", e, 1) for e in (1e-2, 1e-3, 1e-4, 1e-5)] + [("eta1", 1e-3, k) for k in (10, 100, 1000)]


def comparison(strata, outdir, eps, reuse):
    out = os.path.join(outdir, f"eps{eps}")
    indicators = ",".join("realizability" + json.dumps(thresholds(e, k), separators=(",", ":")) for _, e, k in SWEEPS)
    where = ["--resume", out] if reuse and os.path.isdir(out) else ["--out", out]
    cmd = [strata, "compare", os.path.join(ROOT, "cases", "sod.json"), "--modes", "hybrid,layer0,layer2",
           "--indicators", indicators, "--set", "mesh.ny=2", "--set", "mesh.y=[0,0.02]", "--set", "velocity.n=16",
           "--set", f"knudsen={eps}", "--threads", "1", "-q"] + where
    return cmd, out


def read_comparison(out):
    """{label: run} of out/comparison.json."""
    path = os.path.join(out, "comparison.json")
    try:
        with open(path) as f:
            doc = json.load(f)
        status = doc.get("status", "completed")  # comparison.json before it had one: a completed comparison's
        if status != "completed":
            strata_runs.fail(TOOL, f"{path}: the comparison is {status}, not completed"
                             + (": run this tool again with --reuse to continue it" if status == "interrupted" else
                                " (see the comparison's error above)"), strata_runs.RUN_FAILED)
        return {r["label"]: r for r in doc["runs"]}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        strata_runs.fail(TOOL, f"{path}: cannot read the comparison ({getattr(e, 'strerror', None) or e})")


def main():
    ap = strata_runs.argument_parser()
    a = ap.parse_args()
    strata_runs.check_arguments(TOOL, a.strata, a.outdir, a.jobs)
    runs = [comparison(a.strata, a.outdir, eps, a.reuse) for eps in KNUDSEN]
    # a comparison has no summary.json of its own: --reuse goes to strata compare --resume
    strata_runs.run_all(TOOL, a.jobs, runs, False)

    results = {eps: read_comparison(out) for eps, (_, out) in zip(KNUDSEN, runs)}
    print("| eps | run | eta0 | eta1 | L1(rho) to layer 2 | L1(T) | share layer 1 / 2 | wall s | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    curves = {}
    for eps, by_label in results.items():
        plan = [(f"hybrid:realizability#{k + 1}", sweep, thresholds(e, f)) for k, (sweep, e, f) in enumerate(SWEEPS)]
        for label, sweep, t in plan + [("layer0", None, None), ("layer2", None, None)]:
            r = by_label.get(label)
            if r is None:
                strata_runs.fail(TOOL, f"{runs[KNUDSEN.index(eps)][1]}/comparison.json: no run {label}")
            s1, s2 = r["layer_share"][1], r["layer_share"][2]
            print(f"| {eps} | {label.split(':')[0]} | {t['eta0'] if t else '-'} | {t['eta1'] if t else '-'} | "
                  f"{r['l1_rho']:.2e} | {r['l1_T']:.2e} | {s1:.3f} / {s2:.3f} | {r['wall_seconds']:.1f} | "
                  f"{r['speed_up']:.1f} |")
            # wall time relative to layer 2's: the Euler run ends the eta0 sweep's line, the
            # defaults (eta0 1e-3, factor 1) start the eta1 sweep's
            if label == "layer2":
                continue
            cost = r["wall_seconds"] / by_label["layer2"]["wall_seconds"]
            for name in ([sweep] if sweep else ["eta0"]) + (["eta1"] if t == thresholds(1e-3) else []):
                curves.setdefault((eps, name), []).append((cost, r["l1_rho"], t))

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    for ax, name, title in zip(axes, ("eta0", "eta1"),
                               ("eta0 (eta1 = 28 eta0^2, delta0 = eta0/10), and Euler",
                                "eta1 at eta0 = 1e-3 (x1, 10, 100, 1000)")):
        for (eps, sweep), points in curves.items():
            if sweep != name:
                continue
            points.sort(key=lambda p: p[0])
            line, = ax.loglog([x for x, _, _ in points], [d for _, d, _ in points], "o-", lw=1,
                              label=f"eps = {eps}")
            for cost, distance, t in points:
                text = ("Euler" if t is None else f"{t['eta0']:g}" if name == "eta0"
                        else f"x{t['eta1'] / thresholds(1e-3)['eta1']:.0f}")
                ax.annotate(text, (cost, distance), fontsize=6, xytext=(3, 3),
                            textcoords="offset points", color=line.get_color())
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("wall time / layer 2's (one thread, two runs at a time)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("L1(rho) to layer 2, relative")
    fig.suptitle("Sod, 2 x 100 cells, 16^3 velocities: the realizability indicator's thresholds", fontsize=10)
    fig.tight_layout()
    save_png(fig, os.path.join(a.outdir, "indicator_study.png"), TOOL)


if __name__ == "__main__":
    main()
