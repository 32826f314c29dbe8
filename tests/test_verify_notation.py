"""derive verify reads the notation students write that it did not read before (issue 18): accents
without braces (\\hat y), squared norms (\\|W\\|_F^2), the label written s_yi, a premise after "since",
a derivative said in words, \\nabla f over the variables of f. Each test asserts the verdict of each
line, and each notation has a planted wrong line that must be flagged, not just read."""
import pytest

from derivations.check.written import check_text


def check(text, **options):
    return check_text(text, "test", timeout=None, **options)


def verdicts(outcome):
    """line -> wrong | unread | verified (a definition, given value or case counts as read)."""
    return outcome.line_verdicts()


# --- accents: \hat y, \hat{y}, \bar x, \tilde p are names ------------------------------------------

def test_accents_without_braces_are_names():
    text = ("Let $\\hat y = \\sigma(z)$ and $L = -t\\log\\hat y - (1-t)\\log(1-\\hat y)$.\n\n"
            "$$\\frac{\\partial L}{\\partial z} = \\hat y - t$$\n\n"                      # 3
            "$$\\frac{\\partial L}{\\partial z} = \\hat{y}(1 - t)$$\n\n"                  # 5: wrong
            "$$\\frac{\\partial \\hat y}{\\partial z} = \\hat y (1 - \\hat y)$$\n\n"      # 7
            "Let $\\bar x = \\frac{a + b}{2}$ and $\\tilde p = 3 \\bar x^2$.\n\n"          # 9
            "$$\\frac{\\partial \\tilde p}{\\partial a} = 3 \\bar x$$\n\n"                # 11
            "$$\\frac{\\partial \\tilde p}{\\partial a} = 6 \\bar x$$\n")                 # 13: wrong (a 1/2 lost)
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "verified",
                                 11: "verified", 13: "wrong"}
    assert outcome.status == 1


def test_a_step_through_a_definition_that_could_not_be_read_is_not_judged():
    # z's definition is not read (an ellipsis): dL/db would be read with z free, 0, which makes the right
    # answer wrong (a false alarm) and the wrong answer 0 verified; both are not read. dL/dy holds y as the
    # variable: z plays no part. A wrong line with z in it is not read either (z = 0 might make it hold);
    # lines that do not use z are judged.
    text = ("Let $z = w_1 x_1 + \\dots + w_n x_n + b$ and $\\hat y = \\sigma(z)$, $L = (\\hat y - t)^2$.\n\n"
            "$$\\frac{\\partial L}{\\partial b} = 2(\\hat y - t)\\hat y(1 - \\hat y)$$\n\n"     # 3: not read
            "$$\\frac{\\partial L}{\\partial b} = 0$$\n\n"                                     # 5: not read
            "$$\\frac{\\partial L}{\\partial \\hat y} = 2(\\hat y - t)$$\n\n"                  # 7
            "$$\\frac{\\partial L}{\\partial \\hat y} = (\\hat y - t)$$\n\n"                  # 9: not read
            "Let $q = 3 a^2$.\n\n"                                                        # 11
            "$$\\frac{\\partial q}{\\partial a} = 6a$$\n\n"                                  # 13
            "$$\\frac{\\partial q}{\\partial a} = 3a$$\n")                                  # 15: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "unread", 3: "unread", 5: "unread", 7: "verified", 9: "unread",
                                 11: "verified", 13: "verified", 15: "wrong"}
    reasons = {e.source_line: e.verified_by for e in outcome.entries if e.verdict == "unread"}
    assert "its definition (line 1) could not be read" in reasons[3]
    assert "its definition (line 1) could not be read" in reasons[5]


# --- norms: \|W\|_F^2, ||W||^2, \|w\|_2^2 are sums of squares ---------------------------------------

def test_squared_norms_are_sums_of_squares():
    text = ("The regulariser is $R = \\lambda \\|W\\|_F^2$ and $Q = \\frac{\\lambda}{2} ||W||^2$, "
            "with $r = \\|w\\|_2^2$ and $u = \\lVert w \\rVert^2$.\n\n"
            "$$\\frac{\\partial R}{\\partial W} = 2\\lambda W$$\n\n"             # 3
            "$$\\frac{\\partial R}{\\partial W} = \\lambda W$$\n\n"              # 5: wrong (2 lost)
            "$$\\frac{\\partial Q}{\\partial W_{dc}} = \\lambda W_{dc}$$\n\n"    # 7
            "$$\\frac{\\partial r}{\\partial \\mathbf{w}} = 2 \\mathbf{w}$$\n\n"  # 9
            "$$\\frac{\\partial r}{\\partial w_j} = w_j$$\n\n"                   # 11: wrong
            "$$\\frac{\\partial u}{\\partial w_j} = 2 w_j$$\n\n"                 # 13
            "$$R = \\lambda \\sum_k \\sum_j W_{kj}^2$$\n\n"                      # 15
            "$$\\|W\\|_2 = 1$$\n")                                              # 17: the spectral norm, not read
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "verified",
                                 11: "wrong", 13: "verified", 15: "verified", 17: "unread"}


def test_a_norm_is_the_square_root_of_the_sum_of_squares():
    text = ("$$\\frac{\\partial \\|\\mathbf{w}\\|}{\\partial w_j} = \\frac{w_j}{\\|\\mathbf{w}\\|}$$\n\n"
            "$$\\frac{\\partial \\|\\mathbf{w}\\|}{\\partial w_j} = \\frac{w_j}{\\|\\mathbf{w}\\|^2}$$\n\n"   # 3: wrong
            "$$\\|W\\|_F\\|W\\|_F = \\sum_d \\sum_c W_{dc}^2$$\n\n"                     # 5
            "$$\\frac{\\partial}{\\partial W}(\\|W\\|_F^2 + \\|W\\|_F) = 2W$$\n")          # 7: wrong (W/||W|| left out)
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "wrong", 5: "verified", 7: "wrong"}


def test_norm_bars_pair_up_and_an_unclosed_one_is_refused():
    from derivations.parse.errors import ParseError
    from derivations.parse.norms import read_norms
    assert read_norms("\\|W\\|_F^2 + ||w||") == " \\lVert W \\rVert _F^2 +  \\lVert w \\rVert "
    with pytest.raises(ParseError, match="not closed"):
        read_norms("\\|W\\|_F^2 + \\|w")


# --- the label written yi: s_yi, s_{yi}, s_y_i, sum_{j != yi} are s_{y_i} -----------------------------

def test_the_label_written_without_braces_in_plain_text():
    text = ("SVM loss for one example, plain text.\n"
            "L_i = sum_{j != yi} max(0, s_j - s_yi + 1)\n"
            "For j != yi the derivative is\n"
            "dL_i/ds_j = 1(s_j - s_yi + 1 > 0)\n"                      # 4
            "and for the correct class\n"
            "dL_i/ds_yi = -sum_{j != yi} 1(s_j - s_yi + 1 > 0)\n"      # 6
            "dL_i/ds_{yi} = -sum_{j != y_i} 1(s_j - s_y_i + 1 > 0)\n"  # 7
            "dL_i/ds_y_i = sum_{j != yi} 1(s_j - s_yi + 1 > 0)\n")     # 8: wrong (the sign)
    outcome = check(text)
    assert verdicts(outcome) == {2: "verified", 3: "verified", 4: "verified", 6: "verified", 7: "verified",
                                 8: "wrong"}
    assert outcome.status == 1


def test_the_label_yi_in_latex_and_a_two_index_name_stays_two_indices():
    text = ("$$L_i = \\sum_{j \\neq yi} \\max(0, s_j - s_{yi} + 1)$$\n\n"
            "$$\\frac{\\partial L_i}{\\partial s_{yi}} = -\\sum_{j \\neq y_i} \\mathbb{1}(s_j - s_{y_i} + 1 > 0)$$\n\n"
            "$$\\frac{\\partial L_i}{\\partial s_{yi}} = -\\sum_{j \\neq y_i} \\mathbb{1}(s_j - s_{y_i} > 0)$$\n\n"  # 5
            "Let $Q = x_{ab}^2$ with $x_{ab} = 2 c_{ab}$.\n\n"           # 7: x_{ab} has two indices: x_{yi} is x_{y,i}
            "$$x_{yi} = 2 c_{yi}$$\n")                                  # 9
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "verified"}


# --- an error inside the checker is "not read", said plainly ------------------------------------------

class _Internal(Exception):
    """An error no part of the checker expects."""


def test_an_error_inside_a_line_check_is_not_read_and_never_shown(monkeypatch):
    from derivations.check.written.decisions import Decisions
    original = Decisions.decide

    def failing(self, entry, before, after, before_text, after_text, *rest):
        if "3x" in after_text:
            raise _Internal("Different # of indices: secret internal text")
        return original(self, entry, before, after, before_text, after_text, *rest)

    monkeypatch.setattr(Decisions, "decide", failing)
    text = "$$f = x^2 + x$$\n\n$$f = x(x + 1)$$\n\n$$f = 3x$$\n\n$$f = x^2$$\n"
    for timeout in (None, 60):                     # in this process, and in the worker the runner starts
        outcome = check_text(text, "test", timeout=timeout)
        assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "unread", 7: "wrong"}
        reasons = [e.verified_by for e in outcome.entries if e.source_line == 5]
        assert reasons == ["the checker failed on this line (an internal error in derive verify), so it is not read"]
        assert outcome.status == 1


def test_an_error_while_reading_an_expression_is_not_read_and_never_shown(monkeypatch):
    from derivations.parse.written import WrittenBuilder
    original = WrittenBuilder.rule_frac

    def failing(self, children):
        raise _Internal("secret internal text")

    monkeypatch.setattr(WrittenBuilder, "rule_frac", failing)
    outcome = check("$$f = x^2$$\n\n$$f = \\frac{x^3}{x}$$\n\n$$f = 2x$$\n")
    assert verdicts(outcome) == {1: "verified", 3: "unread", 5: "wrong"}
    shown = " ".join(e.verified_by for e in outcome.entries)
    assert "secret" not in shown and "_Internal" not in shown and "internal error" in shown
    monkeypatch.setattr(WrittenBuilder, "rule_frac", original)


def test_a_name_with_two_numbers_of_indices_is_said_plainly():
    outcome = check("Let $L = s_{ab}^2$.\n\n$$\\frac{\\partial L}{\\partial s_j} = 0$$\n")
    assert verdicts(outcome) == {1: "verified", 3: "unread"}
    reason = next(e.verified_by for e in outcome.entries if e.source_line == 3)
    assert "one number of indices in one place and another elsewhere" in reason
    assert "Exception" not in reason and "#" not in reason


# --- a premise after "since" that the definitions decide is checked ------------------------------------

def test_a_premise_about_a_defined_name_is_checked_like_any_step():
    text = ("Let $z = \\mathbf{w}^T \\mathbf{x} + b$ and $\\hat y = \\sigma(z)$, "
            "with $L = -t\\log\\hat y - (1-t)\\log(1-\\hat y)$.\n\n"
            "Since $\\frac{\\partial z}{\\partial \\mathbf{w}} = \\mathbf{x}$, the chain rule gives\n\n"      # 3
            "$$\\frac{\\partial L}{\\partial \\mathbf{w}} = (\\hat y - t)\\, \\mathbf{x}$$\n\n"              # 5
            "Since $\\frac{\\partial z}{\\partial b} = 2$, we get $\\frac{\\partial L}{\\partial b} = \\hat y - t$.\n\n"  # 7
            "Since $\\frac{\\partial z}{\\partial b} = 1$, we get $\\frac{\\partial L}{\\partial b} = \\hat y - t$.\n\n"  # 9
            "Because $\\frac{\\partial q}{\\partial b} = 3$, the rest follows.\n")                       # 11: q is not defined
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "verified", 7: "wrong", 9: "verified",
                                 11: "verified"}
    wrong = [e for e in outcome.entries if e.verdict == "wrong"]
    assert [(e.source_line, e.latex) for e in wrong] == [(7, "\\frac{\\partial z}{\\partial b} = 2")]
    premises = [c for c in outcome.context if c.kind == "assumption"]
    assert [c.source_line for c in premises] == [11]


# --- a derivative said in words around inline formulas is read, never skipped ----------------------------

def test_a_derivative_said_in_words_is_read():
    text = ("The regulariser of the batch loss is $R = \\lambda \\sum_k \\sum_j W_{kj}^2$.\n\n"
            "The derivative $\\partial / \\partial W_{dc}$ of $\\lambda \\sum_k \\sum_j W_{kj}^2$ is "
            "$2\\lambda W_{dc}$.\n\n"                                                               # 3
            "The derivative $\\partial / \\partial W_{dc}$ of $\\lambda \\sum_k \\sum_j W_{kj}^2$ is "
            "$\\lambda W_{dc}$.\n\n"                                                                # 5: wrong
            "Let $f = x^2 y$.\n\n"                                                                  # 7
            "The derivative of $x^2 y$ with respect to $x$ is $2xy$.\n\n"                           # 9
            "The derivative of $f$ with respect to $y$ is $2x$.\n\n"                                # 11: wrong
            "The derivative $d/dx$ of $f$ equals $2 x y$.\n\n"                                      # 13
            "The derivative $\\frac{\\partial}{\\partial y}$ of the function is $x^2$.\n\n"         # 15: not read
            "Applying $\\frac{\\partial}{\\partial y}$ to both sides is easy.\n")                   # 17: no claim
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "verified",
                                 11: "wrong", 13: "verified", 15: "unread"}
    reason = next(e.verified_by for e in outcome.entries if e.source_line == 15)
    assert reason == "a derivative said in words that could not be read"


# --- \nabla f over the variables of f -----------------------------------------------------------------

def test_the_gradient_of_a_function_over_its_variables():
    text = ("Let $f = (x + y) z$, evaluated at $x = -2$, $y = 5$, $z = -4$.\n\n"
            "$$\\nabla f = \\left[\\frac{\\partial f}{\\partial x}, \\frac{\\partial f}{\\partial y}, "
            "\\frac{\\partial f}{\\partial z}\\right] = [z, z, x + y] = [-4, -4, 3]$$\n\n"      # 3
            "$$\\nabla f = [-4, -4, 3]$$\n\n"                                                    # 5
            "$$\\nabla f = [-4, 3, -4]$$\n\n"                                                    # 7: wrong
            "$$\\nabla f = [z, x + y, z]$$\n\n"                                                  # 9: wrong
            "Let $g(a, b) = a^2 b$.\n\n"                                                         # 11
            "$$\\nabla g = [2ab, a^2]$$\n\n"                                                     # 13
            "$$\\nabla g = [a^2, 2ab]$$\n\n"                                                     # 15: wrong
            "Let $q = (w x + b)^2$.\n\n"                                                         # 17
            "$$\\nabla q = [2(wx + b)x, 2(wx + b)w, 2(wx + b)]$$\n\n"                            # 19: which order?
            "$$\\nabla h = [1, 2]$$\n")                                                          # 21: h not defined
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "verified", 7: "wrong", 9: "wrong",
                                 11: "verified", 13: "verified", 15: "wrong", 17: "verified", 19: "unread",
                                 21: "unread"}
    reason = next(e.verified_by for e in outcome.entries if e.source_line == 19)
    assert "over which variables, in which order, is not said" in reason


# --- \nabla_W L, \nabla_{w_j} L_i, \partial L / \partial \mathbf{w}_j, \mathcal{L} --------------------------

def test_gradients_with_respect_to_weights_and_a_calligraphic_loss():
    text = ("Let $\\mathcal{L} = \\frac{1}{2}\\|W\\|_F^2 + \\sum_j W_{1j}$.\n\n"
            "$$\\frac{\\partial \\mathcal{L}}{\\partial W_{dc}} = W_{dc} + \\delta_{d1}$$\n\n"      # 3
            "$$\\nabla_W \\mathcal{L} = W$$\n\n"                                                  # 5: wrong
            "The softmax loss for example $i$ is $L_i = -\\log p_{y_i}$ with "
            "$p_j = \\frac{e^{s_j}}{\\sum_k e^{s_k}}$ and $s_j = \\mathbf{w}_j^T \\mathbf{x}_i$.\n\n"  # 7
            "$$\\nabla_{w_j} L_i = (p_j - \\mathbb{1}[j = y_i]) \\mathbf{x}_i$$\n\n"                # 9
            "$$\\frac{\\partial L_i}{\\partial \\mathbf{w}_j} = (p_j - \\mathbb{1}[j = y_i]) \\mathbf{x}_i$$\n\n"  # 11
            "$$\\nabla_{\\mathbf{w}_j} L_i = p_j \\mathbf{x}_i$$\n\n"                              # 13: wrong
            "$$\\nabla_{w_j} L_i = (p_j - 1) \\mathbf{x}_i$$\n")                                   # 15: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "verified",
                                 11: "verified", 13: "wrong", 15: "wrong"}


def test_a_gradient_with_respect_to_a_scalar_weight_is_its_derivative():
    text = ("Let $z = \\sum_j w_j x_j$ and $L = (z - t)^2$.\n\n"
            "$$\\nabla_{w_j} L = 2(z - t) x_j$$\n\n"                                             # 3
            "$$\\nabla_{w_j} L = (z - t) x_j$$\n\n"                                              # 5: wrong
            "Let $\\mathcal{L}_i = -\\log p_{y_i}$ with $p_j = \\frac{e^{s_j}}{\\sum_k e^{s_k}}$.\n\n"  # 7
            "$$\\frac{\\partial \\mathcal{L}_i}{\\partial s_j} = p_j - \\mathbb{1}[j = y_i]$$\n\n"   # 9
            "$$\\frac{\\partial \\mathcal{L}_i}{\\partial s_j} = p_j$$\n")                         # 11: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "verified",
                                 11: "wrong"}


def test_an_accented_name_with_an_index_is_a_name_of_its_own():
    text = ("Let $\\hat{y}_k = \\frac{e^{s_k}}{\\sum_j e^{s_j}}$.\n\n"
            "$$\\frac{\\partial \\hat y_k}{\\partial s_k} = \\hat y_k (1 - \\hat y_k)$$\n\n"          # 3
            "$$\\frac{\\partial \\hat{y}_k}{\\partial s_j} = -\\hat{y}_k \\hat{y}_j \\text{ for } j \\neq k$$\n\n"  # 5
            "$$\\frac{\\partial \\hat y_k}{\\partial s_k} = \\hat y_k$$\n")                              # 7: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "verified", 7: "wrong"}


# --- an upright d, an accented Greek letter, the entrywise product ------------------------------------

def test_upright_d_accented_greek_and_the_entrywise_product():
    text = ("Let $f = x^3$ and $\\hat\\theta = 2a + \\hat{\\beta}$.\n\n"
            "$$\\frac{\\mathrm{d} f}{\\mathrm{d} x} = 3x^2$$\n\n"                          # 3: never f/x
            "$$\\frac{\\mathrm{d}f}{\\mathrm{d}x} = x^2$$\n\n"                             # 5: wrong
            "$$\\frac{\\partial \\hat\\theta}{\\partial a} = 2$$\n\n"                      # 7
            "$$\\frac{\\partial \\hat\\theta}{\\partial \\hat\\beta} = 2$$\n\n"            # 9: wrong
            "$$\\mathbf{u} \\odot \\mathbf{v} = \\mathbf{v} \\odot \\mathbf{u}$$\n\n"      # 11
            "$$\\mathbf{u}^T (\\mathbf{u} \\odot \\mathbf{v}) = \\sum_d u_d^2 v_d$$\n\n"    # 13
            "$$\\mathbf{u}^T (\\mathbf{u} \\odot \\mathbf{v}) = \\sum_d u_d v_d$$\n\n"      # 15: wrong
            "$$\\sigma(z) \\odot (1 - \\sigma(z)) = \\sigma(z) - \\sigma(z)^2$$\n")        # 17
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "wrong",
                                 11: "verified", 13: "verified", 15: "wrong", 17: "verified"}


# --- plain text: reg, 1(k = yi), a definition after "where", a derivative after "for" ------------------------

def test_plain_text_softmax_with_reg_and_the_label_yi():
    text = ("Softmax loss for one example:\n"
            "L_i = -log(p_yi), where p_k = e^(s_k) / sum_j e^(s_j)\n"
            "dL_i/ds_k = p_k - 1(k = yi)\n"                    # 3: after "where ...": a step, not a case
            "dL_i/ds_yi = p_yi - 1\n"                          # 4
            "dL_i/ds_k = p_k for k != yi\n"                    # 5
            "dL_i/ds_k = p_k - 1(k = yi) + 1\n"                # 6: wrong
            "With regularization R = reg * ||W||^2:\n"         # 7
            "dR/dW = 2 * reg * W\n"                            # 8
            "dR/dW = reg * W\n")                               # 9: wrong
    outcome = check(text)
    assert verdicts(outcome) == {2: "verified", 3: "verified", 4: "verified", 5: "verified", 6: "wrong",
                                 7: "verified", 8: "verified", 9: "wrong"}


def test_a_derivative_after_for_or_when_is_a_claim_never_a_case():
    text = ("Let $f = x^2 y$.\n\n"
            "For $\\frac{\\partial f}{\\partial x} = 3xy$ we see it.\n\n"     # 3: read, not a silent "case"; as
                                                                          # it may be a condition, not read
            "When $df/dy = x^2$ holds, fine.\n\n"                             # 5
            "When $x > 0$ the value is positive.\n")                          # 7: a condition: read as the
                                                                          # case of the rest of its line
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "unread", 5: "verified", 7: "verified"}
    assert not any(entry.source_line == 7 for entry in outcome.entries)   # no step on it: nothing claimed


# --- a column of a matrix written W_{:,j} -------------------------------------------------------------

def test_a_column_of_the_weights_written_as_a_slice():
    text = ("\\documentclass{article}\n\\begin{document}\n"
            "The SVM loss is $L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + 1)$ with $s_j = W_{:,j}^\\top x_i$.\n"
            "\\begin{align*}\n"
            "\\nabla_{W_{:,j}} L_i &= \\mathbb{1}(s_j - s_{y_i} + 1 > 0)\\, x_i \\text{ for } j \\neq y_i \\\\\n"   # 5
            "\\nabla_{W_{:,y_i}} L_i &= -\\left(\\sum_{j \\neq y_i} \\mathbb{1}(s_j - s_{y_i} + 1 > 0)\\right) x_i \\\\\n"  # 6
            "\\nabla_{W_{:,y_i}} L_i &= \\left(\\sum_{j \\neq y_i} \\mathbb{1}(s_j - s_{y_i} + 1 > 0)\\right) x_i \\\\\n"  # 7: wrong
            "\\frac{\\partial s_j}{\\partial W_{:,j}} &= x_i \\\\\n"                                              # 8
            "\\frac{\\partial s_j}{\\partial W_{j,:}} &= x_i\n"                                                   # 9: wrong, W_{j,:} is a row
            "\\end{align*}\n\\end{document}\n")
    outcome = check(text)
    assert verdicts(outcome) == {3: "verified", 5: "verified", 6: "verified", 7: "wrong", 8: "verified",
                                 9: "wrong"}


# --- accents and norms typed as Unicode in plain text --------------------------------------------------

def test_unicode_accents_and_norm_bars_in_plain_text():
    text = ("y\u0302 = sigma(z)\n"                              # y and a combining circumflex
            "L = -t log(ŷ) - (1 - t) log(1 - ŷ)\n"
            "dL/dz = ŷ - t\n"                                   # 3
            "dL/dz = t - y\u0302\n"                             # 4: wrong
            "R = lambda ‖w‖^2\n"                                # 5
            "dR/dw_j = 2 lambda w_j\n"                          # 6
            "dR/dw_j = lambda w_j\n")                           # 7: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 2: "verified", 3: "verified", 4: "wrong", 5: "verified",
                                 6: "verified", 7: "wrong"}


def test_an_error_while_reading_prose_leaves_the_maths_read(monkeypatch):
    from derivations.check.written.setup import Setup
    original = Setup.prose

    def failing(self, piece):
        if "secret" in piece.text:
            raise _Internal("secret internal text")
        return original(self, piece)

    monkeypatch.setattr(Setup, "prose", failing)
    outcome = check("Let $f = x^2$. A secret sentence.\n\n$$\\frac{df}{dx} = 2x$$\n\n$$\\frac{df}{dx} = x$$\n")
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong"}
    notes = [c.meaning for c in outcome.context if c.source_line == 1 and c.kind == "note"]
    assert notes and all("secret" not in n and "_Internal" not in n for n in notes)


# --- a bold vector with an accent; targets the text leaves undefined are one-hot ---------------------------

def test_an_accented_bold_vector_and_one_hot_targets():
    text = ("Let $\\hat{\\mathbf{y}} = \\mathrm{softmax}(\\mathbf{z})$ and $L = -\\sum_k y_k \\log \\hat{y}_k$.\n\n"
            "$$\\frac{\\partial L}{\\partial z_k} = \\hat{y}_k - y_k$$\n\n"                          # 3
            "$$\\frac{\\partial L}{\\partial \\mathbf{z}} = \\hat{\\mathbf{y}} - \\mathbf{y}$$\n\n"    # 5
            "$$\\nabla_{\\mathbf{z}} L = \\mathbf{\\hat y} - \\mathbf{y}$$\n\n"                      # 7
            "$$\\frac{\\partial L}{\\partial z_k} = \\hat{y}_k$$\n\n"                                # 9: wrong
            "$$\\nabla_{\\mathbf{z}} L = \\mathbf{y} - \\hat{\\mathbf{y}}$$\n")                      # 11: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "verified", 7: "verified", 9: "wrong",
                                 11: "wrong"}
    line3 = next(e for e in outcome.entries if e.source_line == 3)
    assert line3.verified_by.startswith("with the targets one-hot (y_k = 1[k = y]")


def test_an_example_label_in_a_sum_is_shown_with_the_terms_around_it():
    # (y_i - q_i) was shown as y_i and (1 - y_i) as y_i: the label's display swallowed the terms beside it
    text = ("For a batch of $N$ examples, $q_i = 2 x_i$ and\n"
            "$$J = \\frac{1}{N}\\sum_{i=1}^N (1 - y_i) q_i$$\n\n"
            "$$J = \\frac{1}{N}\\sum_{i=1}^N (y_i - q_i)$$\n")
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 2: "verified", 4: "wrong"}
    assert "(yᵢ - q_{i})" in next(e.read_as for e in outcome.entries if e.source_line == 4)
    assert any("(1 - yᵢ)" in c.meaning for c in outcome.context if c.source_line == 2)


# --- an entry of a vector in brackets: softmax(s)_k, (p - t)_k -----------------------------------------

def test_an_entry_of_a_vector_in_brackets():
    text = ("Let $\\mathbf{p} = \\operatorname{softmax}(\\mathbf{s})$ and $L = -\\log p_y$.\n\n"
            "$$p_k = \\operatorname{softmax}(\\mathbf{s})_k$$\n\n"                                  # 3
            "$$\\mathrm{softmax}(\\mathbf{s})_k = \\frac{e^{s_k}}{\\sum_j e^{s_j}}$$\n\n"           # 5
            "$$(\\mathbf{p} - \\mathbf{t})_k = p_k - t_k$$\n\n"                                    # 7
            "$$\\mathrm{softmax}(\\mathbf{s})_k = \\frac{e^{s_k}}{\\sum_j e^{s_j}} + 1$$\n\n"       # 9: wrong
            "$$(\\mathbf{p} - \\mathbf{t})_k = p_k + t_k$$\n")                                     # 11: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "verified", 7: "verified", 9: "wrong",
                                 11: "wrong"}


def test_the_gradient_in_the_order_the_text_lists_its_variables():
    text = ("Let $q = x + y$ and $f = q z$, evaluated at $x = -2$, $y = 5$, $z = -4$.\n\n"
            "$$\\nabla f = [z, z, x + y]$$\n\n"                                                   # 3: x, y, z through q
            "$$\\nabla f = \\left[\\frac{\\partial f}{\\partial z}, \\frac{\\partial f}{\\partial x}, "
            "\\frac{\\partial f}{\\partial y}\\right] = [x + y, z, z] = [3, -4, -4]$$\n\n"         # 5: listed z, x, y
            "$$\\nabla f = [3, -4, -4]$$\n\n"                                                     # 7: in that order
            "$$\\nabla f = [3, -4, 4]$$\n\n"                                                      # 9: wrong
            "$$\\nabla f = \\left[\\frac{\\partial f}{\\partial x}, \\frac{\\partial f}{\\partial x}, "
            "\\frac{\\partial f}{\\partial y}\\right]$$\n")                                       # 11: wrong (x twice)
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "verified", 7: "verified", 9: "wrong",
                                 11: "wrong"}


# --- \ell as a loss, an accented capital as a matrix -------------------------------------------------

def test_ell_and_an_accented_matrix():
    text = ("Let $\\ell = (w x - t)^2$.\n\n"
            "$$\\frac{\\partial \\ell}{\\partial w} = 2(wx - t)x$$\n\n"                                  # 3
            "$$\\frac{\\partial \\ell}{\\partial w} = (wx - t)x$$\n\n"                                   # 5: wrong
            "With $\\hat{Y} = \\mathrm{softmax}(X W)$ row by row and "
            "$L = -\\frac{1}{N}\\sum_n \\sum_c Y_{nc} \\log \\hat{Y}_{nc}$:\n\n"                          # 7
            "$$\\frac{\\partial L}{\\partial W} = \\frac{1}{N} X^T(\\hat{Y} - Y)$$\n\n"                   # 9
            "$$\\frac{\\partial L}{\\partial W} = X^T(\\hat{Y} - Y)$$\n")                                # 11: wrong
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "verified", 5: "wrong", 7: "verified", 9: "verified",
                                 11: "wrong"}


def test_targets_are_taken_one_hot_only_in_a_cross_entropy_of_one_family():
    # both y_k and t_k one-hot would make y_k = t_k and hide the slip on line 3
    text = ("Let $L = \\sum_k (y_k - t_k)^2$.\n\n"
            "$$L = \\sum_k (y_k - t_k)$$\n\n"                                   # 3: wrong
            "$$\\frac{\\partial L}{\\partial y_k} = 2(y_k - t_k)$$\n")          # 5
    outcome = check(text)
    assert verdicts(outcome) == {1: "verified", 3: "wrong", 5: "verified"}
