"""The verified-report cache: a report whose every step verified, kept so that the same command gives
the same bytes without building (or importing SymPy) again.

An entry is one JSON file in the ``reports`` subfolder of the private cache folder (see
:mod:`derivations.private`), named by its key: a SHA-256 of everything the report depends on (the code
and templates of this installation, the versions of SymPy and Jinja, Python's version, the command, its
parameters and the format). It holds the report and the figures written beside it, and is authenticated
with HMAC-SHA256 under a per-user key: an entry that does not check out (forged, edited with a plain
SHA-256 recomputed, truncated, another key's, a link, a FIFO, too large) is ignored and rebuilt, never
served. Entries are written atomically and only for reports that verified. Nothing is pickled: the
entry is the rendered text itself.

The folder is ``$DERIVE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/derive``, else ``~/.cache/derive``.
This module imports nothing but the standard library.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import private
from .private import folder

#: bump when the entry layout changes: older entries are then simply not found
LAYOUT = 2
#: an entry larger than this is not read (a report with its figures is far smaller)
MAX_ENTRY_BYTES = 64 << 20
SUBFOLDER = "reports"
_PACKAGE = Path(__file__).resolve().parent                  # derivations/


@dataclass
class Entry:
    """A cached report: its text and the figures beside it (relative name -> bytes)."""

    report: str
    files: dict


# --- the key ------------------------------------------------------------------------------

_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']+)["']""", re.MULTILINE)


def package_version(name: str, version_file: str) -> str:
    """A package's version read from its source (``sympy/release.py``), without importing it."""
    try:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            return "missing"
        text = (Path(list(spec.submodule_search_locations)[0]) / version_file).read_text(encoding="utf-8")
    except (OSError, ImportError, ValueError):
        return "unknown"
    found = _VERSION.search(text)
    return found.group(1) if found else "unknown"


def _template_folders() -> list:
    return [f for f in (_PACKAGE / "templates", _PACKAGE.parent / "templates") if (f / "text").is_dir()]


def code_digest(extra=()) -> str:
    """A SHA-256 of this installation's code (derivations/*.py, the grammars, the built-in specs of derive grad),
    its templates and ``extra`` files."""
    digest = hashlib.sha256()
    roots = [_PACKAGE] + _template_folders()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".lark", ".j2", ".loss") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode("utf-8") + b"\0")
                digest.update(path.read_bytes() + b"\0")
    for path in extra:
        digest.update(Path(path).name.encode("utf-8") + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def file_digest(path) -> str:
    """A SHA-256 of a file's contents ("unreadable" when it is not a regular file or cannot be read: the
    command then says why). Read in chunks, never from a FIFO or a device."""
    from .files import FileProblem, open_regular
    try:
        with open_regular(path, limit=None) as stream:
            digest = hashlib.sha256()
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileProblem, OSError):
        return "unreadable"


def key(command: str, parameters: dict, fmt: str, extra_code=()) -> str:
    """The key of a report: what it depends on, digested."""
    material = {
        "layout": LAYOUT,
        "code": code_digest(extra_code),
        "sympy": package_version("sympy", "release.py"),
        "jinja2": package_version("jinja2", "__init__.py"),
        "python": list(sys.version_info[:2]),
        "command": command,
        "parameters": parameters,
        "format": fmt,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode("utf-8")).hexdigest()


# --- entries --------------------------------------------------------------------------------

def _name(entry_key: str) -> str:
    return f"{entry_key}.json"


def load(entry_key: str) -> Entry | None:
    """The entry stored under ``entry_key``, or None when there is none or it does not check out."""
    payload = private.load(SUBFOLDER, _name(entry_key), MAX_ENTRY_BYTES)
    if payload is None:
        return None
    try:
        data = json.loads(payload.decode("utf-8"))
        if data.get("layout") != LAYOUT or data.get("key") != entry_key or not isinstance(data["report"], str):
            return None
        files = {name: base64.b64decode(text, validate=True) for name, text in data["files"].items()}
        return Entry(data["report"], files)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def store(entry_key: str, report: str, files: dict) -> bool:
    """Keep a verified report; False (and nothing left behind) when the folder cannot be written."""
    data = {"layout": LAYOUT, "key": entry_key, "report": report,
            "files": {name: base64.b64encode(content).decode("ascii") for name, content in sorted(files.items())}}
    return private.store(SUBFOLDER, _name(entry_key), json.dumps(data, ensure_ascii=False).encode("utf-8"))


def entries() -> list:
    """The entry files in the cache folder (regular files only: links, FIFOs and folders are not entries)."""
    return [path for path, _ in private.files(SUBFOLDER, ".json")]


def info() -> dict:
    """Where the cache is, how many reports it holds, how many bytes they take, and why it is not used (if not)."""
    where, problem = private.state()
    found = private.files(SUBFOLDER, ".json")
    return {"folder": str(where), "reports": len(found), "bytes": sum(size for _, size in found), "problem": problem}


def clear() -> int:
    """Remove everything the caches keep (reports, compiled templates, parser tables, odd entries among them,
    and the key); the number of reports removed."""
    return private.clear()


__all__ = ["folder", "key", "load", "store", "info", "clear", "entries", "Entry", "code_digest"]
