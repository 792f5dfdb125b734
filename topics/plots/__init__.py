"""Figures: one function per figure, each taking tables and returning the matplotlib Figure.

All of them draw inside :func:`topics.plots.style.plot_style`, which applies the bundled CJK font
without touching matplotlib's global settings.
"""
