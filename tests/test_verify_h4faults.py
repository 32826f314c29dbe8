"""derive verify on the faults a held-out corpus (h4) found (issue 18, fifth round): each file in
tests/data/written_h4faults, a correct version and one with a planted slip, with each mathematical line's
verdict and the exit status recorded by hand before the fix (verdicts.yaml).

Every line recorded correct is verified (read and not called wrong), every planted slip is wrong at its
line, and the exit status is the one recorded.
"""

import pytest

from .recorded_corpus import checked, found_and_recorded, recorded

RECORDED = recorded("written_h4faults")


@pytest.fixture(scope="module")
def outcomes():
    return checked("written_h4faults", RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_every_line_gets_its_recorded_verdict(outcomes, name):
    found, expected = found_and_recorded(outcomes[name], RECORDED[name])
    assert found == expected


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_exit_status_is_the_one_recorded(outcomes, name):
    assert outcomes[name].status == RECORDED[name]["expected_exit"]
