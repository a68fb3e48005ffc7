#!/usr/bin/python3
"""Planar Couette and Fourier flows between Maxwell walls over the rarefaction range.

usage: tools/walls_validation.py STRATA OUTDIR [--jobs 2] [--cases couette fourier]

Runs cases/couette.json and cases/fourier.json in layer 1 (ES-BGK) for a list of
rarefaction parameters delta = p H / (mu v0), v0 = sqrt(2T/m) (docs/validation.md,
"Walls"), reads the steady shear stress Pxy and heat flux qy from the probes, prints a
table and draws OUTDIR/couette_shear.png and OUTDIR/fourier_heat_flux.png against the
free-molecular closed forms and the Navier-Stokes solutions with first-order slip and
temperature jump.
"""
import argparse
import concurrent.futures
import csv
import math
import os
import subprocess
import sys

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    sys.stderr.write("walls_validation.py: python3-matplotlib is missing: bash tools/install_deps.sh\n")
    sys.exit(3)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
U, T_LOW, T_HIGH, BETA, NU_C = 0.1, 0.9, 1.1, -0.5, math.pi / 2
DELTAS = [0.1, 0.3, 1.0, 3.0, 10.0]
FREE_MOLECULAR = 1e6  # knudsen of the collisionless runs
# Heat diffuses more slowly than momentum (Pr = 2/3) and the free-molecular heat flux
# carries the slowest velocity classes longest: Fourier runs go to t = 16.
END = {"couette.json": 8, "fourier.json": 16}


def knudsen_for(delta, T=1.0):
    """ES-BGK in layer 1 (nu = c rho T^0 / knudsen): mu = knudsen p / ((1 - beta) c rho),
    delta = p H / (mu v0) with H = 1, rho = 1."""
    mu_per_knudsen = T / ((1 - BETA) * NU_C)
    return T / (delta * mu_per_knudsen * math.sqrt(2 * T))


def run(strata, case, knudsen, out, reuse):
    cmd = [strata, "run", os.path.join(ROOT, "cases", case), "--set", f"knudsen={knudsen}",
           "--set", f"time.end={END[case]}", "--threads", "1", "-q", "--out", out]
    if not (reuse and os.path.exists(os.path.join(out, "summary.json"))):
        subprocess.run(cmd, check=True)
    with open(os.path.join(out, "probe_center.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    last = rows[-1]
    # the value one time unit earlier: how far from steady the run ended
    t_end = float(last["t"])
    earlier = min(rows, key=lambda r: abs(float(r["t"]) - (t_end - 1.0)))
    return last, earlier


def figure_against_delta(points, curves, ds, ylabel, title, path, ylim=None):
    """Strata's ratios to the free-molecular closed form against delta (points: (delta,
    ratio, row), delta 0 = free-molecular), with the continuum curves (label, values on ds)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    pts = sorted((d, r) for d, r, _ in points if d > 0)
    ax.semilogx([d for d, _ in pts], [r for _, r in pts], "o", label="Strata, ES-BGK, 16$^3$ velocities, 20 cells")
    fm = [r for d, r, _ in points if d == 0][0]
    ax.axhline(fm, color="C0", ls=":", label=f"Strata, free-molecular ({fm:.4f})")
    ax.axhline(1.0, color="k", lw=0.8, label="free-molecular closed form")
    for label, values in curves:
        ax.semilogx(ds, values, "--", lw=1, label=label)
    if ylim:
        ax.set_ylim(*ylim)
    ax.set_xlabel(r"rarefaction parameter $\delta = pH/(\mu v_0)$")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("strata")
    ap.add_argument("outdir")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="read the runs already in OUTDIR instead of running them")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    runs = [(case, d) for case in ("couette.json", "fourier.json") for d in DELTAS + [0.0]]
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        futures = {(case, d): pool.submit(run, a.strata, case, FREE_MOLECULAR if d == 0 else knudsen_for(d),
                                          os.path.join(a.outdir, f"{case[:-5]}_delta{d}"), a.reuse)
                   for case, d in runs}
        results = {k: f.result() for k, f in futures.items()}

    # Free-molecular closed forms (docs/validation.md): plates at -U and +U,
    # Pxy_fm = -rho U sqrt(2T/(pi m)); plates at T1, T2 at rest,
    # qy_fm = (4/sqrt(2 pi)) rho sqrt(T1 T2) / (sqrt(T1) + sqrt(T2)) (T1 - T2).
    tau_fm = U * math.sqrt(2 / math.pi)
    q_fm = 4 / math.sqrt(2 * math.pi) * math.sqrt(T_LOW * T_HIGH) / (math.sqrt(T_LOW) + math.sqrt(T_HIGH)) * (T_LOW - T_HIGH)
    print("case      delta   knudsen     value        / free-molecular   change over the last time unit")
    couette, fourier = [], []
    for (case, d), (last, earlier) in sorted(results.items()):
        key, ref = ("Pxy", -tau_fm) if case == "couette.json" else ("qy", q_fm)
        v, v0 = float(last[key]), float(earlier[key])
        (couette if case == "couette.json" else fourier).append((d, v / ref, last))
        print(f"{case[:-5]:8s} {d:6.2f} {FREE_MOLECULAR if d == 0 else knudsen_for(d):9.4g} {v:12.6g} {v / ref:12.5f}"
              f" {abs(v - v0) / abs(v):14.2e}")

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
    for (case, d), _ in sorted(results.items()):
        if case != "fourier.json":
            continue
        out = os.path.join(a.outdir, f"fourier_delta{d}")
        ends = {}
        for probe in ("bottom", "top"):
            with open(os.path.join(out, f"probe_{probe}.csv"), newline="") as f:
                ends[probe] = float(list(csv.DictReader(f))[-1]["T"])
        print(f"  delta {d:6.2f}: T(bottom cell) = {ends['bottom']:.5f}, T(top cell) = {ends['top']:.5f}")


if __name__ == "__main__":
    main()
