"""Numbers: a worked example's steps with the given values put in, numbers written after a chain
at derive check's precision (rounding-aware), vectors of numbers entry by entry, inequalities."""
from __future__ import annotations

import sympy
from sympy import Eq, Indexed

from ...engine import notation
from ...engine.notation import COUNTS, K
from ...parse.errors import ParseError
from ..numeric import read_number
from .algebra import is_number, written_out_sums
from .judging import decimal_literals
from .mistakes import number_diagnosis
from .numbers_rounding import RoundedNumbers, _entries
from .said import Code, Quote, compared, said
from .said import number as shown_number
from .state import Unread
from .verdicts import Counterexample


class Numbers(RoundedNumbers):
    """Numbers."""

    def inequality(self, entry, a, b, relation, conditions, real=()):
        values = self.numbers_with_givens(a, b, allow_givens=self.state.chain_has_number)
        if values is None:
            self.sampled_inequality(entry, a, b, relation, conditions, real)
            return
        (x, y_), how = values
        holds = {"<": x < y_, ">": x > y_, "<=": x <= y_, ">=": x >= y_, ">>": x > y_, "<<": x < y_}[relation]
        entry.kind = "inequality"
        compared_numbers = compared(shown_number(x), relation, shown_number(y_), negated=not holds)
        if holds:
            entry.verdict, entry.verified_by = "verified", said("numbers: ", *compared_numbers, how)
        else:
            entry.verdict, entry.verified_by = "wrong", said("numbers: ", *compared_numbers, how)
            entry.counterexample = Counterexample({}, {}, *(v if isinstance(v, float) else str(v) for v in (x, y_)))

    def sampled_inequality(self, entry, a, b, relation, conditions, real=()):
        """``p_y - 1 < 0``: an inequality with unknowns, checked as the verifier checks an equation: its
        indicator is 1 at every point of every instance (and on both sides of every kink)."""
        if any(isinstance(side, sympy.MatrixBase) or not isinstance(side, sympy.Basic) for side in (a, b)):
            raise Unread("an inequality between vectors is not checked")
        if relation in (">>", "<<"):
            raise Unread("much greater (or less) than: a description, not a step to check")
        difference = {"<": b - a, "<<": b - a, ">": a - b, ">>": a - b, "<=": b - a, ">=": a - b}[relation]
        strict = relation in ("<", ">", "<<", ">>")
        indicator = sympy.Heaviside(difference, 0 if strict else 1)
        one = sympy.Integer(1)
        verification = self.state.judge.equal(indicator, one, conditions, real)
        entry.kind = "inequality"
        if verification.ok:
            entry.verdict, entry.verified_by = "verified", said("holds at every point checked: ",
                                                                verification.verified_by)
            return
        if "differ" not in (verification.detail or ""):
            raise Unread(f"the inequality could not be evaluated ({verification.detail})")
        if self.cases.companion(entry, indicator, one, conditions, real, entry.latex,
                                checked="holds at every point checked, "):
            return                                   # true in the case the text does not take up elsewhere
        example = self.state.judge.counterexample(indicator, one, conditions, real)
        where = [" (", example.describe(), ")"] if example is not None else []
        raise Unread(said("an inequality that does not hold everywhere", *where, ": it may describe a situation "
                          "rather than claim a fact, so it is not read as a step"))

    def numbers_with_givens(self, a, b, allow_givens=True):
        """Both sides as floats, with the given values put in if needed: ((x, y), how) or None."""
        for chosen in [None] + (self.given_choices(a, b) if allow_givens else []):
            try:
                if chosen is None:
                    x, y_ = self.float(a), self.float(b)
                    chosen = {}
                else:
                    x = self.float(self.given_instance(a, chosen))
                    y_ = self.float(self.given_instance(b, chosen))
            except (TypeError, ValueError):
                continue
            if not allow_givens:
                return (x, y_), ""
            how = said(" (with ", self.state.givens.describe(chosen), ")") if chosen or self.uses_scores(a, b) \
                else ""
            return (x, y_), how
        return None

    def uses_scores(self, a, b) -> bool:
        return any(isinstance(side, sympy.Basic) and side.has(notation.s) for side in (a, b))

    def float(self, value) -> float:
        if not isinstance(value, sympy.Basic) or value.free_symbols or value.has(sympy.Derivative):
            if isinstance(value, sympy.Basic) and value.has(sympy.Derivative) and not value.free_symbols:
                value = value.doit()
            else:
                raise ValueError("not a number")
        number = sympy.N(value, 30)
        if not number.is_real:
            raise ValueError("not a real number")
        if abs(number) > 1e300:
            return number                   # e^{800} > 10^{347}: beyond float64, compared as SymPy numbers
        return float(number)

    def given_choices(self, a, b) -> list[dict]:
        symbols = set()
        for side in (a, b):
            if isinstance(side, sympy.Basic):
                symbols |= side.free_symbols | side.atoms(Indexed)
        choices = self.state.judge.candidates(self.state.givens, symbols)
        given = self.state.givens.scores is not None or self.state.givens.vectors
        return [c for c in choices if c] or ([{}] if given else [])

    def given_instance(self, expr, chosen: dict):
        """``expr`` at the worked example: K = the number of scores, the label, the scores, ``chosen`` values."""
        if isinstance(expr, sympy.MatrixBase):
            return expr.applyfunc(lambda entry: self.given_instance(entry, chosen))
        if not isinstance(expr, sympy.Basic):
            return expr
        env = {}
        if self.state.givens.scores is not None:
            env[K] = len(self.state.givens.scores)
        else:                                   # o = (800, 805, 790) given, sum_j e^{o_j - c}: K is its length
            used = {len(entries) for base, entries in self.number_vectors().items()
                    if any(atom.base == base for atom in expr.atoms(Indexed))}
            if len(used) == 1:
                env[K] = used.pop()
                if expr.has(notation.D) and notation.D not in self.state.givens.sizes:
                    env[notation.D] = env[K]        # w = (0.5, -1.0), x = (2.0, 1.0): w^T x over their 2 entries
        if self.state.givens.label is not None:
            env[notation.y] = self.state.givens.label
        env.update(self.state.givens.sizes)
        from ...engine.evaluate import concrete
        value = concrete(expr, env) if env else expr
        if value.has(sympy.Derivative):
            value = value.doit()
            held = set(chosen) | set(self.state.givens.values or {})     # z = log 4 given: z stays z
            if any(symbol in self.state.names.definitions and symbol not in held for symbol in value.free_symbols):
                from .expand import expand  # dL/dz = σ(z) - 1, with z = w^T x + b: z at the example too
                try:
                    value = expand(value, {k: v for k, v in self.state.names.definitions.items() if k not in held})
                    value = concrete(value, env) if env else value
                except ParseError:
                    pass
        kink = getattr(self, "kink", 0)         # the indicator's value where its argument is exactly 0
        if value.has(sympy.Heaviside):          # (before the numbers go in: SymPy would make it 1/2)
            value = value.replace(lambda e: isinstance(e, sympy.Heaviside), lambda e: sympy.Heaviside(e.args[0], kink))
        if self.state.givens.scores is not None:
            value = value.xreplace({notation.s[i]: v for i, v in enumerate(self.state.givens.scores)})
        free = value.free_symbols
        for base, entries in self.number_vectors().items():
            value = value.xreplace({base[i]: v for i, v in enumerate(entries)})
            at_free = {atom for atom in value.atoms(Indexed) if atom.base == base and len(atom.indices) == 1
                       and atom.indices[0] in free and not atom.indices[0].is_Integer}
            value = value.xreplace({atom: sympy.Add(*[v * sympy.KroneckerDelta(i, atom.indices[0])
                                                      for i, v in enumerate(entries)]) for atom in at_free})
            #                                       x_c at a free component: its entries, as 2 δ_{0c} + δ_{1c}
        value = value.xreplace(chosen)
        value = value.xreplace(self.state.givens.entries)     # w_0 = (1, 0): the entries of W it gives
        if value.has(sympy.Heaviside):
            value = value.replace(lambda e: isinstance(e, sympy.Heaviside), lambda e: sympy.Heaviside(e.args[0], kink))
        if not value.is_number and value.has(sympy.KroneckerDelta):
            value = written_out_sums(value)     # w^T x of vectors written out: over their entries
        return value

    def number(self, entry, a, after_text, b, conditions, before_text="") -> bool:
        """A number written after a chain (= 1.317, \\approx 2.249): at the precision written, rounding-aware
        (0.20 \\times w_0 = 0.39: 0.20 is a rounded value, and 0.39 lies within its rounding)."""
        found = []                  # (value, how, chosen, judged) at each set of given values that evaluates
        for chosen in [{}] + self.given_choices(a, b):
            try:
                value = self.given_instance(a, chosen)
                self.float(value)
            except (TypeError, ValueError):
                continue
            how = said(" with ", self.state.givens.describe(chosen)) \
                if (chosen or self.uses_scores(a, sympy.Integer(0))) else ""
            judged = self.state.judge.number_at_precision(value, after_text.strip())
            if judged is None:
                return False
            found.append((value, how, chosen, judged))
            if judged[0] or not chosen:
                break               # "with Delta = 2 ... L_i = 3.9": true at one of the values the text gives
        if not found:
            return False
        value, how, chosen, judged = next((f for f in found if f[3][0]), found[0])
        ok, closeness, exact = judged
        entry.kind = "number"
        if ok:
            note = f"; {closeness.note}" if closeness.note else ""
            entry.verdict = "verified"
            entry.verified_by = said("numbers", how, ": the exact value ", shown_number(exact), " is ",
                                     shown_number(None, after_text), " as ", Code("derive check"),
                                     f" reads numbers ({closeness.how}){note}")
            return True
        written_value = read_number(after_text.strip())
        if before_text and decimal_literals(before_text) and written_value is not None \
                and self.rounded_as_written(sympy.Rational(str(written_value.value)), before_text, chosen):
            entry.verdict = "verified"
            entry.verified_by = said("numbers", how, ": ", shown_number(None, after_text), " is what ",
                                     Quote(before_text.strip()), " gives with its rounded numbers anywhere within "
                                     "their rounding")
            return True
        entry.verdict = "wrong"
        reason = f" ({closeness.note})" if closeness.note else ""
        entry.verified_by = said("numbers", how, ": the exact value is ", shown_number(exact), ", not ",
                                 shown_number(None, after_text), f" to 3 significant figures{reason}")
        entry.counterexample = Counterexample({}, {}, exact, float(read_number(after_text.strip()).value))
        written = read_number(after_text.strip())
        entry.diagnosis = number_diagnosis(
            lambda base: self.float(value.replace(sympy.log, lambda u: sympy.log(u) / sympy.log(base))),
            written, lambda recomputed, w: self.state.judge.number_at_precision(sympy.Float(recomputed, 30),
                                                                          str(w.value))[0])
        return True

    def worked(self, entry, a, b, after_text, conditions, real) -> bool:
        """A step of a worked example: true with the given values (scores, label, Delta = 1 ...); at a kink (a
        margin exactly 0) the indicator may be taken as 0 (margin > 0, as the course's code does) or 1."""
        if self._worked(entry, a, b, after_text, conditions, real):
            return True
        if not any(isinstance(side, sympy.Basic) and side.has(sympy.Heaviside, sympy.Max, sympy.Derivative)
                   for side in (a, b)):
            return False
        self.kink = 1
        try:
            found = self._worked(entry, a, b, after_text, conditions, real)
        finally:
            self.kink = 0
        if found:
            entry.notes.append("at a kink (a margin exactly 0): the indicator taken as 1 there")
        return found

    def _worked(self, entry, a, b, after_text, conditions, real) -> bool:
        if not self.is_worked(a, b, after_text):
            return False
        a, b = _grid_entries(a, b), _grid_entries(b, a)     # J = (matrix of numbers) at the given p: entry by entry
        if isinstance(b, sympy.MatrixBase) != isinstance(a, sympy.MatrixBase):   # a vector against one written
            a, b = _entries(a, len(b)) if isinstance(b, sympy.MatrixBase) else a, \
                _entries(b, len(a)) if isinstance(a, sympy.MatrixBase) else b      # out: entry by entry
        for chosen in self.given_choices(a, b):
            n = len(self.state.givens.scores) if self.state.givens.scores is not None else None
            # a vector at its component (p_c - 1[c = y]) beside the given scores: its n entries, each at the
            # given scores (s_c left free would be drawn at random)
            left = self.given_instance(_entries(a, n), chosen)
            right = self.given_instance(_entries(b, n), chosen)
            if isinstance(left, sympy.MatrixBase) != isinstance(right, sympy.MatrixBase):
                left, right = self.given_instance(a, chosen), self.given_instance(b, chosen)
            counts = (n,) if n else (2, 3, 4, 5)
            extra = [Eq(notation.y, self.state.givens.label)] if self.state.givens.label is not None else []
            verification = self.state.judge.equal(left, right, list(conditions) + extra, real, class_counts=counts)
            if verification.ok:
                entry.verdict = "verified"
                entry.verified_by = said("with the given values ", self.state.givens.describe(chosen), ": ",
                                         verification.verified_by)
                return True
            decimals = decimal_literals(after_text)
            if _entries(a, n) is not a:             # p at the given scores: the vector of its n entries
                left = self.given_instance(_entries(a, n), chosen)
            if decimals and (is_number(left) or _numbers(left)) and self.rounded_as_written(left, after_text, chosen):
                entry.verdict = "verified"
                shown = ", ".join(str(sympy.Float(d, 6)).rstrip("0").rstrip(".") for d in decimals)
                entry.verified_by = said("with the given values ", self.state.givens.describe(chosen), f": the numbers "
                                         f"{shown} are rounded values, and the left side lies within their rounding")
                return True
        decimals = decimal_literals(after_text)
        if decimals and not is_number(a) and isinstance(a, sympy.Basic):
            a = self.given_instance(a, {})          # w^T x of vectors written out: a number at the example
        if decimals and (is_number(a) or _numbers(a)) and self.rounded_as_written(a, after_text, {}):
            entry.verdict = "verified"
            entry.verified_by = "the numbers written are rounded values, and the left side lies within their rounding"
            return True
        return False

    def number_vectors(self) -> dict:
        """The vectors the text gives by numbers: given (with w = [1, -1]) or defined so (a = (1000, 1001, 1002)),
        base -> entries."""
        found = dict(self.state.givens.vectors)
        for key, definition in self.state.names.definitions.items():
            at = getattr(definition, "at", None)
            if isinstance(key, sympy.IndexedBase) and key not in found and at and definition.body is None \
                    and all(len(i) == 1 for i in at) and sorted(int(i[0]) for i in at) == list(range(len(at))) \
                    and all(is_number(v) for v in at.values()):
                found[key] = [at[(sympy.Integer(i),)] for i in range(len(at))]
        return found

    def is_worked(self, a, b, after_text) -> bool:
        if self.state.givens.scores is None and not self.state.givens.values and self.state.givens.label is None \
                and not self.number_vectors():
            return bool(decimal_literals(after_text))
        given_bases = {key.base for key in self.state.givens.entries} | set(self.number_vectors())
        for side in (a, b):
            if not isinstance(side, sympy.Basic):
                continue
            if any(all(i.is_Integer for i in atom.indices) for atom in side.atoms(Indexed)):
                return True
            if self.state.givens.entries and any(atom.base in given_bases for atom in side.atoms(Indexed)):
                return True                     # ∇_{w_0} L = 1 · x with W and x given by numbers
        if isinstance(b, sympy.Basic) and not (b.free_symbols - set(COUNTS)):
            return True
        return bool(decimal_literals(after_text))


def over_free_index(value, other):
    """``value``, a number with one free index (s_j - s_{y_i} + 1) compared with a vector written out, as the
    vector over that index (read at the component index); anything else as it is."""
    from .roles import COMPONENT
    if not isinstance(other, sympy.MatrixBase) or not isinstance(value, sympy.Basic) \
            or isinstance(value, sympy.MatrixBase) or value.has(COMPONENT):
        return value
    index = free_index(value)
    return value if index is None else value.xreplace({index: COMPONENT})


def free_index(expr):
    """The one index an expression leaves free (j in s_j - s_{y_i} + 1), or None: not the label, a count or
    an index a sum binds."""
    free = [s for s in expr.free_symbols if s.is_integer and s != notation.y and s not in COUNTS
            and not s.name.endswith("~")]
    return free[0] if len(free) == 1 else None


def _numbers(value) -> bool:
    """A vector of numbers (written out)."""
    return isinstance(value, sympy.MatrixBase) and all(is_number(v) for v in value)


def _grid_entries(value, other):
    """A matrix expression (its entry at (ROW, COMPONENT)) as the matrix of the shape of ``other``, a matrix of
    numbers written out with two rows or more; anything else as it is."""
    from ...parse.written_arrays import ROW
    from .roles import COMPONENT
    if not isinstance(other, sympy.MatrixBase) or min(other.shape) < 2 or not isinstance(value, sympy.Basic) \
            or isinstance(value, sympy.MatrixBase) or not (value.has(ROW) and value.has(COMPONENT)):
        return value
    return sympy.ImmutableMatrix(other.rows, other.cols, lambda r, c: value.xreplace(
        {ROW: sympy.Integer(r), COMPONENT: sympy.Integer(c)}))
