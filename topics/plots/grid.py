"""Fix a figure's layout once, so that every later save of it gives the same bytes.

Constrained layout starts from the axes' current positions, so a figure's second draw can
place things a few 1e-10 of the figure apart from its first, which shifts anti-aliasing of
some glyphs: saving the same figure twice then gave different PNG bytes. Figures here are
laid out once at the saving resolution, then the layout engine is switched off.

The size rules every figure follows are here too: the largest side of a figure, how many rows
it draws one per article and how many entries a legend may have; past them a figure summarises
and says how in its :func:`footnote`.
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from topics.plots.style import DPI, plot_style


def freeze_layout(fig: Figure, dpi: float = DPI) -> Figure:
    """Run the figure's layout engine at ``dpi`` inside the package style, then keep the
    resulting positions (layout engine off). Returns ``fig``."""
    screen_dpi = fig.dpi
    with plot_style():
        fig.set_dpi(dpi)
        try:
            fig.draw_without_rendering()
        finally:
            fig.set_dpi(screen_dpi)
    fig.set_layout_engine("none")
    return fig


#: Longest side of a figure, in inches: 16 in is 3,200 px at the saving resolution, the width
#: of a large screen or an A3 page. Figures scale their rows down rather than grow past it.
MAX_INCHES = 16.0
#: Most rows drawn one per article. A row needs about 0.19 in for a 9-pt CJK label with some
#: space; 60 such rows (11.4 in) still fit ``MAX_INCHES`` with titles and axes. Past it, a
#: figure summarises (clusters, groups, distributions) and says so in its footnote.
MAX_ROWS = 60
#: Most entries in a legend: past 8 colours a reader can no longer match colour to entry (and
#: the palette starts to repeat at 16).
MAX_LEGEND_ENTRIES = 8


def row_inches(n: int, preferred: float, fixed: float) -> float:
    """Height of each of ``n`` rows: ``preferred``, shrunk so that ``n`` rows plus ``fixed``
    inches of titles and axes stay within :data:`MAX_INCHES`.

    >>> row_inches(16, 0.34, 2.2), round(row_inches(60, 0.34, 2.2), 3)
    (0.34, 0.23)
    """
    return min(preferred, (MAX_INCHES - fixed) / max(n, 1))


#: Characters of 7.5-pt footnote text per inch of figure width (Latin text; CJK is wider).
FOOTNOTE_CHARS_PER_INCH = 15


def footnote(fig: Figure, text: str) -> None:
    """Write ``text`` in small grey type under the figure (its ``supxlabel``): the rule a
    figure follows at this corpus size, e.g. rows aggregated or numbers dropped."""
    columns = int(fig.get_figwidth() * FOOTNOTE_CHARS_PER_INCH)
    fig.supxlabel(textwrap.fill(text, columns), x=0.01, ha="left", fontsize=7.5, color="0.35")
