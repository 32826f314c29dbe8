"""Grading a folder of sheets: worker processes, a time and memory bound per answer, progress.

* The parent finds the sheet files and loads the grammar and the quantity
  families before the workers fork (they inherit both); everything else
  happens in the workers: each reads its sheets (YAML with libyaml's safe
  loader), computes the references it needs on first use and keeps them,
  and caches judgements (:mod:`.grade`), so a class's repeated answers are
  judged once per worker.
* The parent enforces the time bound per answer: a worker says when it
  starts an answer that is not in its cache, and a worker whose current
  answer runs past ``timeout`` seconds is killed and replaced; that answer is
  ``invalid`` ("took too long"), and the rest of its sheet goes on in the new
  worker. Computing a reference (a derivation, verified) is announced
  separately and bounded by ``reference_timeout``, not by the answer's
  bound. Results come back a sheet at a time, or up to each uncached answer.
  Workers cap their address space (``memory_mb``), so an answer that tries to
  build something enormous fails alone. This works whatever thread calls it
  (no signals).
* A sheet that cannot be read is reported with its ``error`` and the batch
  goes on; a bad item is ``invalid`` and the rest of its sheet is graded.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..engine.inputs import InputError
from .grade import SheetResult, cached_judgement, grade_item, has_reference, prepare_item, reference_for, sheet_context
from .judge import ItemResult
from .limits import cap_memory
from .sheet import SheetError, effective_options, load, with_key

SHEET_SUFFIXES = {".yaml", ".yml", ".json", ".ipynb"}
DEFAULT_TIMEOUT = 2.0
DEFAULT_MEMORY_MB = 2048
REFERENCE_TIMEOUT = 120.0


def find_sheets(paths) -> list[Path]:
    """The sheet files named by ``paths`` (files, or folders searched recursively), in a stable order."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SHEET_SUFFIXES)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            from ..files import kind
            raise InputError(f"cannot read {raw}: it is {kind(path.stat().st_mode)}, not a sheet file or folder")
        else:
            raise InputError(f"no such file or folder: {raw}")
    return found


@dataclass
class _Job:
    index: int
    path: Path
    start: int = 0                      # first item still to grade
    results: dict = field(default_factory=dict)
    student: str | None = None
    items: list | None = None           # (id, quantity, points) of each item, once the worker has read the sheet
    error: str | None = None


def _worker(connection, memory_mb: int) -> None:
    """Grade the sheets the parent sends, in order, reporting results a sheet (or an uncached answer) at a time.

    Messages: ("sheet", index, student, items) before the first answer of a sheet that is not cached (so
    the parent can name it if it must be stopped), ("reference", index, position, results) before computing
    a reference, ("start", index, position, results) before judging an uncached answer, each with the results
    finished since the last message (so that every answer costs one message, not two), ("done", index,
    results, student, items) at the end of a sheet, ("error", index, message, student) for a sheet that
    cannot be graded.
    """
    cap_memory(memory_mb)
    while True:
        task = connection.recv()
        if task is None:
            return
        _grade_task(connection, *task)


def _grade_task(connection, index, path, start, defaults, detail) -> None:
    try:
        sheet = load(path)
    except SheetError as error:
        connection.send(("error", index, str(error), None))
        return
    except Exception as error:  # noqa: BLE001 - one sheet must never stop the batch
        connection.send(("error", index, f"could not read this sheet ({type(error).__name__})", None))
        return
    keys = (defaults or {}).get("keys")
    if keys is not None:
        key = keys.get(sheet.student) or keys.get(Path(path).stem)
        if key is None:
            connection.send(("error", index, f"no key for student {sheet.student!r} (nor for {Path(path).stem!r})",
                             sheet.student))
            return
        try:
            sheet = with_key(sheet, load(key, template=True))
        except SheetError as error:
            connection.send(("error", index, f"the key {Path(key).name}: {error}", sheet.student))
            return
    sheet.path = str(path)
    sheet.options = effective_options(sheet.options, {k: v for k, v in (defaults or {}).items() if k != "keys"})
    meta = [(i.id, i.quantity, i.points) for i in sheet.items]
    try:
        context = sheet_context(sheet)
    except InputError as error:
        message = str(error) if str(error).startswith("precision") else f"given: {error}"
        connection.send(("error", index, message, sheet.student))
        return
    except Exception as error:  # noqa: BLE001 - one sheet must never stop the batch
        connection.send(("error", index, f"could not grade this sheet ({type(error).__name__})", sheet.student))
        return
    buffer: list = []
    announced = False
    for position in range(start, len(sheet.items)):
        item = sheet.items[position]
        try:
            outcome = cached_judgement(item, context)
        except Exception:  # noqa: BLE001 - judged below, where any problem becomes the item's verdict
            outcome = None
        if outcome is None:
            if not announced:
                connection.send(("sheet", index, sheet.student, meta))
                announced = True
            _reference_first(connection, index, position, item, context, buffer)
            connection.send(("start", index, position, buffer))
            buffer = []
            outcome = _graded(item, context)
        buffer.append((position, _lean(outcome, detail)))
    connection.send(("done", index, buffer, sheet.student, meta))


def _reference_first(connection, index, position, item, context, buffer: list) -> None:
    """Compute the item's reference, if this worker has not yet, saying so (it has its own time bound); the
    results in ``buffer`` go with the message (and are taken out of it)."""
    if item.problem is not None:
        return
    try:
        quantity, _, reference_given, _ = prepare_item(item, context)
        if quantity.kind == "derivation":
            _derivation_first(connection, index, position, item, reference_given, buffer)
            return
        if has_reference(quantity, reference_given):
            return
        _announce(connection, index, position, buffer)
        reference_for(quantity, reference_given)
    except Exception:  # noqa: BLE001 - grading the item reports what is wrong with it
        return


_WARMED: set = set()


def _announce(connection, index, position, buffer: list) -> None:
    """("reference", ...) with the results finished before it, which leave ``buffer``."""
    connection.send(("reference", index, position, list(buffer)))
    buffer.clear()


def _derivation_first(connection, index, position, item, given, buffer: list) -> None:
    """For a derivation item: its target's reference and, once per loss, the written checker itself (its
    grammar and the loss's definitions, loaded by checking a one-line text), under the reference's bound."""
    from .derivation import warm_up
    from .quantities import lookup
    target = lookup(str(item.target))
    reference_given = target.effective(given)
    family = str(item.target).split(".")[0]
    if has_reference(target, reference_given) and family in _WARMED:
        return
    _announce(connection, index, position, buffer)
    reference_for(target, reference_given)
    if family not in _WARMED:
        _WARMED.add(family)
        warm_up(family)


def _lean(outcome: ItemResult, detail: bool) -> ItemResult:
    """The result as the parent needs it: without the SymPy objects (slow to send) unless a report shows them."""
    if not detail:
        outcome.given = outcome.read_expr = outcome.expected_expr = outcome.message = None
    return outcome


def _graded(item, context) -> ItemResult:
    try:
        return grade_item(item, context)
    except MemoryError:
        return ItemResult(item.id, item.quantity, "invalid", 0.0, points=item.points, rule="limit",
                          feedback="checking this answer ran out of memory")
    except Exception as error:  # noqa: BLE001 - one answer must never crash the batch
        return ItemResult(item.id, item.quantity, "invalid", 0.0, points=item.points, rule="error",
                          feedback=f"could not check this answer ({type(error).__name__})")


class _Pool:
    """Worker processes with one pipe each, so that one stuck worker can be killed alone."""

    def __init__(self, jobs: int, memory_mb: int):
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.memory_mb = memory_mb
        self.workers = [self._spawn() for _ in range(max(1, jobs))]

    def _spawn(self):
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, args=(child, self.memory_mb), daemon=True)
        process.start()
        child.close()
        return {"process": process, "conn": parent, "jobs": [], "deadline": 0.0}

    def replace(self, worker):
        worker["process"].kill()
        worker["process"].join()
        worker["conn"].close()
        fresh = self._spawn()
        worker.update(fresh)

    def close(self):
        for worker in self.workers:
            try:
                worker["conn"].send(None)
            except (BrokenPipeError, OSError):
                pass
        for worker in self.workers:
            worker["process"].join(timeout=1)
            if worker["process"].is_alive():
                worker["process"].kill()


def _preload() -> None:
    """What every worker needs, loaded once before they fork: the quantity families and the grammar."""
    from ..parse.grammar import parser
    from .quantities import all_quantities
    from .sheet import _loader
    all_quantities()
    parser()
    _loader()


def key_paths(folder) -> dict:
    """{student: key file} of a folder of keys (or of the sheets to fill in): each key's ``student``, and its file
    stem; InputError when two keys name one student or a key cannot be read."""
    found: dict = {}
    for path in find_sheets([folder]):
        try:
            key = load(path, template=True)
        except SheetError as error:
            raise InputError(f"the key {path}: {error}") from None
        for name in {key.student, path.stem}:
            if name in found and found[name] != path:
                raise InputError(f"two keys for {name!r}: {found[name]} and {path}")
            found[name] = path
    return found


def grade_paths(paths, *, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB,
                defaults: dict | None = None, progress: Callable[[int], None] | None = None,
                reference_timeout: float = REFERENCE_TIMEOUT, detail: bool = True) -> list[SheetResult]:
    """Every sheet under ``paths`` graded; results in the order the sheets were found.

    ``defaults`` are sheet options (follow_through, log_base) for sheets that do not set them, and ``keys``
    ({student: key file}, see :func:`key_paths`): each sheet graded as its key sets it (:func:`.sheet.with_key`).
    ``detail``: keep what the Markdown and LaTeX reports show beyond the JSON (the formulas read, the
    given of each item for its worked derivation); without it results come back faster.
    """
    files = find_sheets(paths)
    results: list[SheetResult | None] = [None] * len(files)
    _preload()
    gc.freeze()             # what the workers inherit is never collected: their collections stay small
    pending = [_Job(i, path) for i, path in reversed(list(enumerate(files)))]
    if pending:
        _run(pending, results, jobs, timeout, memory_mb, progress, (defaults or {}, detail), reference_timeout)
    return results


def _finish(job, results) -> None:
    result = SheetResult(str(job.path), job.student if job.student is not None else job.path.stem)
    if job.error is not None:
        result.error = job.error
    else:
        for position, (_, _, points) in enumerate(job.items or []):
            outcome = job.results[position]
            result.items.append(outcome)
            result.max_score += points
            result.score += outcome.score * points
    results[job.index] = result


#: sheets sent ahead to each worker, so that it never waits for the parent between sheets
QUEUED_PER_WORKER = 4


def _run(pending, results, jobs, timeout, memory_mb, progress, settings, reference_timeout) -> None:
    """Grade ``pending`` (a stack of jobs) with ``jobs`` workers; each holds a few sheets, graded in order.

    A worker's deadline is for its first sheet's current step: set when that sheet becomes its first,
    and again at each uncached answer ("start") or reference it announces.
    """
    from multiprocessing.connection import wait

    pool = _Pool(min(jobs, len(pending)), memory_mb)
    left = len(pending)

    def top_up(worker):
        was_idle = not worker["jobs"]
        while pending and len(worker["jobs"]) < QUEUED_PER_WORKER:
            job = pending.pop()
            worker["jobs"].append(job)
            worker["conn"].send((job.index, job.path, job.start, *settings))
        if was_idle and worker["jobs"]:
            worker["deadline"] = time.monotonic() + timeout

    def finished(worker, job):
        nonlocal left
        _finish(job, results)
        left -= 1
        if progress:
            progress(1)
        worker["jobs"].remove(job)
        worker["deadline"] = time.monotonic() + timeout
        top_up(worker)

    try:
        for worker in pool.workers:
            top_up(worker)
        while left:
            active = [w for w in pool.workers if w["jobs"]]
            now = time.monotonic()
            ready = wait([w["conn"] for w in active], timeout=max(0.0, min(w["deadline"] for w in active) - now))
            by_conn = {id(w["conn"]): w for w in pool.workers}
            for conn in ready:
                worker = by_conn[id(conn)]
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = ("died", None)
                if message[0] == "died":
                    left -= _give_up(worker, pool, pending, results, progress,
                                     "the checker stopped while reading this answer")
                    top_up(worker)
                    continue
                kind, index = message[0], message[1]
                job = next(j for j in worker["jobs"] if j.index == index)
                if kind == "sheet":
                    job.student, job.items = message[2], message[3]
                elif kind in ("reference", "start"):
                    for position, outcome in message[3]:
                        job.results[position] = outcome
                    worker["deadline"] = time.monotonic() + (reference_timeout if kind == "reference" else timeout)
                    job.start = message[2]
                elif kind == "done":
                    for position, outcome in message[2]:
                        job.results[position] = outcome
                        job.start = max(job.start, position + 1)
                    job.student, job.items = message[3], message[4]
                    finished(worker, job)
                elif kind == "error":
                    job.error = message[2]
                    if message[3] is not None:
                        job.student = message[3]
                    finished(worker, job)
            now = time.monotonic()
            for worker in pool.workers:
                if worker["jobs"] and now > worker["deadline"]:
                    left -= _give_up(worker, pool, pending, results, progress,
                                     f"checking this answer took longer than {timeout:g} s")
                    top_up(worker)
    finally:
        pool.close()


def _give_up(worker, pool, pending, results, progress, why: str) -> int:
    """Stop the worker's current answer (``invalid``: ``why``); replace the worker; its other sheets and the
    rest of this one go back to be graded. Returns the number of sheets this finished (0 or 1)."""
    job, *queued = worker["jobs"]
    worker["jobs"] = []
    pool.replace(worker)
    pending.extend(reversed(queued))
    if job.items is None:
        job.error = "reading this sheet took too long" if "longer" in why else "the checker stopped reading it"
        _finish(job, results)
        if progress:
            progress(1)
        return 1
    position = job.start
    if position < len(job.items):
        item_id, quantity, points = job.items[position]
        job.results[position] = ItemResult(item_id, quantity, "invalid", 0.0, feedback=why, points=points,
                                           rule="limit")
        job.start = position + 1
    if job.start >= len(job.items):
        _finish(job, results)
        if progress:
            progress(1)
        return 1
    pending.append(job)
    return 0


def cpu_count() -> int:
    return os.cpu_count() or 1
