"""Fix a figure's layout once, so that every later save of it gives the same bytes.

Constrained layout starts from the axes' current positions, so a figure's second draw can
place things a few 1e-10 of the figure apart from its first, which shifts anti-aliasing of
some glyphs: saving the same figure twice then gave different PNG bytes. Figures here are
laid out once at the saving resolution, then the layout engine is switched off.
"""

from __future__ import annotations

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
