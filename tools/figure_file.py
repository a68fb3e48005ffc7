"""Writing a figure to the PNG file a user named, for the tools that take OUT.png:
the folder must exist and the name end in .png (a typo otherwise becomes a traceback,
or PNG bytes in a .txt file); the file is written under a temporary name and renamed,
so that an interrupted tool never leaves half a figure."""
import os
import sys


def pyplot(tool):
    """matplotlib.pyplot drawing to files only (no display needed), or exit 3 naming the
    package that is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.stderr.write(f"{tool}: python3-matplotlib is missing: bash tools/install_deps.sh\n")
        sys.exit(3)
    return plt


def check_png_name(out, tool):
    """Exit (status 1) unless a figure can be written as out; a tool that prints much
    before drawing calls it first, save_png calls it again."""
    folder = os.path.dirname(os.path.abspath(out))
    if not out.lower().endswith(".png"):
        sys.exit(f"{tool}: the figure's name must end in .png, got {out!r}")
    if not os.path.isdir(folder):
        sys.exit(f"{tool}: {out}: the folder {folder} does not exist")
    return folder


def save_png(fig, out, tool, dpi=120):
    folder = check_png_name(out, tool)
    tmp = os.path.join(folder, "." + os.path.basename(out) + f".tmp{os.getpid()}.png")
    try:
        fig.savefig(tmp, dpi=dpi)
        os.replace(tmp, out)
    except OSError as e:
        sys.exit(f"{tool}: {out}: cannot be written ({e.strerror})")
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
