"""Worker processes: the server never builds, checks or grades in its own process.

A few worker processes are started once (``spawn``: a clean interpreter each) and warmed up: SymPy, the
grammars, the quantity families and a first derivation and check are loaded before any visitor comes.
Each piece of work is then run in a child *forked* from a warm worker, so it starts at once with all of
that loaded, and that child is bounded: its address space is capped (as derive verify and derive check cap
theirs) and it is killed when it runs past its time. Whatever it does dies with it: no state is carried
from one visitor's work to the next. ``derive verify``'s own per-line bound and ``derive check``'s
per-answer bound still hold inside it (their workers are forked from the child).

The server waits for the pool without blocking: ``await Workers.run(...)`` from the event loop. Past
``Limits.queued`` pieces of work waiting or running, a request is told the server is busy.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .limits import Limits


class TaskFailed(Exception):
    """Work that did not finish: ``kind`` is "input" (the visitor's input was refused: the message says why),
    "time" (it ran past its bound), "memory", "busy" (too much work queued) or "error" (an internal error)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _child(connection, name, args, memory_mb):
    from ..check.limits import cap_memory
    from . import tasks
    cap_memory(memory_mb)
    try:
        connection.send(("ok", tasks.TASKS[name](*args)))
    except MemoryError:
        connection.send(("memory", "it needed more memory than is allowed here"))
    except tasks.USER_ERRORS as error:
        connection.send(("input", str(error) or type(error).__name__))
    except Exception as error:  # noqa: BLE001 - reported as one line, the traceback kept for the server's log
        connection.send(("error", f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=8)}"))
    finally:
        connection.close()


def bounded(name: str, args: tuple, timeout: float, memory_mb: int):
    """Run the task ``name`` with ``args`` in a child forked from this (warm) worker, with a time and memory
    bound; (kind, value): ("ok", result) or a failure kind and its message."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, name, args, memory_mb))   # not a daemon: it may fork
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            return "time", f"it took longer than {timeout:g} s and was stopped"
        try:
            return parent.recv()
        except (EOFError, OSError):
            return "memory", "the worker stopped (out of memory?)"
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        parent.close()


def warm(niceness: int = 0) -> None:
    """Load what every piece of work needs, once per worker (its children inherit it); lower the worker's
    priority by ``niceness``, so that the server answers cached pages first while the workers check."""
    import os
    if niceness:
        try:
            os.nice(niceness)
        except OSError:
            pass
    from . import tasks
    tasks.warm()


class Workers:
    """The pool of warm workers, and the count of work waiting or running."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.pending = 0
        self._executor = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._executor = ProcessPoolExecutor(max_workers=self.limits.workers, mp_context=context, initializer=warm,
                                             initargs=(self.limits.worker_niceness,))
        for _ in range(self.limits.workers):          # start (and warm) every worker now, not at the first visit
            self._executor.submit(int)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def run(self, name: str, *args, timeout: float | None = None):
        """The result of the task ``name``; raises :class:`TaskFailed` when it did not finish."""
        if self.pending >= self.limits.queued:
            raise TaskFailed("busy", "the server is busy: try again in a moment")
        self.pending += 1
        try:
            loop = asyncio.get_running_loop()
            call = (bounded, name, args, timeout or self.limits.task_timeout, self.limits.memory_mb)
            try:
                kind, value = await loop.run_in_executor(self._executor, *call)
            except BrokenProcessPool:                 # a worker died (killed from outside): start a new pool
                self.close()
                self.start()
                try:
                    kind, value = await loop.run_in_executor(self._executor, *call)
                except BrokenProcessPool:
                    kind, value = "error", "the worker processes stopped and could not be started again"
        finally:
            self.pending -= 1
        if kind != "ok":
            raise TaskFailed(kind, value)
        return value
