"""What the text sets up around its maths: its problems, the prose (loss labels, cases that end,
class names, sigmoid functions), hints and given values."""
from __future__ import annotations

import re

import sympy
from sympy import Symbol

from ...engine import notation
from ...parse.errors import ParseError
from . import context as prose
from .document import Math, Prose
from .roles import MARGIN, MATRIX_SHAPES, Definition, example_label
from .said import said, shown, sigmoid_said
from .state import Job, Problem
from .statements import read_row
from .wording import normalized, numbered


class Setup(Job):
    """What the text sets up around its maths."""

    def prescan(self):
        text = self.state.text
        self.state.names.classes = prose.class_names(text)
        self.classes_from_subscripts(text)
        for hint in self.state.extra_hints:
            self.hint(hint, 0)
        if self.state.loss:
            self.hint(f"loss {self.state.loss}", 0)
        if self.state.given:
            self.apply_given(self.state.given, 0)
        label = prose.class_label(text, self.state.names.classes)
        if label is not None and self.state.givens.label is None:
            self.state.givens.label = label
            self.state.context(0, f'y_i is "{self.state.names.classes[label]}"', "given", said(notation.y, " = ", sympy.Integer(label)))
        if self.state.names.classes:
            self.state.context(0, "classes " + ", ".join(self.state.names.classes), "given",
                          ", ".join(f"{c} = {i}" for i, c in enumerate(self.state.names.classes)))
        for letter in prose.sigmoid_functions(text):
            function = sympy.Function(letter, real=True)
            self.state.names.functions[letter] = function
            u = Symbol("u_", real=True)
            self.state.names.definitions[function] = Definition(function, parameters=(u,), body=notation.sigmoid(u))
            self.state.context(0, f"{letter}(s) is the sigmoid", "definition", sigmoid_said(sympy.Function(letter)))
        if prose.softmax_without_p(text):
            m, m_ = Symbol("m", integer=True), Symbol("m~", integer=True)
            letter = prose.score_letter(text)
            scores = notation.s if letter == "s" else self.state.names.base(letter)     # f_k = w_k^T x: the f
            body = sympy.exp(scores[m]) / sympy.Sum(sympy.exp(scores[m_]), (m_, 0, notation.K - 1))
            self.state.names.definitions[notation.p] = Definition(notation.p, parameters=(m,), body=body)
            self.state.context(0, "softmax", "definition", said(notation.p[m], " = ", shown(body), ": the text is "
                                                                 "about the softmax and does not define ",
                                                                 Symbol("p")))
        if "Y" in prose.matrix_letters(text) and not re.search(
                r"(?<![A-Za-z\\])Y_\{?[a-z]{1,2}\}?\s*&?=(?!\s*1\s*\$?\s*(?:\\text\{\s*)?(?:iff|if|when|exactly))", text):
            n, c = Symbol("n", integer=True), Symbol("c", integer=True)
            base = self.state.names.base("Y")
            self.state.names.definitions[base] = Definition(base, parameters=(n, c),
                                                            body=sympy.KroneckerDelta(c, example_label(n)))
            self.state.context(0, "Y", "definition", said(base[n, c], " = ", shown(self.state.names.definitions[base].body),
                                                           ": the one-hot labels (the text does not define ",
                                                           Symbol("Y"), ")"))
        self.state.einstein = prose.uses_einstein(text) if self.state.hints.einstein is None else self.state.hints.einstein
        if self.state.einstein:
            self.state.context(0, "x_{nd} W_{dc}", "note", said("an index repeated in a product of a feature index (",
                                                            Symbol("d"), ") is summed over the features "
                                                            "(Einstein's convention)"))
        self.scan_parts()
        self.enter_part(0)
        implied = prose.implied_loss(text)
        if implied is not None and self.state.part.loss is None:
            self.set_loss(implied, 0, None)         # "Worked example: multiclass SVM", L_i only given by numbers
            one, bare = Symbol("L_i", real=True), Symbol("L", real=True)
            letter = prose.score_letter(text)
            if letter != "s" and one in self.state.names.definitions:     # f = Wx: the loss of the text's f
                found = self.state.names.definitions[one]
                scores = self.state.names.base(letter)
                if isinstance(found.value, sympy.Basic):
                    found.value = found.value.xreplace({notation.s: scores})
            if one in self.state.names.definitions and bare not in self.state.names.definitions:
                self.state.names.definitions[bare] = self.state.names.definitions[one]    # L for that one loss
                self.state.part.defined.add(bare)

    def classes_from_subscripts(self, text: str):
        """Class names the text writes as subscripts (p_cat, p_dog, p_bird) without listing them: the class
        the label names ("true class cat (y_i = 0)") at its index, the others in the order the text first
        writes them; said in a context line."""
        if self.state.names.classes:
            return
        words = prose.named_subscripts(text)
        stated = prose.stated_class(text)
        if words and stated is not None and stated[0] not in words:
            words.insert(min(stated[1], len(words)), stated[0])      # "true class cat (y_i = 0)", p_dog, p_bird
        if not words or len(words) > 12:
            return
        classes: list = [None] * len(words)
        if stated is not None and stated[0] in words and stated[1] < len(words):
            classes[stated[1]] = stated[0]
        rest = iter(w for w in words if w not in classes)
        classes = [c if c is not None else next(rest) for c in classes]
        self.state.names.classes = classes
        self.state.context(0, ", ".join(words), "note", "class names taken in the order the text first writes them"
                           + (f" ({stated[0]} is class {stated[1]}, as the text says)" if stated else "") + ": "
                           + ", ".join(f"{c} = {i}" for i, c in enumerate(classes)))

    def scan_parts(self):
        """The math of each problem (for the letters used as vectors) and its stated cases and heads."""
        index = 0
        texts = {0: []}
        self.state.row_starts_part = {}
        for piece in self.state.document.pieces:
            if isinstance(piece, Prose) and prose.is_part_start(piece.text):
                index += 1
                texts[index] = []
            elif isinstance(piece, Math):
                for row in piece.rows:
                    if numbered(read_row(row.text).label) and texts[index]:
                        index += 1
                        texts[index] = []
                        self.state.row_starts_part[row.line] = True
                    texts[index].append(row.text)
        self.state.part_rows = texts
        self.state.stated = self.stated_cases()
        self.state.all_heads = set(self.heads([row for rows in texts.values() for row in rows]))
        self.state.part_texts = {k: " $ ".join(v) for k, v in texts.items()}
        self.state.part_count = index

    def stated_cases(self) -> dict:
        """Per problem, the maths the prose introduces as a case ("While $T = k$", "For $$j \\neq y_i$$")."""
        stated, index, words = {0: []}, 0, ""
        for piece in self.state.document.pieces:
            if isinstance(piece, Prose):
                if prose.is_part_start(piece.text):
                    index += 1
                    stated[index] = []
                words = piece.text if piece.text.strip() else words
            elif isinstance(piece, Math):
                for row in piece.rows:
                    if self.state.row_starts_part.get(row.line):
                        index += 1
                        stated[index] = []
                if prose.last_word(words) in ("if", "when", "while", "for", "or", "whenever"):
                    stated.setdefault(index, []).extend(r.text for r in piece.rows)
                words = ""
        return stated

    def enter_part(self, index: int):
        self.state.part = Problem(index=index)
        self.state.names.current = self.state.part.defined
        self.state.last = None
        self.state.last_cases = []
        text = self.state.part_texts.get(index, "")
        self.state.names.plain_vectors = prose.plain_vector_letters(text)
        self.state.names.vector_families = prose.vector_family_letters(text)
        self.state.names.example_vectors = prose.vector_family_examples(text, self.state.names.vector_families)
        self.state.names.matrix_letters = prose.matrix_letters(text)
        self.state.names.example_counts = prose.example_count_letters(self.state.text)
        self.state.names.c_counts_classes = prose.counts_classes_with_c(self.state.text)
        self.state.names.one_based = prose.numbers_classes_from_one(self.state.text)
        self.state.names.one_hot_of = prose.one_hot_label_letter(self.state.text)
        self.state.names.label_letter = prose.label_letter(self.state.text)
        self.state.names.e_is_a_name = prose.defines_e(self.state.text)
        self.state.names.one_hot_y, label = prose.one_hot_target(self.state.text)
        if self.state.names.one_hot_y and label:
            self.state.names.one_hot_of = label
            if self.state.names.label_letter is None and label not in ("y", "k", "j", "i") \
                    and self.state.names.one_hot_y != "y" and not re.search(r"(?:Σ|\\sum|\bsum)_\{?i\b", self.state.text):
                self.state.names.label_letter = label       # "one-hot (t_c = 1 for the true class c)": c is the label
        self.state.names.input_after_transpose = prose.input_after_transpose(text)
        self.state.names.weights_by_rows = prose.weights_by_rows(self.state.text)
        self.state.names.writes_matrix_w = bool(re.search(r"(?<![A-Za-z\\])W(?![A-Za-z])", self.state.text))
        for condition in self.state.hints.assume:
            self.cases.persistent_condition(condition, 0)
        stated = []
        for math_text in re.findall(r"[^$]+", text):
            for clause in re.findall(r"(?:\\text\{\s*(?:if|when|while|for|as)\s*\}|\b(?:if|when|while|for))"
                                     r"\s*([^\\$&]*?(?:\\neq?|=)[^\\$&]*)", math_text):
                stated.append(clause)
        self.state.part.stated_conditions = stated + list(self.state.stated.get(index, []))
        self.state.part.heads = self.heads(self.state.part_rows.get(index, []))

    def heads(self, rows) -> list[str]:
        heads = []
        for row in rows:
            try:
                statement = read_row(row)
            except (ParseError, ValueError):
                continue
            for chain in statement.chains:
                if chain.parts and chain.relations and not chain.continued:
                    heads.append(normalized(chain.parts[0]))
        return heads

    def hint(self, text: str, line: int):
        self.state.quiet = 0 < line < self.state.resume or (line == 0 and self.state.resume > 0)
        try:
            meaning = prose.read_hint(text, self.state.hints)
        except ValueError as error:
            self.state.context(line, "derive: " + text, "hint", f"not read: {error}")
            return
        problems = self.state.hints.problems
        if problems:
            meaning = "not read: " + "; ".join(problems)
            self.state.hints.problems = []
        self.state.context(line, "derive: " + text, "hint", meaning)
        if text.strip().lower().startswith("assume") and line:
            self.cases.persistent_condition(text.strip()[len("assume"):].strip(), line)
        elif text.strip().lower().startswith("loss"):
            self.set_loss(self.state.hints.loss, line, self.state.hints.margin)
        elif text.strip().lower().startswith("given"):
            self.apply_given(self.state.hints.given, line)
        elif text.strip().lower().startswith("log"):
            self.state.names.log_base = self.state.hints.log_base
        elif text.strip().lower().startswith("define"):
            self.reader.row_text(self.state.hints.define[-1], line, mode="define")

    def apply_given(self, given: dict, line: int):
        if "classes" in given:
            self.state.names.classes = list(given["classes"])
        if "scores" in given:
            self.state.givens.scores = [sympy.Rational(v) for v in given["scores"]]
        if "label" in given:
            label = given["label"]
            if isinstance(label, str) and label in self.state.names.classes:
                label = self.state.names.classes.index(label)
            self.state.givens.label = int(label)
        if "delta" in given:
            deltas = given["delta"] if isinstance(given["delta"], list) else [given["delta"]]
            self.state.givens.values[MARGIN] = [sympy.Rational(v) for v in deltas]

    def prose(self, piece: Prose):
        self.state.quiet = piece.line < self.state.resume
        text = piece.text
        if not text.strip():
            self.state.pending_words = ""
            self.state.part.conditions = [c for c in self.state.part.conditions if not c[3]]
            return
        if prose.is_part_start(text):
            self.enter_part(self.state.part.index + 1)
            self.state.pending_words = ""
        kind = prose.loss_label(text)
        if kind:
            self.set_loss(kind, piece.line, None)
        self.shapes(text, piece.line)
        self.in_words.read(piece.line)
        if prose.ends_cases(text):
            self.end_cases(piece.line, text)
        self.state.pending_words = text
        self.state.intro = text

    def shapes(self, text: str, line: int):
        """ "X is N x D, W is D x K": the shape of a matrix said in words; read (it is the shape the checks
        give that matrix) when it is the course's, a note saying so when it is not."""
        for letter, rows, cols in prose.stated_shapes(text):
            counts = {"N": notation.N, "D": notation.D, "K": notation.K, "C": notation.K}
            known = MATRIX_SHAPES.get(letter)
            stated = (counts.get(rows), counts.get(cols))
            if known is not None and stated == known:
                self.state.context(line, f"{letter} is {rows} x {cols}", "given", f"{letter} has {rows} rows and "
                                                                                  f"{cols} columns")
            else:
                self.state.context(line, f"{letter} is {rows} x {cols}", "note", "a shape said in words: not used")

    def end_cases(self, line, text):
        """ "In one formula", "for all j and k", "in both cases": the cases stated before no longer hold."""
        self.state.part.general = True
        if self.state.part.conditions:
            self.state.part.conditions = [c for c in self.state.part.conditions if c[1] == 0]
            self.state.context(line, text.strip()[:80], "note", "the cases stated before end here")

    def set_loss(self, kind: str | None, line: int, margin):
        if kind is None:
            return
        part_text = self.state.part_texts.get(self.state.part.index, "")
        if margin is None and kind == "svm":
            margin = MARGIN if re.search(r"\\Delta|Δ|\bDelta\b", part_text or self.state.text) else sympy.Integer(1)
        uses_weights = bool(re.search(r"\\(?:mathbf|underline|boldsymbol)\{w\}|w_j\^T|w_\{?y_i", part_text))
        symbols, indexed, described = prose.loss_definitions(kind, margin, uses_weights)
        for name, value in symbols.items():
            symbol = Symbol(name, real=True)
            self.state.names.definitions[symbol] = Definition(symbol, value=value, line=line, written=name)
            self.state.part.defined.add(symbol)
            self.state.see(value)
        for letter, (parameters, body) in indexed.items():
            base = self.state.names.base(letter)
            self.state.names.definitions[base] = Definition(base, parameters=parameters, body=body, line=line)
            self.state.part.defined.add(base)
            self.state.see(body)
        self.state.part.loss = kind
        self.state.part.conditions = [c for c in self.state.part.conditions if c[1] == 0]
        self.state.last = None
        self.state.context(line, f"{kind}:", "loss", described)
