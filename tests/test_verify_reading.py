"""derive verify reads what students write: Leibniz's d, maths in running text, values and cases in
prose, plain vectors, matrix forms; and its exit status is honest. Each test asserts the verdict of
each line of a small derivation."""
import pytest

from derivations.check.written import check_text
from derivations.check.written.running import segments


def check(text, **options):
    return check_text(text, "test", timeout=None, **options)


def verdicts(outcome):
    """line -> wrong | unread | verified (a definition, given value or case counts as read)."""
    return outcome.line_verdicts()


# --- running text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("line, maths", [
    ("The scores are s_j = w_j^T x_i, where w_j is the j-th column of W, so ∂s_j/∂w_j = x_i.",
     ["s_j = w_j^T x_i", "∂s_j/∂w_j = x_i"]),
    ("Evaluated at x = -2, y = 5, z = -4.", ["x = -2", "y = 5", "z = -4"]),
    ("dq/dx = 1, dq/dy = 1", ["dq/dx = 1", "dq/dy = 1"]),
    ("So the gradient is [df/dx, df/dy, df/dz] = [-4, -4, 3].", ["[df/dx, df/dy, df/dz] = [-4, -4, 3]"]),
    ("Task 2.3: softmax on s = [3, -1, 4], true class cat (y_i = 0)", ["s = [3, -1, 4]", "y_i = 0"]),
    ("One sample, column c ≠ y_n:  ∂L_n/∂W_dc = β_nc x_nd", ["c ≠ y_n", "∂L_n/∂W_dc = β_nc x_nd"]),
    ("Margin indicators: β_nj = 1[s_nj − s_{n,y_n} + Δ > 0] for j ≠ y_n, and β_{n,y_n} = 0.",
     ["β_nj = 1[s_nj − s_{n,y_n} + Δ > 0] \\text{ for } j ≠ y_n", "β_{n,y_n} = 0"]),
    ("Gradient w.r.t. the scores: dL/ds = p - [1, 0, 0]", ["dL/ds = p - [1, 0, 0]"]),
    ("Matrix form: let G_nc = β_nc − δ_{c,y_n} Σ_j β_nj (an N x C matrix). Then",
     ["G_nc = β_nc − δ_{c,y_n} Σ_j β_nj"]),
    ("The loss is small when the margin is large.", []),
])
def test_formulas_are_found_in_running_text(line, maths):
    assert [s.text for s in segments(line) if s.kind == "maths"] == maths


# --- Leibniz's d is a derivative ----------------------------------------------------------------------

def test_leibniz_notation_is_a_derivative_never_a_quotient():
    text = ("$$f = x^2 y$$\n\n"
            "$$\\frac{df}{dx} = 2 x y$$\n\n"                       # 3
            "$$\\frac{d}{dx} (x^2 y) = 2 x y$$\n\n"               # 5
            "$$df/dy = x^2$$\n\n"                                # 7
            "$$\\frac{d\\sigma}{dz} = \\sigma(z)(1 - \\sigma(z))$$\n\n"   # 9
            "$$\\frac{df}{dx} = x y$$\n")                         # 11: wrong (a factor 2 dropped)
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "verified", 7: "verified", 9: "verified",
                                 11: "wrong"}


def test_a_derivative_with_respect_to_an_intermediate_name():
    # f is written in x, y, z; df/dq takes f through q = x + y (the text also says f = q z)
    text = ("f(x, y, z) = (x + y) z, with the intermediate node q = x + y so that f = q z.\n"
            "df/dq = z\n"
            "df/dx = df/dq * dq/dx = z\n"
            "df/dz = x + y\n"
            "df/dz = q + 1\n")
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 2: "verified", 3: "verified", 4: "verified", 5: "wrong"}


# --- values and cases in prose ------------------------------------------------------------------------

def test_values_in_prose_are_the_worked_example():
    text = ("Backprop\n\n"
            "f(x, y, z) = (x + y) z, with the intermediate node q = x + y so that f = q z.\n"
            "Evaluated at x = -2, y = 5, z = -4.\n\n"
            "q = x + y = -2 + 5 = 3\n"
            "f = q z = 3 * (-4) = -12\n"
            "df/dq = z = -4\n"
            "df/dx = df/dq * dq/dx = -4 * 1 = -4\n"
            "df/dz = q = 4\n")                                   # 10: wrong, q = 3 there
    outcome = check(text)
    assert verdicts(outcome) == {3: "verified", 4: "verified", 6: "verified", 7: "verified", 8: "verified",
                                 9: "verified", 10: "wrong"}
    assert outcome.status == 1


def test_values_in_markdown_prose_are_taken():
    text = ("We have $f = (x + y) z$ evaluated at x = -2, y = 5, z = -4.\n\n"
            "$$\\frac{df}{dz} = x + y = 3$$\n")
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified"}


def test_in_one_formula_means_every_case():
    text = ("p_j = e^(s_j) / sum_m e^(s_m)\n\n"
            "when j = k:\n"
            "∂p_j/∂s_k = p_j (1 - p_k)\n\n"
            "in one formula: ∂p_j/∂s_k = p_j (1 - p_k)\n")
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 4: "verified", 6: "wrong"}


# --- exit status -----------------------------------------------------------------------------------

def test_status_is_0_only_when_every_line_was_read_and_verified():
    assert check("$$L_i = -\\log p_{y_i}$$\n\n$$a = b + c$$\n").status in (0, 3)
    verified = check("$$f = x^2$$\n\n$$\\frac{df}{dx} = 2x$$\n")
    assert verified.status == 0 and verified.summary()["lines_read"] == 2
    unread = check("$$f = x^2$$\n\n$$\\frac{df}{dx} = 2x \\dots$$\n")
    assert unread.status == 3 and unread.summary()["unread_lines"] == [3]
    wrong = check("$$f = x^2$$\n\n$$\\frac{df}{dx} = 3x$$\n\n$$\\frac{df}{dx} = 2x \\dots$$\n")
    assert wrong.status == 1
    assert check("Only words here.\n").status == 3                  # no maths at all: nothing was verified


def test_a_relation_that_yields_nothing_is_reported_not_skipped(monkeypatch):
    from derivations.check.written.reader import Reader
    monkeypatch.setattr(Reader, "chain", lambda self, *args, **kwargs: None)      # a reading that finds nothing
    outcome = check("$$f = x^2$$\n\n$$\\frac{df}{dx} = 2x$$\n")
    assert [(e.source_line, e.verdict) for e in outcome.entries] == [(1, "unread"), (3, "unread")]
    assert "nothing on this line was read" in outcome.entries[0].verified_by and outcome.status == 3


def test_an_error_inside_one_line_is_not_read_with_a_plain_reason(monkeypatch):
    from derivations.check.written.decisions import Decisions
    original = Decisions.decide

    def failing(self, entry, before, after, *args):
        if "3x" in args[1]:
            raise TypeError("unsupported operand type(s) for +: 'ImmutableDenseMatrix' and 'NegativeOne'")
        return original(self, entry, before, after, *args)
    monkeypatch.setattr(Decisions, "decide", failing)
    outcome = check("$$f = x^2$$\n\n$$\\frac{df}{dx} = 3x$$\n\n$$\\frac{df}{dx} = 2x$$\n")
    assert outcome.line_verdicts() == {1: "verified", 3: "unread", 5: "verified"}
    reason = next(e.verified_by for e in outcome.entries if e.source_line == 3)
    assert reason == "the checker failed on this line (an internal error in derive verify), so it is not read"
    assert "TypeError" not in reason and "NegativeOne" not in reason     # never the error's own text (issue 18)
    assert outcome.status == 3


def test_in_statements_are_context_not_unread():
    outcome = check("Let $W \\in \\mathbb{R}^{D \\times K}$ and $f = x^2$.\n\n$$\\frac{df}{dx} = 2x$$\n")
    assert outcome.status == 0 and any("where a quantity lives" in c.meaning for c in outcome.context)


# --- names with digits, the chain rule's dependences, the options ---------------------------------------

def test_names_with_digits_are_one_name_never_a_product():
    text = "f = w0 x0 + w1 x1 + w2\n\ndf/dw0 = x0\ndf/dw1 = x1\ndf/dw1 = x0\n"
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 4: "verified", 5: "wrong"}


def test_a_chain_rule_through_names_never_defined_is_not_read_never_0_equals_0():
    text = ("$$L = -t \\log y - (1 - t) \\log (1 - y)$$\n\n"
            "$$\\frac{\\partial L}{\\partial w_j} = \\frac{\\partial L}{\\partial y} \\frac{\\partial y}{\\partial z} "
            "\\frac{\\partial z}{\\partial w_j}$$\n")
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "unread"}
    reason = next(e.verified_by for e in outcome.entries if e.source_line == 3)
    assert "goes through y, which the text never defines" in reason
    defined = text.replace("$$\\frac{\\partial L}{\\partial w_j}", "$$y = \\sigma(z)$$\n\n$$z = \\sum_d w_d x_d$$\n\n"
                           "$$\\frac{\\partial L}{\\partial w_j}")
    assert check(defined).status == 0                      # the same chain, its dependences stated: verified


@pytest.mark.parametrize("given, message", [
    ("label=abc", "label=abc: not a class index"),
    ("scores=1e400", "1e400 is beyond what a float64 holds"),
    ("scores=3,x", "not a number: 'x'"),
    ("delta=0", "the margin Δ is positive"),
    ("scores=3,-1,4 label=3", "label=3: outside 0..2"),
    ("colour=red", "unknown given 'colour'"),
])
def test_a_bad_given_is_a_usage_error_not_a_verdict(tmp_path, capsys, given, message):
    from cli import main
    text = tmp_path / "t.md"
    text.write_text("$$f = x^2$$\n")
    assert main(["verify", str(text), "--given", given]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""


def test_a_bad_assume_is_a_usage_error(tmp_path, capsys):
    from cli import main
    text = tmp_path / "t.md"
    text.write_text("$$f = x^2$$\n")
    assert main(["verify", str(text), "--assume", "k ! y"]) == 2
    assert "a case is a relation of two indices" in capsys.readouterr().err


# --- matrices, vectors written out, cases and definitions in sentences ---------------------------------

BATCH = ("$$s_{nc} = \\sum_d x_{nd} W_{dc}$$\n\n"
         "$$p_{nc} = \\frac{e^{s_{nc}}}{\\sum_j e^{s_{nj}}}$$\n\n"
         "$$L = \\frac{1}{N} \\sum_{n=1}^{N} -\\log p_{n y_n} + \\lambda \\sum_d \\sum_c W_{dc}^2$$\n\n"
         "With $Y_{nc} = \\mathbb{1}[c = y_n]$ and $P_{nc} = p_{nc}$:\n\n")


def test_a_matrix_form_line_is_checked_entry_by_entry():
    right = check(BATCH + "$$\\frac{\\partial L}{\\partial W} = \\frac{1}{N} X^T (P - Y) + 2\\lambda W$$\n")
    assert verdicts(right)[9] == "verified" and right.status == 0
    half = check(BATCH + "$$\\frac{\\partial L}{\\partial W} = \\frac{1}{N} X^T (P - Y) + \\lambda W$$\n")
    wrong = next(e for e in half.entries if e.source_line == 9)
    assert wrong.verdict == "wrong" and wrong.diagnosis.startswith("regularizer: λ·W_{r,c} is half the gradient")
    unnormalised = check(BATCH + "$$dW = X^T (P - Y) + 2\\lambda W$$\n")
    wrong = next(e for e in unnormalised.entries if e.source_line == 9)
    assert wrong.verdict == "wrong" and wrong.diagnosis.startswith("normalisation: the 1/N")


def test_vectors_written_out_take_part_in_sums():
    text = ("softmax on s = [3, -1, 4], true class cat (y_i = 0)\n"
            "L_i = -log(p_cat)\n"
            "dL/ds = p - [1, 0, 0]\n"
            "dL/ds = [0.2676 - 1, 0.0049, 0.7275] = [-0.7324, 0.0049, 0.7275]\n"
            "dL/ds = p - [0, 1, 0]\n")
    assert verdicts(check(text)) == {1: "verified", 2: "verified", 3: "verified", 4: "verified", 5: "wrong"}


def test_a_case_needs_words_that_state_it():
    text = ("$$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + \\Delta)$$\n\n"
            "The sum skips $j = y_i$. For an incorrect class $k \\neq y_i$ only the term $j = k$ counts:\n\n"
            "$$\\frac{\\partial L_i}{\\partial s_k} = \\mathbb{1}[s_k - s_{y_i} + \\Delta > 0]$$\n")
    outcome = check(text)
    assert verdicts(outcome)[5] == "verified"
    conditions = [c.meaning for c in outcome.context if c.kind == "condition"]
    assert conditions == ["k ≠ yᵢ"]                            # "skips j = y_i", "the term j = k": no case


def test_a_definition_in_a_case_and_its_completion():
    text = ("Scores: s_nj = Σ_d x_nd W_dj\n"
            "Per-sample loss: L_n = Σ_{j≠y_n} max(0, s_nj − s_{n,y_n} + Δ)\n"
            "Margin indicators: β_nj = 1[s_nj − s_{n,y_n} + Δ > 0] for j ≠ y_n, and β_{n,y_n} = 0.\n"
            "∂L_n/∂W_dc = (β_nc − δ_{c,y_n} Σ_j β_nj) x_nd\n"
            "∂L_n/∂W_dc = (β_nc − Σ_j β_nj) x_nd\n")
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 2: "verified", 3: "verified", 4: "verified", 5: "wrong"}


def test_an_undefined_l_is_the_one_loss_the_text_defines():
    text = "$$L_i^{SVM} = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + 1)$$\n\nFor $k \\neq y_i$:\n\n" \
           "$$\\frac{\\partial L_i}{\\partial s_k} = \\mathbb{1}[s_k - s_{y_i} + 1 > 0]$$\n"
    outcome = check(text)
    assert verdicts(outcome)[5] == "verified"
    assert any("Lᵢ is read as Lᵢ^SVM" in n for e in outcome.entries for n in e.notes)


def test_domains_and_inequalities():
    text = ("$$p_j = \\frac{e^{s_j}}{\\sum_k e^{s_k}}$$ with $\\Delta > 0$ and $\\lambda \\geq 0$.\n\n"
            "For the correct class this is $p_{y_i} - 1 < 0$.\n\n"
            "When the class is confident, $s_{y_i} > s_j + 1$.\n")
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "unread"}
    assert "may describe a situation" in next(e.verified_by for e in outcome.entries if e.source_line == 5)


def test_spelled_out_greek_and_delta_in_plain_text():
    text = ("L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + delta), with delta > 0.\n"
            "For k != y_i:\n"
            "dL_i/ds_k = 1(s_k - s_{y_i} + delta > 0)\n"
            "R = lambda sum_d w_d^2, so dR/dw_d = 2 lambda w_d\n")
    assert verdicts(check(text)) == {1: "verified", 2: "verified", 3: "verified", 4: "verified"}


def test_an_exponent_slip_is_named():
    outcome = check("$$f = x^3$$\n\n$$\\frac{df}{dx} = 3 x^3$$\n")
    wrong = next(e for e in outcome.entries if e.source_line == 3)
    assert wrong.verdict == "wrong" and wrong.diagnosis.startswith("exponent")


def test_a_target_is_drawn_as_0_or_1():
    outcome = check("$$L = -t \\log y - (1 - t) \\log(1 - y)$$\n\n$$\\frac{\\partial L}{\\partial y} = "
                    "\\frac{t - y}{y (1 - y)}$$\n")
    wrong = next(e for e in outcome.entries if e.source_line == 3)
    assert wrong.verdict == "wrong" and wrong.counterexample.values["t"] in (0.0, 1.0)


def test_sizes_and_relations_stated_in_prose_are_context_not_steps():
    text = ("We have $K = 3$ classes and $N = 5$ examples, with $0 < p_k < 1$ and $\\sum_k p_k = 1$.\n\n"
            "The index runs over $j = 1, \\dots, K$ and $i \\in \\{1, \\dots, N\\}$.\n\n"
            "$$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + 1)$$\n")
    outcome = check(text)
    assert outcome.entries == [] and outcome.status == 0
    assert [c.kind for c in outcome.context if c.source_line == 1][:2] == ["given", "given"]


def test_a_reason_names_an_indexed_name_by_its_letter():
    """A reason about a name with indices (an IndexedBase inside the checker) shows its letter, never a repr."""
    import sympy

    from derivations.check.written.algebra import plain_text
    assert str(plain_text(sympy.IndexedBase("s"))) == "s"
