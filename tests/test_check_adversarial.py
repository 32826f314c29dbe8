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


# --- hostile sheets (issue 22): one bad item never sinks its sheet, one bad sheet never sinks the batch ----------

def test_hostile_sheets_fail_alone_and_the_report_stays_strict_json(tmp_path):
    from derivations.check import report
    head = "given: {scores: [3, -1, 4], label: 0}\nitems:\n"
    good = "  - {id: ok, quantity: svm.loss, answer: 2}\n"
    (tmp_path / "digits.yaml").write_text(head + "  - {id: big, quantity: svm.loss, answer: " + "9" * 5000 + "}\n"
                                          + good)
    (tmp_path / "digits.json").write_text('{"given": {"scores": [3, -1, 4], "label": 0}, "items": [{"id": "big", '
                                          '"quantity": "svm.loss", "answer": ' + "9" * 5000 + '}, {"id": "ok", '
                                          '"quantity": "svm.loss", "answer": 2}]}')
    (tmp_path / "nested_answer.yaml").write_text(head + "  - {id: deep, quantity: svm.dscores, answer: "
                                                 + "[" * 30 + "]" * 30 + "}\n" + good)
    (tmp_path / "nested_sheet.yaml").write_text(head + "  - {id: deep, quantity: svm.loss, answer: "
                                                + "[" * 900 + "]" * 900 + "}\n" + good)
    (tmp_path / "surrogate.json").write_text('{"student": "s\\ud800", "given": {"scores": [3, -1, 4], "label": 0}, '
                                             '"items": [{"id": "q\\ud800", "quantity": "svm.loss", "answer": '
                                             '"2\\ud800"}, {"id": "ok", "quantity": "svm.loss", "answer": 2}]}')
    (tmp_path / "nested_given.yaml").write_text("given: " + "{a: " * 900 + "1" + "}" * 900 + "\nitems:\n" + good)
    (tmp_path / "fine.yaml").write_text(head + good)
    results = {r.sheet.rsplit("/", 1)[-1]: r for r in batch.grade_paths([tmp_path], jobs=2)}
    for name in ("digits.yaml", "digits.json", "nested_answer.yaml", "nested_sheet.yaml", "surrogate.json"):
        first, second = results[name].items
        assert results[name].error is None and first.verdict == "invalid" and second.verdict == "correct", name
    assert "5000 digits" in results["digits.yaml"].items[0].feedback
    assert "nested more than" in results["nested_answer.yaml"].items[0].feedback
    assert "nested more than 24 levels" in results["nested_sheet.yaml"].items[0].feedback    # the item, not the sheet
    assert "nested more than 40 levels" in results["nested_given.yaml"].error
    assert results["fine.yaml"].items[0].verdict == "correct"
    text = report.render(list(results.values()), "json")
    json.loads(text, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))       # strict: no NaN
    text.encode("utf-8")
    assert "\ufffd" in text and "s\ufffd" in {r.student for r in results.values()}


def test_a_sheet_cannot_set_its_own_score(tmp_path):
    """options: {follow_through: ...} may lower the TA's credit, never raise it; out of range is refused."""
    from derivations.check.sheet import effective_options
    head = "given: {scores: [3, -1, 4], label: 0}\n"
    items = ("items:\n  - {id: p, quantity: softmax.probs, answer: [0.269, 0.005, 0.726]}\n"
             "  - {id: L, quantity: softmax.loss, answer: 1.313}\n")            # follows from the own p
    for value in ("1000", "-5", ".nan", ".inf", "1.5", "true", "'1'"):
        (tmp_path / f"bad{value.strip('.')}.yaml").write_text(head + f"options: {{follow_through: {value}}}\n" + items)
    (tmp_path / "lower.yaml").write_text(head + "options: {follow_through: 0.25}\n" + items)
    (tmp_path / "higher.yaml").write_text(head + "options: {follow_through: 1}\n" + items)
    results = {r.sheet.rsplit("/", 1)[-1]: r for r in batch.grade_paths([tmp_path], defaults={"follow_through": 0.5})}
    for name, result in results.items():
        if name.startswith("bad"):
            assert result.error and "follow_through must be a number from 0 to 1" in result.error, name
    assert results["lower.yaml"].items[1].score == 0.25
    assert results["higher.yaml"].items[1].score == 0.5                     # the TA's 0.5, not the sheet's 1
    assert all(0 <= r.score <= r.max_score for r in results.values())
    assert effective_options({"follow_through": 1}, {}) == {"follow_through": 1.0}
    assert effective_options({"follow_through": 0.2, "decimal_comma": True}, {"follow_through": 0.5}) == \
        {"follow_through": 0.2, "decimal_comma": True}


def test_csv_cells_are_escaped_against_formula_injection(tmp_path):
    import csv
    import io

    from derivations.check import report
    (tmp_path / "x.yaml").write_text("student: '=HYPERLINK(\"http://evil\")'\ngiven: {scores: [3, -1, 4], label: 0}\n"
                                     "items:\n  - {id: '=cmd|'' /C calc''!A0', quantity: svm.loss, answer: '@SUM(1)'}\n"
                                     "  - {id: '+1', quantity: svm.dscores, answer: '[-1, 0, 1]'}\n"
                                     "  - {id: \"\\tx\", quantity: svm.loss, answer: 2}\n")
    results = batch.grade_paths([tmp_path])
    rows = list(csv.reader(io.StringIO(report.render(results, "csv"))))
    cells = [c for row in rows[1:] for c in row]
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), cells
    assert "'=HYPERLINK(\"http://evil\")" in cells and "'+1" in cells and "'[-1, 0, 1]" not in cells
    assert rows[2][8] == "[-1, 0, 1]" and rows[2][7] == "[-1, 0, 1]"            # a vector is not a formula


def test_check_options_on_the_command_line_are_finite_and_in_range(tmp_path, capsys):
    from cli import main
    (tmp_path / "s.yaml").write_text("given: {scores: [3, -1, 4], label: 0}\nitems:\n  - {id: a, quantity: svm.loss, "
                                     "answer: 2}\n")
    for option, value in (("--timeout", "nan"), ("--timeout", "inf"), ("--timeout", "-1"),
                          ("--follow-through", "nan"), ("--follow-through", "1000"), ("--follow-through", "-0.5")):
        assert main(["check", str(tmp_path), option, value]) == 2, (option, value)
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and option in err and "Traceback" not in err
