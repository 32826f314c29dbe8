"""Deciding one written step with the engine's verifier, and saying where it fails.

``before = after`` (definitions already put in) is handed to
:class:`~derivations.engine.verify.Verifier`: symbolically, or at K = 2..5 classes, several index
choices allowed by the case's conditions and points on both sides of every kink. A case stated
on a real quantity (``if s_k - s_{y_i} + \\Delta > 0``) multiplies both sides by its indicator, so
the sides are compared exactly where it holds. A step that fails gets a :class:`Counterexample`:
the instance, the values and both sides' values, found again at the verifier's own points.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import sympy
from sympy import Heaviside, Indexed, Symbol

from ...engine.evaluate import concrete, point_key
from ...engine.notation import COUNTS, K
from ...engine.steps import Verification
from ...engine.verify import CLASS_COUNTS, Verifier, integer_symbols, symbolic_counts
from ...engine.verify.comparison import compare_at
from ..numeric import Written, read_number
from ..precision import DEFAULT, Closeness, judge_written, round_at
from .instances import WrittenInstances
from .verdicts import Counterexample

#: unknowns are drawn from (-1, 1): then a sigmoid's argument stays small enough that float64 keeps
#: 1 - sigma(z) to many digits (as the logistic-regression derivation does)
SPREAD = 1.0
#: how many values a counterexample lists
MAX_SHOWN = 8
#: how many candidate value sets (Delta = 1 or 2, ...) a worked step is tried with
MAX_CANDIDATES = 16


#: at most this many points placed across kinks per instance (a batch SVM step has hundreds of kinks)
MAX_KINK_POINTS = 16
#: class counts for a step over a batch (N examples) or with features (D): K = 2, 3 (D = K + 1, N = K + 2)
BATCH_COUNTS = (2, 3)
FEATURE_COUNTS = (2, 3, 4)


#: names whose values are labels: a target t (t_k of a one-hot vector) is 0 or 1
LABEL_NAMES = {"t"}


def domain_value(variable, rng):
    """A value where the quantity lives, for the ones a uniform draw would put where no student's does: a
    target t (t_k) is 0 or 1. None for every other unknown (drawn as usual; Delta, lambda and p are positive)."""
    name = variable.label.name if isinstance(variable, sympy.IndexedBase) else getattr(variable, "name", "")
    if name in LABEL_NAMES:
        return float(rng.randint(0, 1))
    return None


def counts_for(a, b) -> tuple:
    """The class counts a step is checked at: fewer for the large instances of a batch or of features
    (every count still differs from the others, so one written for another shows)."""
    from ...engine.notation import D, N
    sides = [side for side in (a, b) if isinstance(side, sympy.Basic)]
    if any(side.has(N) for side in sides):
        return BATCH_COUNTS
    if any(side.has(D) for side in sides):
        return FEATURE_COUNTS
    return CLASS_COUNTS


@dataclass
class RealCondition:
    """A case on a real quantity: ``u op 0`` with op one of > < >= <=; or, with op "=", the value ``value`` of
    the quantity ``u`` ("when t = 1"), put in before the sides are compared."""

    u: sympy.Expr
    op: str
    text: str = ""
    value: object = None

    def negated(self) -> RealCondition:
        """The other case: u <= 0 for u > 0 (not defined for a value given with "=")."""
        other = {">": "<=", "<": ">=", ">=": "<", "<=": ">"}[self.op]
        return RealCondition(self.u, other, f"not ({self.text})")

    def indicator(self):
        if self.op == "=":
            return sympy.Piecewise((1, sympy.Eq(self.u, self.value)), (0, True))
        return {">": Heaviside(self.u, 0), "<": Heaviside(-self.u, 0), ">=": Heaviside(self.u, 1),
                "<=": Heaviside(-self.u, 1)}[self.op]


@dataclass
class Givens:
    """Values the text gives: scores (s = [3, -1, 4]), a label, class names, candidate values of symbols."""

    scores: list | None = None
    label: int | None = None
    values: dict | None = None          # Symbol -> [candidate numbers]
    vectors: dict = field(default_factory=dict)   # a vector the text gives (w = [1, -1]): IndexedBase -> entries
    sizes: dict = field(default_factory=dict)     # the counts those vectors fix (D = 2)
    label_offset: int = 0                         # 1 when the text numbers its classes from 1
    entries: dict = field(default_factory=dict)   # entries given by a vector of one class's weights (w_0 = (1, 0))
    shown: list = field(default_factory=list)     # ... as the text gives them, for describe

    def describe(self, chosen: dict):
        """The values a step was checked with: s = [3, -1, 4], y_i = 0, Δ = 1 (words and maths)."""
        from .said import joined_said, said
        parts = []
        if self.scores is not None:
            parts.append(said(sympy.Symbol("s"), " = ", sympy.ImmutableMatrix([list(self.scores)])))
        if self.label is not None:
            from ...engine.notation import y
            if self.label_offset:                   # classes numbered from 1: the label as the text writes it
                parts.append(said(y, " = ", sympy.Integer(self.label + self.label_offset), " (entry ",
                                  sympy.Integer(self.label + self.label_offset), ", counting from 1)"))
            else:
                parts.append(said(y, " = ", sympy.Integer(self.label)))
        parts += [said(sympy.Symbol(base.name), " = ", sympy.ImmutableMatrix([list(v)]))
                  for base, v in self.vectors.items()]
        parts += list(self.shown)
        parts += [said(_shown_name(k), " = ", v) for k, v in chosen.items()]
        return joined_said(parts)


def _name(symbol) -> str:
    from ...report.printing import text
    if str(symbol) == "Delta":
        return "Δ"
    return text(symbol) if isinstance(symbol, sympy.Basic) else str(symbol)


def _shown_name(symbol):
    """A given's name as the text writes it (the margin as Δ)."""
    if str(symbol) == "Delta":
        return sympy.Symbol("Delta")
    from .said import shown
    return shown(symbol) if isinstance(symbol, sympy.Basic) else sympy.Symbol(str(symbol))


class Judge:
    """The verifiers of one text (one per set of class counts), seeded so the same text gives the same verdicts."""

    def __init__(self, seed: int = 20261122, index_choices: int = 4):
        self.seed = seed
        self.index_choices = index_choices
        self._verifiers: dict = {}

    def verifier(self, class_counts=CLASS_COUNTS) -> Verifier:
        class_counts = tuple(class_counts)
        if class_counts not in self._verifiers:
            verifier = Verifier({}, class_counts=class_counts, base_points=4, seed=self.seed, spread=SPREAD)
            verifier.instances = WrittenInstances(class_counts, self.index_choices, seed=self.seed)
            verifier.sampler.max_kink_points = MAX_KINK_POINTS
            verifier.sampler.value_of = domain_value
            self._verifiers[class_counts] = verifier
        return self._verifiers[class_counts]

    # -- equality ----------------------------------------------------------------------------------------

    def equal(self, a, b, conditions=(), real=(), class_counts=CLASS_COUNTS) -> Verification:
        """Whether a = b under the index ``conditions`` and the real conditions ``real``."""
        a, b, real = _given_values(a, b, real)
        if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
            return self._entries(a, b, conditions, real)
        factor = sympy.Integer(1)
        for condition in real:
            factor *= condition.indicator()
        if factor != 1:
            a, b = a * factor, b * factor
        if class_counts == CLASS_COUNTS:
            class_counts = counts_for(a, b)
        try:
            return self.verifier(class_counts).check(a, b, tuple(conditions))
        except (ValueError, TypeError, ArithmeticError, RecursionError, AttributeError, IndexError,
                NotImplementedError) as error:
            return Verification(False, "numeric", f"cannot evaluate a side: {type(error).__name__}: {error}")

    def _entries(self, a, b, conditions, real) -> Verification:
        """A vector against a vector written out: entry by entry, with K the number of entries."""
        matrix, other = (a, b) if isinstance(a, sympy.MatrixBase) else (b, a)
        n = len(matrix)
        if isinstance(other, sympy.MatrixBase):
            if other.shape != matrix.shape:
                return Verification(False, "symbolic", "the two vectors do not have the same length")
            pairs = list(zip(a, b))
        else:
            from .roles import COMPONENT as component
            if not other.has(component):
                if other == 0:                       # 0 * x = [0, 0]: the number 0 for the zero vector
                    pairs = [(sympy.Integer(0), e) for e in matrix]
                    if matrix is a:
                        pairs = [(e, o) for o, e in pairs]
                else:
                    return Verification(False, "symbolic", "cannot evaluate a side: a vector is compared with a number")
            else:
                pairs = [(other.xreplace({component: sympy.Integer(m)}), e) for m, e in enumerate(matrix)]
                if matrix is a:
                    pairs = [(e, o) for o, e in pairs]
        results = []
        for left, right in pairs:
            left = concrete(left, {K: n})
            right = concrete(right, {K: n})
            results.append(self.equal(left, right, conditions, real, class_counts=(n,)))
            if not results[-1].ok:
                return Verification(False, results[-1].method,
                                    f"entry {len(results) - 1}: {results[-1].detail}")
        methods = sorted({r.method for r in results})
        return Verification(True, "+".join(methods), f"entry by entry, K = {n} ({n} entries)")

    # -- counterexamples --------------------------------------------------------------------------------

    def counterexample(self, a, b, conditions=(), real=(), class_counts=CLASS_COUNTS) -> Counterexample | None:
        """Where a and b differ, found at the verifier's own points (None when it cannot say)."""
        a, b, real = _given_values(a, b, real)
        if isinstance(a, sympy.MatrixBase) or isinstance(b, sympy.MatrixBase):
            return None
        factor = sympy.Integer(1)
        for condition in real:
            factor *= condition.indicator()
        if factor != 1:
            a, b = a * factor, b * factor
        if not a.free_symbols and not b.free_symbols and not a.has(sympy.Derivative, sympy.Sum) \
                and not b.has(sympy.Derivative, sympy.Sum):
            try:
                return Counterexample({}, {}, _value(a), _value(b))
            except (TypeError, ValueError):
                return None
        if class_counts == CLASS_COUNTS:
            class_counts = counts_for(a, b)
        verifier = self.verifier(class_counts)
        indices = integer_symbols(a) | integer_symbols(b)
        for c in conditions:
            indices |= integer_symbols(c)
        counts = symbolic_counts(a, b)
        try:
            samples = verifier.instances.samples_for(indices, tuple(conditions), counts)
            for sample in samples:
                variables = verifier.sampler.variables((a, b), sample.env)
                for point in sample.points:
                    verifier.sampler.fill(point, variables)
                _, mismatch, _ = compare_at(sample, a, b, sample.points)
                if mismatch is not None:
                    point, x, y = mismatch
                    shown = _shown_values(a, b, sample.env, point)
                    instance = {str(k): v for k, v in sorted(sample.env.items(), key=lambda kv: str(kv[0]))
                                if not str(k).startswith(("c_", "r_"))}
                    component = {str(k): v for k, v in sample.env.items() if str(k).startswith("c_")}
                    row = {str(k): v for k, v in sample.env.items() if str(k).startswith("r_")}
                    if row:                                     # a matrix: the entry (row, column)
                        instance["row"] = next(iter(row.values()))
                    if component:
                        instance["column" if row else "component"] = next(iter(component.values()))
                    return Counterexample(instance, shown, x, y)
        except Exception:  # noqa: BLE001 - a counterexample is a courtesy; the verdict stands without it
            return None
        return None

    # -- numbers ----------------------------------------------------------------------------------------

    def number_at_precision(self, exact, written_text: str, scale=None):
        """(ok, closeness, exact value) for a number written after a chain, under derive check's precision
        policy (:mod:`derivations.check.precision`: right to 3 significant figures, truncation accepted with
        a note, fewer figures refused); ``scale`` is a vector's largest entry, which figures count from."""
        written = read_number(written_text)
        if written is None:
            return None
        value = _value(exact)
        closeness = judge_written(written, _exactly(written, exact), value, DEFAULT, scale)
        if not closeness.ok and written.value != 0 and written.last_place < 0 \
                and written.value == round_at(value, written.last_place):
            # a worked example writes its numbers to the decimals it carries (0.0049 beside 0.2676):
            # right to every digit written is right, however few figures that is
            closeness = Closeness(True, "figures", "right to every decimal written")
        return closeness.ok, closeness, value

    def within_rounding(self, exact, after, decimals) -> bool:
        """Whether the exact ``exact`` is what ``after`` gives for some value of each rounded literal in it.

        ``decimals`` maps each literal (a Rational in ``after``) to the unit of its last digit: 0.268
        stands for anything in [0.267, 0.269] (one unit either way, as derive check allows).
        """
        if not decimals:
            return False
        symbols = {literal: Symbol(f"r{i}_") for i, literal in enumerate(decimals)}
        template = after.xreplace(symbols)
        return self.within_rounding_of(exact, template, {symbols[v]: (v, unit) for v, unit in decimals.items()})

    def within_rounding_of(self, exact, template, placeholders: dict) -> bool:
        """Whether ``exact`` is what ``template`` gives for some value of each placeholder within its rounding:
        ``placeholders`` maps each to (the literal written, the unit of its last digit); less than one unit of
        the last digit either way (rounded or cut off), never a whole unit."""
        if not placeholders:
            return False
        target = _value(exact)
        used = template.free_symbols if isinstance(template, sympy.Basic) else set()
        items = [(key, value) for key, value in placeholders.items() if key in used]   # this entry's: p_2 = ξ_4/ξ_5
        if not items:
            return False
        values = []
        for corner in itertools.product((-1, 1), repeat=min(len(items), 4)):
            point = {key: value + sign * unit for (key, (value, unit)), sign in zip(items, corner)}
            for key, (value, _) in items[4:]:
                point[key] = value
            try:
                values.append(_value(template.xreplace(point)))
            except (TypeError, ValueError):
                return False
        return min(values) < target < max(values)     # a last digit off by a whole unit (0.05 for 0.06) is a slip

    def candidates(self, givens: Givens, symbols) -> list[dict]:
        """The value sets to try a worked step with: each combination of the candidates of ``symbols``."""
        values = givens.values or {}
        present = [s for s in sorted(symbols, key=str) if s in values]
        if not present:
            return [{}]
        combos = itertools.product(*[values[s] for s in present])
        return [dict(zip(present, combo)) for combo in itertools.islice(combos, MAX_CANDIDATES)]


def _given_values(a, b, real):
    """``a`` and ``b`` with the values of the conditions "t = 1" put in, and the other real conditions."""
    values = {c.u: c.value for c in real if c.op == "="}
    if not values:
        return a, b, real
    def put(side):
        return side.xreplace(values) if isinstance(side, sympy.Basic) else side
    return put(a), put(b), [c for c in real if c.op != "="]


def _exactly(written, exact) -> bool:
    """Whether the decimal written is the exact value itself (0.5 for 1/2), in exact arithmetic."""
    try:
        difference = sympy.Rational(str(written.value)) - exact
        return bool(abs(sympy.N(difference, 60)) < sympy.Float(10) ** -50)
    except (TypeError, ValueError):
        return False


def _value(expr) -> float:
    value = sympy.N(expr, 30)
    if not value.is_number:
        raise ValueError(f"not a number: {expr}")
    result = complex(value)
    if abs(result.imag) > 1e-12:
        raise ValueError("not a real number")
    return float(result.real)


def _shown_values(a, b, env, point) -> dict:
    """The values of the unknowns a and b actually use at ``env`` (not every sampled score)."""
    used = set()
    for side in (a, b):
        try:
            c = concrete(side, env)
        except Exception:  # noqa: BLE001 - fall back to the symbols of the side
            c = side
        for atom in c.atoms(Indexed):
            used.add(point_key(atom))
        for atom in c.free_symbols:
            if isinstance(atom, Symbol) and not atom.is_integer and atom not in COUNTS:
                used.add(atom)
    shown = {}
    for key in sorted(used, key=_key_name):
        if key in point:
            if len(shown) >= MAX_SHOWN:
                shown["..."] = f"{len(used) - MAX_SHOWN} more"
                break
            shown[_key_name(key)] = round(point[key], 4)
    return shown


def _key_name(key) -> str:
    if isinstance(key, tuple):
        return f"{key[0]}_{','.join(map(str, key[1]))}"
    return _name(key)


def is_number_text(text: str) -> bool:
    return read_number(text) is not None


def decimal_literals(text: str) -> dict:
    """The decimal literals written in ``text`` (0.268, 1.5e-3), each with the unit of its last digit."""
    import re
    found = {}
    for match in re.finditer(r"(?<![\w.])(\d+\.\d+)(?![\d.])", text):
        literal = match.group(1)
        written = read_number(literal)
        if isinstance(written, Written) and written.last_place < 0:
            found[sympy.Rational(literal)] = sympy.Rational(10) ** written.last_place
    return found


def finite(x) -> bool:
    return isinstance(x, float) and math.isfinite(x)
