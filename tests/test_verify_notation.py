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
