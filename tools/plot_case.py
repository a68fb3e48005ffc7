#!/usr/bin/python3
"""Turn a Strata run's output folder into PNG figures.

Usage:  /usr/bin/python3 tools/plot_case.py OUTDIR [--quiet]

Reads (see the output contract of the C++ program):
  OUTDIR/snapshots.pvd      ParaView collection of ImageData (.vti) snapshots
  OUTDIR/snapshot_*.vti     cell data rho, T, regime (+ others, ignored)
  OUTDIR/profile_<t>.csv    mid-height profiles  x,rho,ux,uy,T,p,regime   (optional)
  OUTDIR/history.csv        conservation / layer counts per step            (optional)
  OUTDIR/loads.csv          each boundary part's force, heat, mass flow      (optional)
  OUTDIR/surface_<t>.csv    each boundary face's load                        (optional)
  OUTDIR/summary.json       case name, final time, layer share
A Strata output folder has snapshots.pvd or summary.json (a run with output.snapshots
false writes no snapshots: its history and profiles are drawn, and that is said).
History rows whose t is not finite are left out (and counted on stderr).

Writes into OUTDIR (atomically: temporary name in OUTDIR, then os.replace):
  fields_t<t>.png   one per snapshot: density, temperature, regime map (with the
                    ranks' rectangles of a run on several MPI ranks)
  profiles.png      density and temperature vs x for every profile file
  history.png       change of the totals (with the conservation drift of summary.json),
                    residual and cells per layer vs t
  loads.png         each boundary part's force, heat and mass flow vs t
  surface.png       pressure, shear and heat (Cp, Cf, Ch with output.reference) along
                    every wall and around every obstacle, one line per surface file
fields_t*.png of an earlier run in the folder that no snapshot of this one made are
removed. The folder of a `strata compare` (it holds comparison.json) gets the figures
of each run comparison.json lists, in each run's folder, and, once the comparison has
completed, comparison.png: every run's last profile of density and temperature, the
reference in black. A run whose summary.json does not say "completed" is named on stderr and in
the history's title; a failed run's last_good.vti is drawn too.

Regime colours follow the paper (Caparello-Pareschi-Rey): red = layer 0
(Euler), green = layer 1 (ES-BGK), black = layer 2 (Boltzmann); solid
obstacle cells (regime -1) are grey.

Exit status: 0 success, 2 missing/malformed input, 3 matplotlib/numpy missing.
"""

import argparse
import base64
import glob
import json
import math
import os
import re
import sys
import xml.etree.ElementTree as ET

PROG = "plot_case.py"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from csv_table import TableError, read_columns  # noqa: E402

try:
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import EllipseCollection, PatchCollection
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
except ImportError:  # pragma: no cover - depends on the host
    sys.stderr.write("%s: python3-matplotlib is missing: "
                     "apt-get install python3-matplotlib python3-numpy\n" % PROG)
    sys.exit(3)

DPI = 120
REGIME_COLORS = {0: "red", 1: "green", 2: "black"}
REGIME_NAMES = {0: "0 Euler", 1: "1 ES-BGK", 2: "2 Boltzmann"}
# The shipped plugin of each layer, which REGIME_NAMES describes.
LAYER_SECTIONS = {0: ("fluid", "euler"), 1: ("kinetic", "esbgk"), 2: ("boltzmann", "boltzmann_fft")}
SOLID_COLOR = "0.6"
# Above this many cells (or this many along one side) the regime map is
# drawn as an image instead of one dot per cell.
MAX_DOT_CELLS = 64 * 64
MAX_DOT_SIDE = 128

VTK_TYPES = {
    "Float64": "f8", "Float32": "f4",
    "Int8": "i1", "UInt8": "u1", "Int16": "i2", "UInt16": "u2",
    "Int32": "i4", "UInt32": "u4", "Int64": "i8", "UInt64": "u8",
}


class InputError(Exception):
    """Missing or malformed input; reported as one line, exit status 2."""


# --------------------------------------------------------------------------
# small helpers


def fmt_t(t):
    return "%g" % t


def save_figure(fig, outdir, name, written, quiet):
    """Save atomically: temporary file in the same folder, then os.replace."""
    final = os.path.join(outdir, name)
    tmp = os.path.join(outdir, ".%s.tmp%d.png" % (name, os.getpid()))
    try:
        fig.savefig(tmp, dpi=DPI, format="png", bbox_inches="tight")
        os.replace(tmp, final)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            try:
                os.remove(tmp)
            except OSError:
                pass
    written.append(final)
    if not quiet:
        print(final, flush=True)


def note(msg, quiet):
    if not quiet:
        sys.stderr.write("%s: %s\n" % (PROG, msg))


def parse_floats(text, n, what):
    try:
        vals = [float(v) for v in text.split()]
    except (AttributeError, ValueError):
        raise InputError("%s: cannot parse %r" % (what, text))
    if len(vals) != n:
        raise InputError("%s: expected %d numbers, got %r" % (what, n, text))
    return vals


def parse_ints(text, n, what):
    vals = parse_floats(text, n, what)
    if any(v != int(v) for v in vals):
        raise InputError("%s: expected integers, got %r" % (what, text))
    return [int(v) for v in vals]


# --------------------------------------------------------------------------
# reading the ParaView collection and the .vti snapshots


def read_pvd(outdir):
    path = os.path.join(outdir, "snapshots.pvd")
    if not os.path.isfile(path):
        raise InputError("%s: no snapshots.pvd" % outdir)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise InputError("%s: not valid XML: %s" % (path, e))
    coll = root.find("Collection")
    if root.tag != "VTKFile" or coll is None:
        raise InputError("%s: not a VTKFile with a <Collection>" % path)
    entries = []
    for k, ds in enumerate(coll.findall("DataSet")):
        fn = ds.get("file")
        ts = ds.get("timestep")
        if not fn or ts is None:
            raise InputError("%s: DataSet #%d lacks 'file' or 'timestep'" % (path, k + 1))
        try:
            t = float(ts)
        except ValueError:
            raise InputError("%s: DataSet #%d has timestep=%r" % (path, k + 1, ts))
        entries.append((t, k, os.path.join(outdir, fn)))
    if not entries:
        raise InputError("%s: the collection lists no snapshots" % path)
    entries.sort()
    return [(t, f) for t, _, f in entries]


def decode_binary(text, dtype, header_dtype, what):
    """Decode a VTK inline 'binary' DataArray: base64 of [count][bytes].

    The contract is one base64 stream of header+data; VTK itself may encode
    the header and the data as two separate base64 blocks, so accept both.
    """
    s = "".join((text or "").split())
    hsize = np.dtype(header_dtype).itemsize
    try:
        raw = base64.b64decode(s, validate=True)
    except Exception:
        raw = None
    if raw is not None and len(raw) >= hsize:
        nbytes = int(np.frombuffer(raw[:hsize], dtype=header_dtype)[0])
        if nbytes == len(raw) - hsize:
            return np.frombuffer(raw[hsize:hsize + nbytes], dtype=dtype)
    # header encoded separately (ceil(hsize/3)*4 base64 characters)
    hchars = 4 * ((hsize + 2) // 3)
    try:
        head = base64.b64decode(s[:hchars], validate=True)
        body = base64.b64decode(s[hchars:], validate=True)
    except Exception:
        raise InputError("%s: DataArray is not valid base64" % what)
    if len(head) < hsize:
        raise InputError("%s: DataArray is too short" % what)
    nbytes = int(np.frombuffer(head[:hsize], dtype=header_dtype)[0])
    if nbytes > len(body):
        raise InputError("%s: DataArray header says %d bytes, only %d present"
                         % (what, nbytes, len(body)))
    return np.frombuffer(body[:nbytes], dtype=dtype)


def read_pvti(path, root, want, components):
    """A parallel snapshot (runs on several MPI ranks): the pieces it lists, each
    read with read_vti, put together on the whole mesh."""
    name = os.path.basename(path)
    img = root.find("PImageData")
    if img is None:
        raise InputError("%s: no <PImageData>" % path)
    ext = parse_ints(img.get("WholeExtent"), 6, name + " WholeExtent")
    whole, fields, pieces = None, {}, []
    for piece in img.findall("Piece"):
        source = piece.get("Source")
        if not source:
            raise InputError("%s: a <Piece> without Source" % path)
        pext = parse_ints(piece.get("Extent"), 6, name + " Piece Extent")
        part = read_vti(os.path.join(os.path.dirname(path), source), want, components)
        whole = whole or part
        i0, i1, j0, j1 = pext[0] - ext[0], pext[1] - ext[0], pext[2] - ext[2], pext[3] - ext[2]
        pieces.append((i0, i1, j0, j1))
        for field, values in part["fields"].items():
            if field not in fields:
                fields[field] = np.full(values.shape, np.nan)
            fields[field][j0:j1, i0:i1] = values[j0:j1, i0:i1]
    if whole is None:
        raise InputError("%s: no <Piece>" % path)
    return dict(whole, fields=fields, pieces=pieces)


def read_vti(path, want=("rho", "T", "regime"), components=False):
    """Return dict(nx, ny, x0, y0, dx, dy, fields={name: (ny, nx) array}); with
    components=True every field is (ny, nx, number of components)."""
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise InputError("%s: listed in snapshots.pvd but missing" % path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise InputError("%s: not valid XML: %s" % (path, e))
    if root.tag == "VTKFile" and root.get("type") == "PImageData":
        return read_pvti(path, root, want, components)
    if root.tag != "VTKFile" or root.get("type", "ImageData") != "ImageData":
        raise InputError("%s: not a VTK ImageData file" % path)
    endian = "<" if root.get("byte_order", "LittleEndian") == "LittleEndian" else ">"
    htype = {"UInt64": "u8", "UInt32": "u4"}.get(root.get("header_type", "UInt32"))
    if htype is None:
        raise InputError("%s: unsupported header_type %r" % (path, root.get("header_type")))
    htype = endian + htype
    img = root.find("ImageData")
    if img is None:
        raise InputError("%s: no <ImageData>" % path)
    ext = parse_ints(img.get("WholeExtent"), 6, name + " WholeExtent")
    x0, y0, _ = parse_floats(img.get("Origin", "0 0 0"), 3, name + " Origin")
    dx, dy, _ = parse_floats(img.get("Spacing", "1 1 1"), 3, name + " Spacing")
    # VTK extents count points: "0 NX" is NX+1 points, i.e. NX cells.
    nx, ny = ext[1] - ext[0], ext[3] - ext[2]
    nz = max(ext[5] - ext[4], 1)
    if nx <= 0 or ny <= 0 or nz != 1:
        raise InputError("%s: WholeExtent %r is not a 2D cell grid" % (path, ext))
    if not (dx > 0 and dy > 0):
        raise InputError("%s: Spacing must be positive" % path)

    fields = {}
    pieces = img.findall("Piece")
    if not pieces:
        raise InputError("%s: no <Piece>" % path)
    for piece in pieces:
        pext = parse_ints(piece.get("Extent", img.get("WholeExtent")), 6, name + " Piece Extent")
        i0, i1 = pext[0] - ext[0], pext[1] - ext[0]
        j0, j1 = pext[2] - ext[2], pext[3] - ext[2]
        pnx, pny = i1 - i0, j1 - j0
        if i0 < 0 or j0 < 0 or i1 > nx or j1 > ny or pnx <= 0 or pny <= 0:
            raise InputError("%s: Piece Extent %r outside WholeExtent" % (path, pext))
        cd = piece.find("CellData")
        if cd is None:
            continue
        for da in cd.findall("DataArray"):
            an = da.get("Name")
            if an not in want:
                continue
            what = "%s: DataArray %r" % (path, an)
            vt = VTK_TYPES.get(da.get("type", "Float64"))
            if vt is None:
                raise InputError("%s: unsupported type %r" % (what, da.get("type")))
            fmt = da.get("format", "binary")
            try:
                ncomp = int(da.get("NumberOfComponents", "1"))
            except ValueError:
                raise InputError("%s: bad NumberOfComponents" % what)
            if fmt == "binary":
                vals = decode_binary(da.text, endian + vt, htype, what)
            elif fmt == "ascii":
                try:
                    vals = np.array((da.text or "").split(), dtype=float)
                except ValueError:
                    raise InputError("%s: ascii data is not numeric" % what)
            else:
                raise InputError("%s: unsupported format %r" % (what, fmt))
            if vals.size != pnx * pny * ncomp:
                raise InputError("%s: %d values, expected %d x %d x %d = %d"
                                 % (what, vals.size, pnx, pny, ncomp, pnx * pny * ncomp))
            vals = vals.astype(float).reshape(pny, pnx, ncomp)
            if not components:
                vals = vals[:, :, 0]
            if an not in fields:
                fields[an] = np.full((ny, nx) + vals.shape[2:], np.nan)
            fields[an][j0:j1, i0:i1] = vals
    missing = [w for w in want if w not in fields]
    if missing:
        raise InputError("%s: CellData lacks array(s) %s" % (path, ", ".join(missing)))
    return dict(nx=nx, ny=ny, x0=x0, y0=y0, dx=dx, dy=dy, fields=fields)


# --------------------------------------------------------------------------
# fields_t<t>.png


def layer_names(summary):
    """The layers' legend names: REGIME_NAMES, or "1 mixture_bgk" where summary.json
    names another plugin for the layer than the shipped one."""
    plugins = summary.get("plugins") if isinstance(summary, dict) else None
    names = dict(REGIME_NAMES)
    for k, (section, shipped) in LAYER_SECTIONS.items():
        entry = plugins.get(section) if isinstance(plugins, dict) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        if isinstance(name, str) and name and name != shipped:
            names[k] = "%d %s" % (k, name)
    return names


def regime_legend_handles(names, has_solid, squares=False):
    if squares:
        h = [Patch(facecolor=REGIME_COLORS[k], edgecolor="none", label=names[k])
             for k in (0, 1, 2)]
    else:
        h = [Line2D([], [], marker="o", linestyle="", color=REGIME_COLORS[k],
                    markersize=6, label=names[k]) for k in (0, 1, 2)]
    if has_solid:
        h.append(Patch(facecolor=SOLID_COLOR, edgecolor="none", label="solid"))
    return h


def draw_regime(ax, g, reg, as_image):
    nx, ny, x0, y0, dx, dy = g["nx"], g["ny"], g["x0"], g["y0"], g["dx"], g["dy"]
    extent = [x0, x0 + nx * dx, y0, y0 + ny * dy]
    r = np.rint(np.nan_to_num(reg, nan=-9)).astype(int)
    solid = r < 0
    if as_image:
        cmap = ListedColormap([SOLID_COLOR, REGIME_COLORS[0], REGIME_COLORS[1], REGIME_COLORS[2]])
        cmap.set_bad("white")
        norm = BoundaryNorm([-1.5, -0.5, 0.5, 1.5, 2.5], cmap.N)
        img = np.where(solid, -1, np.clip(r, 0, 2)).astype(float)
        img[np.isnan(reg)] = np.nan
        ax.imshow(np.ma.masked_invalid(img), origin="lower", extent=extent, cmap=cmap,
                  norm=norm, interpolation="nearest", aspect="auto")
    else:
        xc = x0 + (np.arange(nx) + 0.5) * dx
        yc = y0 + (np.arange(ny) + 0.5) * dy
        X, Y = np.meshgrid(xc, yc)
        # Dot diameter in data units, so the dots keep their size relative to
        # the cells whatever the figure size (needs an equal-aspect axes).
        d = 0.62 * min(dx, dy)
        for k in (0, 1, 2):
            m = r == k
            if m.any():
                offs = np.column_stack([X[m], Y[m]])
                ax.add_collection(EllipseCollection(
                    np.full(len(offs), d), np.full(len(offs), d), np.zeros(len(offs)),
                    units="xy", offsets=offs, offset_transform=ax.transData,
                    facecolors=REGIME_COLORS[k], edgecolors="none"))
        if solid.any():
            rects = [Rectangle((x - 0.5 * dx, y - 0.5 * dy), dx, dy)
                     for x, y in zip(X[solid], Y[solid])]
            ax.add_collection(PatchCollection(rects, facecolor=SOLID_COLOR, edgecolor="none"))
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
    return bool(solid.any())


def field_layout(aspect):
    """Panel size (inches), stacked?, and whether 1:1 aspect can be kept."""
    if aspect > 1.8:                              # elongated along x: stack
        pw = min(10.0, max(6.0, 3.0 * aspect))
        ph = pw / aspect
        if ph < 0.9:                              # extremely elongated: give up 1:1
            return pw, 0.9, True, False
        return pw, ph, True, True
    s = 4.2                                       # side of a square panel
    pw, ph = s * math.sqrt(aspect), s / math.sqrt(aspect)
    k = min(1.0, 5.0 / pw, 7.0 / ph)
    pw, ph = pw * k, ph * k
    if pw < 0.7:                                  # extremely tall and thin
        return 0.7, ph, False, False
    return pw, ph, False, True


def plot_fields(g, t, case, outdir, written, quiet, used_names, names):
    nx, ny, x0, y0, dx, dy = g["nx"], g["ny"], g["x0"], g["y0"], g["dx"], g["dy"]
    extent = [x0, x0 + nx * dx, y0, y0 + ny * dy]
    aspect = (nx * dx) / (ny * dy)
    reg = g["fields"]["regime"]
    solid = np.rint(np.nan_to_num(reg, nan=0)).astype(int) < 0
    pw, ph, stacked, equal = field_layout(aspect)
    img_aspect = "equal" if equal else "auto"

    # Explicit layout in inches (bbox_inches="tight" trims the slack):
    # each panel is an image box pw x ph with a colorbar (or, for the regime
    # map, the legend) on its right.
    left, right_extra = 0.75, 1.0                 # y labels / colorbar + its labels
    top, bottom = 0.75, 0.6                       # suptitle+title / x labels
    gap_x, gap_y = 0.05, 0.45                     # between panel blocks
    cb_gap, cb_w = 0.08, 0.14
    if stacked:
        W = left + pw + right_extra
        H = top + 3 * ph + 2 * (gap_y + 0.3) + bottom
        boxes = [(left, H - top - ph - k * (ph + gap_y + 0.3)) for k in range(3)]
    else:
        W = 3 * (left + pw + right_extra) + 2 * gap_x
        H = top + ph + bottom
        boxes = [(k * (left + pw + right_extra + gap_x) + left, bottom) for k in range(3)]
    fig = plt.figure(figsize=(W, H))

    def add(box):
        return fig.add_axes([box[0] / W, box[1] / H, pw / W, ph / H])

    axes = [add(b) for b in boxes]
    for ax, box, key, label, cmap in ((axes[0], boxes[0], "rho", r"$\rho$", "viridis"),
                                      (axes[1], boxes[1], "T", r"$T$", "inferno")):
        vals = g["fields"][key]
        data = np.ma.masked_where(solid | ~np.isfinite(vals), vals)
        cm = plt.get_cmap(cmap).copy()
        cm.set_bad(SOLID_COLOR)
        im = ax.imshow(data, origin="lower", extent=extent, cmap=cm,
                       interpolation="nearest", aspect=img_aspect)
        cax = fig.add_axes([(box[0] + pw + cb_gap) / W, box[1] / H, cb_w / W, ph / H])
        cb = fig.colorbar(im, cax=cax)
        cb.set_label(label)
        ax.set_title(label)

    ax = axes[2]
    as_image = (nx * ny > MAX_DOT_CELLS or max(nx, ny) > MAX_DOT_SIDE or not equal)
    has_solid = draw_regime(ax, g, reg, as_image)
    ax.set_aspect(img_aspect)
    ax.set_title("regime")
    pieces = g.get("pieces", [])
    if len(pieces) > 1:  # a run on several MPI ranks: the rectangle of cells each rank owned
        for rank, (i0, i1, j0, j1) in enumerate(pieces):
            ax.add_patch(plt.Rectangle((x0 + i0 * dx, y0 + j0 * dy), (i1 - i0) * dx, (j1 - j0) * dy, fill=False,
                                       edgecolor="black", linewidth=0.8, linestyle="--"))
            ax.text(x0 + (i0 + i1) / 2 * dx, y0 + (j0 + j1) / 2 * dy, "rank %d" % rank, ha="center",
                    va="center", fontsize="small", bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
        ax.set_title("regime, %d ranks' cells" % len(pieces))
    ax.legend(handles=regime_legend_handles(names, has_solid, as_image), loc="center left",
              bbox_to_anchor=(1.02, 0.5), frameon=False, fontsize="small",
              handletextpad=0.3, borderaxespad=0.0)
    for ax in axes:
        ax.set_xlabel(r"$x$")
        ax.set_ylabel(r"$y$")
    fig.suptitle("%s,  t = %s" % (case, fmt_t(t)), y=1.0 - 0.12 / H, va="top")

    name = "fields_t%s.png" % fmt_t(t)
    k = 2
    while name in used_names:          # two snapshots whose times print alike
        name = "fields_t%s_%d.png" % (fmt_t(t), k)
        k += 1
    used_names.add(name)
    save_figure(fig, outdir, name, written, quiet)


# --------------------------------------------------------------------------
# profiles.png


def read_csv_columns(path, required):
    try:
        cols = read_columns(path, required)
    except TableError as e:
        raise InputError(str(e))
    return {c: np.array(v, dtype=float) for c, v in cols.items()}


def profile_files(outdir):
    out = []
    for p in glob.glob(os.path.join(outdir, "profile_*.csv")):
        tag = os.path.basename(p)[len("profile_"):-len(".csv")]
        try:
            key = (0, float(tag), tag)
        except ValueError:
            key = (1, 0.0, tag)
        out.append((key, tag, p))
    out.sort()
    return [(tag, p) for _, tag, p in out]


def plot_profiles(outdir, case, written, quiet, names):
    files = profile_files(outdir)
    if not files:
        note("no profile_*.csv in %s, profiles.png not written" % outdir, quiet)
        return
    data = []
    for tag, p in files:
        cols = read_csv_columns(p, ("x", "rho", "T", "regime"))
        if cols["x"].size == 0:
            note("%s has no rows, ignored" % p, quiet)
            continue
        data.append((tag, cols))
    if not data:
        note("all profile files are empty, profiles.png not written", quiet)
        return

    n = len(data)
    # At most MAX_ROWS rows of regime markers per panel (evenly spread over
    # the times, always including the last one).
    MAX_ROWS = 12
    if n <= MAX_ROWS:
        row_of = {k: k for k in range(n)}
    else:
        picks = sorted({int(round(v)) for v in np.linspace(0, n - 1, MAX_ROWS)})
        row_of = {k: i for i, k in enumerate(picks)}
    nrows = len(row_of)
    fig, axes = plt.subplots(2, 1, figsize=(9, 7.0 + 0.2 * nrows), sharex=True,
                             constrained_layout=True)
    line_colors = plt.get_cmap("tab10" if n <= 10 else "viridis")
    any_solid = False
    for ax, key, label in ((axes[0], "rho", r"$\rho$"), (axes[1], "T", r"$T$")):
        lo, hi = np.inf, -np.inf
        for k, (tag, c) in enumerate(data):
            reg = np.rint(np.nan_to_num(c["regime"], nan=-9)).astype(int)
            y = np.where(reg < 0, np.nan, c[key])
            fin = y[np.isfinite(y)]
            if fin.size:
                lo, hi = min(lo, fin.min()), max(hi, fin.max())
        if not np.isfinite(lo):
            lo, hi = 0.0, 1.0
        span = hi - lo if hi > lo else max(abs(hi), 1.0)
        gap = span * min(0.07, 0.4 / nrows)      # vertical spacing of marker rows
        for k, (tag, c) in enumerate(data):
            col = line_colors(k % 10) if n <= 10 else line_colors(k / max(n - 1, 1))
            reg = np.rint(np.nan_to_num(c["regime"], nan=-9)).astype(int)
            y = np.where(reg < 0, np.nan, c[key])
            try:
                lab = "t = %g" % float(tag)
            except ValueError:
                lab = tag
            ax.plot(c["x"], y, color=col, lw=1.4, label=lab)
            # Row of regime markers under the curves (one row per time).
            if k not in row_of:
                continue
            yrow = lo - (row_of[k] + 1) * gap
            for r in (0, 1, 2):
                m = reg == r
                if m.any():
                    ax.scatter(c["x"][m], np.full(m.sum(), yrow), s=9, marker="o",
                               color=REGIME_COLORS[r], linewidths=0, zorder=3)
            m = reg < 0
            if m.any():
                any_solid = True
                ax.scatter(c["x"][m], np.full(m.sum(), yrow), s=9, marker="s",
                           color=SOLID_COLOR, linewidths=0, zorder=3)
            # tag the row, in the left margin, with the curve's colour
            ax.plot([-0.012], [yrow], marker=">", color=col, markersize=5,
                    linestyle="", transform=ax.get_yaxis_transform(),
                    clip_on=False, zorder=4)
        ax.axhline(lo - 0.45 * gap, color="0.75", lw=0.6)
        ax.set_ylim(lo - (nrows + 0.8) * gap, hi + 0.08 * span)
        # ticks only over the data, not over the rows of regime markers
        ax.set_yticks([v for v in ax.get_yticks()
                       if lo - 0.3 * gap <= v <= hi + 0.08 * span])
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    xs = np.concatenate([c["x"] for _, c in data])
    xs = xs[np.isfinite(xs)]
    if xs.size:
        pad = 0.02 * (xs.max() - xs.min() if xs.max() > xs.min() else 1.0)
        axes[1].set_xlim(xs.min() - pad, xs.max() + pad)
    axes[1].set_xlabel(r"$x$")
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                   title="profiles", title_fontsize="small", frameon=False,
                   ncol=max(1, int(math.ceil(n / 18.0))))
    axes[1].legend(handles=regime_legend_handles(names, any_solid), loc="upper left",
                   bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False,
                   title="regime\n(dots under\nthe curves)", title_fontsize="small")
    fig.suptitle("%s: mid-height profiles" % case)
    save_figure(fig, outdir, "profiles.png", written, quiet)


# --------------------------------------------------------------------------
# history.png

HISTORY_COLS = ("t", "mass", "momentum_x", "momentum_y", "energy",
                "cells_layer0", "cells_layer1", "cells_layer2")


def plot_history(outdir, case, summary, written, quiet):
    path = os.path.join(outdir, "history.csv")
    if not os.path.isfile(path):
        note("no history.csv in %s, history.png not written" % outdir, quiet)
        return
    try:  # runs before the residual column have none; mixtures have species columns
        with open(path, newline="") as fh:
            header = [c.strip() for c in fh.readline().split(",")]
    except (OSError, UnicodeDecodeError):
        header = []  # read_csv_columns says why
    has_residual = "residual" in header
    species = [c[2:] for c in header if c.startswith("T_") and "ux_" + c[2:] in header]
    if "distance_to_equilibrium" not in header:
        species = []
    species_cols = tuple(q + n for n in species for q in ("T_", "ux_")) + (
        ("distance_to_equilibrium",) if species else ())
    h = read_csv_columns(path, HISTORY_COLS + (("residual",) if has_residual else ()) + species_cols)
    finite = np.isfinite(h["t"])
    if not finite.all():
        note("%s: %d row(s) whose t is not finite left out" % (path, np.count_nonzero(~finite)), quiet)
        h = {k: v[finite] for k, v in h.items()}
    if h["t"].size == 0:
        note("%s has no rows, history.png not written" % path, quiet)
        return
    order = np.argsort(h["t"], kind="stable")
    h = {k: v[order] for k, v in h.items()}
    t = h["t"]

    panels = 2 + has_residual + bool(species)
    fig, axes = plt.subplots(panels, 1, figsize=(9, 2.5 + 2.5 * panels), sharex=True, constrained_layout=True)
    ax1, ax2 = axes[0], axes[-1]
    if has_residual:
        plot_residual(axes[1], t, h["residual"], summary)
    if species:
        plot_species(axes[-2], t, h, species)
    m0, e0 = abs(h["mass"][0]), abs(h["energy"][0])
    pref = math.sqrt(2.0 * m0 * e0) if m0 > 0 and e0 > 0 else 0.0
    styles = {"mass": "C0", "momentum_x": "C1", "momentum_y": "C2", "energy": "C3"}
    positive = []
    for q in ("mass", "momentum_x", "momentum_y", "energy"):
        v = h[q]
        q0 = v[0]
        label = q
        scale = abs(q0)
        if q.startswith("momentum") and pref > 0 and abs(q0) < 1e-8 * pref:
            # initial momentum ~ 0: a relative drift is meaningless; use the
            # momentum scale sqrt(2 M0 E0) instead
            scale = pref
            label = r"%s / $\sqrt{2M_0E_0}$" % q
        if not (scale > 0 and np.isfinite(scale)):
            scale = 1.0
            label = "%s (absolute)" % q
        d = np.abs(v - q0) / scale
        ok = np.isfinite(d) & (d > 0)
        if not ok.any():
            label += "  (no drift)"
        positive.append(d[ok])
        # zeros cannot be drawn on a log axis: they are left as gaps
        ax1.plot(t, np.where(ok, d, np.nan), color=styles[q], lw=1.3, label=label,
                 marker="o" if ok.sum() <= 1 else None, markersize=3)
    allpos = np.concatenate(positive)
    ax1.set_yscale("log")
    if allpos.size:
        lo_d, hi_d = allpos.min(), allpos.max()
        ax1.set_ylim(lo_d / 3.0, hi_d * 3.0)
    else:
        ax1.set_ylim(1e-17, 1e-13)
        ax1.text(0.5, 0.5, "exactly conserved (all drifts are 0)" if t.size > 1
                 else "one record (t = %s): no drift to show" % fmt_t(t[0]), ha="center",
                 va="center", transform=ax1.transAxes)
    ax1.set_ylabel(r"$|q - q_0| \,/\, |q_0|$   (log scale)")
    ax1.legend(fontsize="small", loc="best")
    ax1.grid(True, alpha=0.3, which="major")
    # What crosses the boundary (inflow, outflow, walls, obstacles) changes the totals
    # too; the conservation drift books it, and summary.json has its largest values.
    drifts = summary.get("conservation") if isinstance(summary, dict) else None
    values = [v for v in drifts.values() if isinstance(v, (int, float))] if isinstance(drifts, dict) else []
    ax1.set_title("change of the domain totals since t = 0 (boundary exchange included)" +
                  ("\nconservation drift, the exchange booked (summary.json): at most %.1e" % max(values)
                   if values else ""))

    layers = [h["cells_layer%d" % k] for k in (0, 1, 2)]
    labels = [layer_names(summary)[k] for k in (0, 1, 2)]
    colors = [REGIME_COLORS[k] for k in (0, 1, 2)]
    if t.size > 1:
        ax2.stackplot(t, *layers, labels=labels, colors=colors, alpha=0.85,
                      edgecolor="none")
        ax2.set_xlim(t.min(), t.max())
    else:
        # a single record: one stacked bar
        w = 0.5 * abs(t[0]) if t[0] != 0 else 1.0
        bottom = 0.0
        for y, lab, col in zip(layers, labels, colors):
            ax2.bar(t, y, bottom=bottom, width=0.4 * w, color=col, label=lab, alpha=0.75)
            bottom = bottom + y
        ax2.set_xlim(t[0] - w, t[0] + w)
    ax2.set_ylim(0, max(1.0, float(np.nanmax(sum(layers)))) * 1.02)
    ax2.set_ylabel("cells per layer (stacked)")
    ax2.set_xlabel(r"$t$")
    ax2.legend(loc="lower left", fontsize="small", framealpha=0.85)
    ax2.grid(True, alpha=0.3)
    title = "%s: history%s" % (case, status_note(summary))
    share = summary.get("layer_share") if isinstance(summary, dict) else None
    if isinstance(share, list) and len(share) == 3:
        try:
            title += "   (final layer share %s)" % " / ".join(
                "%.1f%%" % (100.0 * float(s)) for s in share)
        except (TypeError, ValueError):
            pass
    ax2.set_title("cells per layer")
    fig.suptitle(title)
    save_figure(fig, outdir, "history.png", written, quiet)


def read_surface(path):
    """The rows of a surface_<t>.csv by part: {part: {column: array}}, in file order."""
    import csv
    try:
        with open(path, newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as e:
        raise InputError("%s: %s" % (path, e))
    need = ("part", "position", "x", "y", "nx", "ny", "p", "tau", "heat")
    if not rows or any(c not in rows[0] for c in need):
        raise InputError("%s: expected the columns %s" % (path, ",".join(need)))
    header = rows[0]
    parts = {}
    for k, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            raise InputError("%s: row %d has %d values, the header %d" % (path, k, len(r), len(header)))
        part = parts.setdefault(r[0], {c: [] for c in header[1:]})
        try:
            for c, v in zip(header[1:], r[1:]):
                part[c].append(float(v))
        except ValueError:
            raise InputError("%s: row %d: not a number" % (path, k))
    return {name: {c: np.array(v) for c, v in cols.items()} for name, cols in parts.items()}


def surface_position(cols, obstacle):
    """The column `position` and its axis label: around an obstacle the angle in degrees
    about the centre of its faces from its -x side (0: the front of a body in a stream
    along +x; 90 its bottom, 180 its back); along a side the face's coordinate."""
    if obstacle:
        return cols["position"], r"angle from the $-x$ side, counter-clockwise (degrees)"
    return cols["position"], (r"$y$" if np.all(cols["nx"] != 0) else r"$x$")


def plot_loads(outdir, case, summary, written, quiet):
    """loads.png (each part's force and heat against t, from loads.csv) and surface.png
    (pressure, shear and heat along every wall and obstacle for each surface file)."""
    path = os.path.join(outdir, "loads.csv")
    if os.path.isfile(path):
        with open(path, newline="") as fh:
            header = [c.strip() for c in fh.readline().split(",")]
        parts = [c[:-len("_Fx")] for c in header if c.endswith("_Fx")]
        h = read_csv_columns(path, ("t",) + tuple(p + q for p in parts for q in ("_Fx", "_Fy", "_heat", "_mass")))
        if h["t"].size:
            fig, axes = plt.subplots(3, 1, figsize=(9, 9), sharex=True, constrained_layout=True)
            for k, part in enumerate(parts):
                color = "C%d" % (k % 10)
                axes[0].plot(h["t"], h[part + "_Fx"], color=color, lw=1.3, label=part + r" $F_x$")
                axes[0].plot(h["t"], h[part + "_Fy"], color=color, lw=1.0, ls="--", label=part + r" $F_y$")
                axes[1].plot(h["t"], h[part + "_heat"], color=color, lw=1.3, label=part)
                axes[2].plot(h["t"], h[part + "_mass"], color=color, lw=1.3, label=part)
            axes[0].set_ylabel("force of the gas on the part\n(per unit depth)")
            axes[1].set_ylabel("energy out of the gas: the heat\ninto a wall (per unit time and depth)")
            axes[2].set_ylabel("mass out of the gas\n(per unit time and depth)")
            axes[2].set_xlabel(r"$t$")
            for ax in axes:
                ax.grid(True, alpha=0.3)
                ax.legend(fontsize="small", loc="best", ncol=2)
            fig.suptitle("%s: boundary loads (loads.csv)%s" % (case, status_note(summary)))
            save_figure(fig, outdir, "loads.png", written, quiet)
    files = []
    for f in glob.glob(os.path.join(outdir, "surface_*.csv")):
        try:
            files.append((float(os.path.basename(f)[len("surface_"):-len(".csv")]), f))
        except ValueError:
            pass
    if not files:
        return
    files.sort()
    kinds = {name: v.get("kind") for name, v in summary.get("boundary_loads", {}).items()
             if isinstance(v, dict)} if isinstance(summary, dict) else {}
    surfaces = [(t, read_surface(f)) for t, f in files]
    # Walls and obstacles: where pressure, shear and heat are the surface's.
    shown = [name for name in surfaces[-1][1]
             if kinds.get(name, "obstacle" if name.startswith("obstacle") else "") in ("wall", "reflective", "obstacle")]
    if not shown:
        return
    coefficients = "Cp" in next(iter(surfaces[-1][1].values()))
    rows = (("Cp", "Cf", "Ch") if coefficients else ("p", "tau", "heat"))
    labels = {"p": "pressure $p$", "tau": r"shear $\tau$", "heat": "heat flux into the wall",
              "Cp": "$C_p$", "Cf": "$C_f$", "Ch": "$C_h$"}
    fig, axes = plt.subplots(3, len(shown), figsize=(4.5 * len(shown) + 1, 8), squeeze=False, constrained_layout=True)
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(surfaces)))
    for col, name in enumerate(shown):
        for (t, parts), color in zip(surfaces, colors):
            if name not in parts:
                continue
            cols = parts[name]
            x, xlabel = surface_position(cols, name.startswith("obstacle"))
            for row, q in enumerate(rows):
                axes[row][col].plot(x, cols[q], color=color, lw=1.2, marker=".", markersize=3,
                                    label="t = %s" % fmt_t(t))
        axes[0][col].set_title(name)
        axes[2][col].set_xlabel(xlabel)
        for row, q in enumerate(rows):
            axes[row][col].set_ylabel(labels[q])
            axes[row][col].grid(True, alpha=0.3)
    axes[0][-1].legend(fontsize="small", loc="best")
    fig.suptitle("%s: surface loads per unit area (surface_<t>.csv)%s" % (case, status_note(summary)))
    save_figure(fig, outdir, "surface.png", written, quiet)


def plot_species(ax, t, h, species):
    """A mixture's species: temperature and mean velocity of each species' domain totals,
    and the distance to the global equilibrium (paper 000, Theorem 1.1) on its own axis."""
    for k, name in enumerate(species):
        ax.plot(t, h["T_" + name], color="C%d" % k, lw=1.3, label="T_" + name)
        ax.plot(t, h["ux_" + name], color="C%d" % k, lw=1.3, ls="--", label="ux_" + name)
    ax.set_ylabel("species' T (solid) and u_x (dashed)")
    ax.grid(True, alpha=0.3)
    d = h["distance_to_equilibrium"]
    ok = np.isfinite(d) & (d > 0)
    if ok.any():
        twin = ax.twinx()
        twin.semilogy(t[ok], d[ok], color="black", lw=1.0, ls=":", label="distance to equilibrium")
        twin.set_ylabel("distance to equilibrium (dotted, log)")
        lines = ax.get_legend_handles_labels()
        more = twin.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], fontsize="small", loc="best")
    else:
        ax.legend(fontsize="small", loc="best")
    ax.set_title("species of the mixture (history.csv: of each species' domain totals)")


def plot_residual(ax, t, residual, summary):
    """The state's rate of change per step (history.csv's residual), with time.steady."""
    ok = np.isfinite(residual) & (residual > 0)
    if ok.any():
        ax.semilogy(t[ok], residual[ok], color="C4", lw=1.3, label="residual",
                    marker="o" if ok.sum() <= 1 else None, markersize=3)
    elif np.isfinite(residual).any():  # a log axis cannot show 0
        ax.text(0.5, 0.5, "residual 0 at every step: the state did not change", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_yscale("log")
        ax.set_ylim(1e-16, 1.0)
    else:
        ax.text(0.5, 0.5, "no step yet: no residual to show", ha="center", va="center", transform=ax.transAxes)
    steady = summary.get("steady") if isinstance(summary, dict) else None
    if isinstance(steady, dict) and isinstance(steady.get("tolerance"), (int, float)) and steady["tolerance"] > 0:
        ax.axhline(steady["tolerance"], color="k", ls="--", lw=1,
                   label="time.steady = %g%s" % (steady["tolerance"], " (reached)" if steady.get("reached") else ""))
    ax.set_ylabel("residual: rate of change of\nthe moments and of f   [1/time]", fontsize="small")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="best")
    ax.grid(True, alpha=0.3, which="major")
    ax.set_title("rate of change of the state (steady state: small; its part from f measured every 10th step)")


# --------------------------------------------------------------------------


def status_note(summary):
    """'' for a completed run (or none recorded), else e.g. '  [run failed]'."""
    status = summary.get("status") if isinstance(summary, dict) else None
    words = {"failed": "run failed", "interrupted": "run interrupted", "running": "run killed or still running"}
    return "  [%s]" % words.get(status, str(status)) if status and status != "completed" else ""


def read_summary(outdir):
    path = os.path.join(outdir, "summary.json")
    if not os.path.isfile(path):
        return {}
    try:
        with open(path) as fh:
            s = json.load(fh)
    except (OSError, ValueError) as e:
        raise InputError("%s: not valid JSON: %s" % (path, e))
    if not isinstance(s, dict):
        raise InputError("%s: expected a JSON object" % path)
    return s


def run_folder(outdir, run):
    """A compared run's folder: comparison.json's `folder`, else made from its label as
    strata compare makes it (hybrid:NAME#2 -> hybrid_NAME_2)."""
    return os.path.join(outdir, run.get("folder") or run["label"].replace(":", "_").replace("#", "_"))


def plot_comparison(outdir, quiet):
    """The folder of a `strata compare`: each run its comparison.json lists, in its own
    folder, then comparison.png, the runs' last profiles over one another, once the
    comparison has completed."""
    try:
        with open(os.path.join(outdir, "comparison.json")) as f:
            doc = json.load(f)
        runs = [run_folder(outdir, r) for r in doc["runs"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        sys.stderr.write("%s: error: %s/comparison.json: cannot read its runs (%s)\n" % (PROG, outdir, e))
        return 2
    found = [d for d in runs if os.path.isfile(os.path.join(d, "summary.json"))]
    state = doc.get("status", "completed")
    note("%s: the runs of a strata compare (%s): figures in each of %s%s" % (
        outdir, state, ", ".join(os.path.basename(d) for d in found) or "none",
        "; not run yet: " + ", ".join(os.path.basename(d) for d in runs if d not in found)
        if len(found) < len(runs) else ""), quiet)
    status = max([main([d] + (["--quiet"] if quiet else [])) for d in found] + [0])
    if state != "completed":
        note("the comparison is %s: comparison.png not drawn, and a run it had not reached may be an earlier "
             "comparison's" % state, quiet)
        return status
    try:
        plot_compared_profiles(outdir, doc, quiet)
    except (InputError, OSError, ValueError, KeyError, TypeError) as e:
        sys.stderr.write("%s: error: %s/comparison.json: %s\n" % (PROG, outdir, e))
        return 2
    return status


def plot_compared_profiles(outdir, doc, quiet):
    """comparison.png: density and temperature of each run's last profile, the reference
    in black, each labelled with its distance to the reference and its speed-up."""
    fig, axes = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, constrained_layout=True)
    drawn = 0
    for k, r in enumerate(doc["runs"]):
        folder = run_folder(outdir, r)
        files = profile_files(folder)
        if not files:
            note("%s: no profile_*.csv, left out of comparison.png" % folder, quiet)
            continue
        cols = read_csv_columns(files[-1][1], ("x", "rho", "T", "regime"))
        solid = np.rint(np.nan_to_num(cols["regime"], nan=-9)) < 0
        reference = r["label"] == doc.get("reference")
        label = r["label"] + (" (reference)" if reference else ": L1(rho) %.1e, %.3g x" % (r["l1_rho"], r["speed_up"]))
        for ax, key in ((axes[0], "rho"), (axes[1], "T")):
            ax.plot(cols["x"], np.where(solid, np.nan, cols[key]), color="k" if reference else None,
                    lw=1.6 if reference else 1.0, ls="-" if reference else "--", label=label, zorder=3 if reference else 2)
        drawn += 1
    if not drawn:
        plt.close(fig)
        note("no run of %s has profiles: comparison.png not drawn" % outdir, quiet)
        return
    axes[0].set_ylabel(r"$\rho$")
    axes[1].set_ylabel(r"$T$")
    axes[1].set_xlabel("x")
    axes[0].legend(fontsize=7)
    axes[0].set_title("%s: each run's last profile (strata compare; speed-up over the reference)"
                      % os.path.basename(os.path.normpath(os.path.abspath(outdir))), fontsize=9)
    save_figure(fig, outdir, "comparison.png", [], quiet)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog=PROG, description="Write PNG figures (fields, profiles, history) "
        "from a Strata output folder into that folder.")
    ap.add_argument("outdir", metavar="OUTDIR", help="run output folder (has snapshots.pvd or summary.json)")
    ap.add_argument("--quiet", action="store_true",
                    help="do not print the names of the files written")
    args = ap.parse_args(argv)
    outdir = args.outdir
    if os.path.isdir(outdir) and os.path.isfile(os.path.join(outdir, "comparison.json")):
        return plot_comparison(outdir, args.quiet)
    written = []
    try:
        if not os.path.isdir(outdir):
            raise InputError("%s: %s" % (outdir, "a file, not a run's output folder" if os.path.exists(outdir)
                                         else "no such folder"))
        if not os.access(outdir, os.W_OK):
            raise InputError("%s: folder is not writable" % outdir)
        summary = read_summary(outdir)
        if os.path.isfile(os.path.join(outdir, "snapshots.pvd")):
            snaps = read_pvd(outdir)
        elif os.path.isfile(os.path.join(outdir, "summary.json")):
            snaps = []
            note("%s: no snapshots.pvd: the run wrote no snapshot fields (output.snapshots false), "
                 "no fields_t*.png" % outdir, args.quiet)
        else:
            raise InputError("%s: neither snapshots.pvd nor summary.json (is this a Strata output folder?)"
                             % outdir)
        case = summary.get("case") or os.path.basename(os.path.normpath(os.path.abspath(outdir)))
        names = layer_names(summary)
        case = str(case)
        # One snapshot in memory at a time (runs can have hundreds); a
        # malformed file stops the run with status 2 at that file.
        if status_note(summary):
            # The figures are of what the run wrote before it stopped; say so first.
            sys.stderr.write("%s: note: summary.json says %s%s\n" % (
                PROG, status_note(summary).strip(" []"),
                (": " + str(summary["error"])) if summary.get("error") else ""))
        used = set()
        for t, f in snaps:
            plot_fields(read_vti(f), t, case, outdir, written, args.quiet, used, names)
        last_good = os.path.join(outdir, "last_good.vti")
        if summary.get("status") == "failed" and os.path.isfile(last_good):
            g = read_vti(last_good)
            plot_fields(g, summary.get("final_time", float("nan")),
                        case + status_note(summary) + ", last good state", outdir, written, args.quiet, used, names)
        # Figures this tool made for an earlier run in this folder, which no snapshot of
        # this one made again (only names it makes: fields_t<time>[_k].png).
        for old in glob.glob(os.path.join(outdir, "fields_t*.png")):
            name = os.path.basename(old)
            if name not in used and re.fullmatch(r"fields_t([-+0-9.e]+|nan|inf)(_\d+)?\.png", name):
                os.remove(old)
                note("removed %s (an earlier run's)" % old, args.quiet)
        plot_profiles(outdir, case, written, args.quiet, names)
        plot_history(outdir, case, summary, written, args.quiet)
        plot_loads(outdir, case, summary, written, args.quiet)
    except InputError as e:
        sys.stderr.write("%s: error: %s\n" % (PROG, e))
        return 2
    except OSError as e:
        sys.stderr.write("%s: error: %s\n" % (PROG, e))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
