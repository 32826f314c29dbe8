"""Many submissions: finding them, and grading ``jobs`` of them at a time (each in its own sandboxed process)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

from ..engine.inputs import InputError

MAX_SOURCE_BYTES = 1 << 20


def find_submissions(paths) -> list:
    """(name, path) of each .py file named by ``paths`` (files, or folders searched recursively), in a stable order;
    a file in a folder is named by its path inside the folder given."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*.py") if p.is_file() and "__pycache__" not in p.parts):
                found.append((str(file.relative_to(path)), file))
        elif path.is_file():
            if path.suffix != ".py":
                raise InputError(f"{raw} is not a Python file (.py)")
            found.append((path.name, path))
        else:
            raise InputError(f"no such file or folder: {raw}")
    for name, file in found:
        if file.stat().st_size > MAX_SOURCE_BYTES:
            raise InputError(f"{file} is larger than {MAX_SOURCE_BYTES >> 20} MB: not a submission")
    return found


def grade_all(grader, submissions, jobs: int = 1, progress: Callable | None = None) -> list:
    """Each (name, path) graded by ``grader``, ``jobs`` at a time; the results in the order given."""
    def one(item):
        name, path = item
        result = grader.grade(path, name)
        if progress is not None:
            progress(1)
        return result
    if jobs <= 1 or len(submissions) <= 1:
        return [one(item) for item in submissions]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, submissions))
