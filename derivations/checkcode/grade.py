"""One submission graded: its functions run in the sandbox, compared with the verified reference, diagnosed, timed.

A :class:`Grader` is made once for a loss and a set of options: it builds the test inputs
(:mod:`.inputs`), evaluates the catalogue on them (:mod:`.mistakes`: the reference of each
convention is its candidate without a mistake, the same numbers as ``derive codegen``'s code),
writes the inputs once as .npy files for every sandbox, and plans the calls of each function:

* ``grade`` on every input (the loss and dW compared and diagnosed);
* ``gradcheck`` on the small inputs: the loss at W +- h e_dc for every entry, so that dW can be
  compared with centred differences of the student's *own* loss (kinks crossed by the step named);
* ``time``: the CIFAR-shaped input, repeated, for the speedup of the vectorized function over the
  naive one, and two wide inputs (1,000 and 8,000 examples of 3 features) for the vectorized one:
  the extra time per example tells a Python loop over the examples (microseconds each) from
  array arithmetic (tens of nanoseconds).

:meth:`Grader.grade` runs a submission and returns a :class:`SubmissionResult`.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import mistakes
from .compare import close, largest_difference, number
from .diagnosis import choose_convention, match_gradient, match_loss, prefer_shared
from .inputs import GRADCHECK, WIDE, inputs_for
from .said import PENALTY, plain
from .sandbox import Limits, Sandbox, detect

DEFAULT_FUNCTIONS = {
    "svm": ("svm_loss_naive", "svm_loss_vectorized"),
    "softmax": ("softmax_loss_naive", "softmax_loss_vectorized"),
    "logistic": ("logistic_loss_naive", "logistic_loss_vectorized"),
}
REG_FORMS = ("full", "half", "auto")
GRADCHECK_H = 1e-5
#: extra seconds per example above which a vectorized function is said to loop over the examples in Python
LOOP_SECONDS_PER_EXAMPLE = 1e-6
def convention_words(convention: str) -> tuple:
    """The note of a function right under --reg-form auto: which penalty it uses (λ being the code's reg)."""
    loss_penalty, grad_penalty = PENALTY[convention]
    return ("uses the convention ", loss_penalty, " in the loss and ", grad_penalty, " in dW")


@dataclass
class Settings:
    """What is checked and how: the loss, the functions, Delta, the reg_form, the sandbox's limits."""

    loss: str = "svm"
    functions: tuple = ()
    delta: float = 1.0
    reg_form: str = "auto"
    limits: Limits = field(default_factory=Limits)
    allow_bwrap: bool = True

    def names(self) -> tuple:
        return tuple(self.functions) or DEFAULT_FUNCTIONS[self.loss]


def vectorized(name: str) -> bool:
    return "vector" in name.lower()


def naive(name: str) -> bool:
    return "naive" in name.lower() or "loop" in name.lower()


@dataclass
class Failure:
    """Where a function first goes wrong: the input and both values."""

    input: str
    description: tuple                 # the input described, in words and formulas (see .said)
    part: str                          # "loss" or "dW"
    student_loss: float | None
    expected_loss: float
    entry: tuple | None = None         # the entry of dW that differs most
    student_entry: float | None = None
    expected_entry: float | None = None
    matrices: dict | None = None       # X, y, W, the student's dW and the expected one, when the input is small

    def to_dict(self) -> dict:
        found = {"input": self.input, "description": plain(self.description), "part": self.part,
                 "loss": self.student_loss, "expected_loss": self.expected_loss}
        if self.entry is not None:
            found.update({"entry": list(self.entry), "dW_entry": self.student_entry,
                          "expected_dW_entry": self.expected_entry})
        if self.matrices:
            found["matrices"] = {k: np.asarray(v).tolist() for k, v in self.matrices.items()}
        return found


@dataclass
class Consistency:
    """dW against centred differences of the student's own loss, on one input."""

    input: str
    checked: int
    failing: list                      # EntryCheck: no kink explains the difference
    explained: list                    # EntryCheck: a kink within reach of the step explains it
    problem: str | None = None         # why it could not be checked

    @property
    def agrees(self) -> bool:
        return self.problem is None and not self.failing

    def to_dict(self) -> dict:
        return {"input": self.input, "checked": self.checked, "agrees": self.agrees, "problem": self.problem,
                "failing": [[e.row, e.col, e.analytic, e.numeric, e.relative_error] for e in self.failing[:10]],
                "explained_by_kinks": [[e.row, e.col, [[k.example, k.cls, k.margin] for k in e.kinks[:3]]]
                                       for e in self.explained[:10]]}


@dataclass
class FunctionResult:
    """The verdict on one function, and everything behind it."""

    name: str
    verdict: str = "error"             # correct, incorrect, error
    reason: str | None = None          # for an error: what went wrong
    convention: str | None = None      # the reg_form in force (named under auto)
    loss_ok: bool = False
    dW_ok: bool = False
    mistakes: list = field(default_factory=list)       # Mistake
    alternatives: list = field(default_factory=list)   # other explanations, when more than one fits
    unexplained: list = field(default_factory=list)    # "loss", "dW": wrong in a way the catalogue does not make
    notes: list = field(default_factory=list)          # words
    failure: Failure | None = None
    consistency: list = field(default_factory=list)    # Consistency
    seconds: dict = field(default_factory=dict)        # input -> the student's time
    per_example: float | None = None   # extra seconds per example (vectorized functions)
    loops: bool | None = None
    score: float = 0.0
    max_score: float = 1.0

    def to_dict(self) -> dict:
        return {
            "name": self.name, "verdict": self.verdict, "reason": self.reason, "score": self.score,
            "max_score": self.max_score, "reg_form": self.convention, "loss_correct": self.loss_ok,
            "dW_correct": self.dW_ok,
            "mistakes": [{"tag": m.tag, "part": m.part, "words": m.words} for m in self.mistakes],
            "alternatives": [[m.tag for m in c] for c in self.alternatives],
            "unexplained": self.unexplained, "notes": [plain(note) for note in self.notes],
            "first_failure": self.failure.to_dict() if self.failure else None,
            "consistency": [c.to_dict() for c in self.consistency],
            "seconds": self.seconds, "seconds_per_extra_example": self.per_example, "loops_over_examples": self.loops,
        }


@dataclass
class SubmissionResult:
    """One submission: its functions, the isolation, the time taken."""

    name: str
    path: str
    functions: list = field(default_factory=list)
    error: str | None = None           # the file itself could not be loaded
    isolation: str = ""
    speedup: float | None = None       # naive time / vectorized time at the CIFAR shape
    wall: float = 0.0
    own_seconds: float = 0.0
    processes: int = 0
    log: str = ""

    @property
    def score(self) -> float:
        return sum(f.score for f in self.functions)

    @property
    def max_score(self) -> float:
        return sum(f.max_score for f in self.functions)

    @property
    def overhead(self) -> float:
        return max(0.0, self.wall - self.own_seconds)

    def to_dict(self) -> dict:
        return {"submission": self.name, "path": self.path, "score": self.score, "max_score": self.max_score,
                "error": self.error, "functions": [f.to_dict() for f in self.functions],
                "speedup_vectorized_over_naive": self.speedup, "isolation": self.isolation,
                "seconds": {"wall": round(self.wall, 3), "own_code": round(self.own_seconds, 3),
                            "processes": self.processes}}


# --- the grader -----------------------------------------------------------------------------------------

class Grader:
    """Grades submissions of one loss under one set of options; ``close()`` removes its input files."""

    def __init__(self, settings: Settings):
        if settings.loss not in DEFAULT_FUNCTIONS:
            raise ValueError(f"unknown loss {settings.loss!r}")
        if settings.reg_form not in REG_FORMS:
            raise ValueError(f"unknown reg_form {settings.reg_form!r}")
        self.settings = settings
        self.loss = settings.loss
        self.functions = list(settings.names())
        self.inputs = {i.name: i for i in inputs_for(self.loss, settings.delta)}
        self.evaluated = {name: mistakes.evaluate(self.loss, i) for name, i in self.inputs.items()}
        self.folder = tempfile.mkdtemp(prefix="derive-check-code-inputs-")
        os.chmod(self.folder, 0o755)
        for name, test_input in self.inputs.items():
            for part in ("X", "y", "W"):
                target = os.path.join(self.folder, f"{name}.{part}.npy")
                np.save(target, np.asarray(getattr(test_input, part)), allow_pickle=False)
                os.chmod(target, 0o644)
        self.isolation = detect(settings.allow_bwrap)
        self.sandbox = Sandbox(self.isolation, settings.limits, self.folder)
        self.calls = self._plan()
        self.spec_inputs = {name: {"reg": i.reg} for name, i in self.inputs.items()}

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def describe_isolation(self) -> str:
        return self.isolation.describe(self.settings.limits)

    def _plan(self) -> list:
        calls = []
        pair = any(naive(f) for f in self.functions) and any(vectorized(f) for f in self.functions)

        def add(**call):
            call["id"] = len(calls)
            calls.append(call)
        for function in self.functions:
            for name, test_input in self.inputs.items():
                if test_input.timing_only and not vectorized(function):
                    continue                          # thousands of examples: for timing a vectorized function
                add(function=function, kind="grade", input=name, delta=test_input.delta if test_input.needs_delta
                    else None)
            for name in GRADCHECK[self.loss]:
                if name in self.inputs:
                    add(function=function, kind="gradcheck", input=name, h=GRADCHECK_H)
            if vectorized(function):
                for size in WIDE:
                    add(function=function, kind="time", input=f"wide-{size}", repeat=3, budget=1.0)
            if pair and vectorized(function):
                add(function=function, kind="time", input="cifar", repeat=3, budget=1.0)
            elif pair and naive(function):                # its graded run and one more: the faster of the two
                add(function=function, kind="time", input="cifar", repeat=1, budget=0.0)
        return calls

    # --- grading ---------------------------------------------------------------------------------------

    def grade(self, path, name: str | None = None) -> SubmissionResult:
        path = Path(path)
        run = self.sandbox.run(path, self.functions, self.calls, self.spec_inputs)
        result = SubmissionResult(name or path.name, str(path), isolation=self.describe_isolation(), wall=run.wall,
                                  own_seconds=run.own_seconds, processes=run.processes, log=run.log)
        if run.import_error is not None or run.load_failure:
            result.error = self._load_error(run)
            result.functions = [FunctionResult(f, reason=f"the file could not be loaded: {result.error}")
                                for f in self.functions]
            return result
        for function in self.functions:
            result.functions.append(self._function(function, run))
        result.speedup = _speedup(result.functions)
        return result

    def _load_error(self, run) -> str:
        if run.load_failure:
            reason = run.load_failure
            if reason.startswith("violation: "):
                return f"while loading, it {reason[11:]}, which the sandbox does not allow"
            return f"loading the file {reason}" if reason.startswith("took") else f"the file {reason}"
        return _exception_words(run.import_error, self.settings.limits)

    def _function(self, function: str, run) -> FunctionResult:
        found = FunctionResult(function)
        info = run.functions.get(function, {})
        if not info.get("found"):
            found.reason = f"the file has no function named {function}"
            return found
        if not info.get("callable"):
            found.reason = f"{function} is not a function"
            return found
        losses, grads, errors = {}, {}, []
        dtypes = set()
        for call in self.calls:
            if call["function"] != function or call["kind"] != "grade":
                continue
            outcome = run.calls.get(call["id"])
            test_input = self.inputs[call["input"]]
            message = outcome.message if outcome else None
            if outcome is None or (outcome.failure and not outcome.failure.startswith("violation")
                                   and message is None):
                why = outcome.failure if outcome else "not run"
                errors.append((test_input, _failure_words(why)))
                continue
            if outcome.failure:
                errors.append((test_input, f"{outcome.failure[11:]}, which the sandbox does not allow"))
                continue
            status = message.get("status")
            if status == "skipped":
                continue
            if status == "missing":
                errors.append((test_input, f"the file has no function named {function}"))
                continue
            if status == "exception":
                errors.append((test_input, _exception_words(message.get("error") or {}, self.settings.limits)))
                continue
            if status == "bad-return":
                errors.append((test_input, str(message.get("why"))))
                continue
            loss_value, grad = float(outcome.arrays[0][0]), outcome.arrays[1]
            losses[test_input.name] = loss_value
            grads[test_input.name] = grad
            found.seconds[test_input.name] = float(message.get("seconds") or 0.0)
            dtypes.add(str(message.get("dtype")))
            for changed in message.get("changed") or []:
                note = f"changes its argument {changed} in place"
                if note not in found.notes:
                    found.notes.append(note)
        self._timing(function, run, found)
        if "float32" in dtypes or "float16" in dtypes:
            found.notes.append("dW is computed in single precision (float32)")
        shaped, transposed, shape_error = self._shapes(grads)
        if errors:
            test_input, why = errors[0]
            found.reason = f"{why} (on input {test_input.describe()})"
            return found
        if shape_error:
            found.reason = shape_error
            return found
        loss_matches = match_loss(losses, self.evaluated)
        grad_matches = match_gradient(shaped, self.evaluated, transposed)
        convention, loss_part, grad_part = choose_convention(loss_matches, grad_matches, self.loss,
                                                             self.settings.reg_form)
        if self.loss == "svm" and not (loss_part.explained and grad_part.explained):
            retried = self._hard_coded_delta(losses, shaped, transposed)
            if retried is not None:
                convention, loss_part, grad_part = retried
        prefer_shared(loss_part, grad_part)
        found.convention = convention
        found.loss_ok, found.dW_ok = loss_part.correct, grad_part.correct and not transposed
        for part in (loss_part, grad_part):
            found.mistakes += [m for m in part.mistakes() if m not in found.mistakes]
            found.notes += [m.said for m in part.notes()]
            if len(part.best) > 1:
                found.alternatives += [c.errors for c in part.best]
            if not part.explained:
                found.unexplained.append(part.part)
        found.consistency = self._consistency(function, run, shaped, transposed)
        if found.loss_ok and found.dW_ok:
            if self.settings.reg_form == "auto":
                found.notes.append(convention_words(convention))
            found.verdict, found.score = "correct", found.max_score
            return found
        found.verdict = "incorrect"
        found.score = found.max_score * (0.5 * found.loss_ok + 0.5 * found.dW_ok)
        found.failure = self._first_failure(losses, shaped, convention)
        return found

    def _hard_coded_delta(self, losses, grads, transposed):
        """The diagnosis with the catalogue worked through for the Delta the code seems to use, read from the loss
        at W = 0 (every margin is then Delta: the loss is (K - 1) Delta, or K Delta, per example): None when no
        such Delta explains more than the catalogue did."""
        ties = losses.get("ties")
        if ties is None or not np.isfinite(ties) or ties <= 0:
            return None
        n, _, k = self.inputs["ties"].shape
        guesses = {round(ties / scale / count, 12) for scale in (1, n) for count in (k - 1, k)}
        best = None
        for value in sorted(guesses):
            if abs(value - self.settings.delta) <= 1e-9 * max(1.0, value):
                continue
            extra = mistakes.hard_coded_delta(self.loss, value, self.settings.delta)
            evaluated = {}
            for name, e in self.evaluated.items():
                more = mistakes.evaluate(self.loss, self.inputs[name], extra[0], extra[1])
                evaluated[name] = mistakes.Evaluated(e.n, e.reg, e.weights, e.penalty, e.loss_terms + more.loss_terms,
                                                     e.grad_terms + more.grad_terms)
            found = choose_convention(match_loss(losses, evaluated), match_gradient(grads, evaluated, transposed),
                                      self.loss, self.settings.reg_form, extra)
            unexplained = sum(not part.explained for part in found[1:])
            if unexplained < 2 and (best is None or unexplained < best[0]):
                best = (unexplained, found)
        return best[1] if best else None

    def _shapes(self, grads):
        """dW of each input in W's shape; whether the function returns it transposed; a shape error, if any."""
        shaped, transposed, problem = {}, False, None
        for name, grad in grads.items():
            W = self.inputs[name].W
            if grad.shape == W.shape:
                continue
            if W.ndim == 2 and grad.shape == W.shape[::-1] and W.shape[0] != W.shape[1]:
                transposed = True
            elif W.ndim == 1 and grad.size == W.size and grad.ndim == 2 and 1 in grad.shape:
                continue
            else:
                problem = (f"dW has shape {grad.shape} on input {self.inputs[name].describe()}, but W has shape "
                           f"{W.shape}: dW must have W's shape")
                return {}, False, problem
        for name, grad in grads.items():
            W = self.inputs[name].W
            if transposed and W.ndim == 2:
                if grad.shape == W.shape and W.shape[0] != W.shape[1]:
                    problem = "dW is transposed on some inputs and not on others"
                    return {}, False, problem
                shaped[name] = grad.T if grad.shape == W.shape[::-1] else grad
            else:
                shaped[name] = grad.reshape(W.shape)
        return shaped, transposed, problem

    def _first_failure(self, losses, grads, convention) -> Failure | None:
        for name, test_input in self.inputs.items():
            if name not in losses:
                continue
            loss_ref, grad_ref = mistakes.reference(self.loss, test_input, convention, self.evaluated[name])
            loss_bad = not close(losses[name], loss_ref)
            grad_bad = name in grads and not close(grads[name], grad_ref)
            if not (loss_bad or grad_bad):
                continue
            failure = Failure(name, test_input.described(), "loss" if loss_bad else "dW", losses[name], loss_ref)
            if name in grads:
                failure.entry, failure.student_entry, failure.expected_entry = largest_difference(grads[name], grad_ref)
            if test_input.small:
                failure.matrices = {"X": test_input.X, "y": test_input.y, "W": test_input.W}
                if grad_bad:
                    failure.matrices.update({"dW": grads[name], "expected dW": grad_ref})
            return failure
        return None

    def _consistency(self, function, run, grads, transposed) -> list:
        from ..engine.gradcheck import (
            FAILING,
            EntryCheck,
            band,
            kinks_crossed,
            noise_floor,
            relative_error,
            svm_margins,
        )
        found = []
        for call in self.calls:
            if call["function"] != function or call["kind"] != "gradcheck":
                continue
            name = call["input"]
            test_input = self.inputs[name]
            outcome = run.calls.get(call["id"])
            if name not in grads:
                continue
            if outcome is None or outcome.message is None or outcome.message.get("status") != "ok":
                why = outcome.failure if outcome and outcome.failure else \
                    (outcome.message.get("status") if outcome and outcome.message else "not run")
                found.append(Consistency(name, 0, [], [], problem=f"the loss at W moved by h either way could not be computed ({why})"))
                continue
            plus, minus = outcome.arrays
            plus = plus.T if transposed and plus.shape != test_input.W.shape else plus
            minus = minus.T if transposed and minus.shape != test_input.W.shape else minus
            h = float(call["h"])
            numeric = (plus - minus) / (2 * h)
            analytic = grads[name]
            W = test_input.W.reshape(test_input.W.shape[0], -1)
            numeric, analytic = numeric.reshape(W.shape), analytic.reshape(W.shape)
            margins = None
            if self.loss == "svm":
                margins = svm_margins(W, test_input.X, test_input.y, test_input.delta)
            base = float(np.nanmax(np.abs(np.concatenate([plus.ravel(), minus.ravel()])))) if plus.size else 0.0
            floor = noise_floor(base, h)
            failing, explained = [], []
            if not (np.all(np.isfinite(numeric)) and np.all(np.isfinite(analytic))):
                found.append(Consistency(name, 0, [], [], problem="the loss or dW is not a finite number"))
                continue
            for (row, col), value in np.ndenumerate(numeric):
                a = float(analytic[row, col])
                error = relative_error(a, float(value))
                entry = EntryCheck(row, col, a, float(value), error, band(error), noise=abs(a - value) <= floor)
                if entry.band not in FAILING or entry.noise:
                    continue
                if margins is not None:
                    entry.kinks = kinks_crossed(margins, test_input.X, test_input.y, (row, col), h)
                (explained if entry.kinks else failing).append(entry)
            found.append(Consistency(name, numeric.size, failing, explained))
        return found

    def _timing(self, function, run, found) -> None:
        times = {}
        for call in self.calls:
            if call["function"] != function or call["kind"] != "time":
                continue
            outcome = run.calls.get(call["id"])
            if outcome and outcome.message and outcome.message.get("status") == "ok":
                times[call["input"]] = min(outcome.message.get("times") or [float("inf")])
        if "cifar" in times:
            found.seconds["cifar"] = min(times["cifar"], found.seconds.get("cifar", float("inf")))
        wide = [f"wide-{size}" for size in WIDE]
        if all(name in times for name in wide):
            extra = (times[wide[1]] - times[wide[0]]) / (WIDE[1] - WIDE[0])
            found.per_example = extra
            found.loops = extra > LOOP_SECONDS_PER_EXAMPLE
            if found.loops:
                found.notes.append(f"loops over the examples in Python: each extra example costs "
                                   f"{extra * 1e6:.1f} µs (array code takes well under {LOOP_SECONDS_PER_EXAMPLE * 1e6:g} µs)")


def _speedup(functions) -> float | None:
    slow = [f for f in functions if naive(f.name) and "cifar" in f.seconds and f.verdict != "error"]
    fast = [f for f in functions if vectorized(f.name) and "cifar" in f.seconds and f.verdict != "error"]
    if not slow or not fast or fast[0].seconds["cifar"] <= 0:
        return None
    return slow[0].seconds["cifar"] / fast[0].seconds["cifar"]


def _failure_words(why: str) -> str:
    if why.startswith("violation: "):
        return f"{why[11:]}, which the sandbox does not allow"
    if why.startswith("not run: the function "):
        return why[len("not run: the function "):]
    return why


def _exception_words(error: dict, limits: Limits) -> str:
    kind = str(error.get("type") or "an exception")
    message = str(error.get("message") or "").strip()
    where = f" at line {error['line']} (`{error.get('code') or ''}`)" if error.get("line") else ""
    if error.get("memory"):
        return f"ran out of memory{where}: the sandbox allows {limits.memory_mb} MB"
    if error.get("file_too_large"):
        return f"wrote a file larger than the sandbox allows ({limits.file_mb} MB){where}"
    if error.get("violation"):
        return f"{message.replace('not allowed in the sandbox: ', '')}{where}, which the sandbox does not allow"
    return f"raised {kind}" + (f": {message}" if message else "") + where


__all__ = ["Settings", "Grader", "SubmissionResult", "FunctionResult", "DEFAULT_FUNCTIONS", "REG_FORMS", "number"]
