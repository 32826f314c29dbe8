"""derive verify on faults the lead found trying writing the checker had not seen (issue 18): each file in
tests/data/written_lead with each mathematical line's verdict and the exit status recorded by hand before
the fix (verdicts.yaml)."""

import pytest

from .recorded_corpus import checked, recorded_corpus_tests

RECORDED, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded = \
    recorded_corpus_tests("written_lead")


def test_a_wrong_worked_value_is_shown_at_the_given_values(outcomes):
    """The counterexample of a wrong line of a worked example is the example itself, not random weights."""
    entry = next(e for e in outcomes["svm_example_loss_slip.txt"].entries if e.source_line == 13)
    assert entry.verdict == "wrong"
    assert (entry.counterexample.left, entry.counterexample.right) == (2.9, 3.9)
    assert entry.counterexample.instance == {}


def test_a_sum_and_a_max_over_the_same_index_keep_their_own_index():
    """sum_j exp(s_j - max_j s_j): written out at K = 3, the max inside stays the max over every class (the
    sum's j = 0 put into the max gave exp(0) for each term, so the softmax's denominator became 3)."""
    import sympy

    from derivations.engine import notation
    from derivations.engine.evaluate import concrete, instantiate
    from derivations.engine.maxima import MaxOver
    j = sympy.Symbol("j~", integer=True)
    s = notation.s
    denominator = sympy.Sum(sympy.exp(s[j] - MaxOver(s[j], j, None, 0, notation.K - 1)), (j, 0, notation.K - 1))
    values = {s[0]: 1000, s[1]: 1001, s[2]: 1002}
    expected = sympy.exp(-2) + sympy.exp(-1) + 1
    for written in (concrete(denominator, {notation.K: 3}), instantiate(denominator, {notation.K: 3})):
        value = concrete(written, {notation.K: 3}).xreplace(values)
        assert abs(float(value) - float(expected)) < 1e-12


@pytest.mark.parametrize("name, verified", [
    ("svm_three_images_vector_facts.md", [5, 15, 19, 23, 27]),   # a vector fact (dL_1/ds = [...]) before a "so" line
    ("svm_batch_unicode_index_counts.txt", []),                     # S_n,y_n beside S_nj: one name, two index counts
])
def test_no_line_ends_in_an_internal_error(name, verified):
    """Two lines of a held-out corpus ended in "an internal error in derive verify": a fact with a vector on one
    side and a derivative on the other given to the solver (TypeError), and a derivative by S_{nc} of a name
    also written S_n (IndexException). Each is now read or "not read" with a plain reason."""
    outcome = checked("written_lead", [name])[name]
    assert not [e for e in outcome.entries if "internal error" in str(e.verified_by)]
    found = outcome.line_verdicts()
    assert [line for line in verified if found.get(line) != "verified"] == []
