"""The Python tools (tools/*.py) on bad input: each must exit with its documented status and
a one-line error naming the file (or argument), never a Python traceback, and never read a
bad input as a result. Builds the inputs in a temporary folder from two tiny real runs
(Sod in layer 0, Couette in layer 1, under a second each); the validation tools get a
STRATA that is a shell script, so no long run starts.

    /usr/bin/python3 tests/tools/test_tools.py STRATA SOURCE_DIR

Exit status 0 when every check passes, 1 otherwise (each failure printed), 77 (skipped)
without matplotlib, numpy or h5py."""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import h5py
    import matplotlib  # noqa: F401  (the tools need it)
    import numpy  # noqa: F401
except ImportError as e:
    print(f"SKIP: {e.name} is missing, the tools cannot run")
    sys.exit(77)

STRATA, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
TOOLS, CASES = os.path.join(SOURCE, "tools"), os.path.join(SOURCE, "cases")
failures, pending = [], []


def check(what, status, names, name, *args, after=None):
    """tools/name args must exit with status, print every string in names and no traceback;
    after(output) returns a further problem or None. Run by run_checks, two at a time."""
    pending.append((what, status, names, name, [str(a) for a in args], after))


def run_one(what, status, names, name, args, after):
    p = subprocess.run([sys.executable, os.path.join(TOOLS, name), *args], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    out = p.stdout
    problems = [f"exit status {p.returncode}, expected {status}"] if p.returncode != status else []
    problems += [f"the output does not name {n!r}" for n in names if n not in out]
    problems += ["a Python traceback"] if "Traceback" in out else []
    problems += [after(out)] if after else []
    problems = [x for x in problems if x]
    return what, f"{name} {' '.join(args)}: {'; '.join(problems)}\n    output: " + out.strip().replace("\n", "\n    ") \
        if problems else None


def run_checks():
    # two at a time: the tools' start (importing matplotlib) is most of their time
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for what, problem in pool.map(lambda c: run_one(*c), pending):
            print(f"{'FAIL' if problem else 'ok  '} {what}")
            if problem:
                failures.append(f"{what}: {problem}")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def strata_run(case, out, *sets):
    cmd = [STRATA, "run", os.path.join(CASES, case), "-q", "--out", out]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert p.returncode == 0, f"the set-up run {' '.join(cmd)} failed ({p.returncode}): {p.stdout}"


def main():
    tmp = tempfile.mkdtemp(prefix="strata_tools_test_")
    try:
        os.chdir(tmp)
        checks()
        run_checks()
    finally:
        os.chdir("/")
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"\n{len(failures)} check(s) failed:\n" + "\n".join(failures))
        sys.exit(1)
    print("all checks passed")


def checks():
    strata_run("sod.json", "sod", "regime.mode=layer0", "mesh.nx=20", "time.end=0.02", "output.times=[0.02]",
               "output.checkpoint.every_steps=20")
    strata_run("couette.json", "couette", "time.end=0.05")  # output.snapshots false
    strata_run("mixture_relaxation.json", "mixture", "velocity.n=12", "time.end=0.05", "output.times=[0.05]")
    history = open("sod/history.csv").read()
    profile = open("sod/profile_0.02.csv").read()
    os.makedirs("trunc")
    write("trunc/history.csv", history[:300])
    write("tp.csv", profile[:80])
    write("header_only.csv", history.splitlines()[0] + "\n")
    write("profile_header_only.csv", profile.splitlines()[0] + "\n")
    write("empty.csv", "")

    # B1-B3, E7: a history or profile cut mid-row, empty or header-only
    check("B1 history cut mid-row", 1, ["trunc/history.csv:"], "plot_history.py", "h.png", "mass",
          "a=trunc/history.csv")
    check("E7 header-only history", 1, ["header_only.csv", "no data rows"], "plot_history.py", "h.png", "mass",
          "a=header_only.csv")
    check("E7 empty history", 1, ["empty.csv"], "plot_history.py", "h.png", "mass", "a=empty.csv")
    check("B2 profile cut mid-row", 1, ["tp.csv:"], "compare_profiles.py", "p.png", "a=tp.csv")
    check("E7 empty profile", 1, ["empty.csv"], "compare_profiles.py", "p.png", "a=empty.csv")
    check("E7 header-only profile", 1, ["profile_header_only.csv", "no data rows"], "compare_profiles.py", "p.png",
          "a=profile_header_only.csv")
    check("B3 shock profile cut mid-row", 1, ["tp.csv:"], "shock_thickness.py", "thickness", 2, "tp.csv")

    # E3: shock_thickness's Mach numbers and arguments
    check("E3 ns Mach 1.01", 1, ["Mach 1.01", "too close to 1"], "shock_thickness.py", "ns", 1.01)
    check("E3 sets Mach 1e10", 1, ["velocity.n", "256"], "shock_thickness.py", "sets", "1e10")
    check("E3 thickness without profiles", 1, ["PROFILE.csv"], "shock_thickness.py", "thickness", 2)

    # B4, E7: compare_runs on unreadable summaries and failed runs
    summary = json.load(open("sod/summary.json"))
    for tree, b_summary, names in (
            ("not_object", [1], ["NOT COMPARED", "B_not_object/sod/summary.json"]),
            ("null_drift", dict(summary, conservation=dict(summary["conservation"], mass=None)),
             ["NOT COMPARED", "B_null_drift/sod/summary.json"]),
            ("failed", dict(summary, status="failed", error="unphysical state"), ["NOT COMPARED", "failed"])):
        a, b = f"A_{tree}", f"B_{tree}"
        shutil.copytree("sod", f"{a}/sod")
        shutil.copytree("sod", f"{b}/sod")
        json.dump(b_summary, open(f"{b}/sod/summary.json", "w"))
        if tree == "failed":
            json.dump(b_summary, open(f"{a}/sod/summary.json", "w"))
            names.append("A: failed")
        check(f"B4/E7 compare_runs, B's summary {tree}", 1, names, "compare_runs.py", a, b)

    # compare_runs' arguments: each bad one named; two runs' own folders compared as one run
    check("compare_runs: a missing folder", 1, ["nodir: no such folder"], "compare_runs.py", "nodir", "sod")
    check("compare_runs: a file", 1, ["empty.csv: a file, not a folder"], "compare_runs.py", "sod", "empty.csv")
    check("compare_runs: a run and a tree", 1, ["sod is one run's folder", "A_failed is not"], "compare_runs.py",
          "sod", "A_failed")
    check("compare_runs: two runs' folders", 0, ["profiles 0.00e+00  regime equal True  counts equal True"],
          "compare_runs.py", "sod", "A_not_object/sod")

    # B5, E7: checkpoint_info on damaged checkpoints, a figure name checked first
    for name, damage, item in (("setup_not_json", lambda h: h.attrs.__setitem__("setup", "{oops"), "setup"),
                               ("no_species", lambda h: h.attrs.__setitem__("setup", '{"mesh": {}}'), "species"),
                               ("no_U", lambda h: h.__delitem__("macro/U"), "/macro/U")):
        shutil.copy("sod/checkpoint_20.h5", f"{name}.h5")
        with h5py.File(f"{name}.h5", "r+") as h:
            damage(h)
        check(f"B5 checkpoint {name}", 1, [f"{name}.h5", "not a Strata checkpoint or damaged", item],
              "checkpoint_info.py", f"{name}.h5", "--plot", "c.png")
    check("E7 checkpoint_info --plot x.jpg", 1, ["x.jpg"], "checkpoint_info.py", "sod/checkpoint_20.h5",
          "--plot", "x.jpg", after=lambda out: "the listing printed before the name was refused"
          if "datasets:" in out else None)

    # B10, B11: plot_gpu_steps and plot_bounds
    gpu = os.path.join(SOURCE, "docs/data/gpu_h200/953c341_pageable.jsonl")
    write("cut.jsonl", open(gpu).read()[:3000])
    check("B10 argument without LABEL=", 1, ["LABEL=", "cut.jsonl"], "plot_gpu_steps.py", "g.png", "cut.jsonl")
    check("B10 missing file", 1, ["nonexist.jsonl"], "plot_gpu_steps.py", "g.png", "a=nonexist.jsonl")
    check("B10 a directory", 1, ["sod: cannot read it"], "plot_gpu_steps.py", "g.png", "a=sod")
    check("B10 truncated .jsonl", 1, ["cut.jsonl:"], "plot_gpu_steps.py", "g.png", "a=cut.jsonl")
    check("B10 output in a missing folder", 1, ["/nonexist"], "plot_gpu_steps.py", "/nonexist/g.png", f"a={gpu}")
    check("B10 output not .png", 1, ["g.pdf"], "plot_gpu_steps.py", "g.pdf", f"a={gpu}")
    check("B11 output in a missing folder", 1, ["/nonexist"], "plot_bounds.py", "/nonexist/b.png",
          "a=" + os.path.join(SOURCE, "docs/data/layer_costs/1c53f74.jsonl"))

    # B12, E1: plot_case with a non-finite t, without snapshots, on a folder that is no run
    os.makedirs("nan_t")  # only the history is drawn (E1): the check stays short
    shutil.copy("sod/summary.json", "nan_t")
    lines = history.splitlines()
    row = lines[2].split(",")
    row[1] = "nan"
    write("nan_t/history.csv", "\n".join(lines[:2] + [",".join(row)] + lines[3:]) + "\n")
    check("B12 history row with t = nan", 0, ["not finite", "nan_t/history.png"], "plot_case.py", "nan_t",
          after=lambda out: None if os.path.isfile("nan_t/history.png") else "no history.png drawn")
    check("E1 run without snapshots", 0, ["no snapshot", "couette/history.png", "couette/loads.png",
                                          "couette/surface.png"], "plot_case.py", "couette",
          after=lambda out: None if os.path.isfile("couette/history.png") else "no history.png drawn")
    # a surface file cut short: named, exit 2, no traceback
    os.makedirs("cut_surface")
    shutil.copy("couette/summary.json", "cut_surface")
    write("cut_surface/surface_0.05.csv", "part,position,x,y,nx,ny,mass,fx,fy,fz,p,tau,heat\nbottom,0.025,0.025,0,0\n")
    check("B12 surface file cut short", 2, ["cut_surface/surface_0.05.csv: row 2"], "plot_case.py", "cut_surface")
    # E8: a mixture's history has a species panel (T_, ux_ per species, distance to
    # equilibrium), its layer 1 named by its plugin
    check("E8 mixture history", 0, ["mixture/history.png"], "plot_case.py", "mixture",
          after=lambda out: None if os.path.isfile("mixture/history.png") else "no history.png drawn")
    os.makedirs("not_a_run")
    check("E1 folder that is no Strata output", 2, ["not_a_run"], "plot_case.py", "not_a_run")
    check("plot_case on a file", 2, ["empty.csv: a file, not a run's output folder"], "plot_case.py", "empty.csv")
    # the folder of strata compare: each run's figures, in its folder
    shutil.copytree("nan_t", "compared/layer0")
    shutil.copytree("nan_t", "compared/layer1")  # an earlier comparison's run: not drawn
    write("compared/comparison.json", json.dumps({"status": "interrupted", "runs": [
        {"label": "layer0", "folder": "layer0"}, {"label": "hybrid", "folder": "hybrid"}]}))
    check("plot_case on a compare folder that did not finish", 0,
          ["the runs of a strata compare (interrupted)", "compared/layer0/history.png", "not run yet: hybrid",
           "comparison.png not drawn"], "plot_case.py", "compared",
          after=lambda out: "drew an earlier comparison's run" if "compared/layer1" in out else None)
    os.makedirs("compared_bad")
    write("compared_bad/comparison.json", "[1]")
    check("plot_case on a compare folder with a damaged comparison.json", 2, ["compared_bad/comparison.json"],
          "plot_case.py", "compared_bad")
    shutil.copytree("sod", "compared_sod/layer0")
    write("compared_sod/comparison.json", json.dumps({"reference": "layer0", "runs": [  # no status: an older file
        {"label": "layer0", "folder": "layer0", "l1_rho": 0.0, "speed_up": 1.0}]}))
    check("plot_case on a compare folder", 0, ["compared_sod/layer0/profiles.png", "compared_sod/comparison.png"],
          "plot_case.py", "compared_sod")

    # E7: scaling_model takes no arguments
    check("E7 scaling_model --help", 0, ["usage"], "scaling_model.py", "--help")
    check("E7 scaling_model with an argument", 2, ["unrecognized arguments"], "scaling_model.py", "x")

    # B6-B9, A1: the validation tools, with a STRATA that refuses or fails at once
    write("refuses", "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --out ] && out=$2; shift; done\n"
          "echo \"strata: error: the output folder $out holds the checkpoints of a run that did not finish "
          "(status interrupted, newest checkpoint_4.h5)\" >&2\nexit 3\n")
    write("fails", "#!/bin/sh\necho 'strata: error: unphysical state at t = 0.5' >&2\nexit 3\n")
    write("a_file", "")
    for script in ("refuses", "fails"):
        os.chmod(script, 0o755)
    for name, run in (("walls_validation.py", "couette_delta0.1"), ("cavity_validation.py", "layer1"),
                      ("farfield_validation.py", "cylinder_farfield_15")):
        short = name.split("_")[0]
        check(f"B6 {short}: STRATA missing", 2, ["/nonexist/strata"], name, "/nonexist/strata", "o")
        check(f"B6 {short}: STRATA not executable", 2, ["/etc/passwd"], name, "/etc/passwd", "o")
        for jobs in (0, -1):
            check(f"B7 {short}: --jobs {jobs}", 2, ["--jobs"], name, "./fails", "o", "--jobs", jobs)
        check(f"B8 {short}: OUTDIR a file", 2, ["a_file"], name, "./fails", "a_file")
        os.makedirs(f"{short}_reuse/{run}")
        write(f"{short}_reuse/{run}/summary.json", '{"status": "interrupted"}')
        check(f"A1 {short}: --reuse of an interrupted run", 4, [f"{short}_reuse/{run}", "interrupted", "--resume"],
              name, "./refuses", f"{short}_reuse", "--reuse", "--jobs", 1,
              *(["--modes", "layer1"] if short == "cavity" else []))
        check(f"B9 {short}: a failing run", 4, [f"{short}_fails/", "exit status 3", "unphysical state"],
              name, "./fails", f"{short}_fails", "--jobs", 1)
    # indicator_study: its comparisons go through the same checks and failures
    check("B6 indicator: STRATA missing", 2, ["/nonexist/strata"], "indicator_study.py", "/nonexist/strata", "o")
    check("B7 indicator: --jobs 0", 2, ["--jobs"], "indicator_study.py", "./fails", "o", "--jobs", 0)
    check("B8 indicator: OUTDIR a file", 2, ["a_file"], "indicator_study.py", "./fails", "a_file")
    check("B9 indicator: a failing comparison", 4, ["indicator_fails/eps1e-1", "exit status 3", "unphysical state"],
          "indicator_study.py", "./fails", "indicator_fails", "--jobs", 1)
    # comparisons that did not complete, or a comparison.json that is no object (strata here does nothing)
    write("succeeds", "#!/bin/sh\nexit 0\n")
    os.chmod("succeeds", 0o755)
    for folder, text, status, names in (
            ("ind_interrupted", '{"status": "interrupted", "runs": []}', 4, ["interrupted, not completed", "--reuse"]),
            ("ind_failed", '{"status": "failed", "runs": []}', 4, ["failed, not completed"]),
            ("ind_list", "[1]", 2, ["ind_list/eps1e-1/comparison.json: cannot read the comparison"])):
        for eps in ("1e-1", "1e-2", "1e-3"):
            os.makedirs(f"{folder}/eps{eps}")
            write(f"{folder}/eps{eps}/comparison.json", text)
        check(f"indicator: comparison.json {folder}", status, names, "indicator_study.py", "./succeeds", folder,
              "--jobs", 1)
    # A1: completed runs are read back, strata (here one that fails) not run
    for case in ("couette", "fourier"):
        for delta in (0.1, 0.3, 1.0, 3.0, 10.0, 0.0):
            shutil.copytree("couette", f"completed/{case}_delta{delta}")
    check("A1 walls: --reuse of completed runs", 0, ["couette", "fourier"], "walls_validation.py", "./fails",
          "completed", "--reuse")


if __name__ == "__main__":
    main()
