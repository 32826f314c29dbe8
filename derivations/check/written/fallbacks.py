"""What else may make a step hold once its two sides differ: the last correct expression (a slip recovered
from), the facts stated before it (therefore ...), the values the text gives (a formula true at the example's
label), a one-hot vector written out; each a verdict of its own, named in the step's reason."""
from __future__ import annotations

import sympy
from sympy import Indexed, Symbol

from ...engine import notation
from ...parse.errors import ParseError
from .algebra import cannot_evaluate, solved_for
from .expand import expand
from .said import said
from .state import Unread


class Fallbacks:
    """What else may make a step hold once its two sides differ: the last correct expression (a slip recovered"""

    def sides_with_givens_held(self, before, after, expanded):
        """A worked example's step about a name the text both defines and gives numbers for (s_j = w_j . x_i,
        then "Example: s = [3.2, 5.1, -1.7]"): the numbers given hold over the definition, so the step is
        checked with that name's definition left out (its given values go in): both sides so expanded, or
        None when that changes nothing."""
        held = self.state.given_names()
        if not held:
            return None
        definitions = {k: v for k, v in self.state.names.definitions.items() if k not in held}
        try:
            sides = expand(before, definitions), expand(after, definitions)
        except ParseError:
            return None
        return None if sides == expanded else sides

    def at_given_values(self, entry, a, b, conditions, real) -> bool:
        """A formula true at the values the text gives for its plain quantities (dL/dz = σ(z) - y after "label
        y = 1" and L = -log σ(z), the loss of that label): verified there, with the values named."""
        values = self.state.givens.values or {}
        present = [k for k in values if isinstance(k, Symbol) and not k.is_integer
                   and any(isinstance(x, sympy.Basic) and x.has(k) for x in (a, b))]
        if not present:
            return False
        for chosen in self.state.judge.candidates(self.state.givens, set(present)):
            if not chosen:
                continue
            try:
                left, right = (x.xreplace(chosen) if isinstance(x, sympy.Basic) else x for x in (a, b))
            except (ValueError, TypeError):
                continue                    # a derivative by the quantity given: not at a value
            verification = self.state.judge.equal(left, right, conditions, real)
            if verification.ok:
                entry.verdict = "verified"
                entry.verified_by = said("with the given values ", self.state.givens.describe(chosen), ": ",
                                         verification.verified_by)
                return True
        return False

    def wrong_with_givens(self, entry, sides, conditions) -> bool:
        """A wrong step of a worked example shown where the text puts it: both sides at the given values."""
        from .numbers import _entries
        from .verdicts import Counterexample
        scores = self.state.givens.scores
        if scores is not None and isinstance(sides[1], sympy.MatrixBase):
            sides = (_entries(sides[0], len(scores)), sides[1])
        for chosen in self.numbers.given_choices(*sides):
            try:
                left, right = (self.numbers.given_instance(side, chosen) for side in sides)
                values = [(float(x), float(y)) for x, y in zip(*(list(v) if isinstance(v, sympy.MatrixBase) else [v]
                                                              for v in (left, right)))]
            except (TypeError, ValueError):
                continue
            if not values or all(abs(x - y) <= 1e-9 * max(1.0, abs(y)) for x, y in values):
                continue
            entry.verified_by = said("with the given values ", self.state.givens.describe(chosen), ": the two sides differ")
            if len(values) == 1:
                entry.counterexample = Counterexample({}, {}, round(values[0][0], 6), round(values[0][1], 6))
            else:
                entry.counterexample = Counterexample({}, {}, str([round(x, 6) for x, _ in values]),
                                                      str([round(y, 6) for _, y in values]))
            return True
        return False

    def one_hot(self, entry, a, b, conditions, real) -> bool:
        """A step about the targets t_k (or y_k) of a cross-entropy that the text does not define: they are the
        one-hot labels (t_k = 1[k = y]), which the step may need (dL/ds_k = p_k - t_k needs sum_k t_k = 1).
        True (verified, said so) when the step holds once they are; the step is wrong otherwise."""
        targets = {}
        for side in (a, b):
            if not isinstance(side, sympy.Basic) or isinstance(side, sympy.MatrixBase):
                return False
            for atom in side.atoms(Indexed):
                if atom.base.label.name in ("t", "y") and len(atom.indices) == 1 and not self.defined(atom) \
                        and atom.base not in (self.state.givens.values or {}):
                    targets[atom] = sympy.KroneckerDelta(atom.indices[0], notation.y)
        if not targets or any(side.has(notation.y) for side in (a, b)) \
                or len({atom.base for atom in targets}) != 1 or not any(side.has(sympy.log) for side in (a, b)):
            return False                # one family of targets, in a cross-entropy (a log): never y_k and t_k both
        verification = self.state.judge.equal(a.xreplace(targets), b.xreplace(targets), conditions, real)
        if not verification.ok:
            return False
        letter = next(iter(targets)).base.label.name
        entry.verdict = "verified"
        entry.verified_by = f"with the targets one-hot ({letter}_k = 1[k = y], the label; the text does not say " \
                            f"what {letter} is): {verification.verified_by}"
        return True

    def recovered(self, entry, b, conditions, real) -> bool:
        """A step that fails from the slipped line before it, but equals the last correct expression."""
        last = self.state.last
        if last is None or last.correct is None or last.correct is last.reading:
            return False
        try:
            correct = self.state.expanded(last.correct.value)
        except Unread:
            return False                    # the last correct expression cannot be put in: nothing to recover
        verification = self.state.judge.equal(correct, b, conditions, real)
        if verification.ok:
            entry.verdict = "verified"
            entry.verified_by = said(f"equals the last correct expression (line {last.correct_line}), not the "
                                     f"wrong one just before it: ", verification.verified_by)
            return True
        return False

    def from_facts(self, entry, left, right, conditions, real) -> bool:
        """A line that says it follows (therefore, =>): true once earlier equations are put in.

        Each earlier equation gives a rule (a name or an unknown it is linear in, solved for); the
        definitions are put in (functions named in a rule, such as f in f(s_2) = 1 - f(s_1), kept as
        they are written), finite sums written out, the rules applied, and the sides compared.
        """
        rules = []
        for lhs, rhs, line in reversed(self.state.part.facts):
            if isinstance(lhs, sympy.MatrixBase) != isinstance(rhs, sympy.MatrixBase):
                continue                            # a vector written beside a derivative: no rule to solve for
            rule = solved_for(lhs, rhs)
            if rule is not None:
                rules.append((rule, line))
        if not rules:
            return False
        from ...engine.evaluate import concrete
        held = {atom.func for (atom, _), _ in rules if isinstance(atom, sympy.core.function.AppliedUndef)}
        definitions = {k: d for k, d in self.state.names.definitions.items() if k not in held}
        try:
            current = [concrete(expand(side, definitions), {}) for side in (left, right)]
        except ParseError:
            return False
        used = []
        for _ in range(4):
            changed = False
            for (atom, value), line in rules:
                if any(side.has(atom) for side in current):
                    current = [side.xreplace({atom: value}) for side in current]
                    used.append(line)
                    changed = True
            if not changed:
                break
        if not used:
            return False
        a, b = (self.state.expanded(side) for side in current)
        verification = self.state.judge.equal(a, b, conditions, real)
        if verification.ok:
            lines = ", ".join(str(n) for n in sorted(set(used)))
            entry.verdict = "verified"
            entry.verified_by = f"follows from line{'s' if len(set(used)) > 1 else ''} {lines}: " \
                                f"{verification.verified_by}"
            return True
        return False

    def layout_kept(self, entry, before, after, conditions, real):
        """A step verified in derive's reading of W after an earlier line held only with W a row per class
        (s_i = sum_j W_ij x_j): the text has chosen that reading, so the step must hold in it too; wrong if not
        (dL/dW = x g^T after s = W x read so)."""
        line = getattr(self.state, "rows_layout_line", 0)
        if not line or entry.source_line == line:
            return
        weights = self.state.names.base("W")
        if not any(isinstance(s.value, sympy.Basic) and s.value.has(weights) for s in (before, after)):
            return
        from .expand import expand
        definitions = self.rows_definitions()
        try:
            a, b = (expand(side.value, definitions) for side in (before, after))
            verification = self.state.judge.equal(a, b, conditions, real)
        except Exception:           # noqa: BLE001 - a reading that cannot be taken changes nothing
            return
        if not verification.ok and not cannot_evaluate(verification):
            entry.verdict = "wrong"
            entry.verified_by = said(f"with W a row per class, as line {line} reads W x: the two sides differ "
                                     f"(they agree only with W a column per class)")

    def rows_definitions(self) -> dict:
        """The text's definitions with W's two indices swapped: W x read as a matrix times a vector."""
        import copy
        weights = self.state.names.base("W")

        def flipped(x):
            if not isinstance(x, sympy.Basic):
                return x
            return x.replace(lambda e: isinstance(e, Indexed) and e.base == weights and len(e.indices) == 2,
                             lambda e: weights[e.indices[1], e.indices[0]])
        definitions = {}
        for key, definition in self.state.names.definitions.items():
            other = copy.copy(definition)
            if getattr(other, "value", None) is not None:
                other.value = flipped(other.value)
            if getattr(other, "body", None) is not None:
                other.body = flipped(other.body)
            definitions[key] = other
        return definitions

    def other_layout(self, entry, before, after, conditions, real) -> bool:
        """A step about W in a text that writes W x (W left of the input) and never says how W is laid out: derive
        reads W x with W a column per class, as the course stores it; W x written as a matrix times a vector
        has W a row per class. A step true with the definitions read that way (s_i = sum_j W_ij x_j, W^T g) is
        true under a reading the text allows: verified, the reading named."""
        from . import context as prose
        from .expand import expand
        if prose.states_weights_layout(self.state.text) or not prose.writes_w_times_x(self.state.text):
            return False
        definitions = self.rows_definitions()
        try:
            a, b = (expand(side.value, definitions) for side in (before, after))
            verification = self.state.judge.equal(a, b, conditions, real)
        except Exception:           # noqa: BLE001 - another reading that cannot be taken is no verdict
            return False
        if verification.ok:
            self.state.rows_layout_line = self.state.rows_layout_line or entry.source_line
            entry.verdict = "verified"
            entry.verified_by = said("with W x read as a matrix times a vector (W a row per class; the text does not "
                                     "say how W is laid out): ", verification.verified_by)
            return True
        return False
