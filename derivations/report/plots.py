"""Pictures for the code-and-training reports, drawn with matplotlib's Agg canvas (no pyplot, no display).

Each function takes numbers only and returns PNG bytes with no timestamp in
them, so the same numbers always give the same file.
"""
from __future__ import annotations

import io


def _canvas(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


#: one look per series, so that series that coincide stay visible: large see-through markers under small
#: filled ones, and a different dash for each line
SERIES_STYLES = (dict(marker="o", markersize=11, markerfacecolor="none", linestyle="-"),
                 dict(marker="s", markersize=5, linestyle="--"),
                 dict(marker="^", markersize=9, markerfacecolor="none", linestyle=":"),
                 dict(marker="x", markersize=6, linestyle="-."),
                 dict(marker="D", markersize=3, linestyle=(0, (5, 1))))


def failure_rate_figure(rows, deltas, hs) -> bytes:
    """The fraction of gradient-check entries that fail against h (log scale), one line per Delta.

    ``rows`` are (delta, h, rate) triples. Each series has its own marker and dash, the first the largest,
    so that a series lying exactly on another still shows.
    """
    figure = _canvas(6.0, 3.6)
    axis = figure.subplots()
    for number, delta in enumerate(deltas):
        points = sorted((h, rate) for d, h, rate in rows if d == delta)
        style = SERIES_STYLES[number % len(SERIES_STYLES)]
        axis.plot([h for h, _ in points], [100 * r for _, r in points], linewidth=1.6, markeredgewidth=1.5,
                  color=f"C{number}", label=f"Δ = {delta:g}", zorder=20 - style["markersize"], **style)
    axis.set_xscale("log")
    axis.set_xlabel("step h of the centred difference")
    axis.set_ylabel("entries failing (%)")
    axis.set_ylim(-3, 103)
    axis.set_title("How often a gradient check of the SVM fails", fontsize=10)
    axis.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    return _png(figure)


def loss_curve_figure(losses, title) -> bytes:
    """The training loss after each epoch (whole epochs on the axis)."""
    from matplotlib.ticker import MaxNLocator

    figure = _canvas(6.0, 3.2)
    axis = figure.subplots()
    axis.plot(range(1, len(losses) + 1), losses, marker="o", linewidth=2, color="C0")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel("epoch")
    axis.set_ylabel("training loss L (with the penalty)")
    axis.set_title(title, fontsize=10)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return _png(figure)


def weight_images_figure(images, names, title) -> bytes:
    """One image per class (its weights without the bias, in the shape of an input image), on one diverging
    colour scale centred at 0 (red positive, blue negative, white 0) shared by every class, with a colour bar."""
    import numpy

    count = len(images)
    columns = min(count, 5)
    rows = (count + columns - 1) // columns
    figure = _canvas(1.6 * columns + 0.9, 1.8 * rows + 0.4)
    axes = figure.subplots(rows, columns, squeeze=False)
    largest = max((float(numpy.abs(image).max()) for image in images), default=0.0) or 1.0
    shown = None
    for index, axis in enumerate(axes.flat):
        axis.set_xticks([])
        axis.set_yticks([])
        if index >= count:
            axis.set_visible(False)
            continue
        shown = axis.imshow(images[index], cmap="RdBu_r", vmin=-largest, vmax=largest, interpolation="nearest")
        axis.set_title(names[index], fontsize=9)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1 - 0.8 / (1.6 * columns + 0.9), 1))
    if shown is not None:
        bar = figure.colorbar(shown, ax=list(axes.flat), fraction=0.04, pad=0.03)
        bar.set_label("weight", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    return _png(figure)
