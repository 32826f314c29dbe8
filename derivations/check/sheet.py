"""Reading an answer sheet: YAML (safe loader only) or JSON, and checking its shape.

    student: alice            # optional; defaults to the file name
    given: {scores: [3, -1, 4], label: 0, delta: 1}   # optional, shared by the items
    options: {follow_through: 1.0, log_base: e, decimal_comma: false}   # optional
    precision: {sig_figs: 3, intermediate_figures: 2, truncation: true}  # optional (see precision.py)
    items:
      - id: Q1.3a
        quantity: svm.loss
        answer: 2
        given: {...}          # optional, overrides the shared given
        tolerance: {relative: 0.001}                   # optional
        precision: {sig_figs: 2}                       # optional, overrides the sheet's
        accept_numbers: true  # optional: a formula question that also takes the number for the given
        points: 1             # optional weight

A sheet that cannot be read at all (not YAML, not a mapping, no items)
raises :class:`SheetError` with one line saying why; YAML tags such as
``!!python/object`` are refused by the safe loader. A bad *item* (no answer,
a bad tolerance) does not stop the sheet: the item carries its ``problem``
and is graded ``invalid`` with that reason. Unquoted numbers keep the digits
they were written with (``answer: 1.50`` is three figures, not 1.5).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import FileProblem, read_bytes
from .numeric import WrittenFloat

MAX_SHEET_BYTES = 2_000_000
MAX_ITEMS = 500
#: an integer written with more digits than this is not read (Python refuses 4,300; no answer needs 400)
MAX_INTEGER_DIGITS = 400
#: lists and mappings nested deeper than this in an item (an answer, a given) make it invalid; a sheet nested
#: deeper than :data:`MAX_SHEET_DEPTH` is not read at all
MAX_ITEM_DEPTH = 24
MAX_SHEET_DEPTH = 40
OPTION_KEYS = {"follow_through", "log_base", "decimal_comma"}
ITEM_KEYS = {"id", "quantity", "answer", "given", "tolerance", "precision", "accept_numbers", "points", "target"}
SHEET_KEYS = {"student", "given", "items", "options", "precision"}


class SheetError(ValueError):
    """The sheet cannot be graded (unreadable file, bad YAML/JSON, wrong shape)."""


class Oversized:
    """An integer written with too many digits to read (a hostile 5,000-digit answer): kept as its length only."""

    def __init__(self, digits: int):
        self.digits = digits

    def __repr__(self):
        return f"<an integer of {self.digits} digits>"

    def __reduce__(self):
        return (Oversized, (self.digits,))


@dataclass
class Item:
    id: str
    quantity: str
    answer: Any
    given: dict | None = None
    tolerance: dict = field(default_factory=dict)
    points: float = 1.0
    precision: dict | None = None
    accept_numbers: bool = False
    problem: str | None = None          # why the item cannot be graded (graded invalid, the sheet goes on)
    target: str | None = None           # for a written derivation: the quantity it must end at


@dataclass
class Sheet:
    path: str
    student: str
    given: dict | None
    items: list
    options: dict = field(default_factory=dict)
    precision: dict | None = None


def load(path, template: bool = False) -> Sheet:
    """The sheet at ``path`` (.yaml, .yml or .json; or a Jupyter notebook, .ipynb: see :mod:`.notebook`)."""
    from .notebook import MAX_NOTEBOOK_BYTES
    path = Path(path)
    limit = MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else MAX_SHEET_BYTES
    try:
        text = read_bytes(path, limit, "the file").decode("utf-8")
    except UnicodeDecodeError:
        raise SheetError("the file is not UTF-8 text") from None
    except FileProblem as error:
        raise SheetError(str(error)) from None
    if path.suffix.lower() == ".ipynb":
        from .notebook import NotebookError, reads, sheet_mapping
        try:
            return from_mapping(sheet_mapping(reads(text, path.name), path.name), path.name, template)
        except NotebookError as error:
            raise SheetError(str(error)) from None
    return parse(text, path.name, json_only=path.suffix.lower() == ".json", template=template)


def parse(text: str, name: str = "sheet", json_only: bool = False, template: bool = False) -> Sheet:
    """A sheet from its text; ``name`` gives the default student name. ``template``: a key or a sheet to fill in,
    read for everything but its answers (see :func:`with_key`)."""
    return from_mapping(_load_text(text, json_only), name, template)


def from_mapping(data, name: str = "sheet", template: bool = False) -> Sheet:
    """A sheet from the mapping its text holds (checked: nesting, Unicode, keys, options, items). An item nested
    too deeply is an invalid item; anything else nested too deeply makes the sheet unreadable."""
    if not isinstance(data, dict):
        raise SheetError("a sheet must be a mapping with an 'items' list")
    raw_items = data.get("items")
    outside = {key: value for key, value in data.items() if key != "items"}
    if _depth(outside, MAX_SHEET_DEPTH) > MAX_SHEET_DEPTH:
        raise SheetError(f"the sheet is nested more than {MAX_SHEET_DEPTH} levels deep")
    data = _clean(outside)
    if isinstance(raw_items, list):
        data["items"] = [raw if _depth(raw, MAX_ITEM_DEPTH) > MAX_ITEM_DEPTH else _clean(raw) for raw in raw_items]
    elif raw_items is not None:
        data["items"] = raw_items if _depth(raw_items, MAX_SHEET_DEPTH) <= MAX_SHEET_DEPTH else None
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
    if given is not None and _depth(given, MAX_ITEM_DEPTH) > MAX_ITEM_DEPTH:
        raise SheetError(f"'given' is nested more than {MAX_ITEM_DEPTH} levels deep")
    options = check_options(data.get("options") or {}, "options")
    precision = data.get("precision")
    if precision is not None:
        _check_precision(precision, "precision")
    student = data.get("student", Path(name).stem)
    return Sheet(name, str(student)[:200], given, [_item(raw, i, template) for i, raw in enumerate(items)], options,
                 precision)


def with_key(sheet: Sheet, key: Sheet) -> Sheet:
    """``sheet`` graded as ``key`` sets it (``key`` loaded with ``template=True``): the key's student, given,
    precision, options and items (quantity, given, tolerance, precision, points, target), with only the answers
    taken from ``sheet``, matched by item id. A student who edits a sheet's given, tolerance, points or options
    changes nothing; an item the sheet lacks has no answer; an item the key lacks is not graded."""
    import copy
    answers = {item.id: item.answer for item in sheet.items}
    items = []
    for template in key.items:
        item = copy.copy(template)
        item.answer = answers.get(template.id)
        if item.problem is None and (item.answer is None or (isinstance(item.answer, str) and
                                                              not item.answer.strip())):
            item.problem = "no answer was given"
        if item.problem is None and _depth(item.answer, MAX_ITEM_DEPTH) > MAX_ITEM_DEPTH:
            item.problem, item.answer = f"the answer is nested more than {MAX_ITEM_DEPTH} levels deep", None
        if item.problem is None and _oversized(item.answer):
            item.problem = f"a number written with {_oversized(item.answer)} digits; at most {MAX_INTEGER_DIGITS} " \
                           f"are read"
        items.append(item)
    return Sheet(sheet.path, key.student, key.given, items, dict(key.options), key.precision)


def check_options(options, what: str = "options") -> dict:
    """A sheet's ``options`` checked, each within its range: follow_through a number in 0..1, log_base e, 10 or 2,
    decimal_comma true or false. (A sheet's follow_through can only lower the TA's: see :func:`effective_options`.)"""
    if not isinstance(options, dict) or set(map(str, options)) - OPTION_KEYS:
        raise SheetError(f"'{what}' may hold {', '.join(sorted(OPTION_KEYS))}")
    if "decimal_comma" in options and not isinstance(options["decimal_comma"], bool):
        raise SheetError(f"{what}: decimal_comma must be true or false")
    if "follow_through" in options:
        credit = options["follow_through"]
        if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not math.isfinite(credit) \
                or not 0 <= credit <= 1:
            raise SheetError(f"{what}: follow_through must be a number from 0 to 1, not {credit!r}")
    if "log_base" in options and str(options["log_base"]) not in LOG_BASES:
        raise SheetError(f"{what}: log_base must be one of {', '.join(LOG_BASES)}, not {options['log_base']!r}")
    return dict(options)


LOG_BASES = ("e", "10", "2")


def effective_options(sheet_options: dict, teacher: dict | None) -> dict:
    """The options a sheet is graded with: the TA's (the command line's) over the sheet's, except that a sheet's
    follow_through may lower the TA's credit (default 1) but never raise it: a sheet cannot set its own score."""
    teacher = dict(teacher or {})
    merged = {**sheet_options, **teacher}
    if "follow_through" in sheet_options:
        merged["follow_through"] = min(float(sheet_options["follow_through"]),
                                       float(teacher.get("follow_through", 1.0)))
    return merged


def _check_precision(raw, what):
    from ..engine.inputs import InputError
    from .precision import DEFAULT
    try:
        DEFAULT.merged(raw, what)
    except InputError as error:
        raise SheetError(str(error)) from None


def _loader():
    """libyaml's safe loader (the pure-Python one without libyaml), keeping floats as written."""
    global _LOADER
    if _LOADER is None:
        import yaml
        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class Loader(base):
            """The safe loader, except that a float remembers its digits (1.50 stays three figures), and a plain
            scalar's tag is kept by its text (the safe loader has no path resolvers: the tag depends on the text
            and how it is quoted alone, and a class's sheets repeat the same numbers)."""

            def resolve(self, kind, value, implicit):
                if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
                    return super().resolve(kind, value, implicit)
                key = (value, implicit)
                tag = _TAGS.get(key)
                if tag is None:
                    if len(_TAGS) >= 50_000:
                        _TAGS.clear()
                    tag = _TAGS[key] = super().resolve(kind, value, implicit)
                return tag

        def bounded_int(loader, node):
            digits = sum(ch.isdigit() for ch in node.value)
            if digits > MAX_INTEGER_DIGITS:
                return Oversized(digits)
            return loader.construct_yaml_int(node)

        def written_float(loader, node):
            value = loader.construct_yaml_float(node)
            text = node.value.replace("_", "")
            if isinstance(value, float) and math.isfinite(value) and _DECIMAL.match(text):
                return WrittenFloat(text)
            return value

        Loader.add_constructor("tag:yaml.org,2002:float", written_float)
        Loader.add_constructor("tag:yaml.org,2002:int", bounded_int)
        _LOADER = Loader
    return _LOADER


_LOADER = None
_TAGS: dict = {}
_DECIMAL = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _load_text(text: str, json_only: bool):
    if json_only:
        try:
            return json.loads(text, parse_float=_json_float, parse_int=_json_int)
        except json.JSONDecodeError as error:
            raise SheetError(f"not valid JSON: {error.msg} (line {error.lineno})") from None
        except RecursionError:
            raise SheetError("not valid JSON: nested too deeply") from None
        except ValueError as error:
            raise SheetError(f"not valid JSON: {str(error)[:120]}") from None
    import yaml
    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader, never yaml.Loader
    except RecursionError:
        raise SheetError("not valid YAML: nested too deeply") from None
    except ValueError as error:
        raise SheetError(f"not valid YAML: {str(error)[:120]}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise SheetError(f"not valid YAML: {problem}{where}") from None


def _json_int(text: str):
    digits = sum(ch.isdigit() for ch in text)
    return Oversized(digits) if digits > MAX_INTEGER_DIGITS else int(text)


def _json_float(text: str):
    if sum(ch.isdigit() for ch in text) > MAX_INTEGER_DIGITS:
        return Oversized(sum(ch.isdigit() for ch in text))
    return WrittenFloat(text)


def _depth(value, limit: int) -> int:
    """How deeply lists and mappings nest in ``value`` (a scalar is 0), counted without recursion and only up to
    ``limit`` + 1."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (list, tuple, dict)):
            deepest = max(deepest, level)
            if level > limit:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _clean(value):
    """``value`` with every string made valid Unicode (a JSON lone surrogate, \\ud800, becomes U+FFFD), so that
    every report of it is valid UTF-8 and strict JSON. Nested at most MAX_SHEET_DEPTH deep (checked before)."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {(_text(k) if isinstance(k, str) else k): _clean(v) for k, v in value.items()}
    return value


def _text(value: str) -> str:
    """``value`` with each lone surrogate (not encodable in UTF-8) replaced by U+FFFD."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in value)


def _item(raw, index, template: bool = False) -> Item:
    """The item at ``index``; what is wrong with it, if anything, goes in its ``problem`` (never raised).
    ``template``: its answer is left out (to be taken from a student's sheet)."""
    if template and isinstance(raw, dict):
        raw = {**raw, "answer": "_"}
        item = _item(raw, index)
        item.answer = None
        return item
    if not isinstance(raw, dict):
        return Item(str(index + 1), "", None, problem="the item is not a mapping with id, quantity and answer")
    if _depth(raw, MAX_ITEM_DEPTH) > MAX_ITEM_DEPTH:
        def label(key, default):
            value = raw.get(key, default)
            return _text(str(value))[:100] if isinstance(value, (str, int, float)) else str(default)
        return Item(label("id", index + 1), label("quantity", ""), None,
                    problem=f"the item is nested more than {MAX_ITEM_DEPTH} levels deep")
    item = Item(str(raw.get("id", index + 1))[:100], str(raw.get("quantity", ""))[:100], raw.get("answer"))
    points = raw.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points) or points < 0:
        item.problem = "points must be a number >= 0"
        return item
    item.points = float(points)
    item.problem = _item_problem(raw)
    if item.problem is None:
        item.given, item.tolerance = raw.get("given"), raw.get("tolerance") or {}
        item.precision, item.accept_numbers = raw.get("precision"), raw.get("accept_numbers", False)
        item.target = raw.get("target")
    return item


def _oversized(value) -> int:
    """The digits of the first Oversized number in ``value`` (nested at most MAX_ITEM_DEPTH deep), or 0."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, Oversized):
            return node.digits
        if isinstance(node, (list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return 0


def _item_problem(raw) -> str | None:
    """Why an item cannot be graded, or None."""
    unknown = set(map(str, raw)) - ITEM_KEYS
    if unknown:
        return f"unknown key(s) {', '.join(sorted(unknown))}; an item has {', '.join(sorted(ITEM_KEYS))}"
    if raw.get("target") is not None and not isinstance(raw["target"], str):
        return "target must be the name of a quantity, such as svm.dscore_incorrect"
    if "quantity" not in raw:
        return "the item names no quantity"
    if "answer" not in raw or raw["answer"] is None or (isinstance(raw["answer"], str) and not raw["answer"].strip()):
        return "no answer was given"
    oversized = _oversized(raw)
    if oversized:
        return f"a number written with {oversized} digits; at most {MAX_INTEGER_DIGITS} are read"
    tolerance = raw.get("tolerance") or {}
    if not isinstance(tolerance, dict) or set(tolerance) - {"relative", "absolute"} or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
            for v in tolerance.values()):
        return "tolerance must be {relative: 0.001} and/or {absolute: 0.01}"
    given = raw.get("given")
    if given is not None and not isinstance(given, dict):
        return "given must be a mapping"
    if not isinstance(raw.get("accept_numbers", False), bool):
        return "accept_numbers must be true or false"
    if raw.get("precision") is not None:
        from ..engine.inputs import InputError
        from .precision import DEFAULT
        try:
            DEFAULT.merged(raw["precision"], "precision")
        except InputError as error:
            return str(error)
    return None
