"""Numbers written rounded: a vector of numbers checked entry by entry at the precision written, and a formula
whose decimals are rounded values (0.7311 (1 - 0.7311) for sigma'(1) = 0.196612) checked with each anywhere
within its rounding."""
from __future__ import annotations

import re

import sympy

from ...parse.errors import ParseError
from ..numeric import read_number
from .said import number as shown_number
from .said import numbers, said
from .state import Job, Unread
from .verdicts import Counterexample
from .wording import vector_texts

#: a decimal number written in a text (0.7311, 2.9e-3)
_DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+(?:[eE][-+]?\d+)?)(?![\d.])")


def _entries(value, n):
    """A vector expression (one entry, at the component index) as the matrix of its ``n`` entries; anything
    else as it is."""
    from .roles import COMPONENT
    if not n or not isinstance(value, sympy.Basic) or isinstance(value, sympy.MatrixBase) or not value.has(COMPONENT):
        return value
    return sympy.ImmutableMatrix([value.xreplace({COMPONENT: sympy.Integer(m)}) for m in range(n)])


class RoundedNumbers(Job):
    """Numbers written rounded: a vector of numbers checked entry by entry at the precision written, and a formula"""

    def approximately(self, entry, a, b) -> bool:
        """``LSE(f) ≈ 789 + log 1``, ``p ≈ [0, 0, 1]``: an approximation written with ≈ and no decimals to round
        to, true when both sides, at the values the text gives, agree to within 0.5 % of the larger side (of the
        largest entry of a vector, at least 1)."""
        n = len(b) if isinstance(b, sympy.MatrixBase) else len(a) if isinstance(a, sympy.MatrixBase) else None
        for chosen in [{}] + self.given_choices(a, b):
            try:
                left, right = (self.given_instance(_entries(side, n), chosen) for side in (a, b))
                lefts = [complex(v) for v in (left if isinstance(left, sympy.MatrixBase) else [left])]
                rights = [complex(v) for v in (right if isinstance(right, sympy.MatrixBase) else [right])]
            except (TypeError, ValueError, OverflowError):
                continue
            if len(lefts) != len(rights) or any(abs(v.imag) > 1e-12 for v in lefts + rights):
                continue
            scale = max([1.0] + [abs(v.real) for v in lefts + rights])
            if all(abs(x.real - y.real) <= 0.005 * scale for x, y in zip(lefts, rights)):
                how = said(" with the given values ", self.state.givens.describe(chosen)) \
                    if chosen or self.state.givens.scores is not None or self.number_vectors() else ""
                entry.verdict = "verified"
                entry.verified_by = said("≈", how, ": the two sides agree to within 0.5 %")
                return True
            return False
        return False

    def numbers_vector(self, entry, a, after_text, b) -> bool:
        """A vector of numbers written after a chain ([-0.732, 0.004, 0.728]): entry by entry, at the
        precision written (small entries at the precision of the vector, as derive check does)."""
        texts = vector_texts(after_text)
        if texts is None or len(texts) != len(b):
            return False
        written = [read_number(t) for t in texts]
        if any(w is None for w in written):
            return False
        for chosen in [{}] + self.given_choices(a, sympy.Integer(0)):
            try:
                if isinstance(a, sympy.MatrixBase):
                    if len(a) != len(b):
                        return False
                    exact_values = [self.given_instance(e, chosen) for e in a]
                else:
                    from .roles import COMPONENT
                    exact_values = [self.given_instance(a.xreplace({COMPONENT: m}), chosen) for m in range(len(b))]
                exact = [self.float(v) for v in exact_values]
            except (TypeError, ValueError):
                continue
            break
        else:
            return False
        scale = max(abs(v) for v in exact) or 1.0
        notes, wrong = [], []
        for position, (text, value, entry_exact) in enumerate(zip(texts, exact, exact_values)):
            ok, closeness, _ = self.state.judge.number_at_precision(entry_exact, text, scale=scale)
            if not ok:
                wrong.append((position, read_number(text), value, closeness))
            elif closeness.note:
                notes.append(f"entry {position}: {closeness.note}")
        shown = numbers(exact)
        how = said(" with ", self.state.givens.describe(chosen)) if chosen or self.uses_scores(a, sympy.Integer(0)) \
            else ""
        entry.kind = "number"
        if not wrong:
            entry.verdict = "verified"
            entry.verified_by = said("numbers", how, ": the exact values ", shown, " are the entries to the digits "
                                     "written")
            entry.notes.extend(notes)
            return True
        entry.verdict = "wrong"
        position, w, value, closeness = wrong[0]
        entry.verified_by = said("numbers", how, ": the exact values are ", shown, f"; entry {position}, ",
                                 shown_number(None, str(w.value)), ", is not ", shown_number(value),
                                 " to 3 significant figures of the vector" + (f" ({closeness.note})" if closeness.note else ""))
        entry.counterexample = Counterexample({"entry": position}, {}, value, float(w.value))
        return True

    def rounded_as_written(self, exact, after_text, chosen) -> bool:
        """Whether ``exact`` is what ``after_text`` gives with each decimal written in it anywhere within its
        rounding (0.7311 (1 - 0.7311) for sigma'(1) = 0.196612): the text read again with each decimal a
        placeholder, so that SymPy's arithmetic on the literals does not hide them."""
        placeholders, texts = {}, []
        for number, match in enumerate(_DECIMAL.finditer(after_text)):
            written = read_number(match.group(1))
            if written is None or written.last_place >= 0 or written.last_place == -1 and written.significant_figures < 3:
                continue                    # 0.8 in e^{0.8} is that number, not a rounded 0.75..0.85 (0.0049 is rounded)
            key = self.state.names.base("xi")[number]
            placeholders[key] = (sympy.Rational(match.group(1)), sympy.Rational(10) ** written.last_place)
            texts.append((match.span(1), f"\\xi_{{{number}}}"))
        if not placeholders or len(placeholders) > 8:
            return False
        written_text = after_text
        for (start, end), replacement in reversed(texts):
            written_text = written_text[:start] + replacement + written_text[end:]
        if "xi" in after_text:
            return False                                  # the placeholders' name is the text's own
        one_based, self.state.names.one_based = self.state.names.one_based, False    # ξ_1 is placeholder 1
        try:
            template = self.state.expanded(self.state.read(written_text).value)
            if isinstance(exact, sympy.MatrixBase):
                template = _entries(template, len(exact))     # exp(s) / 11.1073 at the given scores, entry by entry
            template = self.given_instance(template, chosen)
        except (Unread, ParseError, TypeError, ValueError):
            return False
        finally:
            self.state.names.one_based = one_based
        try:
            if isinstance(template, sympy.MatrixBase) or isinstance(exact, sympy.MatrixBase):
                if not (isinstance(template, sympy.MatrixBase) and isinstance(exact, sympy.MatrixBase)) \
                        or len(template) != len(exact):
                    return False
                return all(self.state.judge.within_rounding_of(e, t, placeholders) for e, t in zip(exact, template))
            if not isinstance(template, sympy.Basic):
                return False
            return self.state.judge.within_rounding_of(exact, template, placeholders)
        except (TypeError, ValueError):
            return False
