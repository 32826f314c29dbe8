"""Pictures for the reports, drawn with matplotlib (imported here, only when a picture is made).

The curves are given as Python functions compiled from verified SymPy
expressions by the caller; this module only draws them. The Agg canvas is
used directly (no pyplot, no global backend switch), so drawing works
without a display and leaves matplotlib's state alone.
"""
from __future__ import annotations

import io

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def margin_figure(losses, gradients, points, delta, x_range) -> bytes:
    """A PNG: both losses (left) and both gradients (right) against the score gap g = s_{y_i} - s_j.

    ``losses`` and ``gradients`` are {label: function of d}, the same labels in
    both; ``points`` are (example number, class name, d) for the markers, drawn
    on every curve. A margin outside ``x_range`` is drawn at the edge, at the
    curves' value there, with its own value written beside it.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    low, high = x_range
    steps = 600
    grid = [low + (high - low) * i / steps for i in range(steps + 1)]
    figure = Figure(figsize=(9, 3.6), dpi=130)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    colours = dict(zip(losses, ("C0", "C1", "C2", "C3")))
    for axis, curves in ((left, losses), (right, gradients)):
        for label, f in curves.items():
            axis.plot(grid, [f(x) for x in grid], colours[label], label=label, linewidth=2)
    numbers = sorted({number for number, _, _ in points})
    for number in numbers:
        marker = MARKERS[(number - 1) % len(MARKERS)]
        left.plot([], [], marker=marker, color="0.3", markerfacecolor="white", linestyle="none",
                  label=f"example {number}")
    edge_notes = {}
    at = {}                                  # example number -> the margins drawn (one plot call per curve)
    for number, _name, margin in points:
        shown = min(max(margin, low), high)
        at.setdefault(number, []).append(shown)
        if shown != margin:
            edge_notes.setdefault(shown, []).append(f"{margin:g}")
    for number, margins in at.items():
        marker = MARKERS[(number - 1) % len(MARKERS)]
        for axis, curves in ((left, losses), (right, gradients)):
            for label, f in curves.items():
                axis.plot(margins, [f(m) for m in margins], marker=marker, color=colours[label], markersize=8,
                          markerfacecolor="white", markeredgewidth=1.8, linestyle="none", clip_on=False, zorder=5)
    for shown, values in edge_notes.items():
        arrow = "→" if shown == high else "←"
        text = f"g = {', '.join(dict.fromkeys(values))} {arrow}" if arrow == "→" else \
            f"{arrow} g = {', '.join(dict.fromkeys(values))}"
        left.annotate(text, (shown, 0), textcoords="offset points", xytext=(-10 if arrow == "→" else 10, 14),
                      ha="right" if arrow == "→" else "left", fontsize=8, color="0.3")
    for axis, title, ylabel in ((left, "loss, two classes", "loss"),
                                (right, "gradient with respect to the other score $s_j$",
                                 r"$\partial L / \partial s_j$")):
        if low <= float(delta) <= high:
            axis.axvline(float(delta), color="0.6", linewidth=0.8, linestyle=":")
        axis.axhline(0, color="0.8", linewidth=0.8)
        axis.set_xlabel(r"score gap $g = s_{y_i} - s_j$")
        axis.set_ylabel(ylabel)
        axis.set_title(title, fontsize=10)
        axis.set_xlim(low, high)
        axis.legend(fontsize=8, frameon=False)
    if low <= float(delta) <= high:
        right.text(float(delta), 0.5, r" $g = \Delta$", fontsize=8, color="0.4")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


__all__ = ["margin_figure"]
