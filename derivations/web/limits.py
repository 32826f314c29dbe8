"""The bounds of the web app: what a request may send, how long and how large a piece of work may get.

Everything a visitor sends is untrusted: the body of a request is capped before it is read, a text or a
sheet is capped as ``derive verify`` and ``derive check`` cap them, each field of a derivation form is
capped, and every piece of work runs in a worker process bounded in time and memory (see workers.py).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one server allows; ``derive serve`` sets ``workers`` and ``line_timeout`` from its options."""

    #: bytes of a request body (a form, an upload, a JSON request) at most
    body_bytes: int = 1_000_000
    #: bytes of a written derivation at most (as derive verify reads from a file)
    text_bytes: int = 400_000
    #: bytes of an answer sheet at most
    sheet_bytes: int = 400_000
    #: characters of one field of a derivation form (scores of K = 1000 classes fit)
    field_chars: int = 20_000
    #: worker processes (each runs one piece of work at a time)
    workers: int = 2
    #: how much lower the workers' priority is than the server's (cached pages are answered first)
    worker_niceness: int = 5
    #: pieces of work waiting or running at once; past it a request is told the server is busy
    queued: int = 64
    #: seconds one line of a written derivation may take to check (derive verify --timeout)
    line_timeout: float = 10.0
    #: seconds one answer of a sheet may take to check (derive check --timeout)
    answer_timeout: float = 2.0
    #: seconds a whole piece of work may take: a derivation built, a text checked, a sheet graded, a PDF made
    task_timeout: float = 120.0
    #: MiB a piece of work may grow by (as derive verify and derive check bound their workers)
    memory_mb: int = 2048
    #: derivations (their reports in every format) kept in memory, verified ones only
    cached_reports: int = 256
    #: checked texts and graded sheets kept in memory (the same text is not checked twice)
    cached_checks: int = 256


def too_long(what: str, size: int, limit: int, unit: str = "bytes") -> str:
    """The one line that refuses something too long."""
    return f"{what} is {size:,} {unit} long; at most {limit:,} are read here"
