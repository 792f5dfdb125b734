"""Figure: the intertopic distance map, topics placed by PCoA of their Jensen–Shannon distances.

The coordinates come from :func:`topics.model.ordination.topic_coordinates` (rounded to a fixed
precision, so the PNG is the same on every host), as in the LDAvis view, so the two maps agree.
"""

from __future__ import annotations

import unicodedata

import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from topics.model.ordination import topic_coordinates
from topics.plots.grid import freeze_layout
from topics.plots.labels import THEME_MARK, is_unstable, stability_threshold, topic_label
from topics.plots.style import color, plot_style


def _text_size(text: str, fontsize: float) -> tuple[float, float]:
    """Approximate (width, height) in points of multi-line ``text``: CJK characters are one
    em wide, others about 0.6 em."""
    lines = text.split("\n")
    width = max(
        sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in line) for line in lines
    )
    return width * fontsize + 4, len(lines) * 1.3 * fontsize + 2


def _box_overlap(centre: np.ndarray, half: np.ndarray, others: np.ndarray, halves: np.ndarray):
    """Overlap areas of one box with several boxes (centres and half sizes)."""
    extent = np.clip(half + halves - np.abs(others - centre), 0.0, None)
    return extent[:, 0] * extent[:, 1]


def _circle_overlap(centre: np.ndarray, half: np.ndarray, circles: np.ndarray, radii: np.ndarray):
    """How far each circle reaches into a box (0 when apart)."""
    nearest = np.clip(circles, centre - half, centre + half)
    return np.clip(radii - np.hypot(*(nearest - circles).T), 0.0, None)


def _segment_hits(start: np.ndarray, end: np.ndarray, circles: np.ndarray, radii: np.ndarray):
    """How deep the segment start→end passes through each circle (0 when it misses)."""
    direction = end - start
    length = max(float(direction @ direction), 1e-9)
    t = np.clip((circles - start) @ direction / length, 0.0, 1.0)
    closest = start + t[:, None] * direction
    return np.clip(radii - np.hypot(*(closest - circles).T), 0.0, None)


def place_labels(
    centres: np.ndarray,
    radii: np.ndarray,
    sizes: np.ndarray,
    bounds: tuple[float, float],
    gap: float = 3.0,
) -> np.ndarray:
    """Centres (points) of label boxes next to circles, clear of other boxes and circles.

    ``centres`` (N, 2) and ``radii`` (N,) are the circles in points, ``sizes`` (N, 2) the
    boxes' widths and heights, ``bounds`` the width and height of the area to stay inside.
    Labels are placed greedily, most crowded circle first, each at the candidate position
    around its circle (16 directions, 5 distances) that least overlaps the circles, the labels
    already placed and the edges, with a short leader line not crossing other circles.
    Deterministic.
    """
    n = len(centres)
    half = sizes / 2
    bounds = np.asarray(bounds, dtype=float)
    angles = -np.pi / 2 + np.arange(16) * (2 * np.pi / 16)  # start straight below
    directions = np.column_stack([np.cos(angles), np.sin(angles)])
    pairwise = np.hypot(*(centres[:, None, :] - centres[None, :, :]).transpose(2, 0, 1))
    crowding = (pairwise < (radii[:, None] + radii[None, :]) * 1.5).sum(axis=1)
    order = sorted(range(n), key=lambda i: (-crowding[i], i))
    placed = np.zeros((0, 2))
    placed_half = np.zeros((0, 2))
    positions = np.zeros_like(centres, dtype=float)
    others = np.ones(n, dtype=bool)
    for i in order:
        others[:] = True
        others[i] = False
        best, best_cost = None, np.inf
        for extra in (0.0, 12.0, 26.0, 44.0, 66.0):
            for d in directions:
                # Box just touching the circle edge in direction d, then ``extra`` further out.
                reach = radii[i] + gap + extra + float(np.abs(d) @ half[i] / np.abs(d).max())
                candidate = centres[i] + d * reach
                outside = np.clip(half[i] - candidate, 0, None) + np.clip(
                    candidate + half[i] - bounds, 0, None
                )
                cost = 50.0 * float(outside.sum())
                cost += 10.0 * float(_box_overlap(candidate, half[i], placed, placed_half).sum())
                cost += 40.0 * float(
                    _circle_overlap(candidate, half[i] + gap, centres, radii).sum()
                )
                edge = centres[i] + d * radii[i]
                cost += 60.0 * float(
                    _segment_hits(edge, candidate, centres[others], radii[others]).sum()
                )
                cost += 2.0 * extra + (0.5 if d[1] > 0 else 0.0)  # prefer close, then below
                if cost < best_cost - 1e-9:
                    best, best_cost = candidate, cost
        positions[i] = best
        placed = np.vstack([placed, best])
        placed_half = np.vstack([placed_half, half[i]])
    return positions


def _label_positions(fig, ax, xy: np.ndarray, radii: np.ndarray, sizes: np.ndarray):
    """Label offsets in points from each circle's centre, from the axes' final size."""
    fig.draw_without_rendering()
    box = ax.get_window_extent()
    to_points = 72.0 / fig.dpi
    width, height = box.width * to_points, box.height * to_points
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    scale = np.array([width / (x1 - x0), height / (y1 - y0)])
    centres = (xy - np.array([x0, y0])) * scale
    return centres, place_labels(centres, radii, sizes, (width, height))


def _draw_labels(fig, ax, xy, radii, texts, colors, fontsize: float) -> None:
    """Each topic's label next to its circle, with a leader line when placed away from it."""
    sizes = np.array([_text_size(t, fontsize) for t in texts])
    centres, positions = _label_positions(fig, ax, xy, radii, sizes)
    outline = [patheffects.withStroke(linewidth=3, foreground="white")]
    for k, text in enumerate(texts):
        offset = positions[k] - centres[k]
        # Distance from the circle's edge to the label box: draw a leader line if far.
        nearest = np.clip(centres[k], positions[k] - sizes[k] / 2, positions[k] + sizes[k] / 2)
        far = np.hypot(*(nearest - centres[k])) - radii[k] > 4
        ax.annotate(
            text, xy[k], xytext=tuple(offset), textcoords="offset points", ha="center",
            va="center", fontsize=fontsize, path_effects=outline, zorder=4,
            arrowprops={"arrowstyle": "-", "color": colors[k], "lw": 1.0,
                        "shrinkA": 0, "shrinkB": radii[k]} if far else None,
        )  # fmt: skip


def _frame(ax, xy: np.ndarray, explained: np.ndarray) -> None:
    """Square limits around the points with room for labels, zero lines and axis titles."""
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    centre = (xy.min(axis=0) + xy.max(axis=0)) / 2
    half = max(np.ptp(xy, axis=0).max() / 2, 1e-3) * 1.35
    ax.set_xlim(centre[0] - half, centre[0] + half)
    ax.set_ylim(centre[1] - half * 1.1, centre[1] + half)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"PC1 ({explained[0]:.0%} of variance)")
    ax.set_ylabel(f"PC2 ({explained[1]:.0%} of variance)")
    ax.tick_params(labelsize=7.5)
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=5))


def plot_intertopic_map(run, max_area: float = 3600.0) -> Figure:
    """Topics as circles on the first two principal coordinates of their JS distances.

    Circle area is proportional to prevalence (the largest topic gets ``max_area`` pt²),
    colour is the topic's colour, the number is drawn in the circle and each circle is
    labelled ``"T3 村民自治"`` with its prevalence, placed clear of other circles and labels
    (with a leader line when moved away) and its stability under resampling; unstable topics
    get a dashed red ring. Theme topics are marked ``◆``. The axes give each coordinate's
    share of the variance.
    """
    ordination = topic_coordinates(run.topic_word())
    xy = ordination.coordinates
    topics = run.topics.sort_values("topic")
    prevalence = topics["prevalence"].to_numpy(dtype=float)
    area = max_area * prevalence / prevalence.max()
    colors = [color(k) for k in range(run.k)]
    with plot_style():
        fig = Figure(figsize=(7.5, 6.8), layout="constrained")
        ax = fig.subplots()
        ax.scatter(
            xy[:, 0], xy[:, 1], s=area, c=colors, alpha=0.55, edgecolors=colors,
            linewidths=1.5, zorder=2,
        )  # fmt: skip
        unstable = np.array([is_unstable(run, k) for k in range(1, run.k + 1)])
        if unstable.any():  # a dashed red ring around topics unstable under resampling
            ax.scatter(
                xy[unstable, 0], xy[unstable, 1], s=area[unstable] * 1.25, facecolors="none",
                edgecolors="firebrick", linewidths=1.2, linestyles="--", zorder=2,
            )  # fmt: skip
        for k, (x, y) in enumerate(xy, start=1):
            ax.text(x, y, f"{k}", ha="center", va="center", fontsize=9, color="0.1", zorder=3)
        _frame(ax, xy, ordination.explained)
        fig.suptitle("主题距离图 Intertopic distance map", x=0.01, ha="left")
        ax.set_title(
            "PCoA of Jensen–Shannon distances between topic-word distributions;\n"
            f"circle area ∝ prevalence; {THEME_MARK} seeded theme"
            + (
                f"\ndashed red ring: unstable (stability below {stability_threshold(run):.2f})"
                if unstable.any()
                else ""
            ),
            fontsize=7.5,
            color="0.35",
            loc="left",
        )
        texts = [
            f"{topic_label(run, k, width=12, theme_mark=True)}\n{prevalence[k - 1]:.1%}"
            + (
                f" · 稳定性 {topics['stability'].iloc[k - 1]:.2f}"
                if "stability" in run.topics
                else ""
            )
            for k in range(1, run.k + 1)
        ]
        # scatter sizes are squared diameters in points
        _draw_labels(fig, ax, xy, np.sqrt(area) / 2, texts, colors, fontsize=8.5)
    return freeze_layout(fig)
