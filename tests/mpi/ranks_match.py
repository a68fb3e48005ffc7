"""Runs shipped cases, at reduced size, on 1, 2 and 3 MPI ranks and checks that the
ranks change nothing (docs/architecture.md §11):
  - the runs on several ranks write parallel VTK (.pvti with a piece per rank);
  - every field of every snapshot (all components) equal to 1e-12 relative to the
    field's largest magnitude (at least 1; the cases' fields are O(1)). Face fluxes are
    computed from the same values in the same order on any number of ranks, so the
    fields agree to the last bit; only sums over cells (totals, drifts) are added in
    another order, at round-off (1e-16), far below the tolerance;
  - regime maps, steps and cell-steps per layer identical; history.csv (totals,
    entropy, mixture columns), loads.csv and the surface files (boundary loads) equal
    to 1e-12;
  - conservation drifts at most 1e-12 (closed cases).
A checkpoint written by 3 ranks and continued on 2 ends as the run on one rank; a run
started from it (--start-from) is the same on 1 and 2 ranks. strata compare runs on 2
ranks. Then the failures: more ranks than cells is refused before anything is written, and a
state that one rank cannot handle stops every rank with that rank's message, exit
status 3, a "failed" summary and last_good.vti.
    python3 tests/mpi/ranks_match.py STRATA_BINARY WORK_DIR [CASE_NAME ...]"""
import csv
import json
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from plot_case import read_pvd, read_vti  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHORT = ["--set", "time.end=0.02", "--set", "output.times=[0.01,0.02]"]
# name: (case file, settings, closed: whether the drifts must stay at round-off)
CASES = {
    "conservation_box": ("conservation_box", ["--set", "mesh.nx=12", "--set", "mesh.ny=12",
                                              "--set", "velocity.n=12"], True),
    "sod": ("sod", ["--set", "velocity.n=12", "--set", "mesh.nx=40", "--set", "mesh.ny=3",
                    "--set", "time.end=0.02", "--set", "output.times=[0.01,0.02]"], False),
    "sod_knudsen_gradient": ("sod", ["--set", "velocity.n=12", "--set", "mesh.nx=40", "--set", "mesh.ny=3",
                                     "--set", "time.end=0.02", "--set", "output.times=[0.01,0.02]",
                                     "--set", 'indicator={"plugin": "knudsen_gradient"}'], False),
    "rect_obstacle": ("rect_obstacle", ["--set", "mesh.nx=24", "--set", "mesh.ny=24",
                                        "--set", "velocity.n=12"] + SHORT, False),
    "round_obstacle": ("round_obstacle", ["--set", "mesh.nx=24", "--set", "mesh.ny=24",
                                          "--set", "velocity.n=12"] + SHORT, False),
    "moving_object": ("moving_object", ["--set", "mesh.nx=24", "--set", "mesh.ny=24",
                                        "--set", "velocity.n=12"] + SHORT, False),
    "nonuniform_knudsen": ("nonuniform_knudsen", ["--set", "mesh.nx=24", "--set", "mesh.ny=24",
                                                  "--set", "velocity.n=12"] + SHORT, False),
    "mixture_near_equilibrium": ("mixture_near_equilibrium", ["--set", "time.end=0.05",
                                                              "--set", "output.times=[0.025,0.05]"], True),
    "cavity": ("cavity", ["--set", "mesh.nx=12", "--set", "mesh.ny=12", "--set", "velocity.n=12",
                          "--set", "time.end=0.05", "--set", "output.times=[0.05]"], False),
    # Couette's plates turned into a channel between two pressure sides (their ghosts
    # are computed from the gas beside them, on every rank from its own copy)
    "pressure_channel": ("couette", ["--set", "mesh.nx=12", "--set", "mesh.ny=6", "--set", "mesh.x=[0,1]",
                                     "--set", 'mesh.boundary.left={"type": "pressure", "p": 1.2, "T": 1}',
                                     "--set", 'mesh.boundary.right={"type": "pressure", "p": 1}',
                                     "--set", "velocity.n=8", "--set", "knudsen=0.3", "--set", "time.end=0.2",
                                     "--set", "output.times=[0.1,0.2]", "--set", "output.snapshots=true"], False),
    # The hybrid round obstacle (Mach 0.77) with far-field sides all round: ghosts from
    # the gas beside them and the free stream, corners from the side ghosts of another rank
    "farfield_round_obstacle": ("round_obstacle", ["--set", "mesh.nx=24", "--set", "mesh.ny=24", "--set", "velocity.n=12",
                                                   "--set", 'mesh.boundary={"type": "farfield", "rho": 1, "ux": 1, "p": 1}']
                                + SHORT, False),
    # Hot gas beside a far-field side, a moving obstacle that makes the partition move cells
    # (layer 0: the side's ghosts set the time step, made afresh from the owned gas beside
    # them, not from a copy that a rebalance left stale)
    "farfield_rebalanced": ("moving_object", [
        "--set", "regime.mode=layer0", "--set", "mesh.nx=10", "--set", "mesh.ny=60", "--set", "mesh.x=[0,0.5]",
        "--set", "mesh.y=[0,3]", "--set", 'mesh.boundary={"left": "reflective", "bottom": "reflective", "top": "reflective",'
                 ' "right": {"type": "farfield", "rho": 1, "T": 1}}',
        "--set", 'initial=[{"where": "x > 0.4", "rho": 1, "T": 60}, {"rho": 1, "T": 1}]',
        "--set", 'obstacles=[{"shape": "rectangle", "x": [0.05, 0.35], "y": [0.1, 1.2], "rho": 1, "T": 1,'
                 ' "move": {"cells": [0, 1], "every": 1}}]',
        "--set", "time.dt_dx=1", "--set", "time.cfl=0.5", "--set", "time.end=0.4", "--set", "output.times=[0.2,0.4]"],
        False),
}
RANKS = (1, 2, 3)
TOLERANCE = 1e-12


def resident(binary):
    """Settings of layer 2 resident on the device (gpu.resident_layer2) with the engine's
    device library and boltzmann_cufft built on host stand-ins (tests/gpu), or None where
    they are not built (no FFTW)."""
    emulated = os.path.normpath(os.path.join(os.path.dirname(binary), "..", "lib", "strata", "emulated"))
    if not os.path.exists(os.path.join(emulated, "engine_device.so")):
        return None
    return ["--plugin-dir", emulated, "--set", "boltzmann.plugin=boltzmann_cufft", "--set", "gpu.resident_layer2=true"]


def run(binary, case, settings, ranks, out, expect=0):
    cmd = [binary, "run", os.path.join(ROOT, "cases", case + ".json"), "--out", out, "--threads", "1", "-q"]
    if ranks > 1:  # a low threshold, so that cells migrate in these short runs
        cmd = ["mpirun", "-np", str(ranks), "--oversubscribe"] + cmd + ["--rebalance", "1.01"]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    done = subprocess.run(cmd + settings, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != expect:
        raise SystemExit("FAIL: %s (%d ranks) exited with %d, expected %d:\n%s"
                         % (case, ranks, done.returncode, expect, done.stderr))
    return done.stderr


def arrays(path):
    with open(path) as f:
        return tuple(re.findall(r'<P?DataArray[^>]*Name="([^"]+)"', f.read()))


def compare_csv(file_a, file_b, name):
    """Column by column to TOLERANCE of the column's scale; text columns equal."""
    problems = []
    ha = list(csv.reader(open(file_a)))
    hb = list(csv.reader(open(file_b)))
    if len(ha) != len(hb) or ha[0] != hb[0]:
        return ["%s: %d vs %d rows" % (name, len(ha), len(hb))]
    for i, column in enumerate(ha[0]):
        if column == "wall_seconds":
            continue
        if column == "part":
            if [r[i] for r in ha] != [r[i] for r in hb]:
                problems.append("%s: the faces' parts differ" % name)
            continue
        x = np.array([float(r[i]) for r in ha[1:]])
        y = np.array([float(r[i]) for r in hb[1:]])
        if not (np.isnan(x) == np.isnan(y)).all():  # NaN: not defined (residual at t = 0)
            problems.append("%s: %s is NaN in other rows" % (name, column))
            continue
        x, y = np.nan_to_num(x), np.nan_to_num(y)
        d = float(abs(x - y).max()) / max(float(abs(x).max()), 1.0) if len(x) else 0.0
        if not d <= TOLERANCE:
            problems.append("%s: %s differs by %.2e" % (name, column, d))
    return problems


def compare(name, a, b, closed):
    problems, worst = [], 0.0
    sa = json.load(open(os.path.join(a, "summary.json")))
    sb = json.load(open(os.path.join(b, "summary.json")))
    for key in ("steps", "cell_steps", "layer_switches", "status"):
        if sa[key] != sb[key]:
            problems.append("%s: %r vs %r" % (key, sa[key], sb[key]))
    if closed:
        drift = max(sb["conservation"].values())
        if drift > TOLERANCE:
            problems.append("largest drift %.2e > %.0e" % (drift, TOLERANCE))
    # history.csv: totals, entropy, layer counts, mixture columns; loads.csv: the
    # boundary parts' loads (summed in another order over ranks: equal to round-off),
    # all but the wall clock; surface_<t>.csv: each boundary face's load
    series = ["history.csv", "loads.csv"] + sorted(f for f in os.listdir(a) if f.startswith("surface_"))
    for name in series:
        if os.path.exists(os.path.join(a, name)) != os.path.exists(os.path.join(b, name)):
            problems.append("%s: written by one run only" % name)
        elif os.path.exists(os.path.join(a, name)):
            problems += compare_csv(os.path.join(a, name), os.path.join(b, name), name)
    snaps_a, snaps_b = read_pvd(a), read_pvd(b)
    if sb["ranks"]["count"] > 1 and not all(f.endswith(".pvti") for _, f in snaps_b):
        problems.append("snapshots of a run on several ranks are not parallel VTK (.pvti)")
    if len(snaps_a) != len(snaps_b):
        problems.append("%d vs %d snapshots" % (len(snaps_a), len(snaps_b)))
    for (ta, fa), (tb, fb) in zip(snaps_a, snaps_b):
        names = arrays(fa)
        va = read_vti(fa, names, components=True)["fields"]
        vb = read_vti(fb, names, components=True)["fields"]
        for field in names:
            x, y = va[field], vb[field]
            if field == "regime":
                if not (x == y).all():
                    problems.append("t = %g: regime maps differ in %d cells" % (ta, int((x != y).sum())))
                continue
            if not (np.isnan(x) == np.isnan(y)).all():
                problems.append("t = %g: %s is NaN in other cells" % (ta, field))
                continue
            x, y = np.nan_to_num(x), np.nan_to_num(y)  # NaN: "not defined here" (ind_distance of fluid cells)
            scale = max(float(abs(x).max()), 1.0)
            d = float(abs(x - y).max()) / scale
            worst = max(worst, d)
            if not d <= TOLERANCE:
                problems.append("t = %g: %s differs by %.2e" % (ta, field, d))
    return worst, problems


def restart_matches(binary, work, name, extra):
    """A checkpoint at step 5 on 3 ranks, continued on 2 ranks: the end must equal the
    uninterrupted one-rank run of main() to the last bit. `extra`: settings of the
    checkpointed run alone (a shorter run). Returns whether it differs."""
    case, settings, _ = CASES[name]
    first = os.path.join(work, name + "_checkpoint_np3")
    run(binary, case, settings + ["--set", 'output.checkpoint={"every_steps": 5, "keep": 100}'] + extra, 3, first)
    second = os.path.join(work, name + "_restart_np2")
    run(binary, case, settings + ["--restart", os.path.join(first, "checkpoint_5.h5")], 2, second)
    reference = os.path.join(work, name + "_np1")
    names = arrays(read_pvd(reference)[-1][1])
    a = read_vti(read_pvd(reference)[-1][1], names, components=True)["fields"]
    b = read_vti(read_pvd(second)[-1][1], names, components=True)["fields"]
    differ = [n for n in names if not np.array_equal(np.nan_to_num(a[n]), np.nan_to_num(b[n]))]
    print("%s: checkpoint on 3 ranks, restart on 2: %s" % (name, "ok" if not differ else "FAIL: " + ", ".join(differ)))
    return bool(differ)


def check_restart(binary, work, names):
    """conservation_box and nonuniform_knudsen (periodic in y, so ghost rows hold other
    ranks' cells: the checkpoint's are stale, and a restart fills them again) continue
    from a checkpoint of 3 ranks on 2; --start-from and a damaged checkpoint (of
    conservation_box). Each part where its case ran in main()."""
    differ = "nonuniform_knudsen" in names and restart_matches(binary, work, "nonuniform_knudsen", [])
    if "conservation_box" not in names:
        return differ
    case, settings, _ = CASES["conservation_box"]
    first = os.path.join(work, "conservation_box_checkpoint_np3")
    differ |= restart_matches(binary, work, "conservation_box", ["--set", "time.end=0.05", "--set", "output.times=[0.05]"])
    # --start-from the same checkpoint at another Knudsen number, on 1 and on 2 ranks:
    # the same new run (every rank reads the whole state, each keeps its cells).
    starts = []
    for ranks in (1, 2):
        out = os.path.join(work, "start_from_np%d" % ranks)
        run(binary, case, settings + ["--start-from", os.path.join(first, "checkpoint_5.h5"), "--set", "knudsen=0.01",
                                      "--set", "time.end=0.03", "--set", "output.times=[0.03]"], ranks, out)
        starts.append(out)
    worst, problems = compare("start_from", starts[0], starts[1], True)
    print("start from a checkpoint of 3 ranks, on 1 and 2 ranks: largest field difference %.1e  %s"
          % (worst, "ok" if not problems else "FAIL"))
    for p in problems:
        print("    " + p)
    # The newest checkpoint cut short (a write killed part-way): on 2 ranks as on one,
    # --resume names the one before it and says to move the damaged one aside.
    damaged = os.path.join(work, "damaged_np2")
    run(binary, case, settings + ["--set", 'output.checkpoint={"every_steps": 2}', "--set", "time.end=0.05",
                                  "--set", "output.times=[0.05]"], 2, damaged)
    steps = sorted(int(f[11:-3]) for f in os.listdir(damaged) if re.fullmatch(r"checkpoint_\d+\.h5", f))
    newest = os.path.join(damaged, "checkpoint_%d.h5" % steps[-1])
    os.truncate(newest, os.path.getsize(newest) // 2)
    err = run(binary, case, settings + ["--resume", damaged, "--set", "time.end=0.06", "--set", "output.times=[0.06]"],
              2, damaged, expect=3)
    advice = "may be whole: move the damaged one aside (mv %s" % newest
    told = len(steps) >= 2 and advice in err
    print("a damaged newest checkpoint resumed on 2 ranks: %s" % ("ok" if told else "FAIL:\n" + err))
    return bool(differ) or bool(problems) or not told


def check_failures(binary, work):
    problems = []
    out = os.path.join(work, "too_many_ranks")
    err = run(binary, "conservation_box", ["--set", "mesh.nx=2", "--set", "mesh.ny=1"], 3, out, expect=3)
    if err.count("3 MPI ranks for 2 cells") != 1 or os.path.exists(os.path.join(out, "summary.json")):
        problems.append("more ranks than cells: " + err)
    # A problem of the case that the set-up finds on every rank alike: exit 2 and one
    # report, as on one rank.
    out = os.path.join(work, "case_problem")
    err = run(binary, "sod", ["--set", 'initial=[{"where": "x < 0.5", "rho": 1, "p": 1}]'], 2, out, expect=2)
    if (err.count("/initial: no region covers the cell at (x=0.505") != 1 or "1 problem(s) found; nothing was run" not in err
            or "rank " in err):
        problems.append("a problem of the case on 2 ranks: " + err)
    # A hot region far right: only the rank owning it meets a state the velocity grid
    # cannot hold, when its cells turn kinetic after the first step.
    hot = '[{"where": "x > 0.9", "rho": 0.125, "p": 1000}, {"rho": 1, "p": 1}]'
    out = os.path.join(work, "one_rank_fails")
    err = run(binary, "sod", ["--set", "velocity.n=12", "--set", "mesh.nx=40", "--set", "mesh.ny=3",
                              "--set", "initial=" + hot], 2, out, expect=3)
    summary = json.load(open(os.path.join(out, "summary.json")))
    if ("rank 1: " not in err or "rank 0: " in err or "cannot hold a Maxwellian" not in err or summary["status"] != "failed"
            or "rank 1: " not in summary.get("error", "") or not os.path.exists(os.path.join(out, "last_good.vti"))):
        problems.append("a failure on rank 1: " + err)
    # A near vacuum opens where two streams part: the cells on both sides of it go bad in
    # the same step, on different ranks. Every rank count names the first in mesh order.
    vacuum = ["--set", "regime.mode=layer0", "--set", "mesh.nx=50", "--set", "mesh.ny=2", "--set", "time.end=0.05",
              "--set", "output.times=[0.05]",
              "--set", 'initial=[{"rho": 1, "ux": "-30*(x < 0.5) + 30*(x >= 0.5)", "T": 1}]']
    errors = []
    for ranks in (1, 2):
        out = os.path.join(work, "vacuum_np%d" % ranks)
        run(binary, "sod", vacuum, ranks, out, expect=3)
        errors.append(re.sub(r"^rank \d+: ", "", json.load(open(os.path.join(out, "summary.json"))).get("error", "")))
    if "cell (i=24, j=0)" not in errors[0] or errors[1] != errors[0]:
        problems.append("the first bad cell: %r on 2 ranks, %r on 1" % (errors[1], errors[0]))
    for p in problems:
        print("FAIL " + p)
    print("failures: %s" % ("ok" if not problems else "FAIL"))
    return bool(problems)


def check_compare(binary, work):
    """strata compare on 2 ranks: exit 0, the table printed once, comparison.json written."""
    out = os.path.join(work, "compare_np2")
    cmd = ["mpirun", "-np", "2", "--oversubscribe", binary, "compare", os.path.join(ROOT, "cases", "sod.json"),
           "--modes", "hybrid,layer0", "--reference", "hybrid", "--out", out, "--threads", "1", "-q"]
    settings = CASES["sod"][1]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run(cmd + settings, env=env, capture_output=True, text=True, timeout=600)
    ok = (done.returncode == 0 and done.stdout.count("L1: relative L1 distance") == 1
          and os.path.exists(os.path.join(out, "comparison.json")))
    print("compare on 2 ranks: %s" % ("ok" if ok else "FAIL (exit %d):\n%s%s" % (done.returncode, done.stdout, done.stderr)))
    if not ok:
        return True
    # --resume with one run's record gone: the root reads the folders, both ranks run
    # layer0 again and compare hybrid as it ended; the distances are the same.
    with open(os.path.join(out, "comparison.json")) as f:
        first = [(r["label"], r["l1_rho"], r["l1_T"]) for r in json.load(f)["runs"]]
    os.remove(os.path.join(out, "layer0", "compared_run.h5"))
    resume = [a for a in cmd if a not in ("-q",)]
    resume[resume.index("--out")] = "--resume"
    again = subprocess.run(resume + settings, env=env, capture_output=True, text=True, timeout=600)
    with open(os.path.join(out, "comparison.json")) as f:
        second = [(r["label"], r["l1_rho"], r["l1_T"]) for r in json.load(f)["runs"]]
    ok = (again.returncode == 0 and second == first and "the run hybrid completed before" in again.stderr
          and "running layer0" in again.stderr)
    print("compare --resume on 2 ranks: %s" % ("ok" if ok else "FAIL (exit %d):\n%s%s\n%s\n%s" % (
        again.returncode, again.stdout, again.stderr, first, second)))
    return not ok


def main():
    binary, work = sys.argv[1], sys.argv[2]
    # The switching hybrid box with layer 2 resident on the (emulated) device: the rows
    # other ranks read come down from it, migrations re-plan it.
    if resident(binary):
        box, settings, closed = CASES["conservation_box"]
        CASES["conservation_box_resident"] = (box, settings + resident(binary), closed)
    names = sys.argv[3:] or list(CASES)
    failed = False
    for name in names:
        case, settings, closed = CASES[name]
        outs = []
        for ranks in RANKS:
            out = os.path.join(work, "%s_np%d" % (name, ranks))
            run(binary, case, settings, ranks, out)
            outs.append(out)
        for ranks, out in zip(RANKS[1:], outs[1:]):
            worst, problems = compare(name, outs[0], out, closed)
            status = "ok" if not problems else "FAIL"
            moved = json.load(open(os.path.join(out, "summary.json")))["ranks"]["rebalances"]
            print("%-20s %d ranks: largest field difference %.1e, %d rebalances  %s" % (name, ranks, worst, moved, status))
            for p in problems:
                print("    " + p)
            failed |= bool(problems)
    failed |= check_restart(binary, work, names)
    failed |= check_failures(binary, work)
    failed |= check_compare(binary, work)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
