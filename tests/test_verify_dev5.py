"""derive verify on faults found on the TA's dev5 corpus (issue 18): each file in tests/data/written_dev5 with
each mathematical line's verdict and the exit status recorded by hand before the fix (verdicts.yaml)."""

import pytest

from .recorded_corpus import checked, found_and_recorded, recorded

RECORDED = recorded("written_dev5")


@pytest.fixture(scope="module")
def outcomes():
    return checked("written_dev5", RECORDED)


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_every_line_gets_its_recorded_verdict(outcomes, name):
    found, expected = found_and_recorded(outcomes[name], RECORDED[name])
    assert found == expected


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_the_exit_status_is_the_one_recorded(outcomes, name):
    assert outcomes[name].status == RECORDED[name]["expected_exit"]
