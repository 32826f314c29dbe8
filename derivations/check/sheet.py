"""Reading an answer sheet: YAML (safe loader only) or JSON, and checking its shape.

    student: alice            # optional; defaults to the file name
    given: {scores: [3, -1, 4], label: 0, delta: 1}   # optional, shared by the items
    options: {follow_through: 1.0, log_base: e}       # optional
    items:
      - id: Q1.3a
        quantity: svm.loss
        answer: 2
        given: {...}          # optional, overrides the shared given
        tolerance: {relative: 0.001}                   # optional
        points: 1             # optional weight

A sheet that cannot be read raises :class:`SheetError` with one line saying
why; YAML tags such as ``!!python/object`` are refused by the safe loader.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_SHEET_BYTES = 2_000_000
MAX_ITEMS = 500
OPTION_KEYS = {"follow_through", "log_base"}
ITEM_KEYS = {"id", "quantity", "answer", "given", "tolerance", "points", "target"}
SHEET_KEYS = {"student", "given", "items", "options"}


class SheetError(ValueError):
    """The sheet cannot be graded (unreadable file, bad YAML/JSON, wrong shape)."""


@dataclass
class Item:
    id: str
    quantity: str
    answer: Any
    given: dict | None = None
    tolerance: dict = field(default_factory=dict)
    points: float = 1.0
    target: str | None = None       # for a written derivation: the quantity it must end at


@dataclass
class Sheet:
    path: str
    student: str
    given: dict | None
    items: list
    options: dict = field(default_factory=dict)


def load(path) -> Sheet:
    """The sheet at ``path`` (.yaml, .yml or .json)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SHEET_BYTES:
            raise SheetError(f"the file is {size} bytes; at most {MAX_SHEET_BYTES} are read")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise SheetError("the file is not UTF-8 text") from None
    except OSError as error:
        raise SheetError(f"cannot read the file: {error.strerror or error}") from None
    return parse(text, path.name, json_only=path.suffix.lower() == ".json")


def parse(text: str, name: str = "sheet", json_only: bool = False) -> Sheet:
    """A sheet from its text; ``name`` gives the default student name."""
    data = _load_text(text, json_only)
    if not isinstance(data, dict):
        raise SheetError("a sheet must be a mapping with an 'items' list")
    unknown = set(map(str, data)) - SHEET_KEYS
    if unknown:
        raise SheetError(f"unknown key(s) {', '.join(sorted(unknown))}; a sheet has {', '.join(sorted(SHEET_KEYS))}")
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise SheetError("the sheet has no 'items' list")
    if len(items) > MAX_ITEMS:
        raise SheetError(f"{len(items)} items; at most {MAX_ITEMS} are graded")
    given = data.get("given")
    if given is not None and not isinstance(given, dict):
        raise SheetError("'given' must be a mapping such as {scores: [3, -1, 4], label: 0}")
    options = data.get("options") or {}
    if not isinstance(options, dict) or set(options) - OPTION_KEYS:
        raise SheetError(f"'options' may hold {', '.join(sorted(OPTION_KEYS))}")
    student = data.get("student", Path(name).stem)
    return Sheet(name, str(student)[:200], given, [_item(raw, i) for i, raw in enumerate(items)], options)


def _load_text(text: str, json_only: bool):
    if json_only:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise SheetError(f"not valid JSON: {error.msg} (line {error.lineno})") from None
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml's safe loader when present
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, never yaml.Loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise SheetError(f"not valid YAML: {problem}{where}") from None


def _item(raw, index) -> Item:
    if not isinstance(raw, dict):
        raise SheetError(f"item {index + 1} must be a mapping with id, quantity and answer")
    unknown = set(map(str, raw)) - ITEM_KEYS
    if unknown:
        raise SheetError(f"item {index + 1} has unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("quantity", "answer"):
        if key not in raw:
            raise SheetError(f"item {index + 1} has no {key}")
    tolerance = raw.get("tolerance") or {}
    if not isinstance(tolerance, dict) or set(tolerance) - {"relative", "absolute"} or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in tolerance.values()):
        raise SheetError(f"item {index + 1}: tolerance must be {{relative: 0.001}} and/or {{absolute: 0.01}}")
    given = raw.get("given")
    if given is not None and not isinstance(given, dict):
        raise SheetError(f"item {index + 1}: given must be a mapping")
    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
        raise SheetError(f"item {index + 1}: points must be a number >= 0")
    target = raw.get("target")
    if target is not None and not isinstance(target, str):
        raise SheetError(f"item {index + 1}: target must be the name of a quantity, such as svm.dscore_incorrect")
    return Item(str(raw.get("id", index + 1))[:100], str(raw["quantity"]), raw["answer"], given, tolerance,
                float(points), target)
