"""The verified-report cache: a hit gives the bytes of a miss, a bad entry is rebuilt, nothing unverified is kept."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from derivations import cache

ROOT = Path(__file__).resolve().parent.parent


def run(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "json"])
def test_a_hit_gives_the_bytes_of_a_miss(fmt, capsys, private_cache):
    args = ["softmax-grad", "--scores", "3,-1,4", "--label", "0", "--format", fmt]
    code, miss, _ = run(args, capsys)
    assert code == 0 and len(cache.entries()) == 1
    code, hit, _ = run(args, capsys)
    assert code == 0 and hit == miss
    code, fresh, _ = run(args + ["--no-cache"], capsys)
    assert code == 0 and fresh == miss


def test_figures_come_back_from_the_cache(tmp_path, capsys):
    args = ["compare", "--scores", "3,-1,4;10,9,9", "--label", "0", "--format", "markdown"]
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    assert run(args + ["-o", str(first / "cmp.md")], capsys)[0] == 0
    assert run(args + ["-o", str(second / "cmp.md")], capsys)[0] == 0          # a hit
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir()) and any(n.endswith(".png") for n in names)
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_a_tampered_entry_is_detected_and_rebuilt(capsys):
    args = ["svm-grad", "--scores", "3,-1,4", "--label", "0", "--format", "json"]
    _, original, _ = run(args, capsys)
    [entry] = cache.entries()
    data = json.loads(entry.read_text())
    data["report"] = data["report"].replace('"value": 2.0', '"value": 3.0')      # a wrong loss, digest unchanged
    entry.write_text(json.dumps(data))
    _, again, _ = run(args, capsys)
    assert again == original and json.loads(again)["results"]["loss"]["value"] == 2.0
    assert json.loads(entry.read_text())["digest"] == cache._content_digest(json.loads(entry.read_text())["report"], {})


@pytest.mark.parametrize("damage", ["truncate", "foreign", "garbage"])
def test_a_corrupted_or_foreign_entry_is_ignored(damage, capsys):
    args = ["svm-grad", "--delta", "1"]
    _, original, _ = run(args, capsys)
    other = ["svm-grad", "--scores", "3,-1,4", "--label", "0"]
    _, other_report, _ = run(other, capsys)
    entries = cache.entries()
    assert len(entries) == 2
    mine = next(p for p in entries if json.loads(p.read_text())["report"] == original)
    theirs = next(p for p in entries if p != mine)
    if damage == "truncate":
        mine.write_text(mine.read_text()[:200])
    elif damage == "foreign":
        mine.write_text(theirs.read_text())                 # a valid entry, but of another key
    else:
        mine.write_bytes(b"\x00\xff not json")
    _, again, _ = run(args, capsys)
    assert again == original != other_report


def test_an_unverified_report_is_never_kept(capsys, monkeypatch):
    from derivations.engine.steps import Derivation
    monkeypatch.setattr(Derivation, "verified", property(lambda self: False))     # as if a step had not verified
    code, out, _ = run(["svm-grad", "--delta", "1"], capsys)
    assert code == 0 and "NOT verified" in out
    assert cache.entries() == []


def test_bad_input_is_not_cached(capsys):
    assert run(["svm-grad", "--scores", "1,x", "--label", "0"], capsys)[0] == 2
    assert cache.entries() == []


def test_cache_info_and_clear(capsys, private_cache):
    run(["svm-grad", "--delta", "1"], capsys)
    code, out, _ = run(["cache", "info"], capsys)
    assert code == 0 and str(private_cache) in out and "reports  1" in out
    code, out, _ = run(["cache", "clear"], capsys)
    assert code == 0 and "removed 1 cached report " in out and cache.entries() == []


def test_the_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("DERIVE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() == tmp_path / "derive"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.folder() == Path(os.path.expanduser("~")) / ".cache" / "derive"


def test_the_key_depends_on_what_the_report_depends_on():
    base = cache.key("svm-grad", {"delta": "1"}, "text")
    assert base == cache.key("svm-grad", {"delta": "1"}, "text")
    assert base != cache.key("svm-grad", {"delta": "2"}, "text")
    assert base != cache.key("svm-grad", {"delta": "1"}, "json")
    assert base != cache.key("softmax-grad", {"delta": "1"}, "text")


def test_a_hit_does_not_import_sympy_or_jinja():
    code = ("import sys, cli\n"
            "cli.main(['svm-grad', '--delta', '1'])\n"
            "before = 'sympy' in sys.modules\n")
    probe = ("import sys, io, contextlib, cli\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    cli.main(['svm-grad', '--delta', '1'])\n"
             "print('sympy' in sys.modules, 'jinja2' in sys.modules)")
    env = dict(os.environ)
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, check=True)
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
