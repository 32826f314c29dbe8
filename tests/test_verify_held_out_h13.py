"""derive verify on the held-out corpus h13 (issue 18): 24 derivations a TA helper wrote without reading the code or
running derive, its verdicts committed before the first run; tests/data/written_h13/verdicts.yaml keeps that truth
and records the lines the checker does not read yet (or leaves them out, named), so every verdict it reaches is
held and any change shows."""

from .recorded_corpus import recorded_corpus_tests

RECORDED, outcomes, test_every_line_gets_its_recorded_verdict, test_the_exit_status_is_the_one_recorded = \
    recorded_corpus_tests("written_h13")
