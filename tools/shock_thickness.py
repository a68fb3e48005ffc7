#!/usr/bin/python3
"""Normal-shock structure: thickness, Rankine-Hugoniot check and overlaid profiles.

usage:
  tools/shock_thickness.py sets MACH
      print the --set lines that turn cases/normal_shock.json (Mach 2) into Mach MACH
      (states and velocity grid; shorten time.end for faster flows as docs/validation.md)
  tools/shock_thickness.py thickness MACH PROFILE.csv [PROFILE.csv ...]
      per profile: lambda1/delta, delta = (rho2 - rho1) / max|drho/dx|, with rho1, rho2
      the Rankine-Hugoniot states (x in units of the upstream mean free path lambda1,
      as in cases/normal_shock.json), the shock position (rho = (rho1 + rho2)/2) and the
      relative deviation of the last cell from the downstream state
  tools/shock_thickness.py ns MACH
      lambda1/delta of the Navier-Stokes-Fourier shock of the same gas (first-Sonine hard
      spheres: mu = (5/16) sqrt(2 pi T) in units of lambda1, Prandtl 2/3), for reference
  tools/shock_thickness.py plot MACH OUT.png LABEL=PROFILE.csv [LABEL=PROFILE.csv ...]
      normalised density (rho - rho1)/(rho2 - rho1) and temperature (T - T1)/(T2 - T1)
      against x/lambda1, each run centred on its density midpoint, with the
      Navier-Stokes-Fourier profiles as thin grey lines

The derivative max|drho/dx| is the largest centred difference of neighbouring cells.
Exit status: 0 success, 1 bad arguments or input (the message names the file, and the
line of a bad row), 3 matplotlib missing.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import save_png  # noqa: E402
from csv_table import TableError, read_columns  # noqa: E402

GAMMA = 5.0 / 3.0
NS_EXTENT = 500  # upstream mean free paths the Navier-Stokes-Fourier profile is integrated over
VELOCITY_N = (4, 256)  # the case limits of velocity.n (docs/user_guide.md)


def rankine_hugoniot(mach):
    """Upstream (1, u1, 1) and downstream (rho2, u2, T2) of a gamma = 5/3 shock."""
    m2 = mach * mach
    u1 = mach * math.sqrt(GAMMA)
    rho2 = (GAMMA + 1) * m2 / ((GAMMA - 1) * m2 + 2)
    p2 = 1 + 2 * GAMMA / (GAMMA + 1) * (m2 - 1)
    return dict(rho1=1.0, u1=u1, T1=1.0, rho2=rho2, u2=u1 / rho2, T2=p2 / rho2)


def read_profile(path):
    try:
        return read_columns(path, ("x", "rho", "ux", "T"))
    except TableError as e:
        sys.exit(f"shock_thickness.py: {e}")


def analyse(mach, prof, where="the profile"):
    rh = rankine_hugoniot(mach)
    x, rho = prof["x"], prof["rho"]
    if len(x) < 3:
        sys.exit(f"shock_thickness.py: {where}: {len(x)} cells; a shock profile needs at least 3")
    slope, at = 0.0, 0
    for i in range(1, len(x) - 1):
        s = abs(rho[i + 1] - rho[i - 1]) / (x[i + 1] - x[i - 1])
        if s > slope:
            slope, at = s, i
    mid = 0.5 * (rh["rho1"] + rh["rho2"])
    x_mid = None
    for i in range(len(x) - 1):
        if (rho[i] - mid) * (rho[i + 1] - mid) <= 0 and rho[i + 1] != rho[i]:
            x_mid = x[i] + (mid - rho[i]) * (x[i + 1] - x[i]) / (rho[i + 1] - rho[i])
            break
    if slope == 0 or x_mid is None:
        sys.exit(f"shock_thickness.py: {where}: its density never crosses the Mach {mach:g} midpoint {mid:.4g}; "
                 "not a profile of this shock")
    delta = (rh["rho2"] - rh["rho1"]) / slope
    down = {k: prof[k][-1] / rh[k + "2" if k != "ux" else "u2"] - 1 for k in ("rho", "ux", "T")}
    up = {k: prof[k][0] / rh[k + "1" if k != "ux" else "u1"] - 1 for k in ("rho", "ux", "T")}
    return dict(inverse_thickness=1.0 / delta, delta=delta, x_max_slope=x[at], x_mid=x_mid,
                downstream_rel_dev=down, upstream_rel_dev=up)


def navier_stokes(mach, h=0.002):
    """Navier-Stokes-Fourier shock profile of the case's gas, x in units of lambda1.

    Steady 1D equations integrated once: m u + p - (4/3) mu u' = P,
    m (5/2 T + u^2/2) - (4/3) mu u u' - kappa T' = E, m = rho1 u1, p = m T / u,
    mu = (5/16) sqrt(2 pi T) (first-Sonine hard spheres with lambda1 = (16/5) mu1 /
    (rho1 sqrt(2 pi T1)) = 1), kappa = (15/4) mu. Integrated with RK4 from the downstream
    saddle along its stable direction towards x -> -infinity.
    Returns x, rho, T lists in increasing x.
    """
    rh = rankine_hugoniot(mach)
    u1, u2, T2 = rh["u1"], rh["u2"], rh["T2"]
    m = u1
    P = m * u1 + 1.0
    E = m * (2.5 + 0.5 * u1 * u1)
    mu0 = (5.0 / 16.0) * math.sqrt(2 * math.pi)

    def rhs(u, T):
        mu = mu0 * math.sqrt(T)
        excess = m * u + m * T / u - P
        return 0.75 / mu * excess, (m * (2.5 * T + 0.5 * u * u) - E - u * excess) / (3.75 * mu)

    e = 1e-7
    a = [(rhs(u2 + e, T2)[i] - rhs(u2 - e, T2)[i]) / (2 * e) for i in range(2)]
    b = [(rhs(u2, T2 + e)[i] - rhs(u2, T2 - e)[i]) / (2 * e) for i in range(2)]
    tr, det = a[0] + b[1], a[0] * b[1] - b[0] * a[1]
    disc = tr * tr - 4 * det
    v = (b[0], (tr - math.sqrt(max(disc, 0.0))) / 2 - a[0])
    norm = math.hypot(*v)
    if not (disc > 0 and norm > 0):  # at very high Mach numbers the differences above lose every digit
        sys.exit(f"shock_thickness.py: Mach {mach:g} is too strong for the Navier-Stokes-Fourier integration "
                 "(the downstream state's derivatives cannot be resolved in double precision)")
    v = (v[0] / norm, v[1] / norm) if v[0] > 0 else (-v[0] / norm, -v[1] / norm)
    u, T, x = u2 + 1e-6 * v[0], T2 + 1e-6 * v[1], 0.0
    xs, us, Ts = [x], [u], [T]

    def back(u, T):
        du, dT = rhs(u, T)
        return -du, -dT

    while u < u1 * (1 - 1e-5) and x > -NS_EXTENT:
        k1 = back(u, T)
        k2 = back(u + h / 2 * k1[0], T + h / 2 * k1[1])
        k3 = back(u + h / 2 * k2[0], T + h / 2 * k2[1])
        k4 = back(u + h * k3[0], T + h * k3[1])
        u += h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        T += h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        x -= h
        xs.append(x)
        us.append(u)
        Ts.append(T)
    # A weak shock is about 1/(Mach - 1) mean free paths wide: near Mach 1 it outgrows the
    # range, and the profile ends before its density midpoint.
    if m / u > 0.5 * (1 + rh["rho2"]):
        sys.exit(f"shock_thickness.py: Mach {mach:g} is too close to 1: its Navier-Stokes-Fourier shock is wider "
                 f"than the {NS_EXTENT} upstream mean free paths the profile is integrated over; "
                 "use a Mach number further from 1")
    xs.reverse(), us.reverse(), Ts.reverse()
    return dict(x=xs, rho=[m / uu for uu in us], ux=us, T=Ts)


def cmd_ns(mach):
    prof = navier_stokes(mach)
    print(f"Navier-Stokes-Fourier, Mach {mach:g}: lambda1/delta = {analyse(mach, prof)['inverse_thickness']:.4f}")


def cmd_sets(mach):
    rh = rankine_hugoniot(mach)
    u1 = f"{mach:g}*sqrt(5/3)"
    lines = [f"--set 'mesh.boundary.left.ux={u1}'", f"--set 'initial.0.ux={u1}'",
             f"--set mesh.boundary.right.rho={rh['rho2']:.15g}", f"--set mesh.boundary.right.ux={rh['u2']:.15g}",
             f"--set mesh.boundary.right.T={rh['T2']:.15g}", f"--set initial.1.rho={rh['rho2']:.15g}",
             f"--set initial.1.ux={rh['u2']:.15g}", f"--set initial.1.T={rh['T2']:.15g}"]
    # Velocity box: both Maxwellians well inside (|u| + 7.4 sqrt(T) upstream, where the
    # cold state needs it, |u| + 5.5 sqrt(T) downstream); spacing about 1.2 or finer.
    box = max(rh["u1"] + 7.4, rh["u2"] + 5.5 * math.sqrt(rh["T2"]))
    box = max(10.0, math.ceil(box))
    n = 2 * math.ceil(box / 1.2)
    n = max(n, 20)
    if not VELOCITY_N[0] <= n <= VELOCITY_N[1]:
        sys.exit(f"shock_thickness.py: Mach {mach:g} needs velocity.n = {n} (spacing 1.2 on [-{box:g}, {box:g}]), "
                 f"outside the case limits [{VELOCITY_N[0]}, {VELOCITY_N[1]}] of velocity.n: use a lower Mach number")
    lines += [f"--set velocity.L={box:g}", f"--set velocity.n={n}"]
    print(" \\\n".join(lines))


def cmd_thickness(mach, paths):
    if not paths:
        sys.exit("shock_thickness.py: thickness needs at least one PROFILE.csv after MACH")
    print("profile,lambda1_over_delta,delta,x_mid,x_max_slope,downstream_rho,downstream_ux,downstream_T")
    for p in paths:
        a = analyse(mach, read_profile(p), p)
        d = a["downstream_rel_dev"]
        print(f"{p},{a['inverse_thickness']:.4f},{a['delta']:.4f},{a['x_mid']:.3f},{a['x_max_slope']:.3f},"
              f"{d['rho']:.2e},{d['ux']:.2e},{d['T']:.2e}")


def cmd_plot(mach, out, items):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.stderr.write("shock_thickness.py: python3-matplotlib is missing: apt-get install python3-matplotlib\n")
        sys.exit(3)
    rh = rankine_hugoniot(mach)
    fig, ax = plt.subplots(figsize=(8, 5))
    colours = ["black", "tab:green", "tab:red", "tab:blue", "tab:orange"]
    ns = navier_stokes(mach)
    a = analyse(mach, ns)
    xs = [x - a["x_mid"] for x in ns["x"]]
    ax.plot(xs, [(r - rh["rho1"]) / (rh["rho2"] - rh["rho1"]) for r in ns["rho"]], color="grey", lw=0.8,
            label=f"Navier-Stokes-Fourier: density ($\\lambda_1/\\delta$ = {a['inverse_thickness']:.3f})")
    ax.plot(xs, [(t - rh["T1"]) / (rh["T2"] - rh["T1"]) for t in ns["T"]], color="grey", lw=0.8, ls="--",
            label="Navier-Stokes-Fourier: temperature")
    for k, item in enumerate(items):
        if "=" not in item:
            sys.exit(f"shock_thickness.py: expected LABEL=PROFILE.csv, got {item!r}")
        label, path = item.rsplit("=", 1)
        prof = read_profile(path)
        a = analyse(mach, prof, path)
        xs = [x - a["x_mid"] for x in prof["x"]]
        nr = [(r - rh["rho1"]) / (rh["rho2"] - rh["rho1"]) for r in prof["rho"]]
        nt = [(t - rh["T1"]) / (rh["T2"] - rh["T1"]) for t in prof["T"]]
        c = colours[k % len(colours)]
        lw = max(2.6 - 0.7 * k, 1.0)  # later runs thinner, so coinciding curves stay visible
        ax.plot(xs, nr, color=c, lw=lw, label=f"{label}: density ($\\lambda_1/\\delta$ = {a['inverse_thickness']:.3f})")
        ax.plot(xs, nt, color=c, lw=lw, ls="--", label=f"{label}: temperature")
    ax.set_xlabel(r"$(x - x_{1/2})/\lambda_1$   ($x_{1/2}$: density midpoint)")
    ax.set_ylabel(r"$(\rho-\rho_1)/(\rho_2-\rho_1)$, $(T-T_1)/(T_2-T_1)$")
    ax.set_title(f"Normal shock, Mach {mach:g}, hard spheres")
    ax.set_xlim(-12, 12)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    save_png(fig, out, "shock_thickness.py", dpi=110)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("sets", "thickness", "plot", "ns"):
        sys.exit(__doc__)
    try:
        mach = float(argv[2])
    except ValueError:
        sys.exit(f"shock_thickness.py: MACH is a number above 1, got {argv[2]!r}")
    if not (math.isfinite(mach) and mach > 1):  # below 1: an expansion shock, which does not exist
        sys.exit(f"shock_thickness.py: MACH must be above 1 for a shock, got {argv[2]}")
    if argv[1] == "sets":
        cmd_sets(mach)
    elif argv[1] == "ns":
        cmd_ns(mach)
    elif argv[1] == "thickness":
        cmd_thickness(mach, argv[3:])
    else:
        if len(argv) < 5:
            sys.exit(__doc__)
        cmd_plot(mach, argv[3], argv[4:])


if __name__ == "__main__":
    main(sys.argv)
