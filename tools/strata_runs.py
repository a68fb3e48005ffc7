"""Running Strata for the validation tools (tools/walls_validation.py,
tools/cavity_validation.py) and reading back what the runs wrote.

check_arguments refuses, before any run, a STRATA that is not an executable file, a --jobs
below 1 and an OUTDIR that is not (and cannot be made) a folder. run_all runs the cases on
--jobs threads; with --reuse a run is read back only where its summary.json says
"completed", any other (interrupted, failed, running, unreadable, missing) is run again
and said so. Strata refuses to write over the checkpoints of a run that did not finish
(interrupted, or killed while running): that is reported naming the folder, to be
continued with strata's --resume or removed. A run that fails ends the tool with its exit
status and error once the runs in progress end; the runs not started are not started.

Exit statuses, the tools': 2 bad arguments or a run's unreadable output (the message
names the file), 4 a Strata run failed or was refused.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from csv_table import TableError, read_columns  # noqa: E402
from plot_case import InputError, read_pvd, read_vti  # noqa: E402

BAD_INPUT, RUN_FAILED = 2, 4
# strata's message for a folder that holds an unfinished run's checkpoints (core/src/run_folder.cpp)
UNFINISHED = "holds the checkpoints of a run that did not finish"


class RunFailed(Exception):
    """A run that failed or was refused; the message says which and why."""


def fail(tool, message, status=BAD_INPUT):
    sys.stderr.write(f"{tool}: {message}\n")
    sys.exit(status)


def check_arguments(tool, strata, outdir, jobs):
    if not (os.path.isfile(strata) and os.access(strata, os.X_OK)):
        fail(tool, f"STRATA {strata}: not an executable file (expected the built program, e.g. build/bin/strata)")
    if jobs < 1:
        fail(tool, f"--jobs must be at least 1, got {jobs}")
    try:
        os.makedirs(outdir, exist_ok=True)
    except FileExistsError:
        fail(tool, f"OUTDIR {outdir}: exists and is not a folder")
    except OSError as e:
        fail(tool, f"OUTDIR {outdir}: cannot make the folder ({e.strerror})")


def argument_parser():
    """The arguments every validation tool takes: STRATA OUTDIR [--jobs N] [--reuse]; a tool
    adds its own, and calls check_arguments on what it parsed."""
    ap = argparse.ArgumentParser()
    ap.add_argument("strata")
    ap.add_argument("outdir")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reuse", action="store_true",
                    help="read the runs in OUTDIR that completed instead of running them again")
    return ap


def summary_status(out):
    """The status in out/summary.json, or why there is none."""
    try:
        with open(os.path.join(out, "summary.json")) as f:
            summary = json.load(f)
    except FileNotFoundError:
        return "no summary.json"
    except (OSError, ValueError):
        return "summary.json unreadable"
    return f"status {summary.get('status')}" if isinstance(summary, dict) else "summary.json unreadable"


def run_one(tool, cmd, out, reuse):
    """Runs cmd (a strata run writing into out) unless reuse finds it completed; raises RunFailed."""
    if reuse:
        status = summary_status(out)
        if status == "status completed":
            return
        sys.stderr.write(f"{tool}: {out}: not reused ({status}): running it\n")
    summary = os.path.join(out, "summary.json")
    before = os.path.getmtime(summary) if os.path.exists(summary) else None
    try:
        # stderr is kept for the report of a failure; with -q it holds only warnings and errors
        p = subprocess.run(cmd, stderr=subprocess.PIPE, text=True, errors="replace")
    except OSError as e:
        raise RunFailed(f"{out}: {cmd[0]} could not be started ({e.strerror})")
    if p.returncode == 0:
        sys.stderr.write(p.stderr)
        return
    if UNFINISHED in p.stderr:
        raise RunFailed(f"{out} holds the checkpoints of a run that did not finish ({summary_status(out)}), "
                        f"which strata will not overwrite: continue it with {cmd[0]} run {cmd[2]} --resume {out} "
                        "(and the same --set options), or remove the folder; then run this tool again")
    error = None
    if os.path.exists(summary) and os.path.getmtime(summary) != before:  # this run's, not an earlier one's
        try:
            with open(summary) as f:
                error = json.load(f).get("error")
        except (OSError, ValueError, AttributeError):
            pass
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    raise RunFailed(f"the run into {out} failed (strata exit status {p.returncode}): "
                    + (str(error) if error else " | ".join(lines[-3:]) or "no error message"))


def run_all(tool, jobs, runs, reuse):
    """Runs [(cmd, out)] on jobs threads; the first failure ends the tool (status 4)."""
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(run_one, tool, cmd, out, reuse) for cmd, out in runs]
        for future in concurrent.futures.as_completed(futures):
            try:
                future.result()
            except RunFailed as e:
                pool.shutdown(wait=False, cancel_futures=True)
                if any(f.running() for f in futures):
                    sys.stderr.write(f"{tool}: a run failed; waiting for the runs in progress to end\n")
                fail(tool, str(e), RUN_FAILED)


def read_summary(tool, out):
    path = os.path.join(out, "summary.json")
    try:
        with open(path) as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        fail(tool, f"{path}: cannot read it ({getattr(e, 'strerror', None) or e})")
    if not isinstance(summary, dict):
        fail(tool, f"{path}: expected a JSON object")
    return summary


def read_table(tool, path, columns):
    """{column: [floats]} of a CSV file a run wrote, at least one row."""
    try:
        table = read_columns(path, columns)
    except TableError as e:
        fail(tool, str(e))
    if not table[columns[0]]:
        fail(tool, f"{path}: no data rows")
    return table


def last_snapshot(tool, out, want, components=False):
    """The fields of the last snapshot in out/snapshots.pvd (read_vti's dict)."""
    try:
        return read_vti(read_pvd(out)[-1][1], want, components)
    except InputError as e:
        fail(tool, str(e))
