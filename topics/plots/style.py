"""Shared figure style: the bundled CJK font, sizes, colours, deterministic saving.

The font is Noto Sans CJK SC from the ``mplfonts`` package, registered with matplotlib's font
manager when this module is imported (registration is per process and is not cached on disk).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager

from topics.storage import atomic_file

DPI = 200
FONT_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    """Path of the bundled CJK font file."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: bundled CJK font missing; reinstall mplfonts")
    return path


def register_cjk_font() -> str:
    """Register the bundled font with matplotlib and return its family name."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


FONT_FAMILY = register_cjk_font()
#: A qualitative palette long enough for topics; topic k always gets colour k.
PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#aec7e8", "#98df8a", "#c5b0d5", "#c49c94", "#dbdb8d",
]  # fmt: skip

RC = {
    "font.family": [FONT_FAMILY, "sans-serif"],
    "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
    "axes.unicode_minus": False,
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.labelsize": 9,
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "topics",
    "svg.fonttype": "path",
}


def color(index: int) -> str:
    """Colour of topic (or group) ``index``, the same in every figure."""
    return PALETTE[index % len(PALETTE)]


@contextmanager
def plot_style():
    """Apply the package's figure style inside a ``with`` block only."""
    with plt.rc_context(RC):
        yield


def save_figure(fig, path: str | Path, formats: tuple[str, ...] = ("png",)) -> list[Path]:
    """Save ``fig`` next to ``path`` in each format, atomically and byte-reproducibly."""
    path = Path(path)
    written = []
    for fmt in formats:
        target = path.with_suffix(f".{fmt}")
        metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        with atomic_file(target) as tmp, plt.rc_context(RC):
            fig.savefig(tmp, format=fmt, dpi=DPI, bbox_inches="tight", metadata=metadata)
        written.append(target)
    plt.close(fig)
    return written
