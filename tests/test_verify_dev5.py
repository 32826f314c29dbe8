"""derive verify on faults found on the TA's dev5 corpus (issue 18): each file in tests/data/written_dev5 with
each mathematical line's verdict and the exit status recorded by hand before the fix (verdicts.yaml)."""

from .recorded_corpus import recorded_corpus_tests

RECORDED, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded = \
    recorded_corpus_tests("written_dev5")
