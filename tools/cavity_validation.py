#!/usr/bin/python3
"""Lid-driven cavity between Maxwell walls in layer 1, layer 2 and the hybrid.

usage: tools/cavity_validation.py STRATA OUTDIR [--modes layer1 layer2 hybrid] [--jobs 2] [--reuse]
                                  [--reference CSV [--reference-label TEXT]]

Runs cases/cavity.json once per regime mode into OUTDIR/<mode>/ (one thread each),
reads the final snapshot and draws
  OUTDIR/cavity_centrelines.png  u_x and T on the vertical centre line x = 1/2, u_y and T
                                 on the horizontal one y = 1/2, all modes;
  OUTDIR/cavity_heat_flux.png    T with the heat-flux vectors, one panel per mode.
Prints per mode the wall time, the layer shares, the mass drift, the change of the centre's
u_x over the last time unit, the vortex centre (the
extremum of the mass stream function), the share of cells whose heat flux runs from cold
to hot (q . grad T > 0) and the largest centre-line differences against the first mode.
--reference adds published centre-line data (e.g. digitised DSMC profiles) to the figure
and prints each mode's largest and RMS difference from them, Strata's profiles
interpolated linearly to the reference's coordinates. The CSV has the header
line,coordinate,quantity,value: line "vertical" (x = 1/2, coordinate y) or "horizontal"
(y = 1/2, coordinate x), coordinate in units of the cavity side, quantity "ux/U", "uy/U"
or "T/Tw" (normalised by the lid speed and the wall temperature, as the DSMC literature
plots them). No such data ships with Strata (docs/validation.md, "Lid-driven cavity").

--reuse reads the runs in OUTDIR whose summary.json says "completed" and runs the others
again (tools/strata_runs.py: an interrupted run's checkpoints make strata refuse, and that
is reported with what to do). Exit status: 0 success, 2 bad arguments (STRATA not an
executable file, --jobs below 1, OUTDIR not a folder, a bad reference CSV) or a run's
output that cannot be read, 3 matplotlib missing, 4 a Strata run failed or was refused
(the message names its folder, strata's exit status and error).
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402

plt = pyplot("cavity_validation.py")  # before strata_runs, whose plot_case needs matplotlib too
import strata_runs  # noqa: E402
import numpy as np  # noqa: E402 (a dependency of matplotlib)

TOOL = "cavity_validation.py"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASE = os.path.join(ROOT, "cases", "cavity.json")
STYLE = {"layer1": ("o-", "layer 1 (ES-BGK)"), "layer2": ("s--", "layer 2 (hard spheres)"),
         "hybrid": ("^:", "hybrid")}
LID_SPEED, WALL_T = 0.2, 1.0  # cases/cavity.json: mesh.boundary.top.ux and the walls' T
# A reference quantity: the centre-line field, the line (0: x = 1/2, 1: y = 1/2) and the
# scale that turns the reference's normalised values into Strata's units.
REFERENCE_QUANTITIES = {"ux/U": ("ux", LID_SPEED), "uy/U": ("uy", LID_SPEED), "T/Tw": ("T", WALL_T)}
LINES = {"vertical": 0, "horizontal": 1}


def read_reference(path):
    """{(field, line): (coordinates, values in Strata's units)} from a reference CSV (above);
    exits with status 2 and a message naming the file and row on bad input."""
    def fail(message):
        strata_runs.fail(TOOL, f"{path}: {message}")
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"cannot read it ({e.strerror})")
    series = {}
    columns = ["line", "coordinate", "quantity", "value"]
    if rows and list(rows[0])[:4] != columns:
        fail(f"expected the header {','.join(columns)}, got {','.join(str(k) for k in rows[0] if k is not None)}")
    for number, row in enumerate(rows, start=2):
        if None in row or None in row.values():
            fail(f"row {number}: expected 4 fields (line,coordinate,quantity,value)")
        if row["line"] not in LINES:
            fail(f"row {number}: line must be {' or '.join(LINES)}, got '{row['line']}'")
        if row["quantity"] not in REFERENCE_QUANTITIES:
            fail(f"row {number}: quantity must be one of {', '.join(REFERENCE_QUANTITIES)}, got '{row['quantity']}'")
        try:
            s, v = float(row["coordinate"]), float(row["value"])
        except ValueError:
            fail(f"row {number}: coordinate and value must be numbers, got '{row['coordinate']}', '{row['value']}'")
        if not (0.0 <= s <= 1.0 and np.isfinite(v)):
            fail(f"row {number}: the coordinate must lie in [0, 1] and the value be finite, got {s}, {v}")
        field, scale = REFERENCE_QUANTITIES[row["quantity"]]
        series.setdefault((field, LINES[row["line"]]), []).append((s, v * scale))
    if not series:
        fail("no data rows")
    return {k: tuple(np.array(c) for c in zip(*sorted(v))) for k, v in series.items()}


def result(out):
    summary = strata_runs.read_summary(TOOL, out)
    snapshot = strata_runs.last_snapshot(TOOL, out, ("rho", "ux", "uy", "T", "heat_flux"), components=True)
    cells, dx, dy = snapshot["fields"], snapshot["dx"], snapshot["dy"]
    probe = strata_runs.read_table(TOOL, os.path.join(out, "probe_center.csv"), ("t", "ux"))
    t, ux = probe["t"], probe["ux"]
    # how far from steady the run ended: the centre's u_x one time unit before the end
    earlier = min(range(len(t)), key=lambda i: abs(t[i] - (t[-1] - 1.0)))
    summary["centre_ux_change"] = abs(ux[-1] - ux[earlier])
    return summary, cells, dx, dy


def centre_lines(c):
    """Values on x = 1/2 (against y) and y = 1/2 (against x): the mean of the two cell
    columns (rows) beside the centre face of an even grid, the middle one of an odd grid."""
    def mid(a, axis):
        n = a.shape[axis]
        return a.take(n // 2, axis) if n % 2 else 0.5 * (a.take(n // 2 - 1, axis) + a.take(n // 2, axis))
    return {k: (mid(c[k][:, :, 0], 1), mid(c[k][:, :, 0], 0)) for k in ("ux", "uy", "T")}


def vortex_centre(c, dx, dy):
    """Extremum of the mass stream function psi(x, y) = integral_0^y rho u_x dy' at the
    cell tops: the vortex centre, to a cell."""
    psi = np.cumsum(c["rho"][:, :, 0] * c["ux"][:, :, 0], axis=0) * dy
    j, i = np.unravel_index(np.argmax(np.abs(psi)), psi.shape)
    return (i + 0.5) * dx, (j + 1) * dy, psi[j, i]


def counter_gradient_share(c, dx, dy):
    """Share of interior cells whose heat flux has a component up the temperature gradient."""
    T = c["T"][:, :, 0]
    gy, gx = np.gradient(T, dy, dx)
    dot = (c["heat_flux"][:, :, 0] * gx + c["heat_flux"][:, :, 1] * gy)[1:-1, 1:-1]
    return float(np.mean(dot > 0))


def main():
    ap = strata_runs.argument_parser()
    ap.add_argument("--modes", nargs="+", choices=list(STYLE), default=list(STYLE))
    ap.add_argument("--reference", help="CSV of published centre-line data (see the module's help)")
    ap.add_argument("--reference-label", default="reference", help="its legend entry, e.g. 'DSMC, John et al.'")
    a = ap.parse_args()
    reference = read_reference(a.reference) if a.reference else {}
    strata_runs.check_arguments(TOOL, a.strata, a.outdir, a.jobs)
    outs = {m: os.path.join(a.outdir, m) for m in a.modes}
    strata_runs.run_all(TOOL, a.jobs, [([a.strata, "run", CASE, "--set", f"regime.mode={m}", "--threads", "1", "-q",
                                         "--out", out], out) for m, out in outs.items()], a.reuse)
    results = {m: result(out) for m, out in outs.items()}

    lines = {m: centre_lines(c) for m, (_, c, _, _) in results.items()}
    ref = a.modes[0]
    print("mode     wall s   layer shares 0/1/2     mass drift  centre u_x change over the last time unit"
          "  vortex centre (x, y)  psi      cold-to-hot cells"
          f"  max |d u_x|, |d u_y|, |d T| on the centre lines vs {ref}")
    for m, (summary, c, dx, dy) in results.items():
        x0, y0, psi = vortex_centre(c, dx, dy)
        d = [max(np.max(np.abs(lines[m][k][i] - lines[ref][k][i])) for i in (0, 1)) for k in ("ux", "uy", "T")]
        print(f"{m:7s} {summary['wall_seconds']['total']:7.0f}   "
              f"{'/'.join(f'{s:.3f}' for s in summary['layer_share']):20s} {summary['conservation']['mass']:10.1e}"
              f"  {summary['centre_ux_change']:9.1e}  ({x0:.3f}, {y0:.3f})        {psi:8.5f}  {counter_gradient_share(c, dx, dy):8.3f}"
              f"           {d[0]:.2e}, {d[1]:.2e}, {d[2]:.2e}")

    if reference:
        print(f"against {a.reference_label} ({a.reference}): largest and RMS difference, in units of U for"
              " velocities and T_w for T")
    for m in a.modes:
        for (field, i), (s_ref, v_ref) in sorted(reference.items()):
            v = lines[m][field][i]
            centres = (np.arange(len(v)) + 0.5) / len(v)
            # Only between the first and last cell centre: no extrapolation to the walls.
            inside = (s_ref >= centres[0]) & (s_ref <= centres[-1])
            where = f"{m:7s} {field:2s} on {'x' if i == 0 else 'y'} = 1/2"
            skipped = f" ({np.count_nonzero(~inside)} points nearer a wall than a cell centre not compared)"
            if not inside.any():
                print(f"{where}: no reference point between the cell centres{skipped}")
                continue
            d = np.interp(s_ref[inside], centres, v) - v_ref[inside]
            unit = WALL_T if field == "T" else LID_SPEED
            print(f"{where} ({np.count_nonzero(inside)} points): max {np.max(np.abs(d)) / unit:.3e}, "
                  f"RMS {np.sqrt(np.mean(d * d)) / unit:.3e}" + (skipped if not inside.all() else ""))

    fig, axes = plt.subplots(2, 2, figsize=(9, 7))
    panels = [("ux", 0, "y", r"$u_x$ on $x = 1/2$"), ("uy", 1, "x", r"$u_y$ on $y = 1/2$"),
              ("T", 0, "y", r"$T$ on $x = 1/2$"), ("T", 1, "x", r"$T$ on $y = 1/2$")]
    for ax, (k, i, coord, title) in zip(axes.flat, panels):
        for m in a.modes:
            v = lines[m][k][i]
            s = (np.arange(len(v)) + 0.5) / len(v)
            ax.plot(s, v, STYLE[m][0], ms=4, mfc="none", label=STYLE[m][1])
        if (k, i) in reference:
            ax.plot(*reference[(k, i)], "kx", ms=6, label=a.reference_label)
            ax.legend(fontsize=7)
        ax.set_xlabel(coord)
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle("Lid-driven cavity, diffuse walls at T = 1, lid at U = 0.2, Kn = 1 (20 x 20 cells, 12$^3$ velocities)",
                 fontsize=9)
    fig.tight_layout()
    save_png(fig, os.path.join(a.outdir, "cavity_centrelines.png"), TOOL, dpi=110)

    fig, axes = plt.subplots(1, len(a.modes), figsize=(4 * len(a.modes), 3.8), squeeze=False)
    for ax, m in zip(axes[0], a.modes):
        _, c, dx, dy = results[m]
        ny, nx = c["T"].shape[:2]
        xs, ys = (np.arange(nx) + 0.5) * dx, (np.arange(ny) + 0.5) * dy
        im = ax.contourf(xs, ys, c["T"][:, :, 0], 20, cmap="coolwarm")
        ax.quiver(xs, ys, c["heat_flux"][:, :, 0], c["heat_flux"][:, :, 1], width=0.004)
        ax.set_aspect("equal")
        ax.set_title(f"{STYLE[m][1]}: T and heat flux", fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    save_png(fig, os.path.join(a.outdir, "cavity_heat_flux.png"), TOOL, dpi=110)


if __name__ == "__main__":
    main()
