"""Charts drawn with matplotlib into PNG bytes, for an `ipywidgets.Image`.

Crisp on high-density screens: a figure is drawn at twice the pixels it is shown at (`SCALE`), and the image
is shown at most at its natural CSS size, shrinking with the notebook cell (`show_chart`): a stock `Image`
cannot know the screen's pixel ratio, and an SVG costs several times a PNG to draw and to send on every frame.

No pyplot: a `Figure` on its own Agg canvas neither touches global state nor gets displayed by the inline
backend, and can be drawn from a background thread. Small multiples, one panel per metric, one line per run
(same colour for a run in every panel); a downsampled series shows its bucket min/max as a band, so spikes stay
visible however long the series is.

Drawing holds the GIL that the training loop needs, so a live chart keeps its figure between redraws and only
replaces the data of its lines (new axes and tick objects on every frame cost three times as much).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from ._data import Series

Panels = Sequence[tuple[str, Sequence[Series]]]

COLUMNS = 3
PANEL_WIDTH_IN = 3.2
SINGLE_PANEL_WIDTH_IN = 4.8
PANEL_HEIGHT_IN = 2.3
LEGEND_WIDTH_IN = 1.4
CSS_DPI = 96  # CSS pixels per inch: the size a chart is shown at
SCALE = 2  # drawn pixels per CSS pixel, for screens of a device pixel ratio up to 2
DPI = CSS_DPI * SCALE
PNG_COMPRESSION = 3  # zlib level: a few ms less per frame than the default 6, for a slightly larger PNG


class ChartRenderer:
    """Renders panels to PNG, reusing its figure while the panels' metrics and runs stay the same."""

    def __init__(self) -> None:
        self._layout: tuple[Any, ...] | None = None
        self._figure: Any = None
        self._axes: list[Any] = []
        self._lines: dict[tuple[int, str], Any] = {}
        self.css_width = 0.0  # the CSS width of the last figure: its pixels over SCALE

    def render(self, panels: Panels) -> bytes:
        layout = tuple((key, tuple(series.label for series in panel)) for key, panel in panels)
        if layout != self._layout:
            self._build(panels)
            self._layout = layout
        for index, (ax, (_, panel)) in enumerate(zip(self._axes, panels)):
            for collection in list(ax.collections):
                collection.remove()
            for series in panel:
                history = series.history
                line = self._lines[(index, series.label)]
                line.set_data(history.steps, history.values)
                line.set_marker("o" if len(history.steps) == 1 else "")
                if history.downsampled:
                    ax.fill_between(
                        history.steps, history.mins, history.maxs, color=line.get_color(), alpha=0.2, linewidth=0
                    )
            ax.relim()
            ax.autoscale_view()
        buffer = io.BytesIO()
        self._figure.savefig(buffer, format="png", pil_kwargs={"compress_level": PNG_COMPRESSION})
        return buffer.getvalue()

    def _build(self, panels: Panels) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        columns = min(COLUMNS, max(1, len(panels)))
        rows = max(1, math.ceil(len(panels) / columns))
        labels = list(dict.fromkeys(series.label for _, panel in panels for series in panel))
        legend_in = LEGEND_WIDTH_IN if len(labels) > 1 else 0.0
        width_in = (PANEL_WIDTH_IN * columns if columns > 1 else SINGLE_PANEL_WIDTH_IN) + legend_in
        figure = Figure(figsize=(width_in, PANEL_HEIGHT_IN * rows), dpi=DPI)
        FigureCanvasAgg(figure)
        colors = {label: f"C{i % 10}" for i, label in enumerate(labels)}
        axes = list(figure.subplots(rows, columns, squeeze=False).ravel())
        self._lines = {}
        for index, (ax, (key, panel)) in enumerate(zip(axes, panels)):
            ax.set_title(key, fontsize=9, y=1.0)  # a fixed position spares a layout pass on every frame
            ax.tick_params(labelsize=7)
            ax.locator_params(nbins=5)
            ax.grid(True, alpha=0.3)
            for series in panel:
                (self._lines[(index, series.label)],) = ax.plot(
                    [], [], color=colors[series.label], linewidth=1.2, markersize=3, label=series.label
                )
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        for ax in axes[max(0, len(panels) - columns) : len(panels)]:
            ax.set_xlabel("step", fontsize=8)
        if legend_in:
            handles = {label: line for (_, label), line in self._lines.items()}
            figure.legend([handles[label] for label in labels], labels, loc="upper right", fontsize=7, frameon=False)
        figure.subplots_adjust(
            left=0.55 / width_in,
            right=1 - (legend_in + 0.15) / width_in,
            bottom=0.16 / rows,
            top=1 - 0.12 / rows,
            wspace=0.3,
            hspace=0.45,
        )
        self._figure, self._axes = figure, axes[: len(panels)]
        self.css_width = figure.canvas.get_width_height()[0] / SCALE


def render_png(panels: Panels) -> bytes:
    """A one-off chart (no figure kept for later frames)."""
    return ChartRenderer().render(panels)


def chart_image() -> Any:
    """The `Image` a chart is shown in: hidden until the first chart, then as wide as the cell allows."""
    import ipywidgets as widgets

    return widgets.Image(format="png", layout=widgets.Layout(display="none", width="100%", height="auto"))


def show_chart(image: Any, png: bytes, css_width: float) -> None:
    """Show `png` (drawn by a renderer whose figure is `css_width` CSS pixels wide) in `image`: never wider than
    that, narrower in a narrow cell, so its SCALE× pixels stay crisp."""
    image.value = png
    image.layout.max_width = f"{css_width:g}px"
    image.layout.display = None


def warm_up() -> None:
    """Import matplotlib and load its fonts now (~0.7 s the first time in a process), so that the first live
    chart does not take that time out of a training loop."""
    render_png([])
