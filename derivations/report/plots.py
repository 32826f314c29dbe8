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


def failure_rate_figure(rows, deltas, hs) -> bytes:
    """The fraction of gradient-check entries that fail against h (log scale), one line per Delta.

    ``rows`` are (delta, h, rate) triples.
    """
    figure = _canvas(6.0, 3.6)
    axis = figure.subplots()
    for delta in deltas:
        points = sorted((h, rate) for d, h, rate in rows if d == delta)
        axis.plot([h for h, _ in points], [100 * r for _, r in points], marker="o", linewidth=2,
                  label=f"Δ = {delta:g}")
    axis.set_xscale("log")
    axis.set_xlabel("step h of the centred difference")
    axis.set_ylabel("entries failing (%)")
    axis.set_ylim(-3, 103)
    axis.set_title("How often a gradient check of the SVM fails", fontsize=10)
    axis.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    return _png(figure)


def loss_curve_figure(losses, title) -> bytes:
    """The training loss after each epoch."""
    figure = _canvas(6.0, 3.2)
    axis = figure.subplots()
    axis.plot(range(1, len(losses) + 1), losses, marker="o", linewidth=2, color="C0")
    axis.set_xlabel("epoch")
    axis.set_ylabel("training loss L (with the penalty)")
    axis.set_title(title, fontsize=10)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return _png(figure)


def weight_images_figure(images, names, title) -> bytes:
    """One grey-scale image per class (its weights without the bias, in the shape of an input image)."""
    count = len(images)
    columns = min(count, 5)
    rows = (count + columns - 1) // columns
    figure = _canvas(1.6 * columns, 1.8 * rows + 0.4)
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.set_xticks([])
        axis.set_yticks([])
        if index >= count:
            axis.set_visible(False)
            continue
        image = images[index]
        low, high = float(image.min()), float(image.max())
        scaled = (image - low) / (high - low) if high > low else image * 0
        axis.imshow(scaled, cmap="gray", interpolation="nearest")
        axis.set_title(names[index], fontsize=9)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return _png(figure)
