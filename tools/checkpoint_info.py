#!/usr/bin/env python3
"""What a Strata checkpoint holds (docs/user_guide.md §6.5), and a picture of it.

    /usr/bin/python3 tools/checkpoint_info.py CHECKPOINT.h5 [--plot FIGURE.png]

Prints the time, step, case, mesh, velocity grid, plugins, layer counts, drift baselines
and every dataset with its shape; --plot draws density, temperature and the regime map
of the interior cells (needs python3-h5py, python3-matplotlib, python3-numpy).

Exit status: 0 success, 1 a file that is not a readable Strata checkpoint (the message
names the file and the missing or bad item) or a figure name that cannot be written,
2 bad arguments, 3 h5py or numpy missing (or matplotlib, for --plot)."""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_file import check_png_name, pyplot, save_png  # noqa: E402

try:
    import h5py
    import numpy as np
except ImportError:
    sys.stderr.write("checkpoint_info.py: python3-h5py or python3-numpy is missing: apt-get install python3-h5py\n")
    sys.exit(3)

TOOL = "checkpoint_info.py"


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def damaged(path, what):
    sys.exit(f"{TOOL}: {path}: not a Strata checkpoint or damaged: {what}")


def item(h5, path, name):
    """The checkpoint's attribute name, or its dataset /name where name has a '/'."""
    kind = "dataset /" if "/" in name else "attribute "
    try:
        return h5[name][...] if "/" in name else h5.attrs[name]
    except (KeyError, OSError, TypeError, ValueError):
        damaged(path, f"the {kind}{name} is missing or unreadable")


def json_item(h5, path, name):
    """The JSON object in the checkpoint's text attribute name."""
    try:
        value = json.loads(text(item(h5, path, name)))
    except ValueError:
        damaged(path, f"the attribute {name} is not JSON")
    if not isinstance(value, dict):
        damaged(path, f"the attribute {name} is not a JSON object")
    return value


def interior(U, nx, ny):
    """Stored cells (two ghost layers per side, x fastest) -> interior [ny, nx, nvar]."""
    return U.reshape(ny + 4, nx + 4, -1)[2:-2, 2:-2, :]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("--plot", metavar="FIGURE.png")
    args = parser.parse_args()
    if args.plot:  # before the listing, which a bad name would otherwise follow
        check_png_name(args.plot, TOOL)
    path = args.checkpoint
    try:
        h5 = h5py.File(path, "r")
    except OSError as e:
        sys.exit(f"{TOOL}: {path}: not a readable HDF5 file ({e})")
    with h5:
        if text(h5.attrs.get("format", "")) != "strata checkpoint":
            sys.exit(f"{TOOL}: {path}: not a Strata checkpoint")
        setup, case = json_item(h5, path, "setup"), json_item(h5, path, "case")
        time, step = item(h5, path, "time"), item(h5, path, "step")
        print(f"{path}: format version {item(h5, path, 'format_version')}, "
              f"case {case.get('name', '?')}, t = {time:g}, step {step}, "
              f"{item(h5, path, 'layer_switches')} layer switches so far")
        print("setup:", json.dumps(setup, sort_keys=True))
        if "started_from" in h5.attrs:  # a run begun from another checkpoint's state (--start-from)
            print("started from:", text(h5.attrs["started_from"]))
        regime = item(h5, path, "domain/regime")
        counts = {layer: int((regime == layer).sum()) for layer in (-1, 0, 1, 2)}
        print(f"cells: {counts[0]} in layer 0, {counts[1]} in layer 1, {counts[2]} in layer 2, {counts[-1]} solid")
        for name in ("initial", "exchange", "scale", "max_drift"):
            print(f"diagnostics/{name}:", " ".join(f"{v:.6g}" for v in item(h5, path, "diagnostics/" + name)))
        print("datasets:")
        h5.visititems(lambda name, obj: print(f"  /{name}: {obj.dtype} {obj.shape}")
                      if isinstance(obj, h5py.Dataset) else None)
        if not args.plot:
            return
        ny, nx = regime.shape
        nvar = int(item(h5, path, "nvar"))
        n_species = nvar - 4
        U = item(h5, path, "macro/U")
        if n_species < 1 or U.size != (ny + 4) * (nx + 4) * nvar:
            damaged(path, f"the dataset /macro/U has {U.size} values, not {nvar} per cell of the "
                    f"{nx} x {ny} mesh and its ghost cells")
        U = interior(U.reshape(-1, nvar), nx, ny)
        rho = U[..., :n_species].sum(axis=-1)
        mom = U[..., n_species:n_species + 3]
        try:
            masses = [float(species["mass"]) for species in setup["species"]]
        except (KeyError, TypeError, ValueError):
            damaged(path, "the attribute setup has no list of species with their masses")
        if len(masses) != n_species:
            damaged(path, f"the attribute setup lists {len(masses)} species, the state has {n_species}")
        number = sum(U[..., s] / masses[s] for s in range(n_species))
        kinetic = 0.5 * (mom ** 2).sum(axis=-1) / np.where(rho > 0, rho, 1.0)
        # Monatomic gas (E = kinetic + 3/2 n T), as the kinetic layers and every run with them.
        T = (U[..., nvar - 1] - kinetic) / (1.5 * np.where(number > 0, number, 1.0))
        plt = pyplot(TOOL)
        from matplotlib.colors import ListedColormap
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
        for ax, field, title in ((axes[0], rho, "density"), (axes[1], T, "temperature")):
            image = ax.imshow(np.where(regime >= 0, field, np.nan), origin="lower", aspect="auto")
            fig.colorbar(image, ax=ax)
            ax.set_title(title)
        layers = ListedColormap(["0.6", "red", "green", "black"])
        axes[2].imshow(regime, origin="lower", aspect="auto", cmap=layers, vmin=-1.5, vmax=2.5, interpolation="nearest")
        axes[2].set_title("regime: red 0, green 1, black 2, grey solid")
        fig.suptitle(f"{path}: t = {time:g}, step {step}")
        fig.tight_layout()
        save_png(fig, args.plot, TOOL, dpi=110)
        print("figure:", args.plot)


if __name__ == "__main__":
    main()
