#!/usr/bin/env python3
"""What a Strata checkpoint holds (docs/user_guide.md §6.5), and a picture of it.

    /usr/bin/python3 tools/checkpoint_info.py CHECKPOINT.h5 [--plot FIGURE.png]

Prints the time, step, case, mesh, velocity grid, plugins, layer counts, drift baselines
and every dataset with its shape; --plot draws density, temperature and the regime map
of the interior cells (needs python3-h5py, python3-matplotlib, python3-numpy)."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import save_png  # noqa: E402

import h5py
import numpy as np


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def interior(U, nx, ny):
    """Stored cells (two ghost layers per side, x fastest) -> interior [ny, nx, nvar]."""
    return U.reshape(ny + 4, nx + 4, -1)[2:-2, 2:-2, :]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("--plot", metavar="FIGURE.png")
    args = parser.parse_args()
    try:
        h5 = h5py.File(args.checkpoint, "r")
    except OSError as e:
        sys.exit(f"{args.checkpoint}: not a readable HDF5 file ({e})")
    with h5:
        if text(h5.attrs.get("format", "")) != "strata checkpoint":
            sys.exit(f"{args.checkpoint}: not a Strata checkpoint")
        setup = json.loads(text(h5.attrs["setup"]))
        case = json.loads(text(h5.attrs["case"]))
        print(f"{args.checkpoint}: format version {h5.attrs['format_version']}, "
              f"case {case.get('name', '?')}, t = {h5.attrs['time']:g}, step {h5.attrs['step']}, "
              f"{h5.attrs['layer_switches']} layer switches so far")
        print("setup:", json.dumps(setup, sort_keys=True))
        regime = h5["domain/regime"][...]
        counts = {layer: int((regime == layer).sum()) for layer in (-1, 0, 1, 2)}
        print(f"cells: {counts[0]} in layer 0, {counts[1]} in layer 1, {counts[2]} in layer 2, {counts[-1]} solid")
        for name in ("initial", "exchange", "scale", "max_drift"):
            print(f"diagnostics/{name}:", " ".join(f"{v:.6g}" for v in h5["diagnostics/" + name][...]))
        print("datasets:")
        h5.visititems(lambda name, obj: print(f"  /{name}: {obj.dtype} {obj.shape}")
                      if isinstance(obj, h5py.Dataset) else None)
        if not args.plot:
            return
        ny, nx = regime.shape
        nvar = int(h5.attrs["nvar"])
        n_species = nvar - 4
        U = interior(h5["macro/U"][...].reshape(-1, nvar), nx, ny)
        rho = U[..., :n_species].sum(axis=-1)
        mom = U[..., n_species:n_species + 3]
        masses = [species["mass"] for species in setup["species"]]
        number = sum(U[..., s] / masses[s] for s in range(n_species))
        kinetic = 0.5 * (mom ** 2).sum(axis=-1) / np.where(rho > 0, rho, 1.0)
        # Monatomic gas (E = kinetic + 3/2 n T), as the kinetic layers and every run with them.
        T = (U[..., nvar - 1] - kinetic) / (1.5 * np.where(number > 0, number, 1.0))
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
        for ax, field, title in ((axes[0], rho, "density"), (axes[1], T, "temperature")):
            image = ax.imshow(np.where(regime >= 0, field, np.nan), origin="lower", aspect="auto")
            fig.colorbar(image, ax=ax)
            ax.set_title(title)
        layers = ListedColormap(["0.6", "red", "green", "black"])
        axes[2].imshow(regime, origin="lower", aspect="auto", cmap=layers, vmin=-1.5, vmax=2.5, interpolation="nearest")
        axes[2].set_title("regime: red 0, green 1, black 2, grey solid")
        fig.suptitle(f"{args.checkpoint}: t = {h5.attrs['time']:g}, step {h5.attrs['step']}")
        fig.tight_layout()
        save_png(fig, args.plot, "checkpoint_info.py", dpi=110)
        print("figure:", args.plot)


if __name__ == "__main__":
    main()
