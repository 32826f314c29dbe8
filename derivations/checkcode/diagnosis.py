"""Naming the mistake: the catalogue's candidates that reproduce the student's numbers on every input.

A candidate for the loss is a data term of :mod:`.mistakes` (the verified one or a rewrite), with
or without its 1/N, plus a penalty (λ, ½λ, none, 2λ, over N); for dW likewise, possibly transposed.
A candidate *explains* the student's function when it is close (:func:`.compare.close`) to what
the function returned on every input it returned something for. Among the explaining candidates
the simplest are kept (fewest mistakes; a valid alternative such as the kink counted is a note and
costs nothing). Under ``--reg-form auto`` both conventions are tried and the one that explains the
function with fewer mistakes is named (λΣW² with 2λW, or ½λΣW² with λW); a loss of one convention
with the gradient of the other is a mistake of one part.

When several simplest candidates of different mistakes explain the numbers, all of them are
reported ("one of"); when none does, the part is wrong in a way the catalogue does not generate,
and the report shows where it goes wrong and what centred differences of the student's own loss say.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .compare import close
from .mistakes import DW_REG, LOSS_REG, MISSING_MEAN, TRANSPOSED, reg_mistake, variants


@dataclass(frozen=True)
class Candidate:
    """One explanation of a part (loss or dW): the mistakes it makes, and the valid alternatives it takes."""

    mistakes: tuple

    @property
    def errors(self) -> tuple:
        return tuple(m for m in self.mistakes if not m.valid)

    @property
    def notes(self) -> tuple:
        return tuple(m for m in self.mistakes if m.valid)


@dataclass
class PartDiagnosis:
    """The simplest explanations of one part under the convention chosen; none when nothing explains it."""

    part: str
    best: list = field(default_factory=list)

    @property
    def explained(self) -> bool:
        return bool(self.best)

    @property
    def correct(self) -> bool:
        return bool(self.best) and not self.best[0].errors

    @property
    def cost(self) -> int:
        """The number of mistakes of the simplest explanation (0 when nothing explains the part)."""
        return len(self.best[0].errors) if self.best else 0

    def mistakes(self) -> list:
        """The mistakes when one explanation is left; the union (of a part explained several ways) otherwise."""
        found = []
        for candidate in self.best:
            found += [m for m in candidate.errors if m not in found]
        return found

    def notes(self) -> list:
        found = []
        for candidate in self.best:
            found += [m for m in candidate.notes if m not in found]
        return found


@dataclass
class Matches:
    """Which (data term, 1/N missing, penalty) choices reproduce a part on every input."""

    part: str
    triples: list                      # (data variant index, without 1/N, penalty key)
    transposed: bool = False


def _order(names, evaluated):
    """Inputs from the cheapest to compare to the dearest, so most candidates drop out early."""
    return sorted(names, key=lambda name: evaluated[name].weights.size)


def match_loss(values: dict, evaluated: dict) -> Matches:
    """The loss candidates close to the student's loss ``values`` (input name -> float) on every input."""
    names = _order(values, evaluated)
    if not names:
        return Matches("loss", [])
    first = evaluated[names[0]]
    alive = [(v, s, r.key) for v in range(len(first.loss_terms)) for s in (False, True) for r in LOSS_REG]
    options = {r.key: r for r in LOSS_REG}
    for name in names:
        e = evaluated[name]
        value = values[name]
        kept = []
        with np.errstate(invalid="ignore", over="ignore"):
            for v, scaled, key in alive:
                candidate = e.loss_terms[v] * (e.n if scaled else 1) + options[key].coefficient(e.reg, e.n) * e.penalty
                if close(value, candidate):
                    kept.append((v, scaled, key))
        alive = kept
        if not alive:
            break
    return Matches("loss", alive)


def match_gradient(values: dict, evaluated: dict, transposed: bool) -> Matches:
    """The dW candidates close to the student's dW ``values`` (input name -> array of W's shape) on every input."""
    names = _order(values, evaluated)
    if not names:
        return Matches("dW", [], transposed)
    first = evaluated[names[0]]
    alive = [(g, s, r.key) for g in range(len(first.grad_terms)) for s in (False, True) for r in DW_REG]
    options = {r.key: r for r in DW_REG}
    for name in names:
        e = evaluated[name]
        value = values[name]
        kept = []
        with np.errstate(invalid="ignore", over="ignore"):
            for g, scaled, key in alive:
                term = e.grad_terms[g]
                candidate = (term * e.n if scaled else term) + options[key].coefficient(e.reg, e.n) * e.weights
                if close(value, candidate):
                    kept.append((g, scaled, key))
        alive = kept
        if not alive:
            break
    return Matches("dW", alive, transposed)


def explain(matches: Matches, loss: str, reg_form: str, auto: bool = False, extra=((), ())) -> PartDiagnosis:
    """The simplest explanations of ``matches`` under ``reg_form`` (full or half; chosen by ``auto``), the
    catalogue's data terms followed by ``extra`` (loss variants, gradient variants)."""
    loss_variants, grad_variants, _ = variants(loss)
    data = tuple(loss_variants) + tuple(extra[0]) if matches.part == "loss" else tuple(grad_variants) + tuple(extra[1])
    candidates = []
    for index, scaled, key in matches.triples:
        mistakes = list(data[index].mistakes)
        if scaled:
            mistakes.append(MISSING_MEAN[matches.part])
        penalty = reg_mistake(matches.part, key, reg_form, auto)
        if penalty is not None:
            mistakes.append(penalty)
        if matches.transposed:
            mistakes.append(TRANSPOSED)
        candidate = Candidate(tuple(mistakes))
        if candidate not in candidates:
            candidates.append(candidate)
    if not candidates:
        return PartDiagnosis(matches.part)
    fewest = min(len(c.errors) for c in candidates)
    best = [c for c in candidates if len(c.errors) == fewest]
    with_notes = min(len(c.notes) for c in best)          # the verified convention before a valid alternative
    return PartDiagnosis(matches.part, [c for c in best if len(c.notes) == with_notes])


def choose_convention(loss_matches: Matches, grad_matches: Matches, loss: str, reg_form: str, extra=((), ())):
    """(reg_form in force, loss diagnosis, dW diagnosis): ``reg_form`` itself, or under auto the one that
    explains the function with fewer mistakes (full when both do equally well)."""
    auto = reg_form == "auto"
    forms = ("full", "half") if auto else (reg_form,)
    best = None
    for form in forms:
        found = (form, explain(loss_matches, loss, form, auto, extra), explain(grad_matches, loss, form, auto, extra))
        cost = (sum(not part.explained for part in found[1:]), sum(part.cost for part in found[1:]))
        if best is None or cost < best[0]:
            best = (cost, found)
    return best[1]


def _kind(mistake) -> str:
    """A mistake's tag without its part: loss-delta-hard-coded and dW-delta-hard-coded are one kind."""
    return mistake.tag.split("-", 1)[1]


def prefer_shared(loss_part: PartDiagnosis, grad_part: PartDiagnosis) -> None:
    """Where a part is explained several ways, keep those that share a kind of mistake with the other part's
    explanation (one mistake in both the loss and dW is simpler than two different ones)."""
    for part, other in ((loss_part, grad_part), (grad_part, loss_part)):
        if len(part.best) < 2 or not other.best:
            continue
        kinds = {_kind(m) for candidate in other.best for m in candidate.errors}
        shared = [c for c in part.best if any(_kind(m) in kinds for m in c.errors)]
        if shared:
            part.best = shared
