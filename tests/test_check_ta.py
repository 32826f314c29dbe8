"""Grading as a TA would (issue 11): the precision policy's boundaries, the question's kind, the notations
students write, per-item failures, the generated mistakes and when they are named."""
import pytest
import sympy

from derivations.check.grade import grade_sheet
from derivations.check.sheet import parse

G0 = "given: {scores: [3, -1, 4], label: 0, delta: 1}\n"        # softmax loss 1.31818, SVM loss 2
G4 = "given: {scores: [2, 1, -1, 0.5], label: 1, delta: 1}\n"   # softmax loss 1.49518, SVM loss 2.5


def items(yaml_items, given=G0, head=""):
    return grade_sheet(parse(given + head + "items:\n" + yaml_items, "s.yaml")).items


def one(quantity, answer, given=G0, extra="", head=""):
    return items(f"  - id: q\n    quantity: {quantity}\n    answer: {answer}\n{extra}", given, head)[0]


# --- the precision policy ------------------------------------------------------------------------

@pytest.mark.parametrize("given, answer, verdict, rule", [
    (G0, "1.3", "incorrect", "too-few-figures"),          # right to 2 figures: 3 are needed
    (G0, "1.32", "correct", "figures"),
    (G0, "1.318", "correct", "figures"),
    (G0, "1.317", "correct", "rounded-intermediates"),     # -ln 0.268
    (G0, "1.20", "incorrect", "wrong-value"),                        # -ln 0.3: p rounded to 1 figure
    (G4, "1.61", "incorrect", "wrong-value"),                        # -ln 0.2
    (G4, "1.50", "correct", "figures"),                     # 1.49518 to 3 figures
])
def test_rounding_policy_boundaries(given, answer, verdict, rule):
    item = one("softmax.loss", answer, given)
    assert (item.verdict, item.rule) == (verdict, rule), item.feedback
    assert item.score == (1.0 if verdict == "correct" else 0.0)


def test_a_short_answer_is_told_how_many_figures_were_needed():
    item = one("softmax.loss", "1.3")
    assert "shows 2 significant figures: 3 are needed (1.32)" in item.feedback
    assert item.diagnosis is None


def test_a_coarse_rounding_is_named_but_not_credited():
    assert "p₀ rounded to 1 significant figure (0.3)" in one("softmax.loss", "1.20").feedback
    assert "p₁ rounded to 1 significant figure (0.2)" in one("softmax.loss", "1.61", G4).feedback


def test_rounded_intermediates_say_which_rounding():
    item = one("softmax.loss", "1.309")                          # -ln 0.27: two figures on p
    assert item.verdict == "correct" and "p₀ rounded to 2 significant figures (0.27)" in item.feedback
    item = one("softmax.loss", "1.514", G4)                      # -ln 0.22
    assert item.verdict == "correct" and "(0.22)" in item.feedback


def test_a_rounding_that_loses_the_value_is_not_accepted():
    given = "given: {scores: [10, -2, 3], label: 0}\n"           # loss 0.000917605, p_0 = 0.999083
    assert one("softmax.loss", "0.00100", given).verdict == "incorrect"    # -ln 0.999: 9 % off
    assert one("softmax.loss", "0", given).verdict == "incorrect"          # p_0 rounded to 1.0
    assert one("softmax.loss", "0.000918", given).verdict == "correct"


def test_unquoted_yaml_numbers_keep_their_figures():
    assert one("softmax.loss", "1.50", G4).verdict == "correct"           # YAML would read 1.5
    assert one("softmax.loss", "1.5", G4).verdict == "incorrect"
    assert one("softmax.loss", "'1.5'", G4).rule == "too-few-figures"


def test_exact_values_are_right_however_written():
    assert one("svm.loss", "2.5", G4).rule == "exact"
    assert one("svm.loss", "2", G4).verdict == "incorrect"       # not "right as far as it goes"
    assert "as far as it goes" not in one("svm.loss", "2", G4).feedback


def test_digits_beyond_the_required_figures_are_not_marked():
    item = one("softmax.loss", "1.3185")
    assert item.verdict == "correct" and item.rule == "figures-required"
    assert "the digits after those are not marked" in item.feedback
    assert one("softmax.loss", "1.3149").verdict == "incorrect"          # 1.31 at 3 figures


def test_truncation_is_accepted_with_a_note_unless_the_sheet_refuses_it():
    item = one("softmax.loss", "1.49", G4)                      # 1.49518: rounding gives 1.50
    assert item.verdict == "correct" and item.rule == "truncated" and "truncated to 1.49" in item.feedback
    probs = one("softmax.probs", "'[0.267, 0.004, 0.727]'")       # [0.267623, 0.00490169, 0.727475]
    assert probs.verdict == "correct" and "truncated" in probs.feedback
    refused = one("softmax.probs", "'[0.267, 0.004, 0.727]'", head="precision: {truncation: false}\n")
    assert refused.verdict == "partially-correct" and refused.score == pytest.approx(1 / 3)


def test_the_figures_required_are_configurable_per_sheet_and_item():
    assert one("softmax.loss", "1.3", head="precision: {sig_figs: 2}\n").verdict == "correct"
    assert one("softmax.loss", "1.3", extra="    precision: {sig_figs: 2}\n").verdict == "correct"
    four = one("softmax.loss", "1.318", extra="    precision: {sig_figs: 4}\n")
    assert four.verdict == "correct"
    assert one("softmax.loss", "1.32", extra="    precision: {sig_figs: 4}\n").rule == "too-few-figures"
    coarse = one("softmax.loss", "1.20", extra="    precision: {intermediate_figures: 1}\n")
    assert coarse.verdict == "correct" and coarse.rule == "rounded-intermediates"


def test_vector_figures_count_from_the_largest_entry():
    assert one("softmax.probs", "'[0.268, 0.005, 0.727]'").verdict == "correct"
    item = one("softmax.probs", "'[0.27, 0.0049, 0.73]'")        # too few figures as a whole: no partial credit
    assert item.verdict == "incorrect" and item.score == 0 and item.rule == "too-few-figures"
    assert "3 are needed" in item.feedback
    assert one("softmax.probs", "'[0.2676, 0.0049, 0.7275]'").verdict == "correct"   # 0.727475 to 4 places


def test_bad_precision_settings_are_reported():
    item = one("softmax.loss", "1.318", extra="    precision: {sig_figs: 0}\n")
    assert item.verdict == "invalid" and "sig_figs must be a whole number from 1 to 15" in item.feedback


# --- the question's kind -------------------------------------------------------------------------

@pytest.mark.parametrize("quantity, answer", [("svm.dscore_correct", "-1"), ("svm.dscore_incorrect", "1"),
                                              ("softmax.dscore_correct", "'-0.732'")])
def test_a_number_for_a_formula_is_incorrect_with_its_message(quantity, answer):
    item = one(quantity, answer)
    assert item.verdict == "incorrect" and item.score == 0 and item.feedback.startswith("A formula was expected") and item.rule == "wrong-kind"


def test_a_formula_question_may_accept_the_number_for_the_given():
    assert one("svm.dscore_correct", "-1", extra="    accept_numbers: true\n").verdict == "correct"
    assert one("svm.dscore_correct", "'-\\sum_{j \\neq y_i} \\mathbb{1}(s_j - s_{y_i} + \\Delta > 0)'",
               extra="    accept_numbers: true\n").verdict == "correct"


# --- notation ------------------------------------------------------------------------------------

@pytest.mark.parametrize("quantity, answer, note", [
    ("svm.loss", "'2 (hinge loss)'", "'(hinge loss)' after the answer were ignored"),
    ("softmax.loss", "'1.318 nats'", "'nats' after the answer were ignored"),
    ("softmax.loss", "'≈ 1.318'", "≈ read as ="),
    ("softmax.loss", "'\\approx 1.318'", "≈ read as ="),
    ("softmax.loss", "'L_i ≈ 1.318'", "≈ read as ="),
    ("softmax.loss", "'1.32 (rounded)'", "'(rounded)' after the answer were ignored"),
    ("svm.dscores", "'[-1 0 1]'", ""),
    ("svm.dscores", "'-1, 0, 1'", ""),
    ("svm.dscores", "'[-1; 0; 1]'", ""),
    ("svm.dscores", "'[[-1], [0], [1]]'", ""),
    ("svm.dscores", "'tensor([-1.,  0.,  1.])'", "inside tensor(...)"),
    ("softmax.dscores", "'tensor([-0.7324,  0.0049,  0.7275], dtype=torch.float64)'", "inside tensor(...)"),
    ("softmax.probs", "'array([0.268, 0.005, 0.727])'", "inside array(...)"),
    ("softmax.jacobian", "'np.array([[ 0.196, -0.001, -0.195], [-0.001, 0.005, -0.004], [-0.195, -0.004, 0.198]])'",
     "inside NumPy's array(...)"),
    ("softmax.jacobian", "'[[0.196 -0.001 -0.195] [-0.001 0.005 -0.004] [-0.195 -0.004 0.198]]'", ""),
    ("softmax.loss", "'np.float64(1.3182)'", "inside NumPy's float64(...)"),
    ("svm.loss", "'tensor(2.)'", "inside tensor(...)"),
    ("svm.dscore_correct", "'-\\sum_{j=1, j \\neq y_i}^{K} \\mathbb{1}(s_j - s_{y_i} + \\Delta > 0)'", ""),
    ("svm.dscore_correct", "'-\\sum_{j=0, j \\neq y_i}^{K-1} \\mathbb{1}(s_j - s_{y_i} + \\Delta > 0)'", ""),
    ("svm.dscore_incorrect", "'\\begin{cases} 1 & \\text{if } s_k - s_{y_i} + \\Delta > 0 \\\\ 0 & "
                             "\\text{otherwise} \\end{cases}'", ""),
    ("svm.dscore_incorrect", "'1(s_k - s_yi + 1 > 0)'", ""),
    ("softmax.dscore_correct", "'P_{y_i} - 1'", ""),
    ("softmax.dscore_incorrect", "'P_k'", ""),
])
def test_notations_a_ta_reads(quantity, answer, note):
    item = one(quantity, answer)
    assert item.verdict == "correct", item.feedback
    assert note in item.feedback


def test_s_yi_is_the_label_never_a_product():
    item = one("svm.dscore_incorrect", "'\\mathbb{1}(s_k - s_yi + \\Delta > 0)'")
    assert item.verdict == "correct" and "s_{yᵢ}" in item.read_as
    refused = one("svm.dscore_incorrect", "'\\mathbb{1}(s_kj > 0)'")
    assert refused.verdict == "invalid" and "'s_kj': a subscript of several letters needs braces" in refused.feedback


def test_a_decimal_comma_is_read_when_the_sheet_uses_it():
    sheet = ("  - {id: p, quantity: softmax.probs, answer: '[0,268; 0,005; 0,727]'}\n"
             "  - {id: L, quantity: softmax.loss, answer: '1,318'}\n"
             "  - {id: g, quantity: svm.dscores, answer: '[-1; 0; 1]'}\n"
             "  - {id: q, quantity: softmax.probs, answer: '[0,268, 0,005, 0,727]'}\n"
             "  - {id: r, quantity: softmax.probs, answer: '[0,268 0,005 0,727]'}\n")
    probs, loss, grad, spaced_commas, spaces = items(sheet)
    assert (probs.verdict, loss.verdict, grad.verdict) == ("correct", "correct", "correct")
    assert spaced_commas.verdict == spaces.verdict == "correct"
    assert "decimal comma" in loss.feedback


def test_a_lone_decimal_comma_is_refused_unless_the_sheet_says_so():
    item = one("softmax.loss", "'1,318'")
    assert item.verdict == "invalid" and "options: {decimal_comma: true}" in item.feedback
    assert one("softmax.loss", "'1,318'", head="options: {decimal_comma: true}\n").verdict == "correct"
    mixed = items("  - {id: a, quantity: softmax.loss, answer: '1,318'}\n"
                  "  - {id: b, quantity: svm.loss, answer: '2.0'}\n"       # a decimal point elsewhere
                  "  - {id: c, quantity: softmax.probs, answer: '[0,268; 0,005; 0,727]'}\n")
    assert mixed[0].verdict == "invalid"


def test_an_item_without_an_answer_is_invalid_and_the_rest_is_graded():
    result = grade_sheet(parse(G0 + "items:\n  - {id: a, quantity: svm.loss}\n"
                                    "  - {id: b, quantity: svm.loss, answer: 2}\n"
                                    "  - {id: c, answer: 2}\n  - 7\n", "s.yaml"))
    assert result.error is None
    assert [i.verdict for i in result.items] == ["invalid", "correct", "invalid", "invalid"]
    assert result.items[0].feedback == "No answer was given."
    assert result.items[2].feedback == "The item names no quantity."


# --- generated mistakes and when they are named ---------------------------------------------------

@pytest.mark.parametrize("given, quantity, answer, tag", [
    (G0, "svm.dscores", "'[0, 0, 1]'", "correct-class-zero"),
    (G4, "svm.dscores", "'[1, 0, 0, 1]'", "correct-class-zero"),
    (G0, "softmax.dscores", "'[0, 0.005, 0.727]'", "correct-class-zero"),
    (G0, "svm.loss", "11", "wrong-label"),                       # label 1 instead of 0
    (G0, "svm.dscores", "'[1, -2, 1]'", "wrong-label"),
    (G0, "softmax.loss", "0.318", "wrong-label"),                # -ln p_2
    (G4, "softmax.loss", "0.495", "wrong-label"),                # -ln p_0
    (G0, "softmax.dscores", "'[0.268, -0.995, 0.727]'", "wrong-label"),
    (G0, "svm.loss", "1", "delta-left-out"),
    (G4, "svm.loss", "1", "delta-left-out"),
    (G0, "svm.dscore_incorrect", "'\\mathbb{1}(s_k - s_{y_i} > 0)'", "delta-left-out"),
    (G0, "softmax.dscore_incorrect", "'e^{s_k}'", "unnormalised-softmax"),
    (G0, "softmax.dscore_correct", "'e^{s_{y_i}} - 1'", "unnormalised-softmax"),
    (G0, "softmax.dscores", "'[19.09, 0.368, 54.60]'", "unnormalised-softmax"),
    (G0, "softmax.dscore_incorrect", "'\\frac{e^{s_k}}{\\sum_{j \\neq y_i} e^{s_j}}'", "sum-skips-correct-class"),
    (G0, "svm.dscore_incorrect", "'\\mathbb{1}(s_{y_i} - s_k + \\Delta > 0)'", "reversed-margin"),
])
def test_new_mistakes_are_diagnosed(given, quantity, answer, tag):
    item = one(quantity, answer, given)
    assert item.verdict in ("incorrect", "partially-correct")
    assert item.diagnosis == tag, item.feedback


def test_the_wrong_label_says_which_class():
    assert "the label was taken as class 1; the correct class is yᵢ = 0" in one("svm.loss", "11").feedback


@pytest.mark.parametrize("given", [G0, G4])
def test_a_coincidence_of_the_given_is_ambiguous_not_named(given):
    item = one("svm.loss", "0", given)          # the wrong label and a flipped Delta both give 0
    assert item.verdict == "incorrect" and item.diagnosis is None
    assert set(item.candidates) == {"flipped-delta", "wrong-label"}
    assert "Several mistakes give this answer for this given" in item.feedback


def test_an_integer_answer_is_not_a_rounded_exact_value():
    item = one("svm.loss", "4", G4)              # kept-correct-term gives 3.5, reversed-margin 4.5, label 3 gives 4
    assert item.diagnosis == "wrong-label"


def test_few_digits_do_not_name_a_mistake_by_chance():
    assert one("softmax.loss", "0.3").diagnosis is None          # 0.318 (label 2) to 1 digit: 16 % wide
    assert one("softmax.loss", "0.32").diagnosis == "wrong-label"


# --- caching -------------------------------------------------------------------------------------

def test_cached_judgements_keep_each_items_identity_and_context():
    first, second = items("  - {id: a, quantity: softmax.loss, answer: 1.204, points: 2}\n"
                          "  - {id: b, quantity: softmax.loss, answer: 1.204}\n")
    assert (first.id, first.points, second.id, second.points) == ("a", 2.0, "b", 1.0)
    assert first.verdict == second.verdict == "incorrect"
    followed = items("  - {id: p, quantity: softmax.probs, answer: '[0.269, 0.005, 0.726]'}\n"
                     "  - {id: L, quantity: softmax.loss, answer: 1.313}\n")[1]        # -ln 0.269: own p
    assert followed.verdict == "correct" and followed.rule == "follow-through"


# --- the references are the derivations' --------------------------------------------------------

@pytest.mark.parametrize("scores, label, delta, scale", [
    ([3, -1, 4], 0, 1, 1), ([2, 1, -1, 0.5], 1, 1, 1), ([1, 2, 0], 1, 1, 1),      # a margin exactly 0
    ([3, -1, 4], 0, 2, 2), ([10, 9, 9], 0, 1, 1),
])
def test_reference_numbers_are_the_derivations(scores, label, delta, scale):
    from derivations.check.grade import reference_for
    from derivations.check.quantities import lookup
    from derivations.check.registry import Given
    given = Given.read({"scores": scores, "label": label, "delta": delta, "scale": scale})

    def same(mine, theirs):
        mine, theirs = sympy.Matrix([mine]).reshape(1, len(sympy.Matrix([mine]))), sympy.Matrix([theirs])
        theirs = theirs.reshape(1, len(theirs))
        return mine.shape == theirs.shape and all(abs(sympy.N(a - b, 60)) < 1e-45 for a, b in zip(mine, theirs))

    svm = reference_for(lookup("svm.loss"), given).worked()
    assert reference_for(lookup("svm.loss"), given).value == svm.results["loss"].expr
    assert list(reference_for(lookup("svm.dscores"), given).value) == list(svm.results["dscores"].expr)
    softmax = reference_for(lookup("softmax.loss"), given).worked()
    for name, result in (("softmax.loss", "loss"), ("softmax.probs", "probs"), ("softmax.dscores", "dscores")):
        assert same(reference_for(lookup(name), given).value, softmax.results[result].expr), name
    jacobian = reference_for(lookup("softmax.jacobian"), given)
    assert same(jacobian.value, jacobian.worked().results["jacobian"].expr)


# --- formulas: the probe gives the verifier's verdicts, with one full check at most ----------------

FORMULAS = [
    ("svm.dscore_incorrect", r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"),
    ("svm.dscore_incorrect", r"\mathbb{1}(s_k - s_{y_i} > 0)"),
    ("svm.dscore_incorrect", r"\mathbb{1}(s_{y_i} - s_k + \Delta > 0)"),
    ("svm.dscore_incorrect", r"-\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"),
    ("svm.dscore_incorrect", r"\max(0, s_k - s_{y_i} + \Delta)"),
    ("svm.dscore_correct", r"-\sum_{j \neq y_i} \mathbb{1}(s_j - s_{y_i} + \Delta > 0)"),
    ("svm.dscore_correct", r"-(K - 1)"),
    ("softmax.dscore_correct", "p_{y_i} - 1"),
    ("softmax.dscore_correct", "p_{y_i}"),
    ("softmax.dscore_incorrect", r"e^{s_k}"),
    ("softmax.dscore_incorrect", r"\frac{e^{s_k}}{\sum_{j \neq y_i} e^{s_j}}"),
    ("logistic.dw", "(t - y) x_j"),
    ("logistic.dw", "(y - t) x_j"),
]


@pytest.mark.parametrize("quantity_name, text", FORMULAS)
def test_the_probe_agrees_with_the_full_check(quantity_name, text):
    from derivations.check import formulas
    from derivations.check.grade import reference_for
    from derivations.check.quantities import lookup
    from derivations.check.registry import Given
    from derivations.parse import parse_expression
    quantity = lookup(quantity_name)
    reference = reference_for(quantity, quantity.effective(Given()))
    answer = formulas.rename_free_index(parse_expression(text), reference.expr)
    delta = sympy.Integer(1)
    equal, mistakes = formulas.judge_formula(answer, reference, delta)
    definitions = formulas.definitions_for(reference)
    assert equal == formulas.equivalent(answer, reference.expr, reference.conditions, delta, definitions)
    full = [v.tag for v in reference.variants if v.expr is not None and not equal
            and formulas.equivalent(answer, v.expr, reference.conditions, delta, definitions)]
    assert [v.tag for v in mistakes] == full


def test_a_wrong_formula_costs_one_full_check_not_one_per_mistake(monkeypatch):
    from derivations.check import formulas, grade
    monkeypatch.setattr(grade, "_JUDGEMENTS", {})            # judged afresh, not from an earlier test's cache
    calls = []
    real = formulas.equivalent
    monkeypatch.setattr(formulas, "equivalent", lambda *a, **k: calls.append(1) or real(*a, **k))
    item = one("svm.dscore_incorrect", "'\\mathbb{1}(s_k + s_{y_i} > 0)'")            # matches nothing
    assert item.verdict == "incorrect" and item.diagnosis is None and calls == []
    one("svm.dscore_incorrect", "'\\mathbb{1}(s_k - s_{y_i} > 0)'")                    # Delta left out
    assert len(calls) == 1


@pytest.mark.parametrize("scores, label, delta, scale", [([3, -1, 4], 0, 1, 1), ([2, 1, -1, 0.5], 1, 2, 2),
                                                          ([1, 2, 0], 1, 1, 1), ([10, -100, -100], 0, 1, 1)])
def test_mistakes_are_the_encoded_variants_worked_through(scores, label, delta, scale):
    """The fast evaluations of the variant losses give what the encoded expressions give, exactly."""
    from derivations.check.families import softmax, svm
    from derivations.check.families.common import gradient as gradient_by_diff
    from derivations.check.families.common import instance, piecewise_linear
    from derivations.check.registry import Given
    given = Given.read({"scores": scores, "label": label, "delta": delta, "scale": scale})
    numbers = softmax.loss_numbers(given)
    assert abs(sympy.N(numbers["loss"] - instance(softmax.SOFTMAX_LOSS, given, scale), 80)) < 1e-70
    for tag, (_, expr) in softmax.SOFTMAX_LOSS_VARIANTS.items():
        assert abs(sympy.N(numbers[tag] - instance(expr, given, scale), 80)) < 1e-70, tag
    for tag, (_, expr) in [*svm.SVM_VARIANTS.items(), ("loss", (None, svm.SVM_LOSS))]:
        value, gradient = piecewise_linear(expr, given)
        assert value == instance(expr, given), tag
        assert gradient == gradient_by_diff(expr, given), tag


def test_an_entry_with_its_last_zeros_left_off_is_right_in_a_well_written_vector():
    from derivations.check.judge import judge
    from derivations.check.quantities import lookup
    from derivations.check.registry import Given
    q = lookup("softmax.dW")
    batch = Given.read({"X": [[-1.7, 1.1, 1.7], [-0.4, 0.6, 0.4], [-1.4, -0.6, -0.7], [0.5, -0.3, -0.3]],
                        "y": [2, 0, 1, 2], "W": [[-0.7, -0.1, 0.7], [0.9, -0.4, -0.8], [0.6, 0.2, 0.3]],
                        "reg": 0.05, "reg_form": "half"})
    reference = q.reference(batch)                                   # its entry (2, 2) is -0.389978
    written = "[[-0.5162, 0.1875, 0.3238], [0.1912, 0.0795, -0.2857], [0.326, 0.119, -0.39]]"   # NumPy's -0.39
    assert judge("a", q, reference, written).verdict == "correct"
    short = "[[-0.52, 0.19, 0.32], [0.19, 0.079, -0.29], [0.33, 0.12, -0.39]]"      # 2 figures as a whole
    assert judge("a", q, reference, short).verdict == "incorrect"
    coarse = one("softmax.probs", "'[0.27, 0.005, 0.73]'")         # the largest entry shows 2 figures: the whole
    assert (coarse.verdict, coarse.score) == ("incorrect", 0.0)
    mixed = one("softmax.probs", "'[0.3, 0.2, 0.7]'")               # coarse as a whole, and 0.2 plainly wrong
    assert (mixed.verdict, mixed.score) == ("incorrect", 0.0)
