"""Jupyter notebooks as texts to verify and as answer sheets (read with nbformat).

* :func:`markdown_text`: the Markdown cells of a notebook, in order, as one text for ``derive verify``
  (CS231n's inline answers are written there), with the origin of each of its lines, (cell, line in the
  cell), cells counted from 1 as Jupyter shows them (code cells included, so "cell 4" is the notebook's
  4th). Cells are separated by a blank line that belongs to no cell.
* :func:`sheet_mapping`: a notebook as an answer sheet for ``derive check``: the sheet itself (student,
  given, items, as in a YAML sheet) is the YAML of a cell tagged ``derive`` (Jupyter's cell tags, as
  nbgrader uses them) or the notebook's metadata ``derive``; an item without an answer there takes the text
  of the cell tagged with its id (a Markdown cell's maths, a code cell's printed value, or a derivation).

A notebook is untrusted: it is never run; its size is capped before it is parsed, and nbformat validates it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_NOTEBOOK_BYTES = 5_000_000
MAX_CELL_CHARACTERS = 50_000


class NotebookError(ValueError):
    """The notebook cannot be read: one line saying why."""


@dataclass
class NotebookText:
    """The Markdown cells as one text, and where each of its lines comes from."""

    text: str
    origins: list          # origins[k] = (cell, line) of the text's line k + 1, or None between cells

    def where(self, line: int) -> str:
        """'cell 3, line 2' for a line of the text (1-based), or 'line N' outside every cell."""
        if 0 < line <= len(self.origins) and self.origins[line - 1] is not None:
            cell, within = self.origins[line - 1]
            return f"cell {cell}, line {within}"
        return f"line {line}"


def read(path):
    """The notebook at ``path`` (nbformat 4, validated); NotebookError naming the problem."""
    path = Path(path)
    try:
        if not path.is_file():
            raise NotebookError(f"no such notebook: {path}")
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            raise NotebookError(f"{path}: {size} bytes; at most {MAX_NOTEBOOK_BYTES} are read")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise NotebookError(f"cannot read {path}: {error.strerror or error}") from None
    return reads(text, str(path))


def reads(text: str, name: str = "notebook"):
    import nbformat
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except RecursionError:
        raise NotebookError(f"{name}: not a notebook (nested too deeply)") from None
    except Exception as error:  # noqa: BLE001 - nbformat raises JSON, schema and version errors alike
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NotebookError(f"{name}: not a valid Jupyter notebook ({first[:120]})") from None
    return notebook


def _source(cell) -> str:
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    return source[:MAX_CELL_CHARACTERS]


def markdown_text(notebook) -> NotebookText:
    """The notebook's Markdown cells as one text, with each line's (cell, line) origin."""
    lines, origins = [], []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") != "markdown":
            continue
        if lines:
            lines.append("")
            origins.append(None)
        for within, line in enumerate(_source(cell).split("\n"), start=1):
            lines.append(line)
            origins.append((number, within))
    return NotebookText("\n".join(lines) + ("\n" if lines else ""), origins)


def _tags(cell) -> list:
    tags = cell.get("metadata", {}).get("tags", [])
    return [str(t) for t in tags] if isinstance(tags, list) else []


def _answer_of(cell) -> str:
    """What a cell answers: a Markdown or raw cell's text; a code cell's last printed or returned value."""
    if cell.get("cell_type") != "code":
        return _source(cell).strip()
    for output in reversed(cell.get("outputs", [])):
        if output.get("output_type") in ("execute_result", "display_data"):
            data = output.get("data", {}).get("text/plain")
            if data:
                return ("".join(data) if isinstance(data, list) else str(data)).strip()
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            if text.strip():
                return text.strip().splitlines()[-1]
    return ""


def sheet_mapping(notebook, name: str) -> dict:
    """The answer sheet a notebook holds (see the module), as the mapping a YAML sheet's text gives."""
    import yaml

    from .sheet import SheetError, _loader
    sheet = None
    cells = notebook.get("cells", [])
    for cell in cells:
        if "derive" in _tags(cell):
            text = _source(cell).strip()
            if text.startswith("```"):
                text = "\n".join(line for line in text.splitlines() if not line.startswith("```"))
            try:
                sheet = yaml.load(text, Loader=_loader())  # noqa: S506 - the safe loader
            except (yaml.YAMLError, ValueError, RecursionError):
                raise SheetError(f"{name}: the cell tagged 'derive' is not a YAML sheet") from None
            break
    if sheet is None:
        sheet = notebook.get("metadata", {}).get("derive")
        sheet = dict(sheet) if isinstance(sheet, dict) else None
    if not isinstance(sheet, dict):
        raise SheetError(f"{name}: a notebook sheet needs a cell tagged 'derive' holding the sheet (student, given, "
                         f"items) or the notebook metadata 'derive'")
    answers = {}
    for cell in cells:
        for tag in _tags(cell):
            answers.setdefault(tag, cell)
    items = sheet.get("items")
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and "answer" not in item and str(item.get("id")) in answers:
                item["answer"] = _answer_of(answers[str(item.get("id"))])
    return sheet


__all__ = ["NotebookText", "NotebookError", "read", "reads", "markdown_text", "sheet_mapping"]
