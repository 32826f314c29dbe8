"""The results the pages and the JSON API share: each page is the HTML of its API answer.

Input is checked here (sizes, choices) before any work is queued; the work runs in the workers; the
results are kept in memory (a verified derivation's report in every format, a checked text, a graded
sheet), so that the same request is answered without working again. Nothing is written to disk but a
sheet being graded, in a temporary folder that is removed with it.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from collections import OrderedDict

from .forms import COMMANDS, FormError, values_of
from .limits import Limits, too_long
from .workers import TaskFailed, Workers

LOSSES = ("svm", "softmax", "logistic")
#: cases (--assume) a request may state, and the characters of each, at most
MAX_CASES, MAX_HINT = 10, 500


class Refused(ValueError):
    """A request that is not worked on: ``status`` is its HTTP status (400 bad input, 413 too large)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class _Memory:
    """A bounded map, the least recently used entry dropped first."""

    def __init__(self, size: int):
        self.size, self.entries = size, OrderedDict()

    def get(self, key):
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        return None

    def put(self, key, value) -> None:
        self.entries[key] = value
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _one_line(value, what: str, limit: int = MAX_HINT) -> str:
    text = "" if value is None else str(value).strip()
    if "\n" in text or "\r" in text:
        raise Refused(f"{what} must be one line")
    if len(text) > limit:
        raise Refused(too_long(what, len(text), limit, "characters"))
    return text


def one_problem_sheet(quantity: str, given: str, answer: str) -> str:
    """The sheet of the one-problem form: one item asking for ``quantity`` at ``given`` (a YAML mapping written
    on one line, as a sheet writes it), answered with ``answer`` (quoted: read as written, digits and all)."""
    quantity = _one_line(quantity, "the quantity", 100)
    if not quantity or not all(c.isalnum() or c in "._-" for c in quantity):
        raise Refused("choose the quantity the answer is for")
    given = _one_line(given, "the given values", 5_000)
    lines = ["student: you"]
    if given:
        lines.append(f"given: {given}")
    lines += ["items:", "  - id: answer", f"    quantity: {quantity}", f"    answer: {json.dumps(str(answer))}"]
    return "\n".join(lines) + "\n"


class Service:
    """The derivations, checks and grades of one server, with their caches."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.workers = Workers(self.limits)
        self.reports = _Memory(self.limits.cached_reports)
        self.checks = _Memory(self.limits.cached_checks)
        self.running: dict = {}
        self._quantities = None

    def start(self) -> None:
        self.workers.start()

    def close(self) -> None:
        self.workers.close()

    async def _once(self, key, work):
        """``work()`` awaited once for requests that ask the same thing at the same time."""
        if key in self.running:
            return await asyncio.shield(self.running[key])
        future = asyncio.ensure_future(work())
        self.running[key] = future
        try:
            return await future
        finally:
            self.running.pop(key, None)

    async def _run(self, name: str, *args, timeout: float | None = None):
        try:
            return await self.workers.run(name, *args, timeout=timeout)
        except TaskFailed as failure:
            if failure.kind == "error":                # an internal error: the server's log gets the traceback
                print(f"derive serve: {name} failed: {failure}", file=sys.stderr)
                raise TaskFailed("error", f"internal error: {str(failure).splitlines()[0]}") from None
            raise

    # --- derivations ----------------------------------------------------------------------------------

    def command(self, name: str):
        if name not in COMMANDS:
            raise Refused(f"no derivation is called {name!r}; there are {', '.join(COMMANDS)}", 404)
        return COMMANDS[name]

    def values(self, name: str, given) -> dict:
        try:
            return values_of(self.command(name), given, self.limits)
        except FormError as error:
            raise Refused(str(error)) from None

    async def derivation(self, name: str, values: dict) -> dict:
        """The derivation ``name`` for ``values`` (see forms.values_of), its report in every format."""
        key = ("derivation", name, tuple(sorted(values.items())))
        found = self.reports.get(key)
        if found is not None:
            return found

        async def work():
            bundle = await self._run("derivation", name, values)
            if bundle["verified"]:                     # never a report with a step that did not verify
                self.reports.put(key, bundle)
            return bundle
        return await self._once(key, work)

    async def pdf(self, name: str, values: dict) -> bytes:
        bundle = await self.derivation(name, values)
        if "pdf" not in bundle:
            bundle["pdf"] = await self._once(("pdf", name, tuple(sorted(values.items()))),
                                             lambda: self._run("pdf", bundle["latex"], bundle["files"]))
        return bundle["pdf"]

    # --- derive verify ----------------------------------------------------------------------------------

    async def verify(self, text: str, name: str = "your derivation", loss=None, assume=(), given="") -> dict:
        """``derive verify`` of ``text``: {"answer": the API's JSON, "mathml": the formulas of the page}."""
        if not isinstance(text, str) or not text.strip():
            raise Refused("there is no text to check: paste a derivation or choose a file")
        size = len(text.encode("utf-8"))
        if size > self.limits.text_bytes:
            raise Refused(too_long("the text", size, self.limits.text_bytes), 413)
        loss = _one_line(loss, "the loss") or None
        if loss is not None and loss not in LOSSES:
            raise Refused(f"the loss must be one of {', '.join(LOSSES)}")
        if isinstance(assume, str):
            assume = [assume]
        if not isinstance(assume, (list, tuple)) or len(assume) > MAX_CASES:
            raise Refused(f"assume: at most {MAX_CASES} cases, as a list")
        cases = [case for case in (_one_line(c, "a case") for c in assume) if case]
        given = _one_line(given, "the given values")
        name = _one_line(name, "the name", 200) or "your derivation"
        key = _digest("verify", text, name, loss, cases, given, self.limits.line_timeout)
        found = self.checks.get(key)
        if found is not None:
            return found

        async def work():
            result = await self._run("verify", text, name, loss, cases, given, self.limits.line_timeout,
                                     self.limits.memory_mb)
            if not any(line["timed_out"] for line in result["answer"]["lines"]):     # a timing is not kept
                self.checks.put(key, result)
            return result
        return await self._once(key, work)

    # --- derive check ----------------------------------------------------------------------------------

    async def grade(self, sheet: str, filename: str = "sheet.yaml") -> dict:
        """``derive check`` of one sheet: {"answer": the API's JSON, "mathml": the formulas of the page}."""
        if not isinstance(sheet, str) or not sheet.strip():
            raise Refused("there is no sheet to grade: paste one, choose a file, or fill in the one-problem form")
        size = len(sheet.encode("utf-8"))
        if size > self.limits.sheet_bytes:
            raise Refused(too_long("the sheet", size, self.limits.sheet_bytes), 413)
        filename = _one_line(filename, "the file name", 200) or "sheet.yaml"
        key = _digest("grade", sheet, filename, self.limits.answer_timeout)
        found = self.checks.get(key)
        if found is not None:
            return found

        async def work():
            result = await self._run("grade", sheet, filename, self.limits.answer_timeout, self.limits.memory_mb)
            rules = {item["rule"] for s in result["answer"]["sheets"] for item in s["items"]}
            if "limit" not in rules and not any(s["error"] for s in result["answer"]["sheets"]):
                self.checks.put(key, result)
            return result
        return await self._once(key, work)

    async def quantities(self) -> list[dict]:
        if self._quantities is None:
            self._quantities = await self._run("quantities")
        return self._quantities
