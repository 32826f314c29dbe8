"""The LaTeX commands the parser knows; any other command is refused by name.

Checked on the raw text before parsing, so that ``\\input``, ``\\def``,
``\\write18`` and friends are reported as what they are rather than as a
syntax error somewhere after them.
"""
from __future__ import annotations

import re

from .errors import ParseError

#: commands made of letters, e.g. \frac
KNOWN = frozenset("""
    frac dfrac tfrac cdot times div
    log ln exp max sigma sqrt sum Delta delta
    mathbb mathbf mathcal partial nabla
    neq ne leq le geq ge gt lt
    begin end
    left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr
    displaystyle limits nolimits quad qquad
    text
""".split())

#: the words a \text{...} may hold: those of a cases environment (1 if u > 0, 0 otherwise)
TEXT_WORDS = {"if", "for", "when", "otherwise", "else", "o.w.", ",", ", if", ", otherwise", "if,", "otherwise,",
              ", else"}

#: one-character commands: spacing, literal braces, the matrix row separator
KNOWN_SYMBOLS = frozenset(",;:! {}\\")

#: commands whose {argument} is restricted, and the arguments allowed
ARGUMENTS = {
    "mathbb": {"1", "I"},
    "mathbf": {"1"},
    "mathcal": {"L"},
    "begin": {"matrix", "bmatrix", "pmatrix", "cases"},
    "end": {"matrix", "bmatrix", "pmatrix", "cases"},
    "text": TEXT_WORDS,
}

_COMMAND = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)
_ARGUMENT = re.compile(r"\s*\{\s*([^{}]*?)\s*\}")


def check_commands(text: str, known=KNOWN, arguments=ARGUMENTS) -> None:
    """Raise ParseError at the first LaTeX command (or restricted argument) that is not known.

    ``known`` and ``arguments`` default to the commands of answers; ``derive diff`` passes more.
    """
    for match in _COMMAND.finditer(text):
        name = match.group(1)
        if len(name) > 1 or name.isalpha():
            if name not in known:
                raise ParseError(f"unsupported LaTeX command \\{name}")
            if name in arguments:
                _check_argument(name, text, match.end(), arguments)
        elif name not in KNOWN_SYMBOLS:
            shown = f"\\{name}" if name else "\\ at the end"
            raise ParseError(f"unsupported LaTeX command {shown}")


def _check_argument(name: str, text: str, position: int, arguments=ARGUMENTS) -> None:
    """Check the {argument} of a command whose arguments are restricted."""
    match = _ARGUMENT.match(text, position)
    allowed = arguments[name]
    if match is None:
        raise ParseError(f"\\{name} needs an argument in braces, e.g. \\{name}{{{min(allowed)}}}")
    if match.group(1) not in allowed:
        raise ParseError(f"unsupported \\{name}{{{match.group(1)}}}")
