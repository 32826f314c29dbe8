"""Quantities of a batch the prose defines in words: the loss of example n ("$L_n$ is the softmax
cross-entropy loss of example $n$", "L_n is the hinge loss of example n") and the matrix of softmax
probabilities ("P is the N×C matrix of softmax probabilities"): each read as the formula the words name,
said in a context line."""
from __future__ import annotations

import re

import sympy
from sympy import Symbol

from ...engine import notation
from ...parse.written import KeptMax
from .roles import MARGIN, Definition, example_label
from .said import said, shown
from .state import Job

_EXAMPLE = r"\s+of\s+(?:the\s+)?(?:example|sample|data point|image)\s+\$?n\$?"
_LOSS_NAME = r"\$?L_\{?n\}?\$?\s+(?:is|denotes|being)\s+the\s+"
#: the softmax loss of example n said in words ("$L_n$ is the softmax cross-entropy loss of example $n$")
_CROSS_ENTROPY = re.compile(_LOSS_NAME + r"(?:softmax\s+)?cross[- ]entropy(?:\s+loss)?" + _EXAMPLE +
                            # "the data loss is the mean softmax cross-entropy" (over the examples' L_i)
                            r"|\bdata\s+loss\s+is\s+the\s+(?:mean|average)\s+(?:softmax\s+)?cross[- ]entropy",
                            re.IGNORECASE)
#: the SVM loss of example n said in words ("L_n is the hinge loss of example n", "the multiclass SVM loss")
_HINGE = re.compile(_LOSS_NAME + r"(?:multi-?class\s+)?(?:hinge|SVM)(?:\s+loss)?" + _EXAMPLE, re.IGNORECASE)
#: "P is the N×C matrix of softmax probabilities", "P denotes the softmax probabilities", "$P_{nc}$ is the softmax
#: probability of class $c$ for example $n$", "P holds the class probabilities"
_PROBABILITIES = re.compile(r"(?<![A-Za-z\\])\$?P(?:_\{?n,?\s*c\}?)?\$?\s+(?:is|denotes|holds|contains|are|for)?\s*(?:the\s+)?"
                            r"(?:\$?N\s*(?:×|x|\\times)\s*[CK]\$?\s+)?(?:matri(?:x|ces)\s+of\s+(?:the\s+)?)?"
                            r"(?:softmax|class|predicted)(?:\s+class)?\s+probabilit(?:y|ies)"
                            # "$P$ the row-wise softmax of $S$", "P = softmax(S) row by row", "P is the softmax of S"
                            r"|(?<![A-Za-z\\])\$?P(?:\s*(?:\\in|∈)\s*[^$]{1,40})?\$?\s*(?:is|denotes|=|:=|be)?\s*(?:the\s+)?"
                            r"(?:row[- ]?wise\s+)?"
                            r"softmax\s*(?:of\s+\$?(?P<of>[SFZ])\$?|\(\s*\$?(?P<arg>[SFZ])\$?\s*\))", re.IGNORECASE)


#: another point said in words for this sentence: "moving $x$ from $-2$ to $-1.99$", "if we change z to -3.9"
_MOVED = re.compile(r"\b(?:mov|chang|nudg|increas|decreas|perturb|bump|shift)(?:e|es|ed|ing)?\s+\$?(?P<name>[A-Za-z]"
                    r"(?:_\{?[A-Za-z0-9]+\}?)?)\$?\s+(?:from\s+\$?[-−]?[\d.]+\$?\s+)?(?:to|by)\s+\$?(?P<value>[-−]?\d+(?:\.\d+)?)",
                    re.IGNORECASE)


#: the target as the indicator of the label: "t = 1 if y = 1 and t = 0 otherwise", "t = 1 if the true class is 1"
_TARGET_OF_LABEL = re.compile(r"\$?t\$?\s*=\s*\$?1\$?\s+(?:if|when)\s+(?:\$?y(?:_\{?[in]\}?)?\s*=\s*1\b|the\s+"
                              r"(?:true|correct)\s+(?:class|label)\s+is\s+(?:class\s+)?\$?1\b)", re.IGNORECASE)


#: a text about two classes: "two classes", "two-class softmax", "label y ∈ {0, 1}"
_TWO_CLASSES = re.compile(r"\btwo[- ]class(?:es)?\b|\b2[- ]class(?:es)?\b|\by(?:_\{?[in]\}?)?\$?\s*(?:\\in|∈)\s*\\?\{\s*0\s*,"
                          r"\s*1\s*\\?\}", re.IGNORECASE)


#: a case given by a count in words: "two classes violating the margin", "3 margins are positive"
_COUNTED_CASE = re.compile(r"\b(?:one|two|three|four|five|no|\d+)\s+(?:classes|margins|terms)\s+(?:violat\w*|are\s+positive|"
                           r"active|are\s+violated)|\b(?:no|none\s+of\s+the|every|each|all)\s+(?:margins?|classes?|terms?)"
                           r"\s+(?:is|are)\s+(?:violated|positive|active)", re.IGNORECASE)


#: a formula about one part of the loss, said in words: "for the data part", "(data term only)", "ignoring the
#: regulariser", "without the regularization"
_PART_ONLY = re.compile(r"\b(?:for|of)\s+the\s+data\s+(?:part|term|loss)\b|\bdata\s+(?:part|term)\s+only\b|"
                        r"\b(?:ignoring|without|apart\s+from)\s+the\s+regulari[sz](?:er|ation)\b", re.IGNORECASE)


class InWords(Job):
    """Quantities of a batch defined in words."""

    def read(self, line: int):
        """What the prose of ``line`` defines in words, once per line."""
        source = self.state.source_line(line)
        if line in self.state.losses_in_words:
            return
        self.state.losses_in_words.add(line)
        if _TWO_CLASSES.search(source):
            self.state.two_classes = True       # steps about the classes are checked with K = 2
        if _TARGET_OF_LABEL.search(source):
            self.state.target_of_label = True   # t is [y = 1]: a step with t and the label y is checked with it
            self.state.losses_in_words_targets.add(line)
        counted = _COUNTED_CASE.search(source)
        if counted:                 # "two classes violating the margin": a case in words no check can take up
            self.state.unapplied.setdefault(line, counted.group(0))
        part = _PART_ONLY.search(source)
        if part:                    # "∂L/∂W = X^T ∂L/∂S for the data part": about a part of L the text does not name
            self.state.unapplied.setdefault(line, part.group(0))
        moved = _MOVED.search(source)
        if moved:                   # the sentence's numbers are at that other point: not the example's givens
            self.state.unapplied.setdefault(line, f"{moved.group('name')} = {moved.group('value')}")
        found = _PROBABILITIES.search(source)
        if found:
            self.probabilities(line, of_scores=found.group("of") or found.group("arg"))
        if _CROSS_ENTROPY.search(source):
            n = Symbol("n", integer=True)
            self.loss(-sympy.log(self.state.names.base("P")[n, example_label(n)]), line,
                      "L_n: the softmax cross-entropy of example n")
        elif _HINGE.search(source):
            self.loss(self.hinge(), line, "L_n: the hinge loss of example n")

    def loss(self, value, line: int, written: str):
        """L_n = ``value`` (L_i, with i for n, when the text writes L_i), unless the text defines it already."""
        n = Symbol("n", integer=True)
        for letter in sorted(set(re.findall(r"(?<![A-Za-z\\])L_\{?([in])\}?(?![A-Za-z0-9])", self.state.text)) or {"n"}):
            symbol = Symbol(f"L_{letter}", real=True)
            index = Symbol(letter, integer=True)
            if symbol not in self.state.names.definitions:
                self.definitions.store(symbol, (), None, value.xreplace({n: index}) if letter != "n" else value, line,
                                       written.replace("L_n", f"L_{letter}").replace("example n", f"example {letter}"))

    def hinge(self):
        """sum_{j != y_n} max(0, s_nj - s_{n,y_n} + Δ): with the text's scores of example n (s_{nc}, else the
        entries of S), Δ when the text names a margin Δ and 1 when it does not."""
        n, j = Symbol("n", integer=True), Symbol("j~", integer=True)
        names = self.state.names
        scores = names.base("s")
        if scores not in names.definitions and names.base("S") in names.definitions:
            scores = names.base("S")
        margin = MARGIN if re.search(r"\\Delta|Δ|\bdelta\b", self.state.text, re.IGNORECASE) else sympy.Integer(1)
        label = example_label(n)
        return notation.SumExcept(KeptMax(0, scores[n, j] - scores[n, label] + margin), j, label)

    def probabilities(self, line: int, of_scores: str | None = None):
        """P_{nc} = e^{S_nc} / sum_k e^{S_nk}, with S_nc = sum_d x_nd W_dc when the text does not define S (nor
        says P is the softmax of S): the softmax of each example's scores (unless the text defines P)."""
        names = self.state.names
        P = names.base("P")
        if P in names.definitions:
            return
        n, c, k, d = (Symbol(name, integer=True) for name in ("n", "c", "k~", "d~"))
        S = names.base(of_scores.upper() if of_scores else "S")      # "P = row-wise softmax of F": F's rows
        if S in names.definitions or of_scores:
            def score(col):
                return S[n, col]
        else:
            def score(col):
                return sympy.Sum(names.base("x")[n, d] * names.base("W")[d, col], (d, 0, notation.D - 1))
        body = sympy.exp(score(c)) / sympy.Sum(sympy.exp(score(k)), (k, 0, notation.K - 1))
        names.definitions[P] = Definition(P, parameters=(n, c), body=body, line=line)
        self.state.part.defined.add(P)
        self.state.see(body)
        self.state.context(line, "P", "definition", said(P[n, c], " = ", shown(body), ": the softmax "
                                                         "probabilities, as the text says in words"))
