"""Layer 2 resident on a real GPU (gpu.resident_layer2) against the same run with the
distributions crossing the bus, both with boltzmann_cufft: paper test 2 in layer 2 and the
switching hybrid box, reduced. Same steps and layer counts, profiles equal to 1e-12 of
each column's scale, drifts below 1e-12 (as the emulated integration test asks, here with
the real kernels: cuFFT, the block reductions, the face kernel). Exits 77 (ctest's
"skipped") where no GPU or no boltzmann_cufft is available.
    python3 tests/gpu/resident_matches_host.py STRATA_BINARY WORK_DIR [PLUGIN_DIR]"""
import csv
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
RUNS = {
    "rect_obstacle_layer2": ("rect_obstacle", ["regime.mode=layer2", "mesh.nx=16", "mesh.ny=16", "velocity.n=8",
                                               "time.end=0.02", "output.times=[0.01,0.02]"], "0.02"),
    "box_hybrid": ("conservation_box", ["mesh.nx=12", "mesh.ny=12", "velocity.n=12"], "0.1"),
}


def run(binary, case, sets, out, plugin_dir):
    cmd = [binary, "run", os.path.join(ROOT, "cases", case + ".json"), "-q", "--out", out,
           "--set", "boltzmann.plugin=boltzmann_cufft"]
    for s in sets:
        cmd += ["--set", s]
    if plugin_dir:
        cmd += ["--plugin-dir", plugin_dir]
    return subprocess.run(cmd, capture_output=True, text=True)


def profile(out, t):
    with open(os.path.join(out, "profile_%s.csv" % t), newline="") as f:
        return list(csv.DictReader(f))


def main():
    binary, work = sys.argv[1], sys.argv[2]
    plugin_dir = sys.argv[3] if len(sys.argv) > 3 else None
    os.makedirs(work, exist_ok=True)
    problems = []
    for name, (case, sets, t) in RUNS.items():
        host, resident = os.path.join(work, name + "_host"), os.path.join(work, name + "_resident")
        a = run(binary, case, sets, host, plugin_dir)
        if a.returncode != 0:
            if "needs an NVIDIA GPU" in a.stderr or "unknown plugin" in a.stderr:
                print("SKIP: " + a.stderr.strip().splitlines()[-1])
                sys.exit(77)
            sys.exit("FAIL: %s on the bus exited with %d:\n%s" % (name, a.returncode, a.stderr))
        b = run(binary, case, sets + ["gpu.resident_layer2=true"], resident, plugin_dir)
        if b.returncode != 0:
            sys.exit("FAIL: %s resident exited with %d:\n%s" % (name, b.returncode, b.stderr))
        sa, sb = (json.load(open(os.path.join(d, "summary.json"))) for d in (host, resident))
        if "layer2_on_device" not in sb:
            problems.append(name + ": the resident run has no layer2_on_device in summary.json")
        for key in ("steps", "cell_steps", "layer_switches"):
            if sa[key] != sb[key]:
                problems.append("%s: %s %s vs %s" % (name, key, sa[key], sb[key]))
        pa, pb = profile(host, t), profile(resident, t)
        worst = 0.0
        for cols in (("rho",), ("T",), ("ux", "uy")):
            scale = max(abs(float(r[c])) for r in pa for c in cols) or 1.0
            diff = max(abs(float(x[c]) - float(y[c])) for x, y in zip(pa, pb) for c in cols)
            worst = max(worst, diff / scale)
        drift = max(sb["conservation"][q] for q in ("mass", "momentum_x", "momentum_y", "energy"))
        # The host path's bound; the device sums boundary fluxes and moments in another order.
        if not worst <= 1e-12:
            problems.append("%s: profiles differ by %.2e of their scale (bound 1e-12)" % (name, worst))
        if not drift < 1e-12:
            problems.append("%s: conservation drift %.2e (bound 1e-12)" % (name, drift))
        print("%-22s resident vs bus: profiles %.1e, drift %.1e, on %s" %
              (name, worst, drift, sb.get("layer2_on_device", {}).get("device")))
    for p in problems:
        print("FAIL " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
