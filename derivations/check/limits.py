"""Bounding the memory of a grading or checking worker process."""
from __future__ import annotations

import os


def address_space() -> int:
    """This process's current virtual size in bytes (0 where /proc is not available)."""
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def cap_memory(memory_mb: int) -> None:
    """Let this process grow by at most ``memory_mb`` MiB beyond its present size (what a fork inherited):
    an allocation past it raises MemoryError. A no-op where the platform has no RLIMIT_AS."""
    try:
        import resource
        limit = address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
