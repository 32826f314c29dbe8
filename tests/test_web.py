"""``derive serve`` without a browser: the MathML writer, the forms, the JSON API and the pages through
Starlette's test client (with the real worker processes), the bounds, the security headers, and the
command line. The browser tests are in test_web_browser.py.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import pytest

from cli import main

DATA = Path(__file__).resolve().parent / "data"


def require_web():
    from derivations.web import missing_packages
    missing = missing_packages()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the web extra is missing in CI ({', '.join(missing)}): pip install '.[test]'")
        pytest.skip(f"needs the web extra ({', '.join(missing)})")


# --- maths: LaTeX to MathML ------------------------------------------------------------------------

def test_mathml_escapes_every_text_and_keeps_only_mathml():
    require_web()
    from derivations.web.maths import typeset
    written = typeset(r"\text{<img src=x onerror=alert(1)>} + \href{javascript:alert(1)}{x} = \class{evil}{y}")
    tree = ElementTree.fromstring(written)                   # well-formed: every text escaped
    assert tree.tag == "math"
    elements = {element.tag for element in tree.iter()}
    assert elements <= {"math", "semantics", "mrow", "mi", "mo", "mn", "mtext", "annotation", "mstyle"}, elements
    assert "<img" not in written and "&lt;img src=x onerror=alert(1)&gt;" in written
    assert all(set(element.attrib) <= {"display", "encoding", "stretchy", "fence", "form", "mathvariant"}
               for element in tree.iter()), [element.attrib for element in tree.iter()]
    assert tree.find(".//annotation").text.startswith(r"\text{<img")   # the source, kept as an annotation


def test_a_formula_that_cannot_be_typeset_is_shown_as_its_source_and_marked():
    require_web()
    from derivations.web.maths import MathError, mathml, typeset
    with pytest.raises(MathError, match=r"the command \\foo is unknown"):
        mathml(r"\foo{x} + 1")
    shown = typeset(r"\foo{<b>}")
    assert shown == '<code class="math-error" title="not typeset: the command \\foo is unknown">\\foo{&lt;b&gt;}</code>'
    assert typeset("a & b").startswith('<code class="math-error"')        # a stray alignment


def test_styled_letters_are_unicode_mathematical_letters():
    require_web()
    from derivations.web.maths import styled, typeset
    assert styled("1", "double-struck") == "𝟙"
    assert styled("W1", "bold") == "𝐖𝟏"
    assert styled("RZa", "double-struck") == "ℝℤ𝕒"
    assert styled("L", "script") == "ℒ"
    assert "<mn>𝟏</mn>" in typeset(r"\mathbf{1}[x > 0]")
    assert '<mi mathvariant="normal">Δ</mi>' in typeset(r"\Delta")        # capital Greek upright, as in TeX


def test_aligned_chains_become_tables_and_row_spacing_is_dropped():
    require_web()
    from derivations.web.maths import typeset
    tree = ElementTree.fromstring(typeset("\\begin{aligned} a &= b && \\text{why} \\\\[8pt] &= c \\end{aligned}", True))
    rows = tree.findall(".//mtr")
    assert len(rows) == 2
    shown = "".join(e.text or "" for e in tree.iter() if e.tag != "annotation")
    assert "pt" not in shown and "[" not in shown
    assert [cell.get("columnalign") for cell in rows[0].findall("mtd")][:2] == ["right", "left"]


def test_markdown_reports_pass_no_html_and_no_outside_address():
    require_web()
    from derivations.web.maths import markdown_html
    page = markdown_html("Hi <script>alert(1)</script> [x](javascript:alert(1)) ![f](fig.png) ![g](http://a.b/c.png)"
                         " $x^2$\n", {"fig.png": b"\x89PNG"})
    assert "<script" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page
    assert 'src="data:image/png;base64,iVBORw==' in page
    assert "http://a.b" not in page and "[figure not available]" in page
    assert "<math" in page


def test_every_formula_of_every_markdown_report_is_typeset(report_corpus):
    require_web()
    from derivations.web.maths import markdown_html

    from .test_markdown_mathjax import formulas
    checked = 0
    for (name, fmt), path in report_corpus.items():
        if fmt != "markdown":
            continue
        markdown = path.read_text()
        page = markdown_html(markdown)
        assert "math-error" not in page, (name, re.findall(r'<(?:code|pre) class="math-error".*?</(?:code|pre)>', page)[:3])
        assert page.count("<math ") == len(formulas(markdown)), name
        checked += page.count("<math ")
    assert checked > 3000


# --- forms -------------------------------------------------------------------------------------------

def test_a_form_keeps_only_what_it_says():
    from derivations.web.forms import COMMANDS, FormError, shown_values, values_of
    from derivations.web.limits import Limits
    svm = COMMANDS["svm-grad"]
    limits = Limits()
    assert values_of(svm, {"delta": " 1 ", "wrt": "scores", "scores": "", "label": "0"}, limits) == {"label": "0"}
    assert values_of(svm, {"delta": 2}, limits) == {"delta": "2"}
    assert shown_values(svm, {"delta": "2"})["wrt"] == "scores"
    with pytest.raises(FormError, match="wrt: 'sideways' is not one of scores, weights, batch"):
        values_of(svm, {"wrt": "sideways"}, limits)
    with pytest.raises(FormError, match="unknown field"):
        values_of(svm, {"data": "/etc/passwd"}, limits)              # never a path on the server
    with pytest.raises(FormError, match="at most 20,000 are read"):
        values_of(svm, {"scores": "1," * 20_000}, limits)
    with pytest.raises(FormError, match="a text or a number"):
        values_of(svm, {"scores": [1, 2]}, limits)


def test_the_one_problem_form_makes_a_one_item_sheet():
    from derivations.check.sheet import parse
    from derivations.web.service import Refused, one_problem_sheet
    sheet = parse(one_problem_sheet("softmax.loss", "{scores: [3, -1, 4], label: 0}", 'x"\n: 1.50'))
    assert [(item.quantity, item.answer) for item in sheet.items] == [("softmax.loss", 'x"\n: 1.50')]
    assert sheet.given == {"scores": [3, -1, 4], "label": 0}
    with pytest.raises(Refused, match="must be one line"):
        one_problem_sheet("svm.loss", "{label: 0}\nitems: []", "2")
    with pytest.raises(Refused, match="choose the quantity"):
        one_problem_sheet("svm.loss: x", "", "2")


# --- the app, through Starlette's test client ---------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    require_web()
    from starlette.testclient import TestClient

    from derivations.web.app import create_app
    from derivations.web.limits import Limits
    with pytest.MonkeyPatch.context() as patch:          # the workers' own cache, never the user's
        patch.setenv("DERIVE_CACHE_DIR", str(tmp_path_factory.mktemp("web-cache")))
        with TestClient(create_app(Limits(workers=1)), base_url="http://127.0.0.1") as client:
            yield client


@contextmanager
def limits_changed(client, **changes):
    service = client.app.state.service
    before = service.limits
    service.limits = service.workers.limits = replace(before, **changes)
    try:
        yield
    finally:
        service.limits = service.workers.limits = before


def test_the_api_derives_with_the_form_values(client):
    answer = client.get("/api/derive/svm-grad", params={"delta": "2"}).json()
    assert answer["parameters"] == {"delta": "2"} and answer["verified"] is True
    assert answer["report"]["results"]["loss"]["value"] == 3.0
    assert answer["report"]["results"]["dscores"]["value"] == [-1.0, 0.0, 1.0]
    assert answer["downloads"]["markdown"] == "/derive/svm-grad/report.md?delta=2"
    posted = client.post("/api/derive/svm-grad", json={"delta": 2}).json()
    assert posted["report"] == answer["report"]
    weights = client.get("/api/derive/softmax-grad", params={"wrt": "weights", "inputs": "1,2",
                                                            "weights": "1,0,2;1,-1,1", "label": "0"}).json()
    dW = weights["report"]["results"]["dW"]["value"]
    assert len(dW) == 2 and len(dW[0]) == 3 and abs(sum(dW[0])) < 1e-12


def test_the_api_refuses_bad_input_in_one_line(client):
    bad = client.get("/api/derive/svm-grad", params={"scores": "3,x,4", "label": "0"})
    assert bad.status_code == 400 and "\n" not in bad.json()["error"] and "x" in bad.json()["error"]
    assert client.get("/api/derive/nope").status_code == 404
    assert client.get("/api/derive/svm-grad", params={"data": "/etc/passwd"}).status_code == 400
    unevaluated = client.get("/api/derive/diff", params={"expression": "x +* 2", "wrt": "x"})
    assert unevaluated.status_code == 400
    assert client.post("/api/verify", json={"text": "   "}).status_code == 400
    unclosed = client.post("/api/verify", json={"text": "$$ x = 1\n"})
    assert unclosed.status_code == 400 and unclosed.json() == {"error": "line 1: $$ is never closed by $$"}
    assert client.post("/api/verify", content=b"[1, 2]", headers={"content-type": "application/json"}).json() == \
        {"error": "the request must be a JSON object"}


PLANTED = (DATA / "written" / "softmax.md").read_text().replace(r"&= p_k - \delta", r"&= p_k + \delta")


def test_the_api_checks_a_derivation_line_by_line(client):
    answer = client.post("/api/verify", json={"text": PLANTED}).json()
    assert answer["summary"]["wrong_lines"] == [15] and answer["summary"]["unread"] == 0
    wrong = [line for line in answer["lines"] if line["verdict"] == "wrong"]
    assert len(wrong) == 1 and wrong[0]["diagnosis"].startswith("sign")
    assert wrong[0]["counterexample"]["left"] != wrong[0]["counterexample"]["right"]
    assert all(line["read_latex"] for line in answer["lines"])
    assert answer["text"][14] == r"&= p_k + \delta_{k y_i}"
    assert answer["reading"].endswith("Exit status 1: a line is wrong.")
    form = client.post("/api/verify", files={"file": ("mine.md", PLANTED.encode())}, data={"loss": "softmax"}).json()
    assert form["source"] == "mine.md" and form["summary"]["wrong_lines"] == [15]


def test_the_api_grades_a_sheet_and_one_problem(client):
    sheet = (DATA / "ta_corpus" / "alice.yaml").read_text()
    answer = client.post("/api/check", json={"sheet": sheet}).json()
    items = answer["sheets"][0]["items"]
    assert answer["sheets"][0]["student"] == "alice" and answer["sheets"][0]["score"] == 10.0
    assert [item["verdict"] for item in items] == ["correct"] * 10
    assert items[2]["read_latex"] == r"\mathbf{1}\left[s_{k} - s_{y_i} + \Delta > 0\right]"
    one = client.post("/api/check", json={"quantity": "softmax.loss", "given": "{scores: [3, -1, 4], label: 0}",
                                          "answer": "1.3"}).json()
    item = one["sheets"][0]["items"][0]
    assert (item["verdict"], item["rule"]) == ("incorrect", "too-few-figures")
    broken = client.post("/api/check", json={"sheet": "items: 3\n"}).json()
    assert broken["sheets"][0]["error"] == "the sheet has no 'items' list"


def test_a_page_shows_the_api_answer(client):
    page = client.get("/derive/svm-grad", params={"delta": "2"}).text
    assert "✓ every step verified" in page and page.count("<math ") > 40
    assert 'href="/derive/svm-grad/report.tex?delta=2"' in page
    checked = client.post("/verify", data={"text": PLANTED}).text
    assert re.search(r'<tr id="line-15" class="line wrong" data-line="15" data-verdict="wrong">', checked)
    assert "likely mistake: sign" in checked
    graded = client.post("/check", data={"quantity": "svm.loss", "given": "{scores: [3, -1, 4], label: 0, delta: 1}",
                                         "answer": "2"}).text
    assert 'data-item="answer" data-verdict="correct"' in graded


def test_downloads_are_the_reports_as_the_command_line_writes_them(client):
    markdown = client.get("/derive/svm-grad/report.md", params={"delta": "2"})
    assert markdown.headers["content-disposition"] == 'attachment; filename="svm-grad.md"'
    assert markdown.text.startswith("# Gradient of the multiclass SVM (hinge) loss")
    assert r"\Delta = 2" in markdown.text
    assert client.get("/derive/svm-grad/report.tex").text.startswith(r"\documentclass")
    assert json.loads(client.get("/derive/svm-grad/report.json").text)["results"]["loss"]["value"] == 2.0
    assert client.get("/derive/svm-grad/report.exe").status_code == 404
    compare = client.get("/derive/compare")
    figure = re.search(r'href="(/derive/compare/figures/[^"?]+\.png)"', compare.text)
    assert figure and client.get(figure.group(1)).content.startswith(b"\x89PNG")
    if shutil.which("pdflatex") is not None:
        assert client.get("/derive/bce-reduction/report.pdf").content.startswith(b"%PDF")


def test_every_answer_carries_the_security_headers(client):
    for response in (client.get("/"), client.get("/api/derive"), client.get("/static/derive.css"),
                     client.get("/derive/nope"), client.post("/api/verify", json={})):
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy and "unsafe" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_a_body_past_the_cap_is_refused_before_it_is_read(client):
    limit = client.app.state.service.limits.body_bytes
    big = client.post("/api/verify", content=b"x" * (limit + 1), headers={"content-type": "application/json"})
    assert big.status_code == 413 and "larger than 1,000,000 bytes" in big.text

    def chunks():                                   # no Content-Length: counted as it arrives
        for _ in range(limit // 100_000 + 2):
            yield b"x" * 100_000
    streamed = client.post("/api/verify", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    long_text = client.post("/api/verify", json={"text": "x = 1\n" * 70_000})
    assert long_text.status_code == 413 and "at most 400,000 are read here" in long_text.json()["error"]


def test_a_line_past_its_time_is_reported_as_not_read(client):
    with limits_changed(client, line_timeout=0.001):
        answer = client.post("/api/verify", json={"text": PLANTED}).json()
        page = client.post("/verify", data={"text": PLANTED}).text
    timed = [line for line in answer["lines"] if line["timed_out"]]
    assert timed and timed[0]["verdict"] == "unread"
    assert "took longer than 0.001 s" in timed[0]["verified_by"]
    assert "took longer than 0.001 s" in page
    again = client.post("/api/verify", json={"text": PLANTED}).json()        # a timing is never kept
    assert not any(line["timed_out"] for line in again["lines"])


def test_work_past_its_time_or_when_busy_is_stopped(client):
    with limits_changed(client, task_timeout=0.001):
        slow = client.get("/api/derive/softmax-jacobian", params={"scores": "1,2,3,4"})
    assert slow.status_code == 503 and "took longer than 0.001 s and was stopped" in slow.json()["error"]
    with limits_changed(client, queued=0):
        busy = client.get("/api/derive/softmax-jacobian", params={"scores": "1,2,3,4,5,6"})
    assert busy.status_code == 503 and "busy" in busy.json()["error"]
    assert client.get("/api/derive/softmax-jacobian", params={"scores": "1,2,3,4"}).status_code == 200


def test_a_task_is_bounded_in_time_and_memory(monkeypatch):
    import time

    from derivations.web import tasks, workers
    monkeypatch.setitem(tasks.TASKS, "hungry", lambda size: len(bytearray(size)))
    monkeypatch.setitem(tasks.TASKS, "slow", time.sleep)
    monkeypatch.setitem(tasks.TASKS, "refused", lambda: tasks.build("no-such-command", {}))
    assert workers.bounded("hungry", (10**6,), 60, 64) == ("ok", 10**6)
    assert workers.bounded("hungry", (2 * 1024**3,), 60, 64) == ("memory", "it needed more memory than is allowed here")
    assert workers.bounded("slow", (30,), 0.5, 64) == ("time", "it took longer than 0.5 s and was stopped")
    assert workers.bounded("refused", (), 60, 64) == ("input", "no derivation is called 'no-such-command'")


# --- the command line --------------------------------------------------------------------------------

def test_serve_without_the_extra_says_how_to_install_it(monkeypatch, capsys):
    import derivations.web
    monkeypatch.setattr(derivations.web, "missing_packages", lambda: ["starlette", "uvicorn"])
    assert main(["serve"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert 'starlette, uvicorn missing' in error and 'pip install "derive[web]"' in error


def test_serve_warns_when_it_listens_beyond_this_machine(monkeypatch, capsys):
    require_web()
    import derivations.web.app
    started = []
    monkeypatch.setattr(derivations.web.app, "serve", lambda host, port, limits, announce: started.append((host, port)))
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 0
    assert "warning: listening on 0.0.0.0" in capsys.readouterr().err
    assert main(["serve"]) == 0
    assert capsys.readouterr().err == ""
    assert started == [("0.0.0.0", 0), ("127.0.0.1", 8000)]
    from derivations.web.app import is_loopback
    assert [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0", "192.168.1.2")] == \
        [True, True, True, True, False, False]


def test_the_command_line_does_not_load_the_web_app():
    run = subprocess.run([sys.executable, "-c", "import sys, cli; cli.main(['--help']); "
                                                "print(sorted(m for m in ('starlette', 'uvicorn', 'latex2mathml', "
                                                "'derivations.web.app') if m in sys.modules))"],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert run.stdout.strip().endswith("[]") and "serve" in run.stdout


def test_the_grad_page_takes_a_builtin_or_a_spec_text_never_a_file_on_the_server(client, tmp_path):
    answer = client.get("/api/derive/grad", params={"spec": "ridge"}).json()
    assert answer["verified"] is True and "dw" in answer["report"]["results"]
    text = "X: N x D; w: D; t: N; L = mean_n (sum_d X[n, d] w[d] - t[n])^2; wrt w"
    typed = client.get("/api/derive/grad", params={"spec": text}).json()
    assert typed["verified"] is True and "dw" in typed["report"]["results"]
    planted = tmp_path / "spec.txt"
    planted.write_text("X: N x D\nW: D x K\nL = sum(X W)\nwrt W\n")
    refused = client.get("/api/derive/grad", params={"spec": str(planted)})
    assert refused.status_code == 400 and "neither a built-in" in refused.json()["error"]
    assert client.get("/api/derive/grad", params={"spec": "/etc/passwd"}).status_code == 400
