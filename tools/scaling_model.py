"""A model of Strata's strong and weak scaling over MPI ranks for the paper's tests at
32^3 velocities (docs/performance.md, "MPI ranks"). Every input is a measured figure or
a stated assumption (the constants below); the model is what the design implies:

  compute per step on a rank  = max(W / P, c2)       W = sum over cells of their layer's
                                                     cost; a cell is not split (c2: one
                                                     layer-2 cell-step)
  stage exchange per step     = 2 stages x (halo cells x bytes) / bandwidth + 16 latencies
                                halo: 2 cells deep around the rank's rectangle; a rank
                                holding kinetic cells holds n_k / P of them as a square,
                                all of its halo kinetic (pessimistic)
  sharing per step            = all-gather of 8 B per kinetic cell (the distance to the
                                Maxwellian) and of the cells that change layer (few):
                                (P - 1)/P x bytes / bandwidth + 2 log2(P) latencies
  work every rank repeats     = per cell of the whole mesh and step (copies of the
                                mesh-wide state arrays, the regime map): REPLICATED seconds
The step time is their sum (no overlap of communication with work, as built).
    /usr/bin/python3 tools/scaling_model.py
It takes no arguments (any other than --help is refused, exit status 2)."""
import argparse
import math

# Seconds per cell-step with one thread at 32^3 (docs/performance.md, bench/layer_costs.sh
# with 2 threads: 6.6e-7, 5.9e-4, 6.9e-3; one thread about twice as long; Euler measured
# with one thread by bench/mpi_scaling.sh: 5.8e-7).
COST = (6e-7, 1.2e-3, 1.4e-2)
F_BYTES = 32 ** 3 * 8      # one distribution at 32^3
U_BYTES = 5 * 8            # conserved variables of one cell
KINETIC_SHARED_BYTES = 8   # per kinetic cell and step: the distance to the Maxwellian
REPLICATED = 2e-8          # s per cell of the whole mesh and step on every rank: the measured upper bound (docs/performance.md)
BANDWIDTH = 10e9           # bytes/s per rank, an InfiniBand-class network (assumption)
LATENCY = 2e-6             # s per message (assumption)
CELLS = 100 * 100          # the paper's meshes
# Layer shares of cell-steps, one gas (docs/validation.md, Table 1).
TESTS = {
    "1 Sod": (0.922, 0.021, 0.057),
    "2 rectangle": (0.982, 0.0, 0.018),
    "3 moving rectangle": (0.968, 0.008, 0.024),
    "4 circle": (0.960, 0.0, 0.040),
    "5 non-uniform Knudsen": (0.793, 0.078, 0.130),
}


def step_time(cells, shares, P):
    n = [cells * s for s in shares]
    work = sum(c * k for c, k in zip(COST, n))
    compute = max(work / P, COST[2] if n[2] >= 1 else COST[1])
    kinetic = n[1] + n[2]
    per_rank = max(kinetic / P, 1.0)
    halo_kinetic = 8 * math.sqrt(per_rank) if P > 1 else 0.0
    halo_fluid = 8 * math.sqrt(cells / P) if P > 1 else 0.0
    # two stage exchanges and the conserved variables after the step
    stage = (2 * (halo_kinetic * (F_BYTES + U_BYTES) + halo_fluid * U_BYTES) + (halo_kinetic + halo_fluid) * U_BYTES) \
        / BANDWIDTH + (24 * LATENCY if P > 1 else 0)
    share = ((P - 1) / P * kinetic * KINETIC_SHARED_BYTES / BANDWIDTH + 2 * math.log2(P) * LATENCY
             + cells * REPLICATED) if P > 1 else 0
    return compute, stage, share, work


def limit(compute, stage, share, work, P):
    if compute > work / P * 1.01:
        return "indivisible cells: more ranks than layer-2 cells' worth of work"
    parts = {"compute": compute, "halo exchanges": stage, "whole-mesh work and sharing": share}
    top = max(parts, key=parts.get)
    return "compute-bound" if top == "compute" else top


def main():
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    ranks = (1, 8, 64, 1024)
    print("Strong scaling, %d cells, 32^3 velocities: efficiency (step time) and what limits it" % CELLS)
    for name, shares in TESTS.items():
        t1 = sum(step_time(CELLS, shares, 1)[:3])
        row = []
        for P in ranks:
            c, s, g, w = step_time(CELLS, shares, P)
            t = c + s + g
            row.append("P=%-5d %.2f (%.3g s)" % (P, t1 / (P * t), t))
        c, s, g, w = step_time(CELLS, shares, 1024)
        print("  %-22s %s  -- at 1024: %s" % (name, "  ".join(row), limit(c, s, g, w, 1024)))
    print("Weak scaling, %d cells per rank (the mesh grows with P): efficiency and limit" % CELLS)
    for name, shares in TESTS.items():
        t1 = sum(step_time(CELLS, shares, 1)[:3])
        row = []
        for P in ranks:
            c, s, g, w = step_time(CELLS * P, shares, P)
            row.append("P=%-5d %.2f" % (P, t1 / (c + s + g)))
        c, s, g, w = step_time(CELLS * 1024, shares, 1024)
        print("  %-22s %s  -- at 1024: compute %.3g s, halo exchanges %.3g s, whole-mesh work %.3g s"
              " (mesh-wide arrays: %.0f MB per rank)" % (name, "  ".join(row), c, s, g, CELLS * 1024 * U_BYTES / 1e6))


if __name__ == "__main__":
    main()
