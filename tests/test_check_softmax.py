"""Grading softmax answers: rounding-aware, follow-through, generated diagnoses, the seeds' mistakes."""
import pytest

from derivations.check.grade import grade_sheet
from derivations.check.sheet import parse

GIVEN = "given: {scores: [3, -1, 4], label: 0}\n"


def items(yaml_items, given=GIVEN, options=""):
    return grade_sheet(parse(given + options + "items:\n" + yaml_items, "s.yaml")).items


def one(quantity, answer, extra=""):
    return items(f"  - id: q\n    quantity: {quantity}\n    answer: {answer}\n{extra}")[0]


@pytest.mark.parametrize("answer", ["1.318", "1.3182", "'1.31818'", "'-\\ln(0.2676)'"])
def test_loss_right(answer):
    assert one("softmax.loss", answer).verdict == "correct"


def test_rounded_probability_first_is_accepted_with_a_note():
    item = one("softmax.loss", "1.317")                          # -ln 0.268
    assert item.verdict == "correct" and item.rule == "rounded-intermediates"
    assert "p₀ rounded to 3 significant figures (0.268)" in item.feedback and "1.31818" in item.feedback


def test_log10_is_diagnosed():
    item = one("softmax.loss", "0.5725")        # -log10(0.2676)
    assert item.verdict == "incorrect" and item.diagnosis == "log10"


def test_missing_minus_is_diagnosed():
    assert one("softmax.loss", "-1.318").diagnosis == "missing-minus"


def test_unnormalised_softmax_is_diagnosed():
    assert one("softmax.loss", "-3").diagnosis == "unnormalised-softmax"
    assert one("softmax.probs", "[20.09, 0.3679, 54.60]").diagnosis == "unnormalised-softmax"


def test_scale_not_applied_is_diagnosed():
    item = one("softmax.loss", "1.318", "    given: {scale: 2}\n")
    assert item.verdict == "incorrect" and item.diagnosis == "scale-not-applied"
    assert one("softmax.loss", "2.127", "    given: {scale: 2}\n").verdict == "correct"


def test_seed_scaled_loss_is_wrong_without_a_false_diagnosis():
    item = one("softmax.loss", "2.249", "    given: {scale: 2}\n")
    assert item.verdict == "incorrect" and item.diagnosis is None


def test_probabilities_truncation_is_told_from_rounding():
    item = one("softmax.probs", "[0.268, 0.004, 0.727]")
    assert item.verdict == "correct" and "truncated to 0.004; rounding gives 0.005" in item.feedback
    refused = one("softmax.probs", "[0.268, 0.004, 0.727]", "    precision: {truncation: false}\n")
    assert refused.verdict == "partially-correct" and refused.score == pytest.approx(2 / 3)


def test_a_last_digit_off_by_one_is_not_right():
    item = one("softmax.probs", "[0.268, 0.005, 0.728]")        # 0.727475 is 0.727 to 3 figures
    assert item.verdict == "partially-correct" and item.score == pytest.approx(2 / 3)


def test_gradient_without_minus_one_is_diagnosed():
    item = one("softmax.dscores", "[0.268, 0.005, 0.727]")
    assert item.verdict == "partially-correct" and item.diagnosis == "no-minus-one"


def test_gradient_sign_flipped():
    assert one("softmax.dscores", "[0.732, -0.005, -0.727]").diagnosis == "sign-flipped-gradient"


def test_follow_through_from_own_wrong_probabilities():
    result = items("  - {id: p, quantity: softmax.probs, answer: [0.321, 0.012, 0.667]}\n"
                   "  - {id: L, quantity: softmax.loss, answer: 1.136}\n"          # -ln 0.321
                   "  - {id: g, quantity: softmax.dscores, answer: [-0.679, 0.012, 0.667]}\n")
    probs, loss, grad = result
    assert probs.verdict == "incorrect"
    assert (loss.verdict, loss.rule) == ("correct", "follow-through") and "follow-through" in loss.feedback
    assert (grad.verdict, grad.rule) == ("correct", "follow-through")


def test_no_follow_through_from_a_coarse_rounding_and_the_feedback_says_why():
    """p = [0.3, 0.1, 0.6] shows 1 figure: -ln 0.3 = 1.204 is not credited (issue 19), and the feedback says why."""
    result = items("  - {id: p, quantity: softmax.probs, answer: [0.3, 0.1, 0.6]}\n"
                   "  - {id: L, quantity: softmax.loss, answer: 1.204}\n"
                   "  - {id: g, quantity: softmax.dscores, answer: [-0.7, 0.1, 0.6]}\n")
    probs, loss, grad = result
    assert (probs.verdict, loss.verdict, loss.score, grad.verdict) == ("incorrect", "incorrect", 0.0, "incorrect")
    assert "no follow-through is given: p₀ = 0.3 (1 significant figure) is rounded too coarsely" in loss.feedback
    assert "p₁ = 0.1" not in loss.feedback                  # the loss reads p_0 only
    assert "p₁ = 0.1 (1 significant figure)" in grad.feedback
    two = items("  - {id: p, quantity: softmax.probs, answer: [0.25, 0.01, 0.74]}\n"        # 2 figures: carried
                "  - {id: L, quantity: softmax.loss, answer: 1.386}\n")[1]               # -ln 0.25
    assert (two.verdict, two.rule) == ("correct", "follow-through")
    small = items("  - {id: p, quantity: softmax.probs, answer: [0.08, 0.2, 0.72]}\n"       # p_0 = 0.08: 1 figure
                  "  - {id: L, quantity: softmax.loss, answer: 2.526}\n")[1]             # -ln 0.08
    assert small.verdict == "incorrect" and "p₀ = 0.08 (1 significant figure)" in small.feedback
    precise = items("  - {id: p, quantity: softmax.probs, answer: [0.300, 0.005, 0.695]}\n"  # 0.005 to 3 decimals
                    "  - {id: g, quantity: softmax.dscores, answer: [-0.700, 0.005, 0.695]}\n")[1]
    assert (precise.verdict, precise.rule) == ("correct", "follow-through")


def test_follow_through_credit_is_configurable():
    result = items("  - {id: p, quantity: softmax.probs, answer: [0.269, 0.005, 0.726]}\n"
                   "  - {id: L, quantity: softmax.loss, answer: 1.313}\n",
                   options="options: {follow_through: 0.5}\n")
    assert result[1].verdict == "partially-correct" and result[1].score == 0.5


def test_inconsistent_with_both_points_at_the_step():
    result = items("  - {id: p, quantity: softmax.probs, answer: [0.321, 0.012, 0.667]}\n"
                   "  - {id: L, quantity: softmax.loss, answer: 0.9}\n")
    assert result[1].verdict == "incorrect"
    assert "does not follow from your own softmax.probs" in result[1].feedback


def test_case_formulas():
    assert one("softmax.dscore_correct", "'p_{y_i} - 1'").verdict == "correct"
    assert one("softmax.dscore_correct", "'p_k - 1'").verdict == "correct"     # k = y_i in this case
    assert one("softmax.dscore_correct", "'p_{y_i}'").diagnosis == "no-minus-one"
    assert one("softmax.dscore_incorrect", "'\\frac{e^{s_k}}{\\sum_{m=1}^{K} e^{s_m}}'").verdict == "correct"
    assert one("softmax.dscore_incorrect", "'-p_k'").diagnosis == "sign-flipped-gradient"


def test_jacobian_matrix():
    right = "'\\begin{bmatrix} 0.196 & -0.001 & -0.195 \\\\ -0.001 & 0.005 & -0.004 \\\\ -0.195 & -0.004 & 0.198 \\end{bmatrix}'"
    assert one("softmax.jacobian", right).verdict == "correct"
    wrong = "[[0.196, -0.001, -0.195], [-0.001, 0.005, -0.004], [-0.195, -0.004, 0.5]]"
    item = one("softmax.jacobian", wrong)
    assert item.verdict == "partially-correct" and item.score == pytest.approx(8 / 9)


def test_extreme_scores_near_zero():
    item = one("softmax.loss", "0", "    given: {scores: [10, -100, -100], label: 0}\n")
    assert item.verdict == "correct" and "3.38e-48" in item.feedback
    assert one("softmax.loss", "3.378e-48", "    given: {scores: [10, -100, -100], label: 0}\n").verdict == "correct"


def test_seed_003_log10_losses():
    item1 = one("softmax.loss", "0.4E-3", "    given: {scores: [10, -2, 3], label: 0}\n")
    item2 = one("softmax.loss", "0.24", "    given: {scores: [10, 9, 9], label: 0}\n")
    assert item1.diagnosis == item2.diagnosis == "log10"
