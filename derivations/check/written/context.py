"""What the prose around the maths says: where a new problem starts, which loss a part is about,
the class names and label of a worked example, a function named in words, hints.

All of it is read with a few patterns, never by evaluating anything; what is read is reported
as a context line, so a reader sees what the checker assumed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from ...engine import notation

#: a line that starts a new problem: a heading, "Task 2", "Question 1:", "2. Please ...", "**3."
_PART = re.compile(
    r"^\s*(?:#{1,6}\s|\**\s*Q\s*\d+(?:\.\d+)*\s*(?:\([a-z]\))?\s*[:.)]|"
    r"\*\*\s*(?:task|question|problem|exercise|part)\b|(?:task|question|problem|exercise|part)"
    r"\s*\d+\s*[:.)]?|\*\*\s*\d+\s*\.|\d+\s*\.\s+(?:please|write|derive|show|compute|explain|compare|prove|the|"
    r"using|given|find|for|consider)|(?:a\s+)?(?:new|next|another|second|third|last)\s+(?:problem|question|task|"
    r"exercise|part)\b)",
    re.IGNORECASE)
#: a line that names the loss the formulas below it are about: "SVM:", "Softmax:"
_LOSS_LABEL = re.compile(r"^\s*\**\s*(svm|hinge|multiclass svm|softmax|cross[- ]entropy|logistic(?: regression)?)"
                         r"\s*\**\s*:\s*\**\s*$", re.IGNORECASE)
_CLASSES = re.compile(r"classes\s*\[\s*((?:[\"'][A-Za-z_]\w*[\"']\s*,?\s*)+)\]", re.IGNORECASE)
_CLASS_LABEL = re.compile(r"y_i\s*\$?\s*(?:is|=)\s*[\"']([A-Za-z_]\w*)[\"']"
                          # "Our image is a **dog**", "the image is a cat", "the true class is dog"
                          r"|\b(?:image|example|picture|photo|sample)\s+is\s+(?:a|an)\s+\**([a-z]{3,})\**"
                          r"|\b(?:true|correct)\s+class\s+is\s+\**([a-z]{3,})\**", re.IGNORECASE)
_SIGMOID = re.compile(r"\b([a-z])\s*\(\s*[a-z]\s*\)\s+is\s+the\s+(?:sigmoid|logistic)\b"
                      r"|\b(?:sigmoid|logistic)(?:\s+function)?(?:\s+is)?\s+\$?([a-z])\s*\(\s*[a-z]\s*\)\s*=",
                      re.IGNORECASE)                    # "f(s) is the sigmoid", "The sigmoid is s(x) = ..."
_EINSTEIN = re.compile(r"[A-Za-z]_\{([a-z])([a-z])\}\s*[A-Za-z]_\{\s*\2\s*,?\s*[a-z]")
_WORD = re.compile(r"[A-Za-z]+")


def is_part_start(prose: str) -> bool:
    return bool(_PART.match(prose))


def loss_label(prose: str) -> str | None:
    """``svm``, ``softmax`` or ``logistic`` when the line is only a loss's name and a colon."""
    found = _LOSS_LABEL.match(prose)
    if not found:
        return None
    word = found.group(1).lower()
    if word in ("svm", "hinge", "multiclass svm"):
        return "svm"
    if word.startswith("logistic"):
        return "logistic"
    return "softmax"


#: a loss written as a formula (L_i = sum_j max(0, ...), L = -log p_y, \ell(w) = ...)
_LOSS_FORMULA = re.compile(r"(?<![A-Za-z\\])(?:L|J|\\ell|ℓ|\\mathcal\{L\})(?:_\{?[A-Za-z]{1,4}\}?)?(?:\^\{?[A-Za-z]+\}?)?\s*"
                           r"(?:\([^)]*\))?\s*&?\s*(?::=|=)\s*[^\n$]*?(?:max|\\sum|sum|Σ|log|ln)[^\n$]*?"
                           r"[A-Za-z]_\{?\s*(?:\\text\{)?[a-z]")    # through named scores (s_j, f_{y_i}, L_n, p_{\text{cat}}),
    #                                                                             not numbers only


def implied_loss(text: str) -> str | None:
    """``svm`` when the text is about the multiclass SVM (hinge) loss and never writes a loss as a formula (a
    worked example that only gives L_i by numbers): the loss the text's numbers are of; else None."""
    if not re.search(r"\bSVM\b|\bhinge\b", text, re.IGNORECASE) \
            or re.search(r"softmax|cross[- ]entropy|logistic|sigmoid|(?:log|ln)\s*\(?\s*p\b|(?:log|ln)\s*\(?\s*p_",
                         text, re.IGNORECASE):
        return None
    return None if _LOSS_FORMULA.search(text) else "svm"


_CLASS_LIST = re.compile(r"(?:classes|labels|for|over)\s*:?\s*\[\s*([A-Za-z]{3,}(?:\s*,\s*[A-Za-z]{3,})+)\s*\]"
                         # "classes in the order (dog, cat, ship)"
                         r"|(?:classes|labels)\s+in\s+(?:the\s+)?order\s*:?\s*[(\[]\s*([A-Za-z]{3,}(?:\s*,\s*[A-Za-z]{3,})+)\s*[)\]]"
                         r"|class\s+order\s*(?:is|:)?\s*[(\[]\s*([A-Za-z]{3,}(?:\s*,\s*[A-Za-z]{3,})+)\s*[)\]]"
                         # "Classes in order: cat, dog, ship, frog."
                         r"|(?:classes|labels)\s+in\s+(?:the\s+)?order\s*:\s*([A-Za-z]{3,}(?:\s*,\s*(?:and\s+)?[A-Za-z]{3,})+)\b",
                         re.IGNORECASE)
_CLASS_WORDS = re.compile(r"(?:classes|for|labels)\s*:?\s*([a-z]{3,}(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)[a-z]{3,})+)",
                          re.IGNORECASE)
_CLASS_IS = re.compile(r"class\s+(?:is\s+)?(?:the\s+)?[\"']?([a-z]{3,})[\"']?\s*\(\s*\$?\s*y_\{?i\}?\s*=\s*(\d)\s*\$?\s*\)",
                       re.IGNORECASE)
_WORD_SUBSCRIPT = re.compile(r"(?<![A-Za-z\\])[A-Za-z]'*\s*_\s*(?:\{\s*(?:\\(?:text|mathrm|textrm)\s*\{\s*)?"
                             r"([a-z]{3,})\s*\}?\s*\}|([a-z]{3,})\b)")
#: subscripts that are not class names
_NOT_CLASSES = {"max", "min", "sum", "exp", "log", "svm", "softmax", "hinge", "true", "pred", "reg", "data", "total",
                "batch", "new", "old", "text", "mathrm", "correct", "wrong", "ce", "cross", "train", "test", "hat",
                "bar", "tilde", "prev", "next", "out"}


def class_names(text: str) -> list[str]:
    """The class names the text lists: classes ["cat", "dog", "bird"], or for [cat, dog, bird]."""
    found = _CLASSES.search(text)
    if found:
        return re.findall(r"[\"']([A-Za-z_]\w*)[\"']", found.group(1))
    found = _CLASS_LIST.search(text)
    if found:
        return [re.sub(r"^and\s+", "", w.strip()) for w in
                (found.group(1) or found.group(2) or found.group(3) or found.group(4)).split(",")]
    written = set(named_subscripts(text))
    for found in _CLASS_WORDS.finditer(text):                 # "for cat, dog, bird" when p_cat, p_dog are written
        words = [w for w in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", found.group(1)) if w]
        if 2 <= len(words) <= 12 and set(words) & written and len(set(words)) == len(words):
            return words
    return []


def class_label(text: str, classes: list[str]) -> int | None:
    for found in _CLASS_LABEL.finditer(text):
        name = found.group(1) or found.group(2) or found.group(3)
        if name in classes:
            return classes.index(name)
    return None


def stated_class(text: str) -> tuple[str, int] | None:
    """ "the true class is cat ($y_i = 0$)": the class name the label stands for."""
    found = _CLASS_IS.search(text)
    return (found.group(1), int(found.group(2))) if found else None


def named_subscripts(text: str) -> list[str]:
    """Words written as subscripts (p_cat, s_{dog}), in the order the text first writes them."""
    seen: list[str] = []
    for match in _WORD_SUBSCRIPT.finditer(text):
        word = match.group(1) or match.group(2)
        if word.lower() not in _NOT_CLASSES and word not in seen:
            seen.append(word)
    return seen


_SHAPE = re.compile(r"(?<![A-Za-z\\$])([A-Z])\s+is\s+(?:an?\s+)?([A-Z])\s*(?:x|×|\\times|by)\s*([A-Z])(?![A-Za-z])")


#: "a batch of $m$ examples", "m training examples", "over M samples": the letter that counts the examples
_EXAMPLE_COUNT = re.compile(r"(?<![A-Za-z\\])\$?\s*([mM])\s*\$?\s+(?:training\s+|labelled\s+|labeled\s+)?"
                            r"(?:examples|samples|data\s*points|images|inputs)\b")


#: C as the number of classes: a sum up to C, C - 1 terms, D x C, "C classes", (f_1, ..., f_C), 1..C
_C_COUNTS = re.compile(r"\^\s*\{?\s*C\s*\}|\^C\b|(?<![A-Za-z\\])C\s*-\s*1\b|(?:\\times|×)\s*C\b|(?<![A-Za-z\\])C\s+"
                       r"(?:classes|terms|scores)|(?:\\[lc]?dots|…|\.\.\.?)\s*,?\s*[a-z]_\{?C\}?|1\s*\.\.\s*C\b")


#: the text numbers its classes (entries) from 1: "classes numbered from 1", "1-indexed", "index from 1"
#: the classes counted from 0, said outright
_ZERO_BASED = re.compile(r"count(?:ed|ing)?\s+from\s+0|number(?:ed|ing)?\s+from\s+0|\b0-(?:indexed|based)|"
                         r"\bzero-(?:indexed|based)|"
                         r"index(?:ed|ing)?\s+from\s+0", re.IGNORECASE)
_ONE_BASED = re.compile(r"numbered\s+from\s+1|\b1-indexed|\bone-indexed|index(?:ed|ing)?\s+from\s+1|"
                        # o_1, ..., o_C; classes 1 to 4; classes $1, \dots, C$
                        r"(?<![A-Za-z\\])[a-z]_\{?1\}?\s*,\s*(?:\\[lc]?dots|\.\.\.|…)\s*,?\s*[a-z]_\{?[CK]\}?(?![A-Za-z])|"
                        r"\bclasses\s+\$?1\$?\s*(?:to|-|–|,\s*(?:\\[lc]?dots|\.\.\.|…)\s*,)\s*\$?(?:\d|[CK])\b|"
                        r"count(?:ed|ing)?\s+from\s+1|number(?:ed|ing)?\s+(?:the\s+)?(?:classes|entries)\s+from\s+1",
                        re.IGNORECASE)


#: a single letter with a one-digit subscript (s_1, p_{3}, m₄) and what follows it
_DIGIT_SUBSCRIPT = re.compile(r"(?<![A-Za-z0-9\\])[A-Za-z](?:_\{?\s*(\d)\s*\}?(?![0-9])|([₀-₉]))")
#: the two digits of a matrix entry: J_12, J_{12}, J_{1,2}
_ENTRY_SUBSCRIPT = re.compile(r"(?<![A-Za-z0-9\\])[A-Z]_\{?\s*(\d)\s*,?\s*(\d)\s*\}?(?![0-9])")
_UNICODE_DIGITS = {chr(0x2080 + d): str(d) for d in range(10)}


def numbers_classes_from_one(text: str) -> bool:
    """Whether the text numbers classes from 1 (y = 1 is the first entry, p_1 the first probability): it says so,
    or it writes entries with number subscripts, up to 2 or more and never 0 (m₁, m₃, m₄ of four classes)."""
    if _ZERO_BASED.search(text):
        return False                            # "y = 1 (the middle class, counting from 0)": said outright
    if _ONE_BASED.search(text):
        return True
    digits = {m.group(1) or _UNICODE_DIGITS[m.group(2)] for m in _DIGIT_SUBSCRIPT.finditer(text)}
    digits |= {d for m in _ENTRY_SUBSCRIPT.finditer(text) for d in m.groups()}     # J_11 ... J_33 of a 3 x 3 J
    if digits == {"1", "2"} and _TWO_CLASSES_SAID.search(text):
        return True                             # (s_1, s_2) of two classes, "C = 2": the classes 1 and 2
    return bool(digits) and "0" not in digits and max(int(d) for d in digits) >= 3


#: a text of two classes: "C = 2", "K = 2", "two classes", "two-class"
_TWO_CLASSES_SAID = re.compile(r"(?<![A-Za-z\\])[CK]\$?\s*=\s*\$?2\b|\btwo[- ]class(?:es)?\b|\b2[- ]class(?:es)?\b",
                               re.IGNORECASE)


#: "with y the one-hot encoding of c", "y is the one-hot vector of the label c"
_ONE_HOT_OF = re.compile(r"\by\$?\s+(?:is\s+|=\s+|as\s+|denotes\s+)?the\s+one[- ]hot\s+(?:encoding|vector|version)\s+of\s+"
                         r"(?:the\s+(?:label|class|true class)\s+)?\$?([a-z])\b", re.IGNORECASE)


#: y (or t) called a one-hot vector: "a one-hot target y (true class c)", "y is the one-hot label vector"
_ONE_HOT_Y = re.compile(r"one[- ]hot\s+(?:target|vector|label(?:\s+vector)?|encoding)\s+\$?\\?(?:mathbf\{)?([yt])\b"
                        r"(?:[^.\n]{0,40}?(?:true|correct)\s+class\s+\$?([a-z])\b)?", re.IGNORECASE)


#: y (or t) said to be one-hot after it: "$\mathbf{y}$ one-hot", "y is one-hot", "t ∈ {0,1}^K one-hot"
_Y_ONE_HOT = re.compile(r"(?<![A-Za-z\\_])(?:\\(?:mathbf|boldsymbol|vec)\{([yt])\}|([yt]))\$?\s+(?:is\s+(?:a\s+|the\s+)?|"
                        r"(?:∈|\\in\b|in\b)\s*\\?\{\s*0\s*,\s*1\s*\\?\}\s*\^\s*\{?[KC]\}?\$?\s+)?one[- ]hot\b"
                        r"(?:[^.\n]{0,40}?(?:true|correct)\s+class\s+\$?([a-z])\b)?", re.IGNORECASE)


def one_hot_target(text: str) -> tuple[str, str | None]:
    """(the letter the text calls a one-hot target, y or t, or ""; the letter of its true class when it names
    one)."""
    found = _ONE_HOT_Y.search(text)
    if found:
        return found.group(1), found.group(2)
    after = _Y_ONE_HOT.search(text)
    if after:
        return after.group(1) or after.group(2), after.group(3)
    return "", None


def defines_e(text: str) -> bool:
    """Whether the text defines a name e (e = d + c, a node of a graph): then e is that name, not Euler's e."""
    return bool(re.search(r"(?<![A-Za-z\\^_{])e\s*&?\s*=(?!=)\s*(?!2\.718|\\exp)[A-Za-z(\\]", text))


def one_hot_label_letter(text: str) -> str:
    """The label letter a plain y stands for the one-hot vector of ("y the one-hot encoding of c": c); else y."""
    found = _ONE_HOT_OF.search(text)
    return found.group(1) if found else "y"


def counts_classes_with_c(text: str) -> bool:
    """Whether the text writes C for the number of classes (C - 1 terms, sum_{k=1}^{C}): C is K then."""
    return bool(_C_COUNTS.search(text))


def example_count_letters(text: str) -> set[str]:
    """Letters the prose counts the examples with (m in "a batch of m examples"): read as N in sum bounds."""
    return {m.group(1) for m in _EXAMPLE_COUNT.finditer(text)}


#: W \in \mathbb{R}^{C \times D}, "W is C x D", "W is a K by D matrix": a row per class
_WEIGHTS_BY_ROWS = re.compile(r"(?<![A-Za-z\\])W\$?\s*(?:\\in\s*\\mathbb\s*\{?R\}?\s*\^\s*\{?|∈\s*ℝ\s*\^?\s*\{?|is\s+(?:an?\s+)?\$?)"
                              r"\s*[CK]\s*(?:\\times|×|x|by)\s*D\b")


#: "one row of W per class", "a row per class", "W has 3 rows w_0, w_1, w_2", "the rows of W are the classes"
_ROW_PER_CLASS = re.compile(r"\b(?:one|a)\s+row\s+(?:of\s+\$?W\$?\s+)?(?:per|for\s+each)\s+class|\$?W\$?\s+has\s+"
                            r"(?:\d+|[CK]|\$[CK]\$)\s+rows|rows\s+of\s+\$?W\$?\s+(?:are|hold)\s+the\s+class|"
                            r"\brows\s+\$?\\?(?:mathbf\{)?w\}?_\{?[a-z]\}?\$?\s+of\s+\$?W\b|\bW\$?\s+has\s+rows\s+\$?w_|"
                            r"\brows\s+\$?w_\{?\w\}?\s*,\s*(?:\\[lc]?dots|…|\.\.\.?)\s*,\s*w_\{?\w\}?\$?\s+of\s+\$?W\b|"
                            r"\brow\s+\$?[a-z]\$?\s*(?:=|is)\s*(?:the\s+)?weights\s+of\s+class|"
                            r"\b(?:\d+|[CK])\s+classes\s*(?:x|×|by|\\times)\s*(?:\d+|D)\s+features|\bweight\s+rows\b|"
                            r"\b[CK]\s*(?:\\times|×|x)\s*D\$?,?\s+(?:like|as|the\s+same\s+(?:shape|size)\s+as)\s+\$?W\b",
                            re.IGNORECASE)


def weights_by_rows(text: str) -> bool:
    """Whether the text gives W a row per class (W in R^{C x D}, "one row of W per class"): the course's W is
    D x K."""
    if _WEIGHTS_BY_ROWS.search(text) or _ROW_PER_CLASS.search(text):
        return True
    return False


#: W written left of an input vector: s = W x, f = W\mathbf{x}_i, W·x (not W^T x, not X W)
_W_TIMES_X = re.compile(r"(?<![A-Za-z\\^])(?:\\mathbf\{W\}|W)\s*(?:\\cdot|·|\*)?\s*(?:\\mathbf\{x\}|\\boldsymbol\{x\}|x)"
                        r"(?:_\{?[a-z]\}?)?(?![A-Za-z])")


def writes_w_times_x(text: str) -> bool:
    """Whether the text writes W left of an input vector (s = W x), which reads W a row per class."""
    return bool(_W_TIMES_X.search(text))


def states_weights_layout(text: str) -> bool:
    """Whether the text says how W is laid out (W in R^{D x C}, one row per class, X W, W^T x, columns w_j):
    else a step about W's entries is also tried with W the other way round before it is called wrong."""
    return bool(_WEIGHTS_BY_ROWS.search(text) or _ROW_PER_CLASS.search(text) or _COLUMNS_PER_CLASS.search(text))


#: the course's layout said or written: W in R^{D x C}, X W, W^T x, x^T W, columns w_j of W
_COLUMNS_PER_CLASS = re.compile(r"(?:\\in\s*\\mathbb\s*\{?R\}?\s*\^\s*\{?|∈\s*ℝ\s*\^?\s*\{?|is\s+(?:an?\s+)?\$?)\s*D\s*"
                                r"(?:\\times|×|x|by)\s*[CK]\b|(?<![A-Za-z\\])X\s*(?:\\mathbf\{W\}|W)(?![A-Za-z])|"
                                r"W\s*\^\s*\{?\s*(?:T|\\top)\s*\}?\s*(?:\\mathbf\{x\}|x)|x(?:_\{?[a-z]\}?)?\s*\^\s*\{?\s*"
                                r"(?:T|\\top)\s*\}?\s*W|columns?\s+\$?w_", re.IGNORECASE)


def input_after_transpose(math_text: str) -> bool:
    """Whether the maths writes a weight vector transposed times a plain x (w^T x, w^\\top x): x is an input
    vector, and x_i, x_n then are the inputs of the examples."""
    return bool(re.search(r"[a-zA-Z]\}?\s*\^\s*\{?\s*(?:T|\\top)\s*\}?\s*(?:\\mathbf\{)?\s*x(?![A-Za-z_])", math_text))


def stated_shapes(text: str) -> list[tuple[str, str, str]]:
    """(matrix, rows, columns) for each shape said in words: "X is N x D", "W is a D by K matrix"."""
    return [m.groups() for m in _SHAPE.finditer(text)]


#: "where $p$ is the vector of softmax probabilities", "p denotes the softmax output"
_P_IS_SOFTMAX = re.compile(r"(?<![A-Za-z\\])\$?\s*\\?(?:mathbf\{)?p\}?\s*\$?\s+(?:is|are|denotes|means)\s+[^.;]{0,60}?"
                           r"softmax", re.IGNORECASE)


def softmax_without_p(text: str) -> bool:
    """Whether the text is about the softmax (or cross-entropy) and writes p_k without defining p."""
    if not re.search(r"softmax|cross[- ]entropy", text, re.IGNORECASE):
        return False
    if not re.search(r"(?<![A-Za-z\\])[pP]_", text) and not _P_GIVEN.search(text) \
            and not _P_IS_SOFTMAX.search(text):
        return False                            # no p_k, no p given by numbers, and p not said to be the softmax
    return not any(_heads_formula(text, m.start()) and not re.search(r"\b(?:when|if|whenever|unless)\s*\$?\s*$",
                                                                     text[max(0, m.start() - 20):m.start()])
                   for m in _P_DEFINED.finditer(text))     # "equals 0 only when $p_y = 1$": a case, not p defined


def score_letter(text: str) -> str:
    """The letter the text writes the scores with: f (f_k = w_k^T x, f = [2.0, 1.0, 0.1]), z or o when the text
    writes that and never s; else s."""
    if re.search(r"(?<![A-Za-z\\])s(?:_|\s*=|\s*\\in|\s*∈)", text):
        return "s"
    for letter in ("f", "z", "o"):
        if re.search(rf"(?<![A-Za-z\\]){letter}_\{{?\s*[a-z]\b", text) and (
                re.search(r"\bscores?\b|\blogits?\b", text, re.IGNORECASE) or letter == "z"):
            return letter                       # z_k of a text about the softmax that never writes s
        if re.search(rf"\bscores?\s+(?:are\s+|is\s+)?\$?\\?(?:mathbf\{{)?{letter}\}}?\s*(?:=|\$)", text, re.IGNORECASE):
            return letter                       # "Scores f = (2.0, 1.0, 0.1)"
    return "s"


#: p_k = ... (a definition of p, when it heads its formula)
_P_DEFINED = re.compile(r"(?<![A-Za-z\\])[pP]_\{?\s*[a-z]{1,2}'?\s*\}?\s*&?\s*(?::=|=(?!=))")
#: p = [0.090, 0.245, 0.665], p \approx (...): the probabilities of a worked example, by their numbers
_P_GIVEN = re.compile(r"(?<![A-Za-z\\])p\s*(?:=|≈|\\approx)\s*(?:\\left)?[\[(]\s*-?\d")


def _heads_formula(text: str, start: int) -> bool:
    """Whether the name at ``start`` heads its formula: no relation before it on its line since the last
    "$" or comma (``L = -log p_y = -log(0.665)`` uses p_y, it does not define it)."""
    before = text[text.rfind("\n", 0, start) + 1:start]
    before = re.split(r"\$|,|;|:", before)[-1]
    if re.search(r"(?:\\log|\\ln|log|ln)\s*\(?\s*$", before):
        return False                        # log p_k = o_k - ...: a claim about the log of p, not p's definition
    return not re.search(r"=|≈|\\approx", before)


def sigmoid_functions(text: str) -> list[str]:
    """Letters the prose calls the sigmoid: "where f(s) is the sigmoid function" -> ["f"]."""
    return sorted({m.group(1) or m.group(2) for m in _SIGMOID.finditer(text)})


#: the head of a formula about a function of one letter: σ(x) = ..., σ'(x) = ..., s(x) = ...
_FUNCTION_HEAD = re.compile(r"\s*(\\sigma|σ|sigmoid|\\mathrm\{sigmoid\}|[a-z])\s*'*\s*(?:\\left)?\(\s*([a-z])\s*"
                            r"(?:\\right)?\)\s*")


def function_argument(head: str, sigmoids) -> str | None:
    """The letter a formula headed by the sigmoid of one letter takes as its argument (x in σ(x) = 1/(1 +
    e^{-x}), σ'(x) = σ(x)(1 - σ(x)), s(x) = ... when the text calls s the sigmoid): one number there,
    whatever the letter is elsewhere (the input vector x); None for any other head."""
    found = _FUNCTION_HEAD.fullmatch(head)
    if not found or (re.fullmatch("[a-z]", found.group(1)) and found.group(1) not in sigmoids):
        return None
    return found.group(2)


def uses_einstein(text: str) -> bool:
    """Whether the text writes products like x_{nd} W_{dc} (an index repeated, summed without a sum sign)."""
    return bool(_EINSTEIN.search(text))


_ENDS_CASES = re.compile(r"\b(?:for (?:all|every|any)\s*(?:\$|\\\(|[a-z]\b(?!\w)|$)|in general\b|"
                         r"in (?:one|a single) (?:formula|expression|equation)\b|in both cases\b|all cases\b|"
                         r"(?:both|two|the) cases (?:together|combined|at once)|together\b|combined\b|at once\b|"
                         r"compact(?:ly| form)\b)", re.IGNORECASE)


def ends_cases(prose: str) -> bool:
    """Words that say what follows holds in every case, so the cases stated before end."""
    return bool(_ENDS_CASES.search(prose or ""))


_CASE_CUE = re.compile(r"\b(?:cases?|for|when|whenever|if|while|assume|assuming|suppose|class|classes|column|row|"
                       r"entries|entry|diagonal|off-diagonal|sample|example|index|incorrect|correct)\W*$|"
                       r"\b(?:case|for|when|if|while|assume|suppose)\b[^.;]*$", re.IGNORECASE)


def states_case(words: str) -> bool:
    """Whether the words before a relation of indices in a sentence make it a case: "For the correct class
    $k = y_i$", "Case $k \\neq y_i$", "column c ≠ y_n:", "Diagonal entries ($i = j$)" (not "the sum skips
    $j = y_i$" or "only the term $j = k$ contains")."""
    words = (words or "").strip().rstrip("(*")
    if not words or words.endswith(":"):
        return True                     # a case set apart on its own, or after a label ("Q1/2/2: $k \\neq y_i$")
    tail = " ".join(_WORD.findall(words)[-8:])
    return bool(_CASE_CUE.search(tail))


def names_the_case_next(words: str) -> bool:
    """Whether the words open a condition in words and then name it in maths: "If that term is active, i.e."
    (the maths after them is the case of the sentence, never a claim)."""
    found = re.search(r"(?:,\s*|\s)(?:i\.\s?e\.?|ie|that is|namely),?\s*$", words, re.IGNORECASE)
    if not found:
        return False
    sentence = re.split(r"[.;:](?=\s|$)", words[:found.start()])[-1]
    return bool(re.match(r"\s*(?:if|when|whenever)\b", sentence, re.IGNORECASE)) and not re.search(
        r"\bthen\b", sentence, re.IGNORECASE)


def last_word(prose: str) -> str:
    words = _WORD.findall(prose)
    return words[-1].lower() if words else ""


def plain_vector_letters(math_text: str) -> set[str]:
    """Plain (not bold) lower-case letters written with a subscript or a transpose: vectors with components."""
    letters = set()
    math_text = re.sub(r"\\(?:top|intercal)(?![A-Za-z])|\\math(?:rm|sf)\s*\{\s*T\s*\}", "T", math_text)   # w^\top
    cleaned = re.sub(r"\\(?:mathbf|boldsymbol|bm|underline|vec|mathcal|mathbb|hat|bar|tilde)\s*\{[^{}]*\}", " ",
                     math_text)
    cleaned = re.sub(r"\\[A-Za-z]+", " # ", cleaned)      # a command between: not the letter's subscript (m \ell_i)
    cleaned = re.sub(r"_\s*\{?\s*(?:hat|pred|true|bar|tilde|old|new|prev|next|max|min|reg|data|total|out|in)\b\}?",
                     " ", cleaned)                                           # y_hat: a name of its own
    per_example = _per_example_letters(cleaned)
    cleaned = re.sub(r"_\s*\{[^{}]*\}|_\s*[A-Za-z0-9]", "_", cleaned)       # subscripts' own letters are indices
    for match in re.finditer(r"(?<![A-Za-z])([a-z])'*\s*(?:_|\^\s*\{?\s*T\b)", cleaned):
        letters.add(match.group(1))
    after_transpose = set()
    for match in re.finditer(r"(?<![A-Za-z])[a-z]'*_?\s*\^\s*\{?\s*T\s*\}?\s*([a-z])(?![A-Za-z(])", cleaned):
        after_transpose.add(match.group(1))             # the x of w^T x (of w_j^T x, of w^T x_n): a vector too
    for match in re.finditer(r"(?<![A-Za-z])W\s*(?:\^\s*\{?\s*T\s*\}?)?\s*([a-z])(?![A-Za-z(])", cleaned):
        letters.add(match.group(1))                     # the x of s = W x: the weights times an input vector
    numbers = set(re.findall(r"(?<![A-Za-z\\_^])([a-z])\s*=\s*[−-]?\s*\d+(?:\.\d+)?(?![\d.,])(?!\s*[,;]?\s*[−-]?\d)",
                             math_text))                                      # x = 3, w = −0.5: numbers, not vectors
    found = (letters - {"e", "d"} - per_example) | (after_transpose - {"e", "d"}) | dotted_letters(math_text)[0] \
        | _accented_vector_names(math_text)
    return found - (numbers - letters)


#: an accented letter written with a class subscript (\\hat{y}_k, ŷ_k, yhat_k, y_hat_k, \\hat p_j; not ŷ_i of example i)
_ACCENTED_ENTRY = re.compile(r"(?:\\(hat|bar|tilde)\s*\{?\s*([a-z])\s*\}?|([a-z])̂|(ŷ)|(?<![A-Za-z\\])([yp])_?hat)"
                             r"\s*_\s*\{?\s*[kjcmly0-9](?![A-Za-z0-9])")      # a class index, not example i or n


def _accented_vector_names(math_text: str) -> set[str]:
    """An accented name written with a class subscript (\\hat{y}_k = ...): the bare \\hat{y} is that vector."""
    names = set()
    for match in _ACCENTED_ENTRY.finditer(math_text):
        accent, letter, combined, y_hat, ascii_letter = match.groups()
        if accent:
            names.add(f"{letter}_{accent}")
        else:
            names.add(f"{combined or ascii_letter or 'y'}_hat")
    return names


def _per_example_letters(text: str) -> set[str]:
    """Letters written with the example index n only (z_n, t_n: the z and t of example n in a batch), never
    transposed: numbers, one per example, not vectors with components (z = w^T x + b is one number)."""
    subscripts: dict = {}
    for match in re.finditer(r"(?<![A-Za-z])([a-z])'*\s*(?:_\s*(?:\{\s*([^{}]*?)\s*\}|([A-Za-z0-9]+))|(\^\s*\{?\s*T\b))",
                             text):
        subscripts.setdefault(match.group(1), set()).add("^T" if match.group(4) else match.group(2) or match.group(3))
    return {letter for letter, found in subscripts.items()
            if found == {"n"} or letter in _PER_EXAMPLE_NUMBERS and found and found <= {"i", "n"}}


#: targets, labels and logits written with the example index only (t_i, y_i, z_i): one number per example
_PER_EXAMPLE_NUMBERS = frozenset("tyz")


_SUBSCRIPT = r"_\s*(?:\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9])"
_TRANSPOSE = r"\^\s*(?:\{\s*T\s*\}|T\b|\\top\b)"
_FAMILY_TRANSPOSED = re.compile(r"(?<![A-Za-z\\])([a-z])" + _SUBSCRIPT + r"\s*" + _TRANSPOSE)
_FAMILY_DOT = re.compile(r"(?<![A-Za-z\\])([a-z])" + _SUBSCRIPT + r"\s+\.\s+([a-z])" + _SUBSCRIPT)
_FAMILY_AFTER = re.compile(_TRANSPOSE + r"\s*(?:\\[,;: ]\s*)*([a-z])" + _SUBSCRIPT)
#: the x_i of s = W x_i (the weights times example i's input)
_FAMILY_AFTER_WEIGHTS = re.compile(r"(?<![A-Za-z\\])W\s*(?:" + _TRANSPOSE + r")?\s*(?:\\[,;: ]\s*)*([a-z])" + _SUBSCRIPT)


#: a letter said in words to be the columns (rows) of a matrix: "w_j is column j of W", "with columns $w_j$"
_FAMILY_SAID = re.compile(r"(?<![A-Za-z\\])([a-z])" + _SUBSCRIPT + r"\s*\$?\s*(?:is|=|:)\s+(?:the\s+)?(?:column|row)\s+"
                          r"\$?[a-z]\$?\s+of\s+\$?[A-Z]\b|\b(?:columns|rows)\s+\$?\s*([a-z])" + _SUBSCRIPT)
_FAMILY_CDOT = re.compile(r"(?<![A-Za-z\\])([a-z])" + _SUBSCRIPT + r"\s*(?:·|\\cdot(?![A-Za-z]))\s*([a-z])" + _SUBSCRIPT)


def vector_family_letters(math_text: str) -> set[str]:
    """Plain letters whose subscripted names are vectors: written transposed with a subscript (w_j^T)
    or right after such a transpose (the x_i of w_j^T x_i): w_j is a column of W, x_i example i's input."""
    letters = {m.group(1) for m in _FAMILY_TRANSPOSED.finditer(math_text)}
    letters |= {m.group(1) for m in _FAMILY_AFTER.finditer(math_text)}
    letters |= {m.group(1) for m in _FAMILY_AFTER_WEIGHTS.finditer(math_text)}
    for m in _FAMILY_DOT.finditer(math_text):           # x_i . w_j in plain text: a dot product of two vectors
        letters |= {m.group(1), m.group(2)}             # (y_T \cdot y_k is a product of two numbers)
    said = {m.group(1) or m.group(2) for m in _FAMILY_SAID.finditer(math_text)}
    for m in _FAMILY_CDOT.finditer(math_text):          # x_i · w_j with w_j said to be a column: x_i a vector too
        if m.group(1) in said or m.group(2) in said:
            letters |= {m.group(1), m.group(2)}
    return ((letters | said) - {"e", "d"}) | dotted_letters(math_text)[1]


#: w_j·x_n, w·x_n: the weights and the input written with Unicode's dot (in LaTeX, \cdot is any product:
#: w_k \cdot x beside a scalar x^{(i)})
_WEIGHTS_DOT = re.compile(r"(?<![A-Za-z\\])([a-z])(" + _SUBSCRIPT + r")?\s*·\s*([a-z])("
                          + _SUBSCRIPT + r")?(?![A-Za-z(_'^])")


def dotted_letters(math_text: str) -> tuple[set, set]:
    """The weights and the input of a dot product written with Unicode's dot (w_j·x_n, w·x_n): (the letters
    written plain, the letters written with a subscript), vectors both; a dot between other letters (p_i·p_j)
    is a product of numbers."""
    plain, family = set(), set()
    for m in _WEIGHTS_DOT.finditer(math_text):
        if m.group(1) == m.group(3) or {m.group(1), m.group(3)} != {"w", "x"}:
            continue
        for letter, subscript in ((m.group(1), m.group(2)), (m.group(3), m.group(4))):
            (family if subscript else plain).add(letter)
    return plain, family


_TWO_INDICES = r"_\s*(?:\{\s*[a-z]'?\s*,?\s*[a-z]'?\s*\}|[a-z]{2}\b)"
#: letters that are counts or the loss, never matrices
_NOT_MATRICES = set("KNDCLT")


def matrix_letters(math_text: str) -> dict:
    """Capital letters the text uses as matrices -> the letter their entries are written with.

    X, W, P, Y, G ... written with two indices (W_{dc}, Y_{nc}) or transposed (X^T, J^T); W and X always
    (the course's weights and data); a capital whose entries the text writes in small letters (x_{nd},
    p_{nc}) has those for entries."""
    found = {}
    capitals = set(re.findall(r"(?<![A-Za-z\\])([A-Z])" + _TWO_INDICES, math_text))
    capitals |= set(re.findall(r"(?<![A-Za-z\\])([A-Z])\s*" + _TRANSPOSE, math_text))
    capitals |= {"W", "X"}
    if re.search(r"(?<![A-Za-z\\])Y(?![A-Za-z_])", math_text):
        capitals.add("Y")                               # Y: the one-hot labels, a matrix
    for _ in range(3):                                  # (P - Y) with Y a matrix: P is one too
        for a, b in re.findall(r"(?<![A-Za-z\\])([A-Z])\s*[-+]\s*([A-Z])(?![A-Za-z_])", math_text):
            if a in capitals or b in capitals:
                capitals |= {a, b}
    small = set(re.findall(r"(?<![A-Za-z\\])([a-z])" + _TWO_INDICES, math_text))
    indexed_capitals = set(re.findall(r"(?<![A-Za-z\\])([A-Z])" + _TWO_INDICES, math_text))
    for letter in capitals - _NOT_MATRICES:
        lower = letter.lower()
        found[letter] = lower if (lower in small or letter == "X") and letter not in indexed_capitals else letter
    return found


_FAMILY_EXAMPLE = re.compile(r"(?<![A-Za-z\\])([a-z])_\s*\{?\s*([in])\s*\}?\s*" + _TRANSPOSE + r"|" + _TRANSPOSE
                             + r"\s*(?:\\[,;: ]\s*)*([a-z])_\s*\{?\s*([in])\b\s*\}?")


def vector_family_examples(math_text: str, families: set[str] = frozenset()) -> set[str]:
    """Plain letters written as a vector with the example index (x_i^T, the x_i of w_j^T x_i; the input x of a
    vector family written x_i): x_i is example i's input, a vector also inside a sum over the examples
    (\\sum_{i} [[m_{ij} > 0]] x_i)."""
    found = set()
    for m in _FAMILY_EXAMPLE.finditer(math_text):
        found.add((m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4)))
    letters = {letter for letter, _ in found}
    if "x" in families and re.search(r"(?<![A-Za-z\\])x_\s*\{?\s*[in]\b", math_text):
        letters.add("x")                                # f_j = x_i · w_j with w_j a column: x_i example i's input
    return letters - {"e", "d"}


def bound_letters(text: str) -> set[str]:
    """The index letters a sum binds in ``text`` (\\sum_k, Σ_{k=1}, sum_j): there a subscript is a component."""
    return set(re.findall(r"(?:\\sum|Σ|∑|\bsum)\s*_\s*\{?\s*([a-z])", text))


@dataclass
class Hints:
    """What ``% derive: ...`` comments say."""

    assume: list = field(default_factory=list)        # condition texts: "k != y_i"
    loss: str | None = None
    margin: object = None
    given: dict = field(default_factory=dict)         # scores, label, delta, classes
    log_base: str = "e"
    einstein: bool | None = None
    define: list = field(default_factory=list)        # "t_m = \delta_{mT}"
    problems: list = field(default_factory=list)


def read_hint(text: str, hints: Hints):
    """Add one hint's meaning to ``hints``; returns how it was read (for the report: words, what was typed in
    code type)."""
    from .said import Code, said
    words = text.strip()
    head, _, rest = words.partition(" ")
    head = head.lower().rstrip(":")
    rest = rest.strip()
    if head == "assume":
        hints.assume.append(rest)
        return said("assume ", Code(rest))
    if head == "loss":
        parts = rest.split()
        kind = parts[0].lower() if parts else ""
        if kind not in ("svm", "softmax", "logistic"):
            hints.problems.append(f"unknown loss {kind!r}: use svm, softmax or logistic")
            return "not read"
        hints.loss = kind
        for part in parts[1:]:
            key, _, value = part.partition("=")
            if key in ("delta", "margin") and value:
                hints.margin = _number(value)
        return f"loss {kind}"
    if head == "given":
        try:
            hints.given.update(read_given(rest))
        except ValueError as error:
            hints.problems.append(str(error))
            return "not read"
        return said("given ", Code(rest))
    if head == "log":
        base = rest.split()[-1] if rest else ""
        if base in ("10", "2", "e"):
            hints.log_base = base
            return f"log base {base}"
        hints.problems.append(f"log base {base!r}: use e, 10 or 2")
        return "not read"
    if head == "einstein":
        hints.einstein = rest.lower() not in ("off", "no", "false")
        return "repeated indices are summed" if hints.einstein else "no implicit sums"
    if head == "define":
        hints.define.append(rest)
        return said("define ", Code(rest))
    hints.problems.append(f"unknown hint {head!r}: use assume, loss, given, log, define or einstein")
    return "not read"


#: the largest magnitude a given value may have (a float64 holds it)
LARGEST = 1e300


def _number(text: str):
    """A number the user typed (read by derive check's reader, never evaluated): finite, within float64."""
    from ..numeric import read_number
    text = text.strip()
    written = read_number(text) if text else None
    if written is None:
        raise ValueError(f"not a number: {text!r}")
    value = written.value
    if not value.is_finite() or abs(value) > LARGEST:
        raise ValueError(f"{text} is beyond what a float64 holds")
    return sympy.Rational(str(value))


def read_given(text: str) -> dict:
    """The values of ``given scores=3,-1,4 label=0 delta=1 classes=cat,dog,bird``; a ValueError says what is
    wrong (an unknown key, a value that is not a number, a label that is not a class, Delta <= 0)."""
    given: dict = {}
    for part in text.replace(";", " ").split():
        key, sign, value = part.partition("=")
        key = key.lower()
        if not sign or not value:
            raise ValueError(f"given {part!r}: write key=value (scores=3,-1,4 label=0 delta=1 classes=cat,dog,bird)")
        if key == "scores":
            given["scores"] = [_number(v) for v in value.split(",")]
        elif key in ("label", "y", "y_i"):
            given["label"] = int(value) if value.isdigit() else value
        elif key in ("delta", "margin"):
            delta = _number(value)
            if delta <= 0:
                raise ValueError(f"delta={value}: the margin Δ is positive")
            given.setdefault("delta", []).append(delta)
        elif key == "classes":
            names = [v for v in value.split(",") if v]
            if not all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in names) or len(set(names)) != len(names):
                raise ValueError(f"classes={value}: class names are distinct words, separated by commas")
            given["classes"] = names
        else:
            raise ValueError(f"unknown given {key!r}: use scores, label, delta or classes")
    label = given.get("label")
    if isinstance(label, str):
        if label not in given.get("classes", []):
            raise ValueError(f"label={label}: not a class index (0, 1, ...) nor one of the classes given")
        given["label"] = label = given["classes"].index(label)
    count = len(given["scores"]) if "scores" in given else len(given.get("classes", [])) or None
    if label is not None and count is not None and not 0 <= label < count:
        raise ValueError(f"label={label}: outside 0..{count - 1} ({count} classes)")
    if "scores" in given and "classes" in given and len(given["scores"]) != len(given["classes"]):
        raise ValueError(f"{len(given['scores'])} scores for {len(given['classes'])} classes")
    return given


def read_case(text: str) -> str:
    """An --assume case, checked: a relation of two indices (k != y_i, j = k); a ValueError otherwise."""
    if not re.fullmatch(r"\s*[A-Za-z]'?(?:_\{?\w+\}?)?\s*(?:=|==|!=|≠|\\neq?|\\ne)\s*[A-Za-z0-9]'?(?:_\{?\w+\}?)?\s*",
                        text):
        raise ValueError(f"assume {text!r}: a case is a relation of two indices, such as 'k != y_i' or 'j = k'")
    return text


def loss_definitions(kind: str, margin, uses_weights: bool):
    """The standard loss a part is about (and the linear model s_j = w_j^T x_i when the part uses w, x).

    Returns (symbol definitions, indexed definitions, a description for the report).
    """
    from sympy import Indexed, IndexedBase, Max, Sum, Symbol, exp, log  # noqa: F401

    from .said import said, shown
    j_ = Symbol("j~", integer=True)
    m_ = Symbol("m~", integer=True)
    d_ = Symbol("d~", integer=True)
    m = Symbol("m", integer=True)
    s, p = notation.s, notation.p
    symbols, indexed = {}, {}
    if kind == "svm":
        from .roles import MARGIN
        margin = MARGIN if margin is None else margin
        from ...parse.written import KeptMax
        loss = notation.SumExcept(KeptMax(0, s[j_] - s[notation.y] + margin), j_, notation.y)
        symbols["L_i"] = loss
        described = [Symbol("L_i"), " = ", shown(loss)]
    elif kind == "softmax":
        symbols["L_i"] = -log(p[notation.y])
        indexed["p"] = ((m,), exp(s[m]) / Sum(exp(s[m_]), (m_, 0, notation.K - 1)))
        j = Symbol("j", integer=True)              # the report writes p_j, its sum over m
        described = [Symbol("L_i"), " = ", shown(symbols["L_i"]), ", ", p[j], " = ",
                     shown(indexed["p"][1].xreplace({m: j}))]
    else:
        y_, z_ = Symbol("y", real=True), notation.z
        symbols["L"] = -notation.t * log(y_) - (1 - notation.t) * log(1 - y_)
        symbols["y"] = notation.sigmoid(z_)
        symbols["z"] = Sum(notation.w[d_] * notation.x[d_], (d_, 0, notation.D - 1))
        described = [Symbol("L"), " = ", shown(symbols["L"]), ", ", y_, " = ", shown(symbols["y"]), ", ", z_, " = ",
                     shown(symbols["z"])]
        uses_weights = False
    if uses_weights:
        W = IndexedBase("W", real=True)
        indexed["s"] = ((m,), Sum(W[d_, m] * notation.x[Symbol("i", integer=True), d_], (d_, 0, notation.D - 1)))
        j = Symbol("j", integer=True)
        described += ["; ", s[j], " = ", shown(indexed["s"][1].xreplace({m: j})), " (the linear classifier)"]
    return symbols, indexed, said(*described)


#: a label written with another letter and given a class: "true class c = 2", "correct class c = 1"
_LABEL_LETTER = re.compile(r"\b(?:true|correct)\s+(?:class|label)\s+(?:is\s+)?\$?([a-xz])\$?\s*=\s*\$?\d")


def label_letter(text: str) -> str | None:
    """The letter a worked example writes its label with when it is not y ("true class c = 2"), else None."""
    found = _LABEL_LETTER.search(text)
    return found.group(1) if found else None
