"""Untrusted answers: nothing executes, nothing hangs, nothing crashes the batch."""
import json
import time

from derivations.check import batch
from derivations.check import grade as grade_module

SENTINEL = "/tmp/derive-adversarial-sentinel"

HOSTILE = [
    "__import__('os').system('touch " + SENTINEL + "')",
    "eval('1+1')",
    "exec(\"open('" + SENTINEL + "', 'w')\")",
    "lambda: 1",
    "().__class__.__bases__[0].__subclasses__()",
    "9^{9^{9^9}}",
    "9**9**9**9",
    "10^{100000}",
    "(" * 10000 + "1" + ")" * 10000,
    "1" * (1024 * 1024),
    "\\input{/etc/passwd}",
    "\\write18{touch " + SENTINEL + "}",
    "\\def\\x{1}\\x",
    "е^{s_k}",                       # Cyrillic e
    "１",                            # full-width one
    "s_{__class__}",
    "\\frac{1}{0}",
    "\\log(0)",
    "",
]


def write(tmp_path, name, answers, quantity="svm.dscore_incorrect"):
    items = [{"id": f"q{i}", "quantity": quantity, "answer": a} for i, a in enumerate(answers)]
    (tmp_path / name).write_text(json.dumps({"given": {"scores": [3, -1, 4], "label": 0, "delta": 1},
                                             "items": items}))


def test_hostile_answers_are_invalid_and_execute_nothing(tmp_path):
    import os
    if os.path.exists(SENTINEL):
        os.unlink(SENTINEL)
    write(tmp_path, "evil.json", HOSTILE)
    write(tmp_path, "evil_numbers.json", HOSTILE, quantity="svm.loss")
    write(tmp_path, "good.json", [r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"])
    start = time.perf_counter()
    results = batch.grade_paths([tmp_path], jobs=2, timeout=5)
    elapsed = time.perf_counter() - start
    assert not os.path.exists(SENTINEL)
    by_name = {r.sheet.rsplit("/", 1)[-1]: r for r in results}
    for name in ("evil.json", "evil_numbers.json"):
        verdicts = [item.verdict for item in by_name[name].items]
        assert len(verdicts) == len(HOSTILE)
        assert set(verdicts) <= {"invalid", "incorrect"}
        assert verdicts.count("invalid") >= len(HOSTILE) - 2     # 1/0 and log 0 may read but never match
    assert by_name["good.json"].items[0].verdict == "correct"
    assert elapsed < 60


def test_yaml_python_tags_are_refused(tmp_path):
    (tmp_path / "tag.yaml").write_text(
        "items:\n  - quantity: svm.loss\n    answer: !!python/object/apply:os.system ['touch " + SENTINEL + "']\n")
    (tmp_path / "ok.yaml").write_text(
        "given: {scores: [3, -1, 4], label: 0}\nitems:\n  - quantity: svm.loss\n    answer: 2\n")
    results = batch.grade_paths([tmp_path], jobs=1)
    errors = {r.sheet.rsplit("/", 1)[-1]: r.error for r in results}
    assert errors["tag.yaml"] and "constructor" in errors["tag.yaml"]
    assert errors["ok.yaml"] is None


def test_a_slow_answer_is_stopped_and_the_rest_goes_on(tmp_path, monkeypatch):
    real_judge = grade_module.judge

    def slow_judge(item_id, quantity, reference, answer, **kwargs):
        if answer == "slow":
            time.sleep(30)
        return real_judge(item_id, quantity, reference, answer, **kwargs)

    monkeypatch.setattr(grade_module, "judge", slow_judge)     # workers fork and inherit it
    write(tmp_path, "a.json", [r"\mathbb{1}(s_k > 0)", "slow", r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"])
    write(tmp_path, "b.json", [r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"])
    start = time.perf_counter()
    results = batch.grade_paths([tmp_path], jobs=2, timeout=1.0)
    assert time.perf_counter() - start < 20
    a, b = results
    assert [item.verdict for item in a.items] == ["incorrect", "invalid", "correct"]
    assert "longer than 1 s" in a.items[1].feedback
    assert b.items[0].verdict == "correct"


def test_memory_hungry_answer_fails_alone(tmp_path, monkeypatch):
    real_judge = grade_module.judge

    def hungry_judge(item_id, quantity, reference, answer, **kwargs):
        if answer == "hungry":
            blob = bytearray(8 * 1024 ** 3)       # more than the worker's address-space cap
            return blob
        return real_judge(item_id, quantity, reference, answer, **kwargs)

    monkeypatch.setattr(grade_module, "judge", hungry_judge)
    write(tmp_path, "a.json", ["hungry", r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"])
    results = batch.grade_paths([tmp_path], jobs=1, timeout=10, memory_mb=1024)
    items = results[0].items
    assert items[0].verdict == "invalid" and "memory" in items[0].feedback
    assert items[1].verdict == "correct"


def test_sheets_queued_behind_a_stuck_answer_are_graded(tmp_path, monkeypatch):
    """One worker holds several sheets; when it is stopped, the ones behind it are sent again."""
    real_judge = grade_module.judge

    def slow_judge(item_id, quantity, reference, answer, **kwargs):
        if answer == "slow":
            time.sleep(30)
        return real_judge(item_id, quantity, reference, answer, **kwargs)

    monkeypatch.setattr(grade_module, "judge", slow_judge)
    write(tmp_path, "a.json", [r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"])
    write(tmp_path, "b.json", ["slow", r"\mathbb{1}(s_k > 0)"])
    write(tmp_path, "c.json", [r"\mathbb{1}(s_k - s_{y_i} + \Delta > 0)"])
    write(tmp_path, "d.json", ["slow"])
    results = batch.grade_paths([tmp_path], jobs=1, timeout=1.0)
    assert [[item.verdict for item in r.items] for r in results] == \
        [["correct"], ["invalid", "incorrect"], ["correct"], ["invalid"]]
    assert "longer than 1 s" in results[1].items[0].feedback


def test_computing_a_reference_is_not_bounded_by_the_answer_timeout(tmp_path, monkeypatch):
    from derivations.check.quantities import lookup
    quantity = lookup("svm.loss")
    real_reference = quantity.reference

    def slow_reference(given):
        time.sleep(1.5)
        return real_reference(given)

    monkeypatch.setattr(quantity, "reference", slow_reference)
    monkeypatch.setattr(grade_module, "_REFERENCES", {})
    write(tmp_path, "a.json", ["2"], quantity="svm.loss")
    results = batch.grade_paths([tmp_path], jobs=1, timeout=1.0)
    assert results[0].items[0].verdict == "correct"
