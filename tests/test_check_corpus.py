"""Agreement with a careful TA on realistic sheets (tests/data/ta_corpus*/, each with its verdicts.yaml).

``ta_corpus`` (15 sheets, 140 items) was written before the grader's issue-11 changes, from the sheets
alone (the grader agreed on 73 % of its verdicts before them); ``ta_corpus_2`` (8 sheets, 74 items) was
written afterwards but before the grader was run on it (71 of 74 agreed on the first run; see its
verdicts.yaml for the two verdicts corrected since). A verdict is "correct", "partially-correct",
"incorrect" or "invalid", optionally "/ diagnosis" ("/ none": no mistake may be named).
"""
from pathlib import Path

import pytest
import yaml

from derivations.check import batch

DATA = Path(__file__).parent / "data"

#: (corpus, verdicts that must agree, diagnoses that must agree): the figures measured, as floors
EXPECTED = {"ta_corpus": (140, 34), "ta_corpus_2": (74, 21)}


def agreement(folder: Path):
    truth = yaml.safe_load((folder / "verdicts.yaml").read_text(encoding="utf-8"))
    sheets = sorted(p for p in folder.glob("*.yaml") if p.name != "verdicts.yaml")
    results = {Path(r.sheet).stem: r for r in batch.grade_paths(sheets, jobs=2)}
    verdicts, diagnoses, disagreements = [], [], []
    for name, wanted in truth.items():
        assert results[name].error is None, (name, results[name].error)
        got = {item.id: item for item in results[name].items}
        assert set(got) == set(wanted), name
        for item_id, text in wanted.items():
            verdict, _, diagnosis = (part.strip() for part in text.partition("/"))
            item = got[item_id]
            verdicts.append(item.verdict == verdict)
            if verdict != item.verdict:
                disagreements.append(f"{name}.{item_id}: TA {verdict}, grader {item.verdict} ({item.feedback})")
            if diagnosis:
                diagnoses.append((item.diagnosis or "none") == diagnosis)
                if (item.diagnosis or "none") != diagnosis:
                    disagreements.append(f"{name}.{item_id}: TA names {diagnosis}, grader {item.diagnosis}")
    return sum(verdicts), len(verdicts), sum(diagnoses), len(diagnoses), disagreements


@pytest.mark.parametrize("corpus", sorted(EXPECTED))
def test_agreement_with_a_ta(corpus):
    agree, total, diagnosed, named, disagreements = agreement(DATA / corpus)
    floor_verdicts, floor_diagnoses = EXPECTED[corpus]
    print(f"{corpus}: verdicts {agree}/{total} ({agree / total:.1%}), diagnoses {diagnosed}/{named}")
    assert agree >= floor_verdicts and diagnosed >= floor_diagnoses, "\n".join(disagreements)


def test_no_disagreement_is_left_on_the_second_corpus():
    """sam d3, a sign-flipped gradient whose 0 entry earned 1/4, was the one disagreement: no partial credit for a
    whole-answer mistake since issue 19."""
    *_, disagreements = agreement(DATA / "ta_corpus_2")
    assert disagreements == []
