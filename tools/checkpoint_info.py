#!/usr/bin/env python3
"""What a Strata checkpoint holds (docs/user_guide.md §6.5), and a picture of it.

    /usr/bin/python3 tools/checkpoint_info.py CHECKPOINT.h5 [--plot FIGURE.png]

Prints the time, step, case, mesh, velocity grid, plugins, layer counts, drift baselines
and every dataset with its shape; --plot draws density, temperature and the regime map
of the interior cells over the mesh's x, y at its true aspect ratio (panels stacked for a
domain long in x; needs python3-h5py, python3-matplotlib, python3-numpy).

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


# As tools/plot_case.py draws the regime: layer 0 red, 1 green, 2 black, solid cells grey.
REGIME_COLORS = {0: "red", 1: "green", 2: "black"}
REGIME_NAMES = {0: "0 Euler", 1: "1 ES-BGK", 2: "2 Boltzmann"}
LAYER_SECTIONS = {0: ("fluid", "euler"), 1: ("kinetic", "esbgk"), 2: ("boltzmann", "boltzmann_fft")}
SOLID_COLOR = "0.6"


def mesh_extent(setup, case, nx, ny):
    """[x0, x1, y0, y1] of the mesh from the set-up (or the case) and whether it was found;
    without either, the cell indices."""
    for source in (setup, case):
        mesh = source.get("mesh")
        try:
            (x0, x1), (y0, y1) = mesh["x"], mesh["y"]
            x0, x1, y0, y1 = float(x0), float(x1), float(y0), float(y1)
        except (KeyError, TypeError, ValueError):
            continue
        if x1 > x0 and y1 > y0:
            return [x0, x1, y0, y1], True
    return [0.0, float(nx), 0.0, float(ny)], False


def layer_names(setup):
    """Legend names of the three layers: the shipped plugin's, or the number and the plugin
    the run used in its place."""
    names = dict(REGIME_NAMES)
    plugins = setup.get("plugins")
    for k, (section, shipped) in LAYER_SECTIONS.items():
        try:
            name = plugins[section]["name"]
        except (KeyError, TypeError):
            continue
        if isinstance(name, str) and name and name != shipped:
            names[k] = f"{k} {name}"
    return names


def panel_layout(aspect):
    """Panel width and height (inches), whether the three panels are stacked, and whether
    the mesh can be drawn at its true aspect ratio (width / height = aspect)."""
    if aspect > 1.8:                          # long along x: one panel above the other
        pw = min(10.0, max(6.0, 3.0 * aspect))
        ph = pw / aspect
        if ph < 0.9:                          # extremely long: stretch in y
            return pw, 0.9, True, False
        return pw, ph, True, True
    pw, ph = 4.2 * aspect ** 0.5, 4.2 / aspect ** 0.5
    k = min(1.0, 5.0 / pw, 7.0 / ph)
    pw, ph = pw * k, ph * k
    if pw < 0.7:                              # extremely tall and thin: stretch in x
        return 0.7, ph, False, False
    return pw, ph, False, True


def draw(path, case, setup, time, step, rho, T, regime):
    """The figure of density, temperature and regime map over the mesh in physical x, y."""
    plt = pyplot(TOOL)
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch
    ny, nx = regime.shape
    extent, physical = mesh_extent(setup, case, nx, ny)
    aspect = (extent[1] - extent[0]) / (extent[3] - extent[2])
    if not physical:  # cell indices: square cells
        aspect = nx / ny
    pw, ph, stacked, equal = panel_layout(aspect)
    img_aspect = "equal" if equal else "auto"
    solid = regime < 0

    # Layout in inches: each panel with its colorbar (or legend) on its right.
    left, right_extra, top, bottom = 0.75, 1.25, 0.8, 0.6
    gap_x, gap_y, cb_gap, cb_w = 0.05, 0.75, 0.1, 0.14
    if stacked:
        W, H = left + pw + right_extra, top + 3 * ph + 2 * gap_y + bottom
        boxes = [(left, H - top - ph - k * (ph + gap_y)) for k in range(3)]
    else:
        W, H = 3 * (left + pw + right_extra) + 2 * gap_x, top + ph + bottom
        boxes = [(k * (left + pw + right_extra + gap_x) + left, bottom) for k in range(3)]
    fig = plt.figure(figsize=(W, H))
    axes = [fig.add_axes([x / W, y / H, pw / W, ph / H]) for x, y in boxes]
    for ax, box, field, title, label, cmap in (
            (axes[0], boxes[0], rho, "density", r"$\rho$", "viridis"),
            (axes[1], boxes[1], T, "temperature", r"$T$", "inferno")):
        colors = plt.get_cmap(cmap).copy()
        colors.set_bad(SOLID_COLOR)
        data = np.ma.masked_where(solid | ~np.isfinite(field), field)
        image = ax.imshow(data, origin="lower", extent=extent, cmap=colors,
                          interpolation="nearest", aspect=img_aspect)
        cax = fig.add_axes([(box[0] + pw + cb_gap) / W, box[1] / H, cb_w / W, ph / H])
        fig.colorbar(image, cax=cax).set_label(label)
        ax.set_title(f"{title} {label}")
    layers = ListedColormap([SOLID_COLOR, REGIME_COLORS[0], REGIME_COLORS[1], REGIME_COLORS[2]])
    norm = BoundaryNorm([-1.5, -0.5, 0.5, 1.5, 2.5], layers.N)
    axes[2].imshow(np.clip(regime, -1, 2), origin="lower", extent=extent, cmap=layers, norm=norm,
                   interpolation="nearest", aspect=img_aspect)
    axes[2].set_title("regime (layer of each cell)")
    names = layer_names(setup)
    handles = [Patch(facecolor=REGIME_COLORS[k], edgecolor="none", label=names[k]) for k in (0, 1, 2)]
    if solid.any():
        handles.append(Patch(facecolor=SOLID_COLOR, edgecolor="none", label="−1 solid"))
    axes[2].legend(handles=handles, loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False,
                   fontsize="small", handlelength=1.0, handletextpad=0.4, borderaxespad=0.0)
    for ax in axes:
        ax.set_xlabel(r"$x$" if physical else "x (cell index)")
        ax.set_ylabel(r"$y$" if physical else "y (cell index)")
    fig.suptitle(f"{os.path.basename(path)}: case {case.get('name', '?')}, t = {time:g}, step {step}",
                 y=1.0 - 0.15 / H, va="top")
    return fig


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
        fig = draw(path, case, setup, time, step, rho, T, regime)
        save_png(fig, args.plot, TOOL, dpi=110)
        print("figure:", args.plot)


if __name__ == "__main__":
    main()
