"""The verified-report cache: a report whose every step verified, kept so that the same command gives
the same bytes without building (or importing SymPy) again.

An entry is one JSON file in ``<cache folder>/reports/``, named by its key: a SHA-256 of everything
the report depends on (the code and templates of this installation, the versions of SymPy and Jinja,
Python's version, the command, its parameters and the format). It holds the report, the figures
written beside it, and a SHA-256 of both: an entry whose digest or key does not match (a corrupted,
truncated or foreign file) is ignored and rebuilt, never trusted. Entries are written atomically
(a temporary file beside them, then a rename) and only for reports that verified. Nothing is pickled:
the entry is the rendered text itself.

The folder is ``$DERIVE_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/derive``, else ``~/.cache/derive``.
This module imports nothing but the standard library.
"""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: bump when the entry layout changes: older entries are then simply not found
LAYOUT = 1
_PACKAGE = Path(__file__).resolve().parent                  # derivations/


def folder() -> Path:
    """The cache folder: $DERIVE_CACHE_DIR, else $XDG_CACHE_HOME/derive, else ~/.cache/derive."""
    explicit = os.environ.get("DERIVE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "derive"


def reports_folder() -> Path:
    return folder() / "reports"


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
    """A SHA-256 of this installation's code (derivations/*.py, the grammar), its templates and ``extra`` files."""
    digest = hashlib.sha256()
    roots = [_PACKAGE] + _template_folders()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".lark", ".j2") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode("utf-8") + b"\0")
                digest.update(path.read_bytes() + b"\0")
    for path in extra:
        digest.update(Path(path).name.encode("utf-8") + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()


def file_digest(path) -> str:
    """A SHA-256 of a file's contents ("unreadable" when it cannot be read: the command then says why)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
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

def _content_digest(report: str, files: dict) -> str:
    digest = hashlib.sha256(report.encode("utf-8") + b"\0")
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def _path(entry_key: str) -> Path:
    return reports_folder() / f"{entry_key}.json"


def load(entry_key: str) -> Entry | None:
    """The entry stored under ``entry_key``, or None when there is none or it does not check out."""
    try:
        data = json.loads(_path(entry_key).read_text(encoding="utf-8"))
        if data.get("layout") != LAYOUT or data.get("key") != entry_key:
            return None
        report = data["report"]
        files = {name: base64.b64decode(text, validate=True) for name, text in data["files"].items()}
        if not isinstance(report, str) or data.get("digest") != _content_digest(report, files):
            return None
        return Entry(report, files)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(entry_key: str, report: str, files: dict) -> bool:
    """Keep a verified report; False (and nothing left behind) when the folder cannot be written."""
    target = _path(entry_key)
    data = {"layout": LAYOUT, "key": entry_key, "digest": _content_digest(report, files), "report": report,
            "files": {name: base64.b64encode(content).decode("ascii") for name, content in sorted(files.items())}}
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False)
        os.replace(temporary, target)
        return True
    except OSError:
        if temporary and os.path.exists(temporary):
            os.unlink(temporary)
        return False


def entries() -> list:
    """The entry files in the cache folder."""
    try:
        return sorted(p for p in reports_folder().iterdir() if p.suffix == ".json" and not p.name.startswith("."))
    except OSError:
        return []


def info() -> dict:
    """Where the cache is, how many reports it holds and how many bytes they take."""
    found = entries()
    return {"folder": str(folder()), "reports": len(found), "bytes": sum(p.stat().st_size for p in found)}


def clear() -> int:
    """Remove every cached report (and leftover temporary files); the number of reports removed."""
    removed = 0
    try:
        for path in reports_folder().iterdir():
            if path.suffix == ".json" or path.name.startswith("."):
                path.unlink()
                removed += not path.name.startswith(".")
    except OSError:
        pass
    return removed


__all__ = ["folder", "key", "load", "store", "info", "clear", "entries", "Entry", "code_digest"]
