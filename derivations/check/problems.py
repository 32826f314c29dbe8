"""Per-student problem variants: a sheet to fill in, the problem text, and an answer key, for each student.

``derive problems FAMILY --students N|ROSTER.csv --seed S -o DIR`` draws, for each student, the numbers of a
homework (scores, a label, an example's inputs and weights, a small batch, a logistic-regression example),
deterministically from the seed, the family and the student's id, so that a student's variant is the same
whenever it is made again and different from the others'. Each variant is drawn again until it exercises
every case its quantities have (:func:`cases`):

* ``svm``: at least one violated margin and one cleared one, no margin within 0.05 of 0 (its kink) unless the
  instructor asks for one exactly on it (``tie``);
* ``softmax``: every probability at least 1e-3 and needing its 3 significant figures (its 3rd figure is not a
  0 that 2 figures would give as well);
* ``weights`` (one example, s = W^T x): the SVM's cases at those scores and the softmax's;
* ``batch`` (X, y, W, reg, reg_form): violated and cleared margins among the examples', none within 0.05 of 0,
  every class some example's label, every probability at least 1e-3;
* ``logistic``: z = w^T x at least 0.1 away from 0 and y = sigma(z) in [0.02, 0.98]; the loss is asked for
  both targets, t = 0 and t = 1.

Numbers are small integers or one-decimal numbers (weights one or two decimals) a student can work by hand.
The answer key holds the references of :mod:`derivations.check` for that student's given: exact decimals where
they end, 6 significant figures otherwise, and the derivations' own formulas, printed in LaTeX; graded, every
key's answer is correct (the tests check it for 500 students of each family).
"""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

FAMILIES = ("svm", "softmax", "weights", "batch", "logistic")
#: a margin this close to 0 is a kink a hand computation may land on either side of
KINK_CLEARANCE = Fraction(1, 20)
MIN_PROBABILITY = 1e-3
MAX_DRAWS = 10_000
MAX_STUDENTS = 10_000


@dataclass
class Question:
    id: str
    quantity: str
    prompt: str                       # Markdown with $...$ maths (no user text)
    given: dict | None = None         # laid over the variant's given


@dataclass
class Variant:
    """One student's problem: the given (YAML-ready numbers: ints and one- or two-decimal floats) and questions."""

    family: str
    student: str
    given: dict
    questions: list = field(default_factory=list)


# --- drawing numbers ------------------------------------------------------------------------------------

def rng_for(family: str, seed: int, student: str) -> random.Random:
    """The random stream of one student's variant: from the family, the seed and the student id only."""
    digest = hashlib.sha256(f"derive problems|{family}|{seed}|{student}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _number(rng, low: int, high: int, integers: bool, decimals: int = 1) -> Fraction:
    """A small integer in low..high, or a number with ``decimals`` decimals in that range."""
    if integers:
        return Fraction(rng.randint(low, high))
    scale = 10 ** decimals
    return Fraction(rng.randint(low * scale, high * scale), scale)


def yaml_number(value: Fraction):
    """An int, or the float whose shortest repr is the decimal (3/10 -> 0.3): read back exactly by a sheet."""
    value = Fraction(value)
    if value.denominator == 1:
        return int(value)
    return float(value)


def _softmax(scores) -> list[float]:
    top = max(scores)
    exponentials = [math.exp(float(s - top)) for s in scores]
    total = math.fsum(exponentials)
    return [e / total for e in exponentials]


def _needs_three_figures(p: float) -> bool:
    """Whether p written to 2 significant figures differs from p written to 3 (its 3rd figure is not 0)."""
    three = float(f"{p:.3g}")
    two = float(f"{p:.2g}")
    return three != two


def _margins(scores, label, delta=1):
    return [scores[j] - scores[label] + delta for j in range(len(scores)) if j != label]


def _margin_cases(margins, tie: bool) -> bool:
    violated = any(m > 0 for m in margins)
    cleared = any(m < 0 for m in margins)
    near = [m for m in margins if abs(m) < KINK_CLEARANCE]
    if tie:
        return violated and cleared and len(near) == 1 and near[0] == 0
    return violated and cleared and not near


def _probability_cases(scores, need_figures=True) -> bool:
    probabilities = _softmax(scores)
    if min(probabilities) < MIN_PROBABILITY:
        return False
    return not need_figures or all(_needs_three_figures(p) for p in probabilities)


# --- the families ---------------------------------------------------------------------------------------

def _draw_svm(rng, tie):
    classes = rng.choice((3, 4))
    integers = rng.random() < 0.5
    scores = [_number(rng, -3, 3, integers) for _ in range(classes)]
    label = rng.randrange(classes)
    if not _margin_cases(_margins(scores, label), tie):
        return None
    return {"scores": [yaml_number(s) for s in scores], "label": label, "delta": 1}, [
        Question("Q1", "svm.loss", r"The multiclass SVM loss $L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta)$."),
        Question("Q2", "svm.dscores", r"The gradient $\partial L_i / \partial s$, one entry per class, in class order."),
        Question("Q3", "svm.dscore_incorrect",
                 r"A formula for $\partial L_i / \partial s_k$ when $k \neq y_i$ (in $s_k$, $s_{y_i}$, $\Delta$)."),
        Question("Q4", "svm.dscore_correct",
                 r"A formula for $\partial L_i / \partial s_{y_i}$ (in $s_j$, $s_{y_i}$, $\Delta$)."),
    ]


def _draw_softmax(rng, tie):
    classes = rng.choice((3, 4))
    integers = rng.random() < 0.5
    scores = [_number(rng, -2, 3, integers) for _ in range(classes)]
    label = rng.randrange(classes)
    if not _probability_cases(scores):
        return None
    return {"scores": [yaml_number(s) for s in scores], "label": label}, [
        Question("Q1", "softmax.probs", r"The probabilities $p_j = e^{s_j} / \sum_m e^{s_m}$, in class order."),
        Question("Q2", "softmax.loss", r"The cross-entropy loss $L_i = -\ln p_{y_i}$."),
        Question("Q3", "softmax.dscores", r"The gradient $\partial L_i / \partial s$, one entry per class."),
        Question("Q4", "softmax.dscore_correct", r"A formula for $\partial L_i / \partial s_{y_i}$ (in $p$)."),
        Question("Q5", "softmax.dscore_incorrect",
                 r"A formula for $\partial L_i / \partial s_k$ when $k \neq y_i$ (in $p$)."),
    ]


def _draw_weights(rng, tie):
    features = rng.choice((2, 3))
    classes = 3
    integers = rng.random() < 0.5
    inputs = [_number(rng, -2, 2, integers) for _ in range(features)]
    weights = [[_number(rng, -1, 1, False) for _ in range(classes)] for _ in range(features)]
    label = rng.randrange(classes)
    scores = [sum(weights[d][c] * inputs[d] for d in range(features)) for c in range(classes)]
    if not _margin_cases(_margins(scores, label), tie) or not _probability_cases(scores):
        return None
    given = {"inputs": [yaml_number(v) for v in inputs],
             "weights": [[yaml_number(v) for v in row] for row in weights], "label": label, "delta": 1}
    return given, [
        Question("Q1", "svm.scores", r"The scores $s = W^T x$, one per class."),
        Question("Q2", "svm.dW", r"The SVM gradient $\partial L_i / \partial W$, a $D \times K$ matrix (one row per "
                                 r"feature)."),
        Question("Q3", "softmax.dW", r"The softmax gradient $\partial L_i / \partial W$, $D \times K$."),
        Question("Q4", "svm.dw_incorrect",
                 r"A formula for the SVM's $\nabla_{w_j} L_i$ when $j \neq y_i$ (in scores or in weights)."),
        Question("Q5", "softmax.dw_correct", r"A formula for the softmax's $\nabla_{w_{y_i}} L_i$."),
    ]


def _draw_batch(rng, tie):
    examples, features, classes = 4, 3, 3
    integers = rng.random() < 0.5
    X = [[_number(rng, -2, 2, integers) for _ in range(features)] for _ in range(examples)]
    W = [[_number(rng, -1, 1, False) for _ in range(classes)] for _ in range(features)]
    labels = list(range(classes)) + [rng.randrange(classes) for _ in range(examples - classes)]
    rng.shuffle(labels)
    S = [[sum(X[n][d] * W[d][c] for d in range(features)) for c in range(classes)] for n in range(examples)]
    margins = [m for n in range(examples) for m in _margins(S[n], labels[n])]
    if not _margin_cases(margins, tie) or not all(_probability_cases(row, need_figures=False) for row in S):
        return None
    reg = rng.choice((Fraction(1, 10), Fraction(1, 20), Fraction(1, 5)))
    given = {"X": [[yaml_number(v) for v in row] for row in X], "y": labels,
             "W": [[yaml_number(v) for v in row] for row in W], "reg": yaml_number(reg),
             "reg_form": rng.choice(("full", "half"))}
    penalty = r"\lambda \sum W^2" if given["reg_form"] == "full" else r"\tfrac{1}{2} \lambda \sum W^2"
    return given, [
        Question("Q1", "svm.scores", r"The scores $S = X W$, $N \times K$."),
        Question("Q2", "svm.loss", rf"The SVM loss of the batch, $L = \frac{{1}}{{N}} \sum_n L_n + {penalty}$ "
                                   r"($\Delta = 1$)."),
        Question("Q3", "svm.dW", r"The SVM gradient $\partial L / \partial W$, $D \times K$."),
        Question("Q4", "softmax.loss", rf"The softmax loss of the batch, $\frac{{1}}{{N}} \sum_n L_n + {penalty}$."),
        Question("Q5", "softmax.dW", r"The softmax gradient $\partial L / \partial W$, $D \times K$."),
    ]


def _draw_logistic(rng, tie):
    features = rng.choice((2, 3))
    integers = rng.random() < 0.5
    weights = [_number(rng, -3, 3, False, 1) / 2 for _ in range(features)]
    inputs = [_number(rng, -2, 2, integers) for _ in range(features)]
    target = rng.choice((0, 1))
    z = sum(w * x for w, x in zip(weights, inputs))
    y = 1 / (1 + math.exp(-float(z)))
    if abs(z) < Fraction(1, 10) or not 0.02 <= y <= 0.98:
        return None
    given = {"weights": [yaml_number(v) for v in weights], "inputs": [yaml_number(v) for v in inputs],
             "target": target}
    return given, [
        Question("Q1", "logistic.y", r"The prediction $y = \sigma(w^T x)$."),
        Question("Q2", "logistic.loss", rf"The loss $L = -t \ln y - (1 - t) \ln(1 - y)$ for the target $t = {target}$."),
        Question("Q3", "logistic.dw", r"The gradient $\partial L / \partial w$, one entry per weight."),
        Question("Q4", "logistic.loss", rf"The loss for the other target, $t = {1 - target}$.",
                 {"target": 1 - target}),
        Question("Q5", "logistic.dz", r"A formula for $\partial L / \partial z$ (in $y$ and $t$)."),
    ]


_DRAW = {"svm": _draw_svm, "softmax": _draw_softmax, "weights": _draw_weights, "batch": _draw_batch,
         "logistic": _draw_logistic}


def variant(family: str, seed: int, student: str, tie: bool = False) -> Variant:
    """The variant of ``family`` for ``student`` (drawn again until it exercises every case; see the module)."""
    if family not in _DRAW:
        raise ValueError(f"unknown family {family!r}: one of {', '.join(FAMILIES)}")
    if tie and family not in ("svm", "weights", "batch"):
        raise ValueError(f"a tie (a margin exactly on its kink) is for the SVM: svm, weights or batch, not {family}")
    rng = rng_for(family, seed, student)
    for _ in range(MAX_DRAWS):
        drawn = _DRAW[family](rng, tie)
        if drawn is not None:
            given, questions = drawn
            return Variant(family, student, given, questions)
    raise RuntimeError(f"no {family} variant for {student} in {MAX_DRAWS} draws")


# --- the answer key -------------------------------------------------------------------------------------

def decimal_text(value) -> str:
    """An exact number as its decimal when it ends (0.655, -0.75), else to 6 significant figures."""
    import sympy

    from .numeric import to_float
    if isinstance(value, sympy.Rational):
        fraction = Fraction(int(value.p), int(value.q))
        q = fraction.denominator
        while q % 2 == 0:
            q //= 2
        while q % 5 == 0:
            q //= 5
        if q == 1:
            text = format(Decimal(fraction.numerator) / Decimal(fraction.denominator), "f")
            return text.rstrip("0").rstrip(".") if "." in text else text
    number = to_float(value)
    return f"{number:.6g}"


def _array_text(value) -> str:
    import sympy
    if isinstance(value, sympy.MatrixBase):
        if value.rows > 1 and value.cols > 1:
            return "[" + ", ".join("[" + ", ".join(decimal_text(v) for v in value.row(r)) + "]"
                                   for r in range(value.rows)) + "]"
        return "[" + ", ".join(decimal_text(v) for v in value) + "]"
    return decimal_text(value)


_FORMULAS: dict = {}


def formula_text(quantity) -> str:
    """The reference formula of a formula quantity, in LaTeX, in the notation an answer uses (x_i for the input,
    j for an incorrect class): printed by the reports' printer, read back by the answer grammar."""
    if quantity.name not in _FORMULAS:
        from ..engine.notation import c, feature, j, x
        from ..parse.names import i
        from ..report.printing import latex
        from .registry import Given
        expr = quantity.reference(Given()).expr
        if quantity.name.endswith((".dw_correct", ".dw_incorrect")):
            expr = expr.xreplace({x[feature]: x[i]}).xreplace({c: j})
        _FORMULAS[quantity.name] = latex(expr)
    return _FORMULAS[quantity.name]


def key_answers(problem: Variant) -> dict:
    """{question id: the key's answer} from the references of :mod:`derivations.check` for this given."""
    from .grade import reference_for
    from .quantities import lookup
    from .registry import Given
    base = Given.read(problem.given)
    answers = {}
    for question in problem.questions:
        quantity = lookup(question.quantity)
        given = base.merged(question.given)
        if quantity.kind == "expression" and not (quantity.name == "logistic.dw" and given.weights is not None):
            answers[question.id] = formula_text(quantity)
            continue
        reference = reference_for(quantity, quantity.effective(given))
        answers[question.id] = _array_text(reference.value)
    return answers


# --- the files ------------------------------------------------------------------------------------------

HEADER = ("# {family} problems for {student} (derive problems, seed {seed}). Write each answer after 'answer:',\n"
          "# numbers to 3 significant figures, formulas in LaTeX; change nothing else.\n")
KEY_HEADER = "# The answer key of the {family} problems for {student} (derive problems, seed {seed}).\n"


def sheet_text(problem: Variant, seed: int, answers: dict | None = None) -> str:
    """The YAML sheet of a variant: to fill in (answers None: empty answers) or the key (its answers)."""
    import yaml
    document = {"student": problem.student, "given": problem.given, "items": []}
    for question in problem.questions:
        item = {"id": question.id, "quantity": question.quantity}
        if question.given:
            item["given"] = question.given
        item["answer"] = "" if answers is None else answers[question.id]
        document["items"].append(item)
    body = yaml.safe_dump(document, sort_keys=False, default_flow_style=None, allow_unicode=True, width=200)
    header = HEADER if answers is None else KEY_HEADER
    return header.format(family=problem.family, student=problem.student.replace("\n", " "), seed=seed) + body


def _matrix_latex(rows) -> str:
    if rows and isinstance(rows[0], list):
        body = r" \\ ".join(" & ".join(_latex_number(v) for v in row) for row in rows)
    else:
        body = r" \\ ".join(_latex_number(v) for v in rows)
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"


def _latex_number(v) -> str:
    return str(v)


def _givens_latex(given: dict) -> list[str]:
    """Display formulas of a variant's given (numbers only: nothing a student typed)."""
    lines = []
    if "scores" in given:
        lines.append(r"s = " + _matrix_latex(given["scores"]) + r"^T, \quad y_i = " + str(given["label"])
                     + (r", \quad \Delta = " + str(given["delta"]) if "delta" in given else ""))
    if "inputs" in given and "X" not in given:
        lines.append(r"x = " + _matrix_latex(given["inputs"]))
        if isinstance(given["weights"][0], list):
            lines.append(r"W = " + _matrix_latex(given["weights"]) + r", \quad y_i = " + str(given["label"])
                         + r", \quad \Delta = " + str(given.get("delta", 1)))
        else:
            lines.append(r"w = " + _matrix_latex(given["weights"]) + r", \quad t = " + str(given["target"]))
    if "X" in given:
        lines.append(r"X = " + _matrix_latex(given["X"]) + r", \quad y = (" + ", ".join(map(str, given["y"])) + ")")
        lines.append(r"W = " + _matrix_latex(given["W"]) + r", \quad \lambda = " + str(given["reg"])
                     + r" \text{ (" + given["reg_form"] + r")}")
    return lines


TITLES = {"svm": "The multiclass SVM loss and its gradient", "softmax": "The softmax loss and its gradient",
          "weights": "Gradients with respect to the weights (one example)",
          "batch": "A batch: scores, losses and dW, regularised", "logistic": "Logistic regression"}


def markdown_text(problem: Variant, seed: int) -> str:
    """The problem text in Markdown (GitHub's and Jupyter's maths), the student's name escaped."""
    from ..report.render import escape_markdown
    lines = [f"# {TITLES[problem.family]}", "", f"Student: **{escape_markdown(problem.student)}** (variant drawn "
             f"with seed {seed}; your numbers are your own).", "", "Given:", ""]
    for formula in _givens_latex(problem.given):
        lines += ["$$", formula, "$$", ""]
    lines += ["Answer each question in your sheet (`sheets/<your id>.yaml`): numbers to 3 significant figures, "
              "vectors as `[a, b, c]`, matrices as `[[a, b], [c, d]]` (one row per row), formulas in LaTeX.", ""]
    for question in problem.questions:
        extra = f" (with {_override_words(question.given)})" if question.given else ""
        lines.append(f"- **{question.id}.** {question.prompt}{extra}")
    return "\n".join(lines) + "\n"


def latex_text(problem: Variant, seed: int) -> str:
    """The problem text as a LaTeX document (for ``--pdf``), the student's name escaped."""
    from ..report.render import escape_latex
    body = [r"\documentclass[11pt]{article}", r"\usepackage[margin=2.5cm]{geometry}", r"\usepackage{amsmath,amssymb}",
            r"\usepackage[T1]{fontenc}", r"\usepackage{lmodern}", r"\setlength{\parindent}{0pt}",
            r"\setlength{\parskip}{0.5em}", r"\begin{document}",
            r"\section*{" + escape_latex(TITLES[problem.family]) + "}",
            r"Student: \textbf{" + escape_latex(problem.student) + r"} (variant drawn with seed " + str(seed)
            + r"; your numbers are your own).", "", "Given:"]
    for formula in _givens_latex(problem.given):
        body += [r"\[", formula, r"\]"]
    body += [r"Answer each question in your sheet: numbers to 3 significant figures, formulas in \LaTeX.",
             r"\begin{enumerate}"]
    for question in problem.questions:
        extra = f" (with {_override_words(question.given)})" if question.given else ""
        body.append(r"\item[" + question.id + ".] " + question.prompt + extra)
    body += [r"\end{enumerate}", r"\end{document}", ""]
    return "\n".join(body)


def _override_words(given: dict) -> str:
    return ", ".join(f"${key} = {value}$" for key, value in given.items())


# --- students -------------------------------------------------------------------------------------------

ID_COLUMNS = ("id", "student id", "sis user id", "sis login id", "login", "username", "user", "student", "email",
              "name")


def students_from(spec: str) -> list[str]:
    """The student ids: s001 .. sN for a count, or a roster CSV's id column (ValueError naming the problem)."""
    text = str(spec).strip()
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= MAX_STUDENTS:
            raise ValueError(f"--students must be 1 to {MAX_STUDENTS}, not {count}")
        width = max(3, len(str(count)))
        return [f"s{n:0{width}d}" for n in range(1, count + 1)]
    import csv
    import io

    from .lms import read_roster
    rows = list(csv.reader(io.StringIO(read_roster(text))))
    if len(rows) < 2:
        raise ValueError(f"the roster {text} needs a header row and one row per student")
    header = [h.strip().casefold() for h in rows[0]]
    column = next((header.index(name) for name in ID_COLUMNS if name in header), 0)
    ids = [row[column].strip() for row in rows[1:] if len(row) > column and row[column].strip()]
    if not ids:
        raise ValueError(f"the roster {text} has no student ids in its column {rows[0][column]!r}")
    if len(ids) > MAX_STUDENTS:
        raise ValueError(f"the roster {text} has {len(ids)} students; at most {MAX_STUDENTS}")
    seen = set()
    for student in ids:
        if student.casefold() in seen:
            raise ValueError(f"the roster {text} lists {student!r} twice in its column {rows[0][column]!r}")
        seen.add(student.casefold())
    return ids


def files_for(family: str, students, seed: int, tie: bool = False):
    """Yield (relative path, text) of every file: sheets/, problems/ (Markdown) and keys/ for each student, and
    (student, LaTeX) pairs for PDFs are made by the caller from :func:`latex_text`."""
    from .lms import safe_name
    taken: set = set()
    for student in students:
        stem = safe_name(student)
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        problem = variant(family, seed, student, tie)
        yield name, problem, {
            f"sheets/{name}.yaml": sheet_text(problem, seed),
            f"problems/{name}.md": markdown_text(problem, seed),
            f"keys/{name}.yaml": sheet_text(problem, seed, key_answers(problem)),
        }


__all__ = ["FAMILIES", "variant", "key_answers", "sheet_text", "markdown_text", "latex_text", "students_from",
           "files_for", "rng_for", "decimal_text"]
