"""Checking a written derivation with a time and a memory bound per line.

The text is untrusted: a line may be built to make SymPy work for ever or fill memory. The check
runs in a worker process whose address space is capped (``memory_mb``); the parent watches each
line and, when one takes longer than ``timeout`` seconds, kills the worker, reports that line as
not read ("took longer than ... s") and starts a new worker that reads the lines before again
for their context only (definitions, cases, given values: no checks) and goes on after it. Works
whatever thread calls it (no signals). With ``timeout=None`` the check runs in this process.
"""
from __future__ import annotations

import multiprocessing
import time

from ..limits import cap_memory
from .checker import Checker
from .verdicts import Entry, Outcome

DEFAULT_TIMEOUT = 10.0
DEFAULT_MEMORY_MB = 2048


def check_text(text: str, name: str = "-", *, timeout: float | None = DEFAULT_TIMEOUT,
               memory_mb: int = DEFAULT_MEMORY_MB, **options) -> Outcome:
    """The :class:`Outcome` of checking ``text``; ``options`` go to :class:`Checker` (hints, given, loss)."""
    from .document import read_document
    read_document(text)                      # a text that cannot be taken apart is refused before any work
    if timeout is None:
        return Checker(text, name, **options).run()
    return _Supervisor(text, name, timeout, memory_mb, options).run()



def _worker(connection, text, name, options, resume, skip, memory_mb):
    """Check ``text`` from line ``resume`` on (the lines in ``skip`` not even read), sending each line's
    findings as soon as it is done."""
    cap_memory(memory_mb)
    try:
        checker = Checker(text, name, resume=resume, skip=skip, **options)
        sent = {"entries": 0, "context": 0}
        verdicts: list = []                 # the verdict of each entry sent, to send it again if it changes

        def revised():
            """(index, entry) of the entries sent before whose verdict a later piece of their line changed
            (a case the sentence states after the formula)."""
            found = []
            for index, entry in enumerate(checker.outcome.entries[:sent["entries"]]):
                if (entry.verdict, entry.verified_by) != verdicts[index]:
                    verdicts[index] = (entry.verdict, entry.verified_by)
                    found.append((index, entry))
            return found

        def new_entries():
            entries = checker.outcome.entries[sent["entries"]:]
            verdicts.extend((e.verdict, e.verified_by) for e in entries)
            return entries

        def started(line):
            connection.send(("start", line))

        def finished(line, _seconds):
            outcome = checker.outcome
            changed = revised()
            entries = new_entries()
            context = outcome.context[sent["context"]:]
            sent["entries"], sent["context"] = len(outcome.entries), len(outcome.context)
            connection.send(("line", line, entries, context, changed))

        checker.on_start = started
        checker.on_line = finished
        outcome = checker.run()
        changed = revised()
        connection.send(("done", new_entries(), outcome.context[sent["context"]:],
                         outcome.kind, outcome.final, outcome.final_text, changed))
    except MemoryError:
        connection.send(("error", "checking ran out of memory"))
    except Exception:  # noqa: BLE001 - reported as the reason the rest is not read
        connection.send(("error", "an internal error in derive verify"))   # never the error's text in a verdict


class _Supervisor:
    def __init__(self, text, name, timeout, memory_mb, options):
        self.text, self.name, self.timeout, self.memory_mb, self.options = text, name, timeout, memory_mb, options
        self.outcome = Outcome(name, text.splitlines())
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def run(self) -> Outcome:
        resume, skip = 0, set()
        while True:
            stopped = self._run_from(resume, frozenset(skip))
            if stopped is None:
                return self.outcome
            line, why = stopped
            self.outcome.entries.append(Entry(line, self._line_text(line), "unread", why))
            if line <= 0:
                return self.outcome
            resume = line + 1
            skip.add(line)

    def _line_text(self, line: int) -> str:
        lines = self.text.splitlines()
        return lines[line - 1].strip()[:200] if 0 < line <= len(lines) else ""

    def _run_from(self, resume: int, skip: frozenset):
        """Run a worker from line ``resume``; None when it finished, else (line, why) where it stopped."""
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker, daemon=True,
                                       args=(child, self.text, self.name, self.options, resume, skip,
                                             self.memory_mb))
        process.start()
        child.close()
        current, started = 0, time.monotonic()
        base = len(self.outcome.entries)            # where this worker's entries start in the outcome
        try:
            while True:
                remaining = self.timeout - (time.monotonic() - started)
                if remaining <= 0 or not parent.poll(remaining):
                    return current, f"checking this line took longer than {self.timeout:g} s: not read"
                try:
                    message = parent.recv()
                except (EOFError, OSError):
                    return current, "the checker stopped while reading this line (out of memory?): not read"
                kind = message[0]
                if kind == "start":
                    current, started = message[1], time.monotonic()
                elif kind == "line":
                    for index, entry in message[4]:
                        self.outcome.entries[base + index] = entry
                    self.outcome.entries.extend(message[2])
                    self.outcome.context.extend(message[3])
                    started = time.monotonic()
                elif kind == "done":
                    for index, entry in message[6]:
                        self.outcome.entries[base + index] = entry
                    self.outcome.entries.extend(message[1])
                    self.outcome.context.extend(message[2])
                    self.outcome.kind, self.outcome.final, self.outcome.final_text = message[3:6]
                    self.outcome.entries.sort(key=lambda e: e.source_line)
                    self.outcome.context.sort(key=lambda c: c.source_line)
                    return None
                elif kind == "error":
                    return current, f"could not check this line ({message[1]}): not read"
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            parent.close()
