"""derive check-code names each mistake of its catalogue in code a student could write (one mutant each).

The mutants (tests/data/check_code/mutants/) are written as NumPy code, independently of the catalogue's
rewrites of the verified matrix forms; each file is graded in one sandboxed run with every function in it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from derivations.checkcode.grade import Grader, Settings
from derivations.checkcode.mistakes import variants
from derivations.checkcode.said import plain
from derivations.checkcode.sandbox import Limits

DATA = Path(__file__).parent / "data" / "check_code" / "mutants"

EXPECTED = {
    "svm": {
        "correct_loops": set(), "correct_array": set(), "correct_half": set(), "correct_kink": set(),
        "correct_delta": set(),
        "delta_ignored": {"loss-delta-hard-coded", "dW-delta-hard-coded"},
        "delta_ten": {"loss-delta-hard-coded", "dW-delta-hard-coded"},
        "loss_reg_missing": {"loss-reg-missing"}, "loss_half_only": {"loss-reg-form"},
        "loss_reg_doubled": {"loss-reg-doubled"}, "loss_not_averaged": {"loss-missing-1/N"},
        "loss_reg_over_n": {"loss-reg-over-N"}, "grad_reg_missing": {"dW-reg-missing"},
        "grad_half_only": {"dW-reg-form"}, "grad_reg_quadrupled": {"dW-reg-doubled"},
        "grad_not_averaged": {"dW-missing-1/N"}, "grad_reg_over_n": {"dW-reg-over-N"},
        "reg_missing_both": {"loss-reg-missing", "dW-reg-missing"},
        "kept_correct_term": {"loss-kept-correct-term"},
        "dropped_max": {"loss-dropped-max", "dW-dropped-indicator"},
        "reversed_margin": {"loss-reversed-margin", "dW-reversed-margin"},
        "flipped_delta": {"loss-flipped-delta", "dW-flipped-delta"},
        "delta_left_out": {"loss-delta-left-out", "dW-delta-left-out"},
        "dropped_label_delta": {"dW-dropped-delta"}, "correct_class_plus": {"dW-sign-of-correct-class"},
        "correct_class_untouched": {"dW-correct-class-zero"}, "swapped_updates": {"dW-sign-flipped"},
        "correct_class_counted": {"dW-correct-class-counted"}, "indicator_dropped": {"dW-dropped-indicator"},
        "stale_example": {"dW-stale-example-last"}, "stale_example_first": {"dW-stale-example-first"},
        "stale_column": {"dW-correct-class-last-column"}, "first_column": {"dW-correct-class-first-column"},
        "transposed": {"dW-transposed"},
        "loss_not_averaged_grad_half": {"loss-missing-1/N", "dW-reg-form"},
    },
    "softmax": {
        "correct_loops": set(), "correct_array": set(), "correct_logsumexp": set(), "correct_half": set(),
        "log10": {"loss-log10"}, "loss_sign": {"loss-sign"},
        "no_max": {"loss-no-max-shift", "dW-no-max-shift"},
        "over_examples": {"loss-normalised-over-examples", "dW-normalised-over-examples"},
        "no_minus_one": {"dW-no-minus-one"}, "sign_flipped": {"dW-sign-flipped"},
        "minus_one_everywhere": {"dW-wrong-class"},
        "stale_column_last": {"dW-correct-class-last-column"},
        "stale_column_first": {"dW-correct-class-first-column"},
        "stale_example_last": {"dW-stale-example-last"}, "stale_example_first": {"dW-stale-example-first"},
        "loss_reg_missing": {"loss-reg-missing"}, "grad_not_averaged": {"dW-missing-1/N"},
        "transposed": {"dW-transposed"},
    },
    "logistic": {
        "correct_loops": set(), "correct_array": set(), "correct_half": set(),
        "log10": {"loss-log10"}, "loss_sign": {"loss-sign"}, "unstable": {"loss-unstable"},
        "sign_flipped": {"dW-sign-flipped"}, "stale_example_last": {"dW-stale-example-last"},
        "stale_example_first": {"dW-stale-example-first"},
        "grad_reg_missing": {"dW-reg-missing"}, "loss_not_averaged": {"loss-missing-1/N"},
    },
}
#: penalty and averaging mistakes are generated for every loss (the tests above cover them on the SVM)
SHARED = {"loss-reg-missing", "loss-reg-form", "loss-reg-doubled", "loss-reg-over-N", "loss-missing-1/N",
          "dW-reg-missing", "dW-reg-form", "dW-reg-doubled", "dW-reg-over-N", "dW-missing-1/N", "dW-transposed",
          "loss-delta-hard-coded", "dW-delta-hard-coded"}


def _functions(loss):
    tree = ast.parse((DATA / f"{loss}.py").read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def graded(request):
    loss = request.param
    names = _functions(loss)
    with Grader(Settings(loss, tuple(names), limits=Limits(timeout=30))) as grader:
        result = grader.grade(DATA / f"{loss}.py")
    return loss, {f.name: f for f in result.functions}


def test_every_mutant_is_expected(graded):
    loss, functions = graded
    assert set(functions) == set(EXPECTED[loss])


def test_each_mutant_named(graded):
    loss, functions = graded
    wrong = {}
    for name, tags in EXPECTED[loss].items():
        function = functions[name]
        verdict = "correct" if not tags else "incorrect"
        found = {m.tag for m in function.mistakes}
        if function.verdict != verdict or found != tags or function.unexplained or function.alternatives:
            wrong[name] = (function.verdict, sorted(found), function.unexplained, function.reason)
    assert not wrong


def test_catalogue_covered(graded):
    """Every mistake the catalogue generates for the loss has a mutant (or is a penalty/averaging one)."""
    loss, _ = graded
    loss_variants, grad_variants, _ = variants(loss)
    generated = {m.tag for v in loss_variants + grad_variants for m in v.mistakes if not m.valid}
    named = set().union(*EXPECTED[loss].values()) | SHARED
    assert generated <= named


def test_conventions_and_notes(graded):
    loss, functions = graded
    assert functions["correct_half"].convention == "half"
    assert functions["correct_array"].convention == "full"
    if loss == "svm":
        kink = functions["correct_kink"]
        assert kink.verdict == "correct"
        assert any("valid subgradient" in plain(note) for note in kink.notes)
        assert not any("valid subgradient" in plain(note) for note in functions["correct_array"].notes)


def test_partial_credit_and_failure(graded):
    loss, functions = graded
    if loss != "svm":
        pytest.skip("one loss is enough")
    only_loss = functions["loss_reg_missing"]
    assert (only_loss.loss_ok, only_loss.dW_ok, only_loss.score) == (False, True, 0.5)
    assert only_loss.failure.input == "small" and only_loss.failure.part == "loss"
    assert only_loss.failure.student_loss < only_loss.failure.expected_loss       # the penalty is missing
    assert functions["reg_missing_both"].score == 0
    # the gradient of the student's own loss: dW agrees with the loss of a mistaken loss and dW alike
    assert all(c.agrees for c in functions["dropped_max"].consistency)
    assert not all(c.agrees for c in functions["loss_reg_missing"].consistency)
