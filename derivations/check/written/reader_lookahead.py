"""Reading a formula together with the words around it: a name defined after the step that uses it on its line (for
u = ...), a case said before a formula (for a wrong class c)."""
from __future__ import annotations

import re

from ..numeric import read_number
from .document import Math


class ReaderLookahead:
    """A formula read with the words around it (a name defined after it, a case said before it)."""

    def wrong_class(self, piece, words: str) -> bool:
        """ "For a wrong class $c$": the case c ≠ y (the label of the text's example) from here on."""
        if not words or len(piece.rows) != 1 or not re.fullmatch(r"\s*[a-z]\s*", piece.rows[0].text) \
                or not re.search(r"\b(?:wrong|incorrect|other|non-?target)\s+class(?:es)?\s*$", words, re.IGNORECASE):
            return False
        letter = piece.rows[0].text.strip()
        label = "y_n" if re.search(r"(?<![A-Za-z\\])y_\{?n\}?", self.state.text) and not re.search(
            r"(?<![A-Za-z\\])y_\{?i\}?", self.state.text) else "y_i"
        found = self.cases.conditions_of(f"{letter} \\neq {label}", piece.line)
        if found is None or len(found[0]) != 1 or found[1]:
            return False
        self.cases.set_persistent(found[0][0], piece.line, f"{letter} \\neq {label}")
        return True
    def defined_after(self, piece, words: str, following) -> bool:
        """Whether ``following`` is inline maths on the same line, after "for" or "where" (``words``), that
        defines a name the text has not defined (read now, before ``piece``, which uses it)."""
        if not isinstance(following, Math) or following.display or piece.display or following.line != piece.line \
                or len(following.rows) != 1 or words.strip().lower() not in ("for", "where", "with"):
            return False
        return self.defines_after(following.rows[0].text, following.line)
    def defines_after(self, text: str, line: int) -> bool:
        """Whether a clause after the maths ("for $u = \\sum_j e^{f_j}$") defines a name the text has not defined
        (a formula, not a number: "for k = y" is a case, "for Δ = 1" a given value): defined before the row."""
        parts = text.split("=")
        if len(parts) != 2 or read_number(parts[1].strip()) is not None or self.is_index_letter(parts[0]) \
                or not re.fullmatch(r"\s*[A-Za-z](?:_\{?[A-Za-z]\}?)?\s*", parts[0]) \
                or not self.cases.names_a_new_quantity(parts[0]):
            return False
        return self.definitions.definition(parts[0], parts[1], line, "", "define") == "definition"
