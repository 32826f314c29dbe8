"""Pictures of computational graphs, drawn by Graphviz's ``dot`` (Debian: ``apt-get install graphviz``).

The caller gives plain data: the nodes (an id, the text in the node, whether
it is an input) and the edges (from, to, the forward value and the gradient
as already written numbers). This module only writes the DOT source and runs
``dot``; it does no mathematics. As in the lecture's pictures, each edge
carries the forward value above (green) and the gradient below (red).
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass

FORWARD_COLOUR = "#1a7f37"
GRADIENT_COLOUR = "#cf222e"


class GraphvizUnavailable(RuntimeError):
    """Graphviz's dot is not installed."""


@dataclass(frozen=True)
class DrawnNode:
    id: str
    text: str
    is_input: bool = False


@dataclass(frozen=True)
class DrawnEdge:
    source: str
    target: str
    forward: str
    gradient: str


def dot_source(nodes, edges, output_id: str, output_value: str, output_gradient: str) -> str:
    """The DOT text of the graph, left to right, with the output's value on an edge leaving the last gate."""
    lines = ["digraph backprop {", '  rankdir=LR; nodesep=0.35; ranksep=0.55;',
             '  node [fontname="Helvetica", fontsize=12];', '  edge [fontname="Helvetica", fontsize=10];']
    for node in nodes:
        shape = 'shape=plaintext' if node.is_input else 'shape=circle, style=filled, fillcolor="#f6f8fa"'
        text = _subscripts(_escape(node.text)) if node.is_input else _escape(node.text)
        lines.append(f'  "{node.id}" [label=<{text}>, {shape}];')
    lines.append('  "output" [label="", shape=point, width=0.05];')
    for edge in list(edges) + [DrawnEdge(output_id, "output", output_value, output_gradient)]:
        label = (f'<<font color="{FORWARD_COLOUR}">{_escape(edge.forward)}</font><br/>'
                 f'<font color="{GRADIENT_COLOUR}">{_escape(edge.gradient)}</font>>')
        lines.append(f'  "{edge.source}" -> "{edge.target}" [label={label}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return html.escape(str(text), quote=True)


def _subscripts(text: str) -> str:
    """w_0 and s_{y_i} with their subscripts set as subscripts."""
    return re.sub(r"_\{?([A-Za-z0-9_]+?)\}?$", r"<sub>\1</sub>", text)


def dot_program() -> str | None:
    return shutil.which("dot")


def render_dot(source: str, fmt: str = "png", timeout: float = 30) -> bytes:
    """The picture ``dot`` draws of ``source`` (PNG at 110 dpi, or SVG)."""
    program = dot_program()
    if program is None:
        raise GraphvizUnavailable("Graphviz's dot was not found: no picture of the graph "
                                  "(Debian: apt-get install graphviz)")
    arguments = [program, f"-T{fmt}"] + (["-Gdpi=110"] if fmt == "png" else [])
    run = subprocess.run(arguments, input=source.encode("utf-8"), capture_output=True, timeout=timeout)
    if run.returncode != 0:
        raise RuntimeError("dot failed: " + run.stderr.decode("utf-8", "replace").strip().splitlines()[0])
    return run.stdout


__all__ = ["DrawnNode", "DrawnEdge", "dot_source", "render_dot", "GraphvizUnavailable", "dot_program"]
