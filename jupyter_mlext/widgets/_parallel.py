"""Drawings of a sweep with matplotlib (Agg, no pyplot): parallel coordinates and the best value so far.

Parallel coordinates stay readable at hundreds of trials because
- each axis is scaled to its own range (log scale for log-distributed values, categories evenly spaced),
- lines are coloured by the primary metric (viridis, the best end bright) and drawn thin and translucent,
  best last so they lie on top; the best trial is drawn thick in red;
- brushing: trials outside the chosen ranges are drawn light grey underneath, so the selection stands out
  against the rest instead of vanishing;
- the axes come in the order given (the widget lets you reorder them).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

DPI = 80


def axis_positions(values: Sequence[Any], log: bool) -> tuple[list[float], list[str], list[float]]:
    """Each value's position in [0, 1] on its axis, with the tick labels and tick positions."""
    numeric = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(numeric) != len(values):  # categorical: evenly spaced in first-seen order
        labels = list(dict.fromkeys(str(v) for v in values))
        spacing = {label: (i / (len(labels) - 1) if len(labels) > 1 else 0.5) for i, label in enumerate(labels)}
        return [spacing[str(v)] for v in values], labels, [spacing[label] for label in labels]
    scaled = [math.log10(v) if log and v > 0 else float(v) for v in numeric]
    low, high = (min(scaled), max(scaled)) if scaled else (0.0, 1.0)
    span = high - low or 1.0
    positions = [(s - low) / span for s in scaled]
    ticks = [0.0, 0.5, 1.0]
    labels = [f"{(10 ** (low + t * span)) if log else (low + t * span):.3g}" for t in ticks]
    return positions, labels, ticks


def parallel_png(
    columns: Mapping[str, Sequence[Any]],
    order: Sequence[str],
    metric: str,
    selected: Sequence[bool],
    log_axes: frozenset[str] = frozenset(),
    maximize: bool = False,
    width_in: float = 9.0,
) -> bytes:
    """One line per trial across the axes in `order` (`metric` among them); `selected[i]` marks trial i as
    inside the brush."""
    from matplotlib import cm, colormaps, colors
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, 3.6), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    count = len(columns[metric]) if metric in columns else 0
    if count == 0 or not order:
        axes.text(0.5, 0.5, "no finished trials yet", ha="center", va="center", color="#6c757d")
        axes.set_axis_off()
        return _png(figure)
    positions = {}
    for name in order:
        positions[name], labels, ticks = axis_positions(columns[name], name in log_axes)
        for label, tick in zip(labels, ticks, strict=True):
            axes.text(order.index(name), tick, label, fontsize=7, ha="right", va="center", color="#444")
    values = [float(v) for v in columns[metric]]
    norm = colors.Normalize(min(values), max(values))
    palette = colormaps["viridis_r" if not maximize else "viridis"]
    xs = list(range(len(order)))
    ranked = sorted(range(count), key=lambda i: values[i], reverse=not maximize)  # best drawn last
    for i in ranked:
        ys = [positions[name][i] for name in order]
        if selected[i]:
            axes.plot(xs, ys, color=palette(norm(values[i])), alpha=0.55, linewidth=0.9)
        else:
            axes.plot(xs, ys, color="#d0d0d0", alpha=0.5, linewidth=0.6, zorder=0)
    best = ranked[-1]
    axes.plot(xs, [positions[name][best] for name in order], color="#dc3545", linewidth=2.2, label="best")
    for x in xs:
        axes.axvline(x, color="#333", linewidth=0.8)
    axes.set_xticks(xs, [f"{name}\n(metric)" if name == metric else name for name in order], fontsize=8)
    axes.set_yticks([])
    axes.set_xlim(-0.3, len(order) - 0.7)
    axes.set_ylim(-0.05, 1.05)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    mappable = cm.ScalarMappable(norm=norm, cmap=palette)
    figure.colorbar(mappable, ax=axes, label=metric, fraction=0.03)
    axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize=7, frameon=False)
    figure.tight_layout()
    return _png(figure)


def best_so_far_png(steps: Sequence[int], values: Sequence[float], metric: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.2, 2.4), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    if steps:
        axes.step(steps, values, where="post", color="#0d6efd")
        axes.plot(steps, values, "o", color="#0d6efd", markersize=3)
    axes.set_xlabel("trials ended", fontsize=8)
    axes.set_title(f"best {metric} so far", fontsize=9)
    axes.tick_params(labelsize=7)
    figure.tight_layout()
    return _png(figure)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
