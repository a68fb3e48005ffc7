#!/usr/bin/python3
"""Far-field sides: a sound pulse leaving, and a cylinder's drag against the domain size.

usage: tools/farfield_validation.py STRATA OUTDIR [--jobs 2] [--reuse]

Runs the figures of docs/validation.md, "Far-field sides":
- cases/sound_pulse.json (an isentropic pulse of amplitude 4.9e-3 per wave, at rest) in
  layer 0 and in layer 1 (ES-BGK, knudsen 1e-3, 12^3 velocities) with far-field sides on
  100, 200 and 400 cells, and on 200 cells with outflow sides (and, in layer 0, inflow sides
  at the free stream and pressure sides at p = 1). What is left at t = 0.9, max |rho - 1|
  over the cells, came back from the sides;
- cases/cylinder_subsonic.json (layer 0, Mach 0.3, 6 cells per radius) with the far-field
  sides 5, 10 and 15 radii from the centre, and with an inflow side and pressure sides at 5
  and 10 radii: C_x at t = 10, its range over t >= 5 and the mass kept; the far-field
  drags fitted by C_x = a + b/r.

Prints both tables (markdown) and draws OUTDIR/farfield_pulse.png (|rho - 1| at t = 0.9
along the domain) and OUTDIR/farfield_cylinder.png (C_x against t, and against 1/r). One
thread per run; about 8 minutes on two cores. --reuse and the exit statuses are those of
tools/walls_validation.py: 0 success, 2 bad arguments or an unreadable output, 3 matplotlib
missing, 4 a Strata run failed or was refused.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402

plt = pyplot("farfield_validation.py")
import strata_runs  # noqa: E402

TOOL = "farfield_validation.py"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AT_REST = '{"type": "farfield", "rho": 1, "T": 1}'
PULSE_SIDES = {"farfield": AT_REST, "outflow": '"outflow"', "inflow": '{"type": "inflow", "rho": 1, "T": 1}',
               "pressure": '{"type": "pressure", "p": 1}'}
# (layer, sides, cells): the far-field sides on three meshes, the others on 200 cells
PULSES = [(layer, "farfield", n) for layer in ("layer0", "layer1") for n in (100, 200, 400)] + \
         [("layer0", s, 200) for s in ("outflow", "inflow", "pressure")] + [("layer1", "outflow", 200)]
WAVE = 4.9e-3  # amplitude of each of the two waves
FREE_STREAM = '{"type": "inflow", "rho": 1, "ux": 0.387, "T": 1}'
PRESSURE = '{"type": "pressure", "p": 1}'
# (sides, radii from the centre to the sides): the case's mesh is [-0.5, 1.5]^2, 120^2 cells
CYLINDERS = [("farfield", 5), ("farfield", 10), ("farfield", 15), ("pressure", 5), ("pressure", 10)]


def pulse_run(strata, outdir, layer, sides, n):
    out = os.path.join(outdir, f"pulse_{layer}_{sides}_{n}")
    side = PULSE_SIDES[sides]
    cmd = [strata, "run", os.path.join(ROOT, "cases", "sound_pulse.json"), "--threads", "1", "-q", "--out", out,
           "--set", f"regime.mode={layer}", "--set", f"mesh.nx={n}", "--set", f"mesh.y=[0,{1 / n!r}]",
           "--set", f"mesh.boundary.left={side}", "--set", f"mesh.boundary.right={side}"]
    return cmd, out


def cylinder_run(strata, outdir, sides, radii):
    out = os.path.join(outdir, f"cylinder_{sides}_{radii}")
    low, high = 0.5 - 0.1 * radii, 0.5 + 0.1 * radii
    cmd = [strata, "run", os.path.join(ROOT, "cases", "cylinder_subsonic.json"), "--threads", "1", "-q",
           "--out", out, "--set", f"mesh.x=[{low:g},{high:g}]", "--set", f"mesh.y=[{low:g},{high:g}]",
           "--set", f"mesh.nx={12 * radii}", "--set", f"mesh.ny={12 * radii}"]
    if sides == "pressure":
        cmd += ["--set", f'mesh.boundary={{"left": {FREE_STREAM}, "right": {PRESSURE}, "bottom": {PRESSURE}, '
                         f'"top": {PRESSURE}}}']
    return cmd, out


def pulse_result(out):
    """x and |rho - 1| at t = 0.9."""
    p = strata_runs.read_table(TOOL, os.path.join(out, "profile_0.9.csv"), ("x", "rho"))
    return p["x"], [abs(r - 1) for r in p["rho"]]


def cylinder_result(out):
    """t and C_x from loads.csv (scaled as summary.json's C_x), and the mass kept."""
    summary = strata_runs.read_summary(TOOL, out)
    try:
        body = summary["boundary_loads"]["obstacle0"]
        scale = body["C_x"] / body["Fx"]
    except (KeyError, TypeError, ZeroDivisionError):
        strata_runs.fail(TOOL, f"{out}/summary.json: no boundary_loads.obstacle0 with C_x and Fx")
    loads = strata_runs.read_table(TOOL, os.path.join(out, "loads.csv"), ("t", "obstacle0_Fx"))
    history = strata_runs.read_table(TOOL, os.path.join(out, "history.csv"), ("t", "mass"))
    return loads["t"], [scale * f for f in loads["obstacle0_Fx"]], history["mass"][-1] / history["mass"][0]


def fit(points):
    """a, b of the least-squares C_x = a + b/r through [(r, C_x)]."""
    xs, ys = [1 / r for r, _ in points], [c for _, c in points]
    n, sx, sy = len(xs), sum(xs), sum(ys)
    sxx, sxy = sum(x * x for x in xs), sum(x * y for x, y in zip(xs, ys))
    b = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    return (sy - b * sx) / n, b


def main():
    ap = strata_runs.argument_parser()
    a = ap.parse_args()
    strata_runs.check_arguments(TOOL, a.strata, a.outdir, a.jobs)
    pulses = {k: pulse_run(a.strata, a.outdir, *k) for k in PULSES}
    cylinders = {k: cylinder_run(a.strata, a.outdir, *k) for k in CYLINDERS}
    # the longest runs first, so that two jobs end together
    runs = [cylinders[("farfield", 15)]] + [r for k, r in cylinders.items() if k != ("farfield", 15)]
    strata_runs.run_all(TOOL, a.jobs, runs + list(pulses.values()), a.reuse)

    left = {k: pulse_result(out) for k, (_, out) in pulses.items()}
    print("| sides | layer 0, 100 cells | 200 | 400 | layer 1 (Kn 1e-3, 12^3), 100 | 200 | 400 |")
    print("|---|---|---|---|---|---|---|")
    for sides in PULSE_SIDES:
        cells = []
        for layer in ("layer0", "layer1"):
            for n in (100, 200, 400):
                got = left.get((layer, sides, n))
                cells.append(f"{max(got[1]):.2e}" + (f" ({100 * max(got[1]) / WAVE:.2g}%)" if n == 200 else "")
                             if got else "")
        print(f"| `{sides}` | " + " | ".join(cells) + " |")

    drag = {k: cylinder_result(out) for k, (_, out) in cylinders.items()}
    print("\n| sides | sides from the centre (radii) | C_x at t = 10 | over t >= 5 | mass at t = 10 / at t = 0 |")
    print("|---|---|---|---|---|")
    for (sides, radii), (t, cx, mass) in drag.items():
        late = [c for s, c in zip(t, cx) if s >= 5]
        print(f"| `{sides}` | {radii} | {cx[-1]:.3f} | {min(late):.3f}-{max(late):.3f} | {mass:.3f} |")
    far = [(r, drag[("farfield", r)][1][-1]) for s, r in CYLINDERS if s == "farfield"]
    a0, b0 = fit(far)
    print(f"\nfar-field sides: C_x = {a0:.3f} + {b0:.2f}/r (r in radii); largest residual "
          f"{max(abs(c - a0 - b0 / r) for r, c in far):.1e}")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, layer, title in zip(axes, ("layer0", "layer1"), ("layer 0 (Euler)", "layer 1 (ES-BGK, Kn 1e-3)")):
        for (lay, sides, n), (x, d) in left.items():
            if lay == layer and sides in ("farfield", "outflow"):
                ax.semilogy(x, d, "-" if sides == "farfield" else "--", lw=1, label=f"{sides}, {n} cells")
        ax.axhline(WAVE, color="k", lw=0.6, ls=":", label="one wave's amplitude")
        ax.set_title(title)
        ax.set_xlabel("x")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("|rho - 1| at t = 0.9 (what came back)")
    fig.suptitle("A sound pulse leaving through the sides", fontsize=10)
    fig.tight_layout()
    save_png(fig, os.path.join(a.outdir, "farfield_pulse.png"), TOOL)

    fig, (ax, fit_ax) = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [3, 2]})
    for (sides, radii), (t, cx, _) in drag.items():
        ax.plot(t, cx, "-" if sides == "farfield" else "--", lw=1, label=f"{sides}, sides at {radii} radii")
    ax.set_ylim(0, 4)
    ax.set_xlabel("t")
    ax.set_ylabel("C_x")
    ax.set_title("Mach 0.3 cylinder, layer 0, 6 cells per radius", fontsize=9)
    ax.legend(fontsize=7)
    fit_ax.plot([1 / r for r, _ in far], [c for _, c in far], "o", label="far-field sides, t = 10")
    xs = [0, 0.22]
    fit_ax.plot(xs, [a0 + b0 * x for x in xs], "-", lw=0.8, label=f"C_x = {a0:.2f} + {b0:.1f}/r")
    fit_ax.set_xlabel("1/r (r: sides' distance in radii)")
    fit_ax.set_ylabel("C_x")
    fit_ax.legend(fontsize=7)
    fig.tight_layout()
    save_png(fig, os.path.join(a.outdir, "farfield_cylinder.png"), TOOL)


if __name__ == "__main__":
    main()
