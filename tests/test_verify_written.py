"""derive verify: written derivations checked line by line.

The seeds (homework solutions with real mistakes) are flagged exactly where they are wrong; correct
derivations written in five styles verify completely, and the same derivations with one slip
planted are flagged at exactly that line, with the slip named.
"""
from pathlib import Path

import pytest

from derivations.check.written import check_text

DATA = Path(__file__).parent / "data"
WRITTEN = DATA / "written"
SEEDS = DATA / "seeds"


def check(text, **options):
    return check_text(text, "test", timeout=None, **options)


def check_file(name, **options):
    return check((WRITTEN / name).read_text(), **options)


def planted(name, line, old, new):
    """The derivation ``name`` with ``old`` replaced by ``new`` on ``line`` (1-based)."""
    lines = (WRITTEN / name).read_text().split("\n")
    assert old in lines[line - 1], f"{old!r} is not on line {line} of {name}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return check("\n".join(lines))


def wrong_lines(outcome):
    return sorted({e.source_line for e in outcome.entries if e.verdict == "wrong"})


def verdict_on(outcome, line):
    return [e.verdict for e in outcome.entries if e.source_line == line]


# --- the seeds -----------------------------------------------------------------------------------

SEED_MISTAKES = {
    # L38 drops Delta from max{0, s_k - s_{y_i}}; L109 writes s_k for s_{y_i} in -log(e^{s_.}/sum);
    # numbers, read as derive check reads them (3 significant figures): L117 0.004 for 0.00490 (one
    # figure), L119 0.728 for 0.727, L127 0.0004 for 0.0000400, L131 -log 0.1188 = 2.249 (2.13),
    # L137 the vector's 0.728; L125's 0.1188 is 0.119 to 3 figures, as derive check accepts it
    "000_a4691916b01a48e3.txt": [38, 109, 117, 119, 127, 131, 137],
    # L36 (the task's (3)) w_i^T x_i - w_i^T x_i; L53 ds_j/dw_i for dw_j; L61 dL_i/ds_i for ds_j;
    # L69 ds_j/dw_{y_i} for ds_{y_i}
    "001_483e1b8411f473c9.txt": [36, 53, 61, 69],
    # L19 beta's cases leave j != y_n with a negative margin undefined ("and" for "or");
    # L39 the batch gradients lose 1/N and the regulariser; L43 the second line drops delta_{c,y_n}
    "002_ff7e92728606dbd2.txt": [19, 39, 43],
    # L92 the quotient rule's denominator gets an extra - e^{z_T} e^{z_k}
    "003_63354ea940d0a87a.txt": [92],
    # L25 P_j x_i where (1)(2) give P_j x_j; L40 (P_j - 1) x_i for (P_{y_i} - 1) x_i
    "004_ae803a7b81e08841.txt": [25, 40],
}


@pytest.fixture(scope="module")
def seeds():
    return {name: check((SEEDS / name).read_text()) for name in SEED_MISTAKES}


@pytest.mark.parametrize("name", sorted(SEED_MISTAKES))
def test_every_mistake_of_the_seeds_is_flagged_and_nothing_else(seeds, name):
    assert wrong_lines(seeds[name]) == SEED_MISTAKES[name]


def test_seed_diagnoses_name_the_slip(seeds):
    def diagnosis(name, line):
        return [e.diagnosis for e in seeds[name].entries if e.source_line == line and e.verdict == "wrong"]
    assert diagnosis("000_a4691916b01a48e3.txt", 38)[0].startswith("margin-dropped")
    assert "s_{yᵢ}" in diagnosis("000_a4691916b01a48e3.txt", 109)[0]
    assert diagnosis("002_ff7e92728606dbd2.txt", 43) == [
        "delta-dropped: the factor δ_{c,yₙ} is missing from the term -Σ_{j} β_{n,j}"]
    assert diagnosis("003_63354ea940d0a87a.txt", 92)[0].startswith("extra-term")
    assert diagnosis("004_ae803a7b81e08841.txt", 40)[0] == "index: pⱼ written where p_{yᵢ} makes the step hold"
    assert diagnosis("001_483e1b8411f473c9.txt", 69)[0] == "index: sⱼ written where s_{yᵢ} makes the step hold"


def test_seed_steps_that_are_right_verify(seeds):
    s000 = seeds["000_a4691916b01a48e3.txt"]
    assert verdict_on(s000, 30) == ["verified", "verified"]          # the chain of dL/ds_{y_i}
    assert verdict_on(s000, 40) == ["verified", "verified"]          # the two cases of the incorrect class
    assert verdict_on(s000, 115) == ["verified", "verified"]         # P_cat = e^3/(...) = 0.268
    assert verdict_on(s000, 123) == ["verified", "verified"]         # -log 0.268 = 1.317 (rounded p)
    assert verdict_on(s000, 137) == ["verified", "wrong"]            # [-0.732, 0.004, 0.728]: 0.727475
    s003 = seeds["003_63354ea940d0a87a.txt"]
    assert verdict_on(s003, 38) == ["verified"] and verdict_on(s003, 41) == ["verified"]
    assert verdict_on(s003, 136) == ["verified"]                     # the batch update
    s002 = seeds["002_ff7e92728606dbd2.txt"]
    assert verdict_on(s002, 43) == ["verified", "wrong"]             # the slip is on the second line only


def test_a_slip_does_not_hide_or_multiply(seeds):
    # 000 line 109: the middle expression is wrong, the line's last step is back on the correct value
    entries = [e for e in seeds["000_a4691916b01a48e3.txt"].entries if e.source_line == 109]
    assert [e.verdict for e in entries] == ["wrong", "verified"]
    assert "last correct expression" in entries[1].verified_by


def test_seed_numbers_are_checked_as_derive_check_reads_them(seeds):
    s000 = seeds["000_a4691916b01a48e3.txt"]
    by_line = {e.source_line: e for e in s000.entries if e.kind == "number"}
    assert by_line[117].verdict == "wrong" and "3 are needed (0.00490)" in by_line[117].verified_by
    assert by_line[119].verdict == "wrong"                           # 0.728: 0.727475 is 0.727
    wrong = by_line[131]
    assert wrong.verdict == "wrong" and wrong.counterexample.left == pytest.approx(2.1303139, abs=1e-6)
    assert wrong.counterexample.right == pytest.approx(2.249)
    assert by_line[125].verdict == "verified" and "0.119" in by_line[125].verified_by    # right to 3 figures
    assert by_line[123].verdict == "verified"                        # -log 0.268 = 1.317
    assert "entry 2, 0.728" in by_line[137].verified_by


def test_seed_counterexample_gives_the_instance_and_both_values(seeds):
    entry = next(e for e in seeds["000_a4691916b01a48e3.txt"].entries if e.source_line == 38)
    ce = entry.counterexample
    assert ce.instance["K"] in (2, 3, 4, 5) and "k" in ce.instance and "y_i" in ce.instance
    assert ce.left != pytest.approx(ce.right)
    assert any(name.startswith("s_") for name in ce.values)


def test_unread_lines_say_what_was_not_read(seeds):
    unread = [e for e in seeds["003_63354ea940d0a87a.txt"].entries if e.verdict == "unread"]
    reasons = " ".join(e.verified_by for e in unread)
    assert "has no \\partial" in reasons                             # d(1-y)/y on line 23
    assert "ellipsis" in reasons                                     # e^{z_1} + ... + e^{z_n} on line 84
    assert all(e.verified_by for e in unread)


# --- correct derivations in five styles -------------------------------------------------------------

STYLES = ["svm.tex", "softmax.md", "jacobian.txt", "logistic.tex", "batch.md"]


@pytest.mark.parametrize("name", STYLES)
def test_correct_derivations_verify_completely(name):
    outcome = check_file(name)
    assert outcome.entries, "nothing was checked"
    assert [e for e in outcome.entries if e.verdict != "verified"] == []


def test_the_styles_are_read_as_written():
    assert check_file("svm.tex").kind == "latex"
    assert check_file("softmax.md").kind == "markdown"
    assert check_file("jacobian.txt").kind == "plain"
    steps = {name: len(check_file(name).entries) for name in STYLES}
    assert steps == {"svm.tex": 10, "softmax.md": 10, "jacobian.txt": 6, "logistic.tex": 8, "batch.md": 4}


SLIPS = [
    # (file, line, written, slip, diagnosis tag or None)
    ("svm.tex", 12, "&= \\sum", "&= -\\sum", "sign"),
    ("svm.tex", 12, "\\, \\delta_{jk}", "", "delta-dropped"),
    ("svm.tex", 13, "s_k - s_{y_i}", "s_j - s_{y_i}", "index"),
    ("svm.tex", 18, "&= -\\sum", "&= \\sum", "sign"),
    ("svm.tex", 24, "&= 2", "&= 3", None),
    ("svm.tex", 28, "+ \\Delta > 0) \\, \\mathbf{x}_i", "> 0) \\, \\mathbf{x}_i", "margin-dropped"),
    ("softmax.md", 14, "-\\delta_{k y_i} +", "-1 +", "delta-dropped"),
    ("softmax.md", 15, "p_k - \\delta", "p_k + \\delta", "sign"),
    ("softmax.md", 21, "p_k - 1 & k", "p_k & k", "missing-term"),
    ("softmax.md", 25, "0.2676", "0.2667", None),
    ("jacobian.txt", 6, "= p_j (1 - p_k)", "= (1 - p_k)", "missing-factor"),
    ("jacobian.txt", 9, "= -p_j p_k", "= p_j p_k", "sign"),
    ("jacobian.txt", 11, "p_j (δ_{jk} - p_k)", "p_j (1 - p_k)", "delta-dropped"),
    ("logistic.tex", 8, "(1 + e^{-z})^2", "(1 + e^{-z})", "power"),
    ("logistic.tex", 12, "y (1 - y) x_j", "y (1 - y)", "missing-factor"),
    ("logistic.tex", 14, "(y - t) x_j", "(t - y) x_j", "sign"),
    ("batch.md", 13, "&= \\frac{1}{N} \\sum", "&= \\sum", "normalisation"),        # the 1/N dropped
    ("batch.md", 13, "(y^{(n)} - t^{(n)})", "(t^{(n)} - y^{(n)})", "sign"),
    ("batch.md", 19, "= w_j - \\frac{\\alpha}{N}", "= w_j + \\frac{\\alpha}{N}", "sign"),
]


@pytest.mark.parametrize("name, line, written, slip, tag", SLIPS)
def test_a_planted_slip_is_flagged_at_exactly_its_line(name, line, written, slip, tag):
    outcome = planted(name, line, written, slip)
    assert wrong_lines(outcome) == [line]
    assert [e for e in outcome.entries if e.verdict == "unread"] == []
    wrong = [e for e in outcome.entries if e.verdict == "wrong"]
    assert len(wrong) == 1
    if tag is None:
        assert wrong[0].kind in ("number", "step")
    else:
        assert wrong[0].diagnosis is not None and wrong[0].diagnosis.split(":")[0] == tag, wrong[0].diagnosis
    assert wrong[0].counterexample is not None


def test_the_line_after_a_slip_is_checked_against_the_line_as_written():
    # two slips on consecutive lines are both flagged: the first does not hide the second
    lines = (WRITTEN / "svm.tex").read_text().split("\n")
    lines[11] = lines[11].replace("&= \\sum", "&= -\\sum")                  # line 12: a sign
    lines[12] = lines[12].replace("s_k - s_{y_i}", "s_j - s_{y_i}")         # line 13: an index
    outcome = check("\n".join(lines))
    assert wrong_lines(outcome) == [12, 13]


# --- notation, cases, hints ----------------------------------------------------------------------------

def test_case_conditions_restrict_the_check():
    text = "$$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + 1)$$\n\nwhen $k \\neq y_i$:\n\n" \
           "$$\\frac{\\partial L_i}{\\partial s_k} = \\mathbb{1}(s_k - s_{y_i} + 1 > 0)$$\n"
    assert [e.verdict for e in check(text).entries] == ["verified"]
    without = text.replace("when $k \\neq y_i$:", "")
    outcome = check(without)
    assert [e.verdict for e in outcome.entries] == ["wrong"]
    assert outcome.entries[0].counterexample.instance["k"] == outcome.entries[0].counterexample.instance["y_i"]


def test_a_hint_sets_what_the_text_cannot_say():
    text = "% derive: assume k != y_i\n\\[ \\frac{\\partial L_i}{\\partial s_k} = \\mathbb{1}(s_k - s_{y_i} + 1 > 0) \\]\n"
    outcome = check(text, loss="svm")
    assert [e.verdict for e in outcome.entries] == ["verified"]
    markdown = "<!-- derive: loss softmax -->\n<!-- derive: assume k = y_i -->\n\n" \
               "$$\\frac{\\partial L_i}{\\partial s_k} = p_k - 1$$\n"
    assert [e.verdict for e in check(markdown).entries] == ["verified"]
    assert any(c.kind == "hint" for c in check(markdown).context)


def test_real_case_on_a_kink():
    text = "$$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + \\Delta)$$\n\nwhen $k \\neq y_i$:\n\n" \
           "$$\\frac{\\partial L_i}{\\partial s_k} = \\begin{cases} 0 & \\text{if } s_k - s_{y_i} + \\Delta \\leq 0 " \
           "\\\\ 1 & \\text{if } s_k - s_{y_i} + \\Delta > 0 \\end{cases}$$\n"
    entries = check(text).entries
    assert [e.verdict for e in entries] == ["verified", "verified"] and all(e.kind == "case" for e in entries)
    swapped = text.replace("0 & \\text{if }", "1 & \\text{if }", 1)
    assert [e.verdict for e in check(swapped).entries] == ["wrong", "verified"]


def test_implication_follows_from_the_previous_lines():
    text = ("$$CE = -t_1 \\log f(s_1) - t_2 \\log f(s_2)$$\n\n"
            "$$\\because t_1 + t_2 = 1$$\n\n"
            "$$\\therefore CE = -t_1 \\log f(s_1) - (1 - t_1) \\log f(s_2)$$\n")
    outcome = check(text)
    assert [e.verdict for e in outcome.entries] == ["verified"]
    assert "follows from line" in outcome.entries[0].verified_by
    assert any(c.kind == "assumption" for c in outcome.context)


def test_numbers_after_a_chain_at_the_precision_written():
    base = "Given $s = [3, -1, 4]$ and $y_i = 0$.\n\n$$p_j = \\frac{e^{s_j}}{\\sum_m e^{s_m}}$$\n\n"
    good = check(base + "$$-\\log p_0 = 1.318$$\n")
    assert [e.verdict for e in good.entries] == ["verified"]
    rounded = check(base + "$$-\\log p_0 = -\\log 0.268 = 1.317$$\n")
    assert [e.verdict for e in rounded.entries] == ["verified", "verified"]
    bad = check(base + "$$-\\log p_0 \\approx 1.32$$\n\n$$-\\log p_0 \\approx 1.4$$\n")
    assert [e.verdict for e in bad.entries] == ["verified", "wrong"]


def test_log_is_natural_unless_the_text_says_otherwise():
    text = "Given $s = [3, -1, 4]$ and $y_i = 0$.\n\n$$p_j = \\frac{e^{s_j}}{\\sum_m e^{s_m}}$$\n\n" \
           "$$-\\log p_0 = 0.572$$\n"
    natural = check(text)
    assert natural.entries[0].verdict == "wrong"
    assert natural.entries[0].diagnosis.startswith("log-base")
    assert check("% derive: log base 10\n" + text.replace("Given", "Given")).entries[0].verdict == "verified"


def test_notation_of_the_seeds_is_read():
    text = ("$$L_i = \\sum_{j \\neq y_i} \\max(0, \\mathbf{w}_j^T \\mathbf{x}_i - \\mathbf{w}_{y_i}^T \\mathbf{x}_i + 1)$$"
            "\n\n$$\\nabla_{\\mathbf{w}_{y_i}} L_i = -\\left(\\sum_{j \\neq y_i} 1_{(\\mathbf{w}_j^T \\mathbf{x}_i - "
            "\\mathbf{w}_{y_i}^T \\mathbf{x}_i + 1 > 0)}\\right) \\mathbf{x}_i$$\n\n"
            "$$\\frac{\\partial \\underline{w}_j^T \\underline{x}_i}{\\partial \\underline{w}_j} = \\underline{x}_i$$\n\n"
            "$$\\delta_{ij} \\beta_{nj} = \\delta_{ij} \\beta_{ni}$$\n")
    assert [e.verdict for e in check(text).entries] == ["verified", "verified", "verified"]


def test_definitions_are_used_for_what_follows():
    text = "$$P_i = \\frac{e^{s_i}}{\\sum_j e^{s_j}}$$\n\n$$L_i = -\\log P_{y_i}$$\n\n" \
           "$$\\frac{\\partial L_i}{\\partial s_j} = P_j - \\delta_{j y_i}$$\n"
    outcome = check(text)
    assert [c.kind for c in outcome.context] == ["definition", "definition"]
    assert [e.verdict for e in outcome.entries] == ["verified"]


def test_a_name_the_text_never_defines_is_not_read():
    outcome = check("$$\\frac{\\partial L_i}{\\partial s_k} = 0$$\n")
    assert [e.verdict for e in outcome.entries] == ["unread"]
    assert "L_i is not defined" in outcome.entries[0].verified_by


# --- untrusted input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "$$x = \\input{/etc/passwd}$$",
    "$$L = __import__('os').system('true')$$",
    "$$a = \\def\\x{1}$$",
    "$$a = " + "(" * 80 + "1" + ")" * 80 + "$$",
    "$$a = 9^{9^{9^{9}}}$$",
])
def test_hostile_lines_are_not_read_and_nothing_runs(text):
    outcome = check(text)
    assert all(e.verdict == "unread" for e in outcome.entries) or not outcome.entries


def test_a_line_that_takes_too_long_is_reported_and_the_rest_goes_on():
    from derivations.check.written.reader import Reader
    text = "$$L_i = \\sum_{j \\neq y_i} \\max(0, s_j - s_{y_i} + 1)$$\n\n$$SLOW = 1$$\n\n" \
           "when $k \\neq y_i$:\n\n$$\\frac{\\partial L_i}{\\partial s_k} = \\mathbb{1}(s_k - s_{y_i} + 1 > 0)$$\n"
    original = Reader.row_text

    def slow(self, row_text, line, mode=""):
        if "SLOW" in row_text:
            import time
            time.sleep(30)
        return original(self, row_text, line, mode)
    Reader.row_text = slow
    try:
        outcome = check_text(text, "t", timeout=1.0)
    finally:
        Reader.row_text = original
    verdicts = {e.source_line: e.verdict for e in outcome.entries}
    assert verdicts[3] == "unread" and "longer than 1 s" in next(e for e in outcome.entries if e.source_line == 3
                                                                  ).verified_by
    assert verdicts[7] == "verified"                 # the case (line 5) and the definition (line 1) still hold


def test_same_text_same_report():
    text = (WRITTEN / "svm.tex").read_text()
    from derivations.check.written.report import render
    assert render(check(text), "json") == render(check(text), "json")


def test_same_report_whatever_the_hash_seed(tmp_path):
    """Unknowns are drawn in a fixed order, not a set's (which changes with PYTHONHASHSEED)."""
    import os
    import subprocess
    import sys
    root = Path(__file__).resolve().parent.parent
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(root))
        done = subprocess.run([sys.executable, "cli.py", "verify", str(WRITTEN / "svm.tex"), "--format", "json"],
                              cwd=root, env=env, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1
