"""How `derive check` agrees with a TA's verdicts on a folder of answer sheets (any folder with a verdicts.yaml).

Two formats of verdicts.yaml are read:

* ``sheets: {FILE: {ITEM: {verdict: ..., credit: 0.75, diagnosis: 'free text'}}}`` (a TA's own words), and
* ``NAME: {ITEM: "verdict / tag"}`` (tests/data/ta_corpus*: the grader's own tags).

Printed, per folder: **strict** agreement (the same verdict: correct, partially-correct, incorrect or
invalid), **lenient** agreement (the same kind of credit: full, partial or none, so incorrect and invalid
agree), **false credits** (the grader gives credit the TA does not: some where the TA gives none, or full
where the TA gives partial), **false rejections** (the reverse: less than full where the TA gives full, or
none where the TA gives partial), partial credits that differ by more than 0.05, and how the mistakes the
TA names compare with the grader's diagnoses. The TA's free-text diagnoses are matched to the grader's tags by
the keywords of ``TAG_WORDS`` (an approximation, printed so it can be checked by eye); a diagnosis the
grader has no tag for (an arithmetic slip in one entry) is counted apart.

    python bench/ta_agreement.py /work/blind/sheets/dev [--show] [--jobs 2] [--follow-through F]
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: grader tag -> regular expressions one of which a TA's description of that mistake matches
TAG_WORDS = {
    "transposed": [r"transpos"],
    "missing-1/N": [r"1/N", r"summed, not averaged"],
    "reg-left-out": [r"regularis\w* (term|gradient) left out", r"penalty.*left out"],
    "other-reg-form": [r"other reg form", r"lambda W used", r"2 lambda W used", r"reg.form"],
    "sign-flipped-gradient": [r"^sign flipped", r"wrong sign everywhere", r"\(t - y\)"],
    "kept-correct-term": [r"correct class's margin counted", r"j = y_i term"],
    "correct-class-zero": [r"entry left at 0"],
    "missing-minus-correct-class|sign-flipped-gradient": [r"correct class's sign", r"minus is missing"],
    "sign-of-correct-class": [r"correct class's (column|term).*sign"],
    "input-of-another-example": [r"x_j written for x_i"],
    "probability-of-class-j": [r"P_j written for P_\{y_i\}"],
    "no-minus-one": [r"without the -1", r"-1 of the correct class (missing|left out)", r"P used for P - Y"],
    "unnormalised-softmax": [r"unnormalised"],
    "wrong-label": [r"wrong label"],
    "wrong-target": [r"wrong target"],
    "delta-left-out": [r"delta left out"],
    "dropped-max": [r"max.*dropped", r"negative margins"],
    "flipped-delta": [r"delta's sign", r"flipped delta"],
    "missing-input": [r"dL/dz", r"not multiplied by x"],
    "missing-sigmoid-derivative": [r"dy/dz.*left out", r"sigmoid's derivative"],
    "log10": [r"log base 10", r"log10"],
    "indicator-left-out": [r"indicator left out", r"constant 1"],
    "dropped-delta": [r"delta_\{c,y_n\}", r"dropped delta"],
    "sum-skips-correct-class": [r"sum.*without the correct class"],
    "sum-left-out": [r"sum over the classes .* left out"],
}
#: descriptions that are not a mistake the grader names (slips, policy notes): compared for "none"
NOT_A_TAG = [r"slip", r"too few significant figures", r"follow", r"a number where a formula"]


def tag_of(text: str | None):
    """The grader tag a TA's description names, "none" for no mistake, or None for a slip or a policy note."""
    if not text:
        return "none"
    if text == "none" or any(text in tags.split("|") for tags in TAG_WORDS):
        return text
    for tag, patterns in TAG_WORDS.items():
        if any(re.search(p, text, re.I) for p in patterns):
            return tag
    if any(re.search(p, text, re.I) for p in NOT_A_TAG):
        return None
    return None


def read_verdicts(folder: Path) -> dict:
    """{sheet file name: {item id: (verdict, credit or None, diagnosis text or None)}}."""
    import yaml
    raw = yaml.safe_load((folder / "verdicts.yaml").read_text(encoding="utf-8"))
    found = {}
    if isinstance(raw, dict) and "sheets" in raw:
        for name, items in raw["sheets"].items():
            found[name] = {str(i): (v["verdict"], v.get("credit"), v.get("diagnosis")) for i, v in items.items()}
        return found
    for name, items in raw.items():
        path = next((p.name for p in folder.iterdir() if p.stem == name), f"{name}.yaml")
        entries = {}
        for item_id, text in items.items():
            verdict, _, diagnosis = (part.strip() for part in str(text).partition("/"))
            entries[str(item_id)] = (verdict, None, diagnosis or None)
        found[path] = entries
    return found


def credit_of(verdict: str, credit) -> float:
    if verdict == "correct":
        return 1.0
    if verdict == "partially-correct":
        return float(credit) if credit is not None else 0.5
    return 0.0


def kind(score: float) -> str:
    return "full" if score >= 1 - 1e-9 else "partial" if score > 1e-9 else "none"


def compare(folder: Path, jobs: int = 2, defaults: dict | None = None):
    from derivations.check import batch
    truth = read_verdicts(folder)
    files = [folder / name for name in truth]
    results = {Path(r.sheet).name: r for r in batch.grade_paths(files, jobs=jobs, defaults=defaults or {})}
    rows = []
    for name, items in truth.items():
        result = results[name]
        got = {item.id: item for item in result.items}
        for item_id, (verdict, credit, diagnosis) in items.items():
            item = got.get(item_id)
            if result.error or item is None:
                rows.append((name, item_id, verdict, credit, diagnosis, "missing", 0.0, None,
                             result.error or "no such item"))
                continue
            rows.append((name, item_id, verdict, credit, diagnosis, item.verdict, item.score, item.diagnosis,
                         item.feedback))
    return rows


def summarise(rows) -> dict:
    strict = lenient = false_credit = false_reject = credit_off = 0
    named = named_agree = slips = 0
    disagreements = []
    for name, item_id, verdict, credit, diagnosis, got, score, tag, feedback in rows:
        wanted = credit_of(verdict, credit)
        strict += got == verdict
        lenient += kind(score) == kind(wanted)
        if score > wanted + 1e-9 and (kind(wanted) == "none" or kind(score) == "full"):
            false_credit += 1
            disagreements.append(("FALSE CREDIT", name, item_id, verdict, credit, got, score, diagnosis, tag, feedback))
        elif score < wanted - 1e-9 and (kind(wanted) == "full" or kind(score) == "none"):
            false_reject += 1
            disagreements.append(("FALSE REJECTION", name, item_id, verdict, credit, got, score, diagnosis, tag,
                                  feedback))
        elif got != verdict:
            disagreements.append(("verdict", name, item_id, verdict, credit, got, score, diagnosis, tag, feedback))
        elif verdict == "partially-correct" and credit is not None and abs(score - float(credit)) > 0.05:
            credit_off += 1
            disagreements.append(("credit", name, item_id, verdict, credit, got, score, diagnosis, tag, feedback))
        if verdict in ("incorrect", "partially-correct") and diagnosis:
            wanted_tag = tag_of(diagnosis)
            if wanted_tag is None:
                slips += 1
                continue
            named += 1
            if (tag or "none") in wanted_tag.split("|"):
                named_agree += 1
            else:
                disagreements.append(("diagnosis", name, item_id, verdict, credit, got, score, diagnosis, tag,
                                      feedback))
    return {"items": len(rows), "strict": strict, "lenient": lenient, "false_credit": false_credit,
            "false_rejection": false_reject, "credit_off": credit_off, "named": named, "named_agree": named_agree,
            "slips": slips, "disagreements": disagreements}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--show", action="store_true", help="print every disagreement with the grader's feedback")
    parser.add_argument("--follow-through", type=float, default=None)
    args = parser.parse_args()
    defaults = {} if args.follow_through is None else {"follow_through": args.follow_through}
    for folder in args.folders:
        s = summarise(compare(folder, args.jobs, defaults))
        n = s["items"]
        print(f"{folder}: {n} items; strict {s['strict']}/{n} ({s['strict'] / n:.1%}), lenient {s['lenient']}/{n} "
              f"({s['lenient'] / n:.1%}); false credits {s['false_credit']}, false rejections "
              f"{s['false_rejection']}, partial credits off by > 0.05: {s['credit_off']}; mistakes named by the TA "
              f"and by the grader {s['named_agree']}/{s['named']} (+{s['slips']} slips or notes without a tag)")
        if args.show:
            for kind_, name, item_id, verdict, credit, got, score, diagnosis, tag, feedback in s["disagreements"]:
                ta = verdict + (f" {credit}" if credit is not None else "") + (f" / {diagnosis}" if diagnosis else "")
                print(f"  {kind_:15} {name} {item_id}: TA {ta}; grader {got} {score:.2f} / {tag}\n"
                      f"      {feedback[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
