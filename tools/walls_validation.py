#!/usr/bin/python3
"""Planar Couette and Fourier flows between Maxwell walls over the rarefaction range.

usage: tools/walls_validation.py STRATA OUTDIR [--jobs 2] [--modes layer1 layer2 hybrid] [--reuse]

Runs cases/couette.json and cases/fourier.json for a list of rarefaction parameters
delta = p H / (mu v0), v0 = sqrt(2T/m) (docs/validation.md, "Walls"), in each of the
regime modes asked for: layer1 (ES-BGK, its formula viscosity, six deltas), layer2
(hard-sphere boltzmann_fft) and hybrid (Euler interior, realizability indicator, layer-2
wall bands; ES-BGK adopts layer 2's viscosity), the last two on a reduced set of deltas,
knudsen set from the first-Sonine hard-sphere viscosity and the points drawn at the delta
of the viscosity measured in their Couette run at delta = 10. Reads the steady shear stress Pxy and heat
flux qy from the probes, prints a table and draws OUTDIR/couette_shear.png and
OUTDIR/fourier_heat_flux.png against the free-molecular closed forms and the
Navier-Stokes solutions with first-order slip and temperature jump.

--reuse reads the runs in OUTDIR whose summary.json says "completed" and runs the others
again (tools/strata_runs.py: an interrupted run's checkpoints make strata refuse, and that
is reported with what to do). Exit status: 0 success, 2 bad arguments (STRATA not an
executable file, --jobs below 1, OUTDIR not a folder) or a run's output that cannot be
read, 3 matplotlib missing, 4 a Strata run failed or was refused (the message names its
folder, strata's exit status and error).
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import pyplot, save_png  # noqa: E402

plt = pyplot("walls_validation.py")  # before strata_runs, whose plot_case needs matplotlib too
import strata_runs  # noqa: E402

TOOL = "walls_validation.py"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
U, T_LOW, T_HIGH, BETA, NU_C = 0.1, 0.9, 1.1, -0.5, math.pi / 2
DELTAS = [0.1, 0.3, 1.0, 3.0, 10.0]
FREE_MOLECULAR = 1e6  # knudsen of the collisionless runs
# Heat diffuses more slowly than momentum (Pr = 2/3) and the free-molecular heat flux
# carries the slowest velocity classes longest: Fourier runs go to t = 16.
END = {"couette.json": 8, "fourier.json": 16}
# Layer 2 costs about 7 s per time unit on one thread (20 cells, 16^3 velocities): the
# layer-2 and hybrid runs stop both cases at t = 8 and skip the free-molecular point (the
# collisionless limit does not depend on the collision model: layer 1's stands for all).
REDUCED_DELTAS, REDUCED_END = [0.1, 1.0, 10.0], 8
# First-Sonine hard-sphere viscosity at T = 1 (Chapman-Cowling, diameter 2): the
# operator's own mu / knudsen within 1e-3 on 32^3 velocities on [-8, 8]^3 (docs/numerics.md,
# "Transport coefficients"); main() measures it on the runs' grid.
MU_HS = 5 / 64 / math.sqrt(math.pi)
HS_SETS = ["boltzmann.plugin=boltzmann_fft", "output.snapshots=true"]
MODES = {  # --set overrides, deltas, end times, marker, label
    "layer1": ([], DELTAS + [0.0], END, "o", "layer 1 (ES-BGK)"),
    "layer2": (["regime.mode=layer2"] + HS_SETS, REDUCED_DELTAS, None, "s", "layer 2 (hard spheres)"),
    "hybrid": (["regime.mode=hybrid", "regime.initial=0", "regime.band_layer=2", "fluid.plugin=euler",
                "indicator.plugin=realizability"] + HS_SETS, REDUCED_DELTAS, None, "^",
               "hybrid (Euler | ES-BGK | hard spheres)"),
}


def knudsen_for(delta, mode, T=1.0):
    """delta = p H / (mu v0) with H = 1, rho = 1, mu = knudsen * (mu per unit knudsen).
    Layer 1 (nu = c rho T^0 / knudsen): mu = knudsen p / ((1 - beta) c rho). Layer 2 and
    the hybrid (whose ES-BGK adopts layer 2's law): mu = knudsen mu_HS(T)."""
    if delta == 0:
        return FREE_MOLECULAR
    mu_per_knudsen = T / ((1 - BETA) * NU_C) if mode == "layer1" else MU_HS * math.sqrt(T)
    return T / (delta * mu_per_knudsen * math.sqrt(2 * T))


def out_dir(outdir, case, mode, delta):
    return os.path.join(outdir, f"{case[:-5]}{'' if mode == 'layer1' else '_' + mode}_delta{delta}")


def command(strata, case, mode, delta, out):
    sets, _, end, _, _ = MODES[mode]
    end = end[case] if end else REDUCED_END
    cmd = [strata, "run", os.path.join(ROOT, "cases", case), "--set", f"knudsen={knudsen_for(delta, mode)}",
           "--set", f"time.end={end}", "--threads", "1", "-q", "--out", out]
    for s in sets:
        cmd += ["--set", s]
    return cmd


def result(case, out):
    """The probed value (Pxy of Couette, qy of Fourier) at the end, one time unit earlier
    (how far from steady the run ended), and the summary."""
    key = "Pxy" if case == "couette.json" else "qy"
    probe = strata_runs.read_table(TOOL, os.path.join(out, "probe_center.csv"), ("t", key))
    t = probe["t"]
    earlier = min(range(len(t)), key=lambda i: abs(t[i] - (t[-1] - 1.0)))
    return probe[key][-1], probe[key][earlier], strata_runs.read_summary(TOOL, out)


def figure_against_delta(points, curves, ds, ylabel, title, path, ylim=None):
    """Strata's ratios to the free-molecular closed form against delta (points: {mode:
    [(delta, ratio)]}, delta 0 = free-molecular), with the continuum curves (label, values on ds)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for mode, mode_points in points.items():
        pts = sorted((d, r) for d, r in mode_points if d > 0)
        ax.semilogx([d for d, _ in pts], [r for _, r in pts], MODES[mode][3], mfc="none" if mode != "layer1" else None,
                    ms=8 if mode == "layer2" else 6, label=f"Strata, {MODES[mode][4]}")
    fm = [r for mode_points in points.values() for d, r in mode_points if d == 0][0]
    ax.axhline(fm, color="C0", ls=":", label=f"Strata, free-molecular ({fm:.4f})")
    ax.axhline(1.0, color="k", lw=0.8, label="free-molecular closed form")
    for label, values in curves:
        ax.semilogx(ds, values, "--", lw=1, label=label)
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_xlabel(r"rarefaction parameter $\delta = pH/(\mu v_0)$")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7, title="16$^3$ velocities, 20 cells", title_fontsize=7)
    fig.tight_layout()
    save_png(fig, path, TOOL)


def main():
    ap = strata_runs.argument_parser()
    ap.add_argument("--modes", nargs="+", choices=list(MODES), default=["layer1"],
                    help="regime modes to run (layer 1 always gives the free-molecular point)")
    a = ap.parse_args()
    strata_runs.check_arguments(TOOL, a.strata, a.outdir, a.jobs)
    modes = ["layer1"] + [m for m in a.modes if m != "layer1"]
    outs = {(case, mode, d): out_dir(a.outdir, case, mode, d)
            for case in ("couette.json", "fourier.json") for mode in modes for d in MODES[mode][1]}
    strata_runs.run_all(TOOL, a.jobs, [(command(a.strata, *k, out), out) for k, out in outs.items()], a.reuse)
    results = {k: result(k[0], out) for k, out in outs.items()}

    # Free-molecular closed forms (docs/validation.md): plates at -U and +U,
    # Pxy_fm = -rho U sqrt(2T/(pi m)); plates at T1, T2 at rest,
    # qy_fm = (4/sqrt(2 pi)) rho sqrt(T1 T2) / (sqrt(T1) + sqrt(T2)) (T1 - T2).
    tau_fm = U * math.sqrt(2 / math.pi)
    q_fm = 4 / math.sqrt(2 * math.pi) * math.sqrt(T_LOW * T_HIGH) / (math.sqrt(T_LOW) + math.sqrt(T_HIGH)) * (T_LOW - T_HIGH)
    # The hard-sphere delta assumes mu = knudsen mu_HS; the operator's own mu on the run's
    # velocity grid is measured where the Couette flow is Navier-Stokes: mu = -Pxy / (du_x/dy)
    # at mid-channel of the delta = 10 run (Knudsen layers are ~1/delta thick, the profile
    # linear in between). Its points are drawn at the delta of that measured mu.
    mu_ratio = {"layer1": 1.0}
    for mode in (m for m in modes if m != "layer1"):
        d = max(REDUCED_DELTAS)
        ux = strata_runs.last_snapshot(TOOL, out_dir(a.outdir, "couette.json", mode, d), want=("ux",))
        col = ux["fields"]["ux"][:, 0]
        grad = (col[len(col) // 2] - col[len(col) // 2 - 1]) / ux["dy"]
        mu = -results[("couette.json", mode, d)][0] / grad
        mu_ratio[mode] = mu / (knudsen_for(d, mode) * MU_HS)
        print(f"{mode}: mu measured at mid-channel (Couette, delta {d}) / (knudsen mu_HS) = {mu_ratio[mode]:.4f}")
    print("case     mode    delta  delta(measured mu) knudsen  value  / free-molecular"
          "  change over the last time unit  layer shares 0/1/2")
    couette, fourier = {m: [] for m in modes}, {m: [] for m in modes}
    for (case, mode, d), (v, v0, summary) in sorted(results.items()):
        ref = -tau_fm if case == "couette.json" else q_fm
        (couette if case == "couette.json" else fourier)[mode].append((d / mu_ratio[mode], v / ref))
        shares = "/".join(f"{x:.3f}" for x in summary["layer_share"])
        print(f"{case[:-5]:8s} {mode:7s} {d:6.2f} {d / mu_ratio[mode]:8.3f} {knudsen_for(d, mode):9.4g} {v:12.6g}"
              f" {v / ref:12.5f} {abs(v - v0) / abs(v):14.2e}   {shares}")

    # Navier-Stokes with first-order slip: Pxy = -2 mu U / (H + 2 sigma_P l), l = mu v0 / p,
    # so Pxy / Pxy_fm = sqrt(pi) / (delta + 2 sigma_P).
    ds = [10 ** (k / 20) for k in range(-30, 31)]
    figure_against_delta(couette, [(r"Navier-Stokes + first-order slip, " + name,
                                    [math.sqrt(math.pi) / (d + 2 * sigma) for d in ds])
                                   for sigma, name in ((1.016, "BGK slip coefficient 1.016"),
                                                       (math.sqrt(math.pi) / 2, "Maxwell slip (0.886)"))],
                         ds, r"$P_{xy} / P_{xy}^{fm}$", "Planar Couette flow, diffuse walls at $\\pm U$",
                         os.path.join(a.outdir, "couette_shear.png"))

    # Navier-Stokes with a first-order temperature jump (Smoluchowski): the conductivity
    # of ES-BGK is kappa = (5/2) p / (m nu) = (15/4) mu at Pr = 2/3, the jump
    # dT = zeta_T dT/dy with zeta_T = 2 gamma/((gamma + 1) Pr) lambda, lambda = (mu/p) sqrt(pi T/2):
    # qy = -kappa (T2 - T1) / (H + 2 zeta_T); in units of qy_fm as a function of delta.
    gamma, pr, T = 5 / 3, 2 / 3, 0.5 * (T_LOW + T_HIGH)

    def q_ns(delta):
        mu = T / (delta * math.sqrt(2 * T))
        zeta = 2 * gamma / ((gamma + 1) * pr) * mu / T * math.sqrt(math.pi * T / 2)
        return -(15 / 4) * mu * (T_HIGH - T_LOW) / (1 + 2 * zeta) / q_fm

    figure_against_delta(fourier, [("Navier-Stokes + Smoluchowski temperature jump", [q_ns(d) for d in ds])],
                         ds, r"$q_y / q_y^{fm}$", "Planar Fourier flow, diffuse walls at T = 0.9 and 1.1",
                         os.path.join(a.outdir, "fourier_heat_flux.png"), ylim=(0, 1.2))

    print("Fourier: gas temperature in the cells next to the walls (wall: 0.9, 1.1)")
    for (case, mode, d), _ in sorted(results.items()):
        if case != "fourier.json":
            continue
        out = out_dir(a.outdir, case, mode, d)
        ends = {}
        for probe in ("bottom", "top"):
            ends[probe] = strata_runs.read_table(TOOL, os.path.join(out, f"probe_{probe}.csv"), ("T",))["T"][-1]
        print(f"  {mode:7s} delta {d:6.2f}: T(bottom cell) = {ends['bottom']:.5f}, T(top cell) = {ends['top']:.5f}")


if __name__ == "__main__":
    main()
