"""Grading a folder of sheets: worker processes, a time and memory bound per answer, progress.

* Sheets are read in the parent (YAML with the safe C loader when PyYAML has
  it); every distinct (quantity, given) gets its reference once, in the
  parent, before the workers start (they inherit it).
* ``jobs`` worker processes grade whole sheets and report each item as it
  finishes. The parent enforces the time bound per answer: a worker whose
  current answer runs past ``timeout`` seconds is killed and replaced, that
  answer is ``invalid`` ("took too long"), and the rest of its sheet goes on
  in the new worker. Workers cap their address space (``memory_mb``), so an
  answer that tries to build something enormous fails alone. This works
  whatever thread calls it (no signals).
* A sheet that cannot be read is reported with its ``error`` and the batch
  goes on.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..engine.inputs import InputError
from .grade import SheetResult, grade_item, own_answers, reference_for
from .judge import ItemResult
from .quantities import lookup
from .registry import Given
from .sheet import SheetError, load

SHEET_SUFFIXES = {".yaml", ".yml", ".json"}
DEFAULT_TIMEOUT = 2.0
DEFAULT_MEMORY_MB = 2048


def find_sheets(paths) -> list[Path]:
    """The sheet files named by ``paths`` (files, or folders searched recursively), in a stable order."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SHEET_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"no such file or folder: {raw}")
    return found


@dataclass
class _Job:
    index: int
    sheet: object
    start: int = 0                      # first item still to grade
    results: dict = field(default_factory=dict)


def _warm_references(sheets) -> None:
    """Compute each distinct reference once, before the workers fork."""
    for sheet in sheets:
        try:
            base = Given.read(sheet.given)
        except InputError:
            continue
        for item in sheet.items:
            try:
                reference_for(lookup(item.quantity), base.merged(item.given))
            except InputError:
                continue
            except Exception:  # noqa: BLE001 - the item will report it when graded
                continue


def _address_space() -> int:
    """This process's current virtual size in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker(connection, memory_mb: int) -> None:
    """Grade the sheets the parent sends, item by item, reporting each result."""
    try:
        import resource
        limit = _address_space() + memory_mb * 1024 * 1024     # room on top of what the fork inherited
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    while True:
        task = connection.recv()
        if task is None:
            return
        index, sheet, start = task
        try:
            base = Given.read(sheet.given)
            own = own_answers(sheet)
        except InputError as error:
            connection.send(("error", index, f"given: {error}"))
            continue
        for position in range(start, len(sheet.items)):
            connection.send(("start", index, position))
            item = sheet.items[position]
            try:
                outcome = grade_item(item, base, sheet.options, own)
            except MemoryError:
                outcome = ItemResult(item.id, item.quantity, "invalid", 0.0, points=item.points,
                                     feedback="checking this answer ran out of memory")
            except Exception as error:  # noqa: BLE001 - one answer must never crash the batch
                outcome = ItemResult(item.id, item.quantity, "invalid", 0.0, points=item.points,
                                     feedback=f"could not check this answer ({type(error).__name__})")
            connection.send(("item", index, position, outcome))
        connection.send(("done", index))


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
        return {"process": process, "conn": parent, "job": None, "started": None}

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


def grade_paths(paths, *, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB,
                defaults: dict | None = None, progress: Callable[[int], None] | None = None) -> list[SheetResult]:
    """Every sheet under ``paths`` graded; results in the order the sheets were found.

    ``defaults`` are sheet options (follow_through, log_base) for sheets that do not set them.
    """
    files = find_sheets(paths)
    results: list[SheetResult | None] = [None] * len(files)
    sheets = []
    for i, path in enumerate(files):
        try:
            sheets.append((i, load(path)))
        except SheetError as error:
            results[i] = SheetResult(str(path), path.stem, error=str(error))
            if progress:
                progress(1)
    _warm_references([sheet for _, sheet in sheets])
    jobs_left = [_Job(i, sheet) for i, sheet in sheets]
    for job in jobs_left:
        job.sheet.path = str(files[job.index])
        job.sheet.options = {**(defaults or {}), **job.sheet.options}
    pending = list(reversed(jobs_left))
    if pending:
        _run(pending, results, jobs, timeout, memory_mb, progress)
    return results


def _finish(job, results) -> None:
    sheet = job.sheet
    result = SheetResult(sheet.path, sheet.student)
    if "error" in job.results:
        result.error = job.results["error"]
    else:
        for position, item in enumerate(sheet.items):
            outcome = job.results[position]
            result.items.append(outcome)
            result.max_score += item.points
            result.score += outcome.score * item.points
    results[job.index] = result


def _run(pending, results, jobs, timeout, memory_mb, progress) -> None:
    from multiprocessing.connection import wait

    pool = _Pool(min(jobs, len(pending)), memory_mb)
    try:
        busy = 0

        def dispatch(worker):
            nonlocal busy
            if pending and worker["job"] is None:
                job = pending.pop()
                worker["job"], worker["started"] = job, time.monotonic()
                worker["conn"].send((job.index, job.sheet, job.start))
                busy += 1

        for worker in pool.workers:
            dispatch(worker)
        while busy:
            now = time.monotonic()
            deadlines = [w["started"] + timeout - now for w in pool.workers if w["job"] is not None]
            ready = wait([w["conn"] for w in pool.workers if w["job"] is not None],
                         timeout=max(0.0, min(deadlines)) if deadlines else None)
            by_conn = {id(w["conn"]): w for w in pool.workers}
            for conn in ready:
                worker = by_conn[id(conn)]
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    message = ("died",)
                job = worker["job"]
                kind = message[0]
                if kind == "start":
                    worker["started"] = time.monotonic()
                    job.start = message[2]
                elif kind == "item":
                    job.results[message[2]] = message[3]
                    job.start = message[2] + 1
                elif kind in ("done", "error"):
                    if kind == "error":
                        job.results["error"] = message[2]
                    _finish(job, results)
                    worker["job"] = None
                    busy -= 1
                    if progress:
                        progress(1)
                    dispatch(worker)
                elif kind == "died":
                    _give_up_on_item(worker, job, "the checker stopped while reading this answer")
                    pool.replace(worker)
                    busy -= 1
                    _requeue(job, pending, results, progress)
                    dispatch(worker)
            now = time.monotonic()
            for worker in pool.workers:
                job = worker["job"]
                if job is not None and now - worker["started"] > timeout:
                    _give_up_on_item(worker, job, f"checking this answer took longer than {timeout:g} s")
                    pool.replace(worker)
                    busy -= 1
                    _requeue(job, pending, results, progress)
                    dispatch(worker)
    finally:
        pool.close()


def _give_up_on_item(worker, job, why: str) -> None:
    position = job.start
    worker["job"] = None
    if position < len(job.sheet.items):
        item = job.sheet.items[position]
        job.results[position] = ItemResult(item.id, item.quantity, "invalid", 0.0, feedback=why, points=item.points)
        job.start = position + 1


def _requeue(job, pending, results, progress) -> None:
    if job.start >= len(job.sheet.items):
        _finish(job, results)
        if progress:
            progress(1)
    else:
        pending.append(job)


def cpu_count() -> int:
    return os.cpu_count() or 1
