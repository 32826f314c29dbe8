"""Which spec ``derive grad SPEC`` means: a built-in's name, a file holding a spec, or the spec's own text.

The built-ins are files of the language in ``builtins/`` (``NAME.loss``), each a few lines with their title and
explanations as ``#:`` lines.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from importlib import resources

from ..engine.inputs import InputError
from ..lang.lower import Program, compile_spec
from ..lang.syntax import CAPS


@dataclass
class Resolved:
    name: str | None          # the built-in's name
    path: str | None          # the file read
    text: str
    program: Program

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.path:
            return os.path.basename(self.path)
        return "the spec given"


@functools.cache
def builtin_names() -> tuple:
    folder = resources.files(__package__).joinpath("builtins")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".loss")))


def builtin_text(name: str) -> str:
    return resources.files(__package__).joinpath("builtins", f"{name}.loss").read_text(encoding="utf-8")


def catalogue() -> list:
    """(name, title) of every built-in."""
    out = []
    for name in builtin_names():
        title = next((line.strip()[2:].strip() for line in builtin_text(name).splitlines()
                      if line.strip().startswith("#:")), name)
        out.append((name, title))
    return out


def resolve(spec: str) -> Resolved:
    """The spec SPEC names: a built-in, a file, or its text (InputError when it is none of them)."""
    if not isinstance(spec, str) or not spec.strip():
        raise InputError("give a spec: a built-in's name (derive grad --list), a file, or the spec's text")
    if spec in builtin_names():
        text = builtin_text(spec)
        return Resolved(spec, None, text, compile_spec(text))
    if "\n" not in spec and "=" not in spec and ";" not in spec:
        if os.path.exists(spec):
            text = _read_file(spec)
            return Resolved(None, spec, text, compile_spec(text))
        import difflib
        close = difflib.get_close_matches(spec, builtin_names(), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise InputError(f"no built-in or file named {spec!r}{hint}: derive grad --list names the built-ins; "
                         "a spec's text holds definitions (L = ...)")
    return Resolved(None, None, spec, compile_spec(spec))


def _read_file(path: str) -> str:
    from ..files import FileProblem, read_bytes
    try:
        raw = read_bytes(path, CAPS.characters * 4)
    except FileProblem as error:
        raise InputError(str(error)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


__all__ = ["resolve", "Resolved", "builtin_names", "builtin_text", "catalogue"]
