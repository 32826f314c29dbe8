"""The verified-report cache: a hit gives the bytes of a miss, a bad entry is rebuilt, nothing unverified is kept."""
import json
import os
import stat
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


def read_entry(path):
    """An entry's header line (``hmac-sha256 <digest>``) and its JSON."""
    header, payload = Path(path).read_bytes().split(b"\n", 1)
    return header, json.loads(payload)


def write_entry(path, header, data):
    Path(path).write_bytes(header + b"\n" + json.dumps(data).encode())


def test_a_tampered_entry_is_detected_and_rebuilt(capsys):
    args = ["svm-grad", "--scores", "3,-1,4", "--label", "0", "--format", "json"]
    _, original, _ = run(args, capsys)
    [entry] = cache.entries()
    kept = entry.read_bytes()
    header, data = read_entry(entry)
    data["report"] = data["report"].replace('"value": 2.0', '"value": 3.0')      # a wrong loss, digest unchanged
    write_entry(entry, header, data)
    _, again, _ = run(args, capsys)
    assert again == original and json.loads(again)["results"]["loss"]["value"] == 2.0
    assert entry.read_bytes() == kept                                            # rebuilt as it was


@pytest.mark.parametrize("digest", ["plain-sha256", "old-content-digest", "another-key"])
def test_a_forged_entry_is_never_served(digest, capsys):
    """A report edited and given a digest an attacker can compute (no key) is rebuilt, not served."""
    import hashlib
    import hmac
    args = ["svm-grad", "--scores", "3,-1,4", "--label", "0", "--format", "json"]
    _, original, _ = run(args, capsys)
    [entry] = cache.entries()
    _, data = read_entry(entry)
    data["report"] = data["report"].replace('"value": 2.0', '"value": 3.0')
    payload = json.dumps(data).encode()
    if digest == "plain-sha256":
        forged = hashlib.sha256(payload).hexdigest()
    elif digest == "old-content-digest":                  # layout 1's digest of the report and its files
        forged = hashlib.sha256(data["report"].encode() + b"\0").hexdigest()
    else:                                                  # a MAC under a key of the attacker's
        forged = hmac.new(b"k" * 32, b"reports/" + entry.name.encode() + b"\0" + payload, "sha256").hexdigest()
    Path(entry).write_bytes(b"hmac-sha256 " + forged.encode() + b"\n" + payload)
    code, again, _ = run(args, capsys)
    assert code == 0 and again == original and json.loads(again)["results"]["loss"]["value"] == 2.0


@pytest.mark.parametrize("damage", ["truncate", "foreign", "garbage", "empty"])
def test_a_corrupted_or_foreign_entry_is_ignored(damage, capsys):
    args = ["svm-grad", "--delta", "1"]
    _, original, _ = run(args, capsys)
    other = ["svm-grad", "--scores", "3,-1,4", "--label", "0"]
    _, other_report, _ = run(other, capsys)
    entries = cache.entries()
    assert len(entries) == 2
    mine = next(p for p in entries if read_entry(p)[1]["report"] == original)
    theirs = next(p for p in entries if p != mine)
    if damage == "truncate":
        mine.write_bytes(mine.read_bytes()[:200])
    elif damage == "foreign":
        mine.write_bytes(theirs.read_bytes())              # a valid entry, but of another key (its MAC names it)
    elif damage == "garbage":
        mine.write_bytes(b"\x00\xff not json")
    else:
        mine.write_bytes(b"")
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
    assert code == 0 and str(private_cache) in out and "reports  1" in out and "state    in use" in out
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


# --- hostile cache folders (issue 22): nothing planted runs, nothing forged is served, nothing hangs ----------

class Planted:
    """A pickle whose loading creates ``marker``: the side effect a planted cache file must never get."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def derive(args, env, timeout=120, stdin=None):
    """``derive ARGS`` as a new process (so that no in-process memo hides a cache file), with ``env``."""
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, input=stdin)


def fresh_env(folder, home):
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "DERIVE_DEBUG")}
    env.update(DERIVE_CACHE_DIR=str(folder), HOME=str(home), PYTHONPATH=str(ROOT))
    return env


PARSE = [sys.executable, "-c", "from derivations.parse import parse_expression; "
                               "print(parse_expression('max(0, s_j - s_{y_i} + 1)'))"]


def test_planted_pickles_in_the_template_and_grammar_caches_run_no_code(tmp_path, private_cache):
    import pickle

    from jinja2.bccache import bc_magic
    marker = tmp_path / "ran"
    env = fresh_env(private_cache, tmp_path)
    first = derive(["svm-grad", "--delta", "1", "--no-cache"], env)
    parsed = subprocess.run(PARSE, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    planted = sorted(p for sub in ("templates", "grammars") for p in (private_cache / sub).iterdir())
    assert first.returncode == 0 and parsed.returncode == 0
    assert {p.parent.name for p in planted} == {"templates", "grammars"}
    payload = pickle.dumps(Planted(marker))
    pickle.loads(payload)                              # the payload does run code when unpickled ...
    assert marker.exists()
    marker.unlink()
    import hashlib
    for number, path in enumerate(planted):           # ... so plant it, in each form an attacker could try
        body = (bc_magic + payload) if path.parent.name == "templates" else b"x\n" + payload
        forms = [payload, body, b"hmac-sha256 " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body]
        path.write_bytes(forms[number % len(forms)])
    second = derive(["svm-grad", "--delta", "1", "--no-cache"], env)
    reparsed = subprocess.run(PARSE, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert not marker.exists()
    assert second.returncode == 0 and second.stdout == first.stdout and reparsed.stdout == parsed.stdout
    for path in planted:                              # rebuilt: authenticated again
        assert path.read_bytes().startswith(b"hmac-sha256 ") and payload not in path.read_bytes()


def test_the_grammar_and_template_caches_stay_under_the_cache_folder(tmp_path, private_cache):
    env = fresh_env(private_cache, tmp_path / "home")
    assert derive(["svm-grad", "--delta", "1"], env).returncode == 0
    assert subprocess.run(PARSE, cwd=ROOT, env=env, capture_output=True, timeout=120).returncode == 0
    assert not (tmp_path / "home").exists() or not any((tmp_path / "home").rglob("*"))
    for sub in ("reports", "templates", "grammars"):
        folder = private_cache / sub
        assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700 and any(folder.iterdir())
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in folder.iterdir())
    key = private_cache / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


def replace_entry(make):
    [entry] = cache.entries()
    entry.unlink()
    make(entry)
    return entry


def test_a_fifo_entry_is_rebuilt_not_waited_on(tmp_path, private_cache):
    env = fresh_env(private_cache, tmp_path)
    first = derive(["svm-grad", "--delta", "1"], env)
    entry = replace_entry(os.mkfifo)
    again = derive(["svm-grad", "--delta", "1"], env, timeout=120)        # would block forever on open()
    assert again.returncode == 0 and again.stdout == first.stdout
    assert stat.S_ISREG(entry.lstat().st_mode)                          # replaced by a real entry


def test_a_dangling_link_entry_is_rebuilt_and_info_works(capsys, private_cache, tmp_path):
    _, original, _ = run(["svm-grad", "--delta", "1"], capsys)
    entry = replace_entry(lambda p: p.symlink_to(tmp_path / "gone.json"))
    code, out, err = run(["cache", "info"], capsys)
    assert code == 0 and "reports  0" in out and err == ""
    code, again, _ = run(["svm-grad", "--delta", "1"], capsys)
    assert code == 0 and again == original and not entry.is_symlink() and len(cache.entries()) == 1


def test_a_link_to_a_valid_forged_entry_is_not_followed(capsys, private_cache, tmp_path):
    """Even an entry whose MAC checks out is not read through a link (the link may point anywhere)."""
    from derivations import private
    args = ["svm-grad", "--scores", "3,-1,4", "--label", "0", "--format", "json"]
    _, original, _ = run(args, capsys)
    [entry] = cache.entries()
    _, data = read_entry(entry)
    data["report"] = data["report"].replace('"value": 2.0', '"value": 3.0')
    assert private.store("reports", "forged.json", json.dumps(data).encode())      # signed with the real key
    outside = tmp_path / "outside.json"
    outside.write_bytes((private_cache / "reports" / "forged.json").read_bytes())
    os.chmod(outside, 0o600)
    entry.unlink()
    entry.symlink_to(outside)
    code, again, _ = run(args, capsys)
    assert code == 0 and again == original


@pytest.mark.parametrize("odd", ["folder", "huge", "group-readable", "another-owner"])
def test_odd_entries_are_rebuilt_not_served(odd, capsys, private_cache):
    from derivations import private
    args = ["svm-grad", "--scores", "3,-1,4", "--label", "0", "--format", "json"]
    _, original, _ = run(args, capsys)
    [entry] = cache.entries()
    _, data = read_entry(entry)
    data["report"] = data["report"].replace('"value": 2.0', '"value": 3.0')
    assert private.store("reports", entry.name, json.dumps(data).encode())   # forged, yet its MAC checks out
    if odd == "folder":
        entry.unlink()
        (entry / "nested" / "deeper").mkdir(parents=True)
        (entry / "nested" / "deeper" / "x.json").write_text("{}")
    elif odd == "huge":
        with open(entry, "ab") as stream:
            stream.truncate(cache.MAX_ENTRY_BYTES + 4096)                    # sparse: never read
    elif odd == "group-readable":
        os.chmod(entry, 0o640)
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a file to another user needs root")
        os.chown(entry, 65534, 65534)
    code, out, _ = run(["cache", "info"], capsys)
    assert code == 0
    code, again, _ = run(args, capsys)
    assert code == 0 and again == original
    assert stat.S_ISREG(entry.lstat().st_mode) and entry.stat().st_uid == os.geteuid()


def test_clear_removes_everything_derive_keeps_even_odd_entries(capsys, private_cache, tmp_path):
    run(["svm-grad", "--delta", "1"], capsys)
    run(["softmax-grad", "--scores", "3,-1,4", "--label", "0"], capsys)
    reports = private_cache / "reports"
    os.mkfifo(reports / "fifo.json")
    (reports / "dangling.json").symlink_to(tmp_path / "gone")
    (reports / "linked-folder").symlink_to(tmp_path)                  # a link to a folder: removed, not followed
    (tmp_path / "keep.txt").write_text("mine")
    deep = reports / "nested.json"
    for depth in range(200):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "x.json").write_text("{}")
    (private_cache / "jinja-0.1.0").mkdir()                           # where earlier versions kept them
    (private_cache / "jinja-0.1.0" / "__jinja2_x.cache").write_bytes(b"j2")
    (private_cache / "grammar-0123.lark").write_bytes(b"x\n")
    (private_cache / "notes.txt").write_text("not derive's")
    code, out, _ = run(["cache", "info"], capsys)
    assert code == 0 and "reports  2" in out
    code, out, _ = run(["cache", "clear"], capsys)
    assert code == 0 and "removed 2 cached reports" in out
    assert sorted(p.name for p in private_cache.iterdir()) == ["notes.txt"]
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_a_shared_cache_folder_gets_a_private_subfolder(tmp_path, monkeypatch, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(shared))
    _, first, _ = run(["svm-grad", "--delta", "1"], capsys)
    own = shared / f"user-{os.geteuid()}"
    assert stat.S_IMODE(own.stat().st_mode) == 0o700 and len(cache.entries()) == 1
    assert cache.entries()[0].parent == own / "reports"
    assert sorted(p.name for p in shared.iterdir()) == [own.name]
    _, again, _ = run(["svm-grad", "--delta", "1"], capsys)
    assert again == first


def test_a_planted_link_as_the_private_subfolder_disables_the_cache(tmp_path, monkeypatch, capsys):
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir()
    elsewhere.mkdir()
    os.chmod(shared, 0o1777)
    (shared / f"user-{os.geteuid()}").symlink_to(elsewhere)
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(shared))
    code, out, _ = run(["svm-grad", "--delta", "1"], capsys)
    assert code == 0 and "Every step was verified" in out
    assert list(elsewhere.iterdir()) == [] and cache.entries() == []
    code, out, _ = run(["cache", "info"], capsys)
    assert code == 0 and "state    not used: " in out and f"user-{os.geteuid()}" in out


def test_a_key_of_the_wrong_mode_is_replaced(capsys, private_cache):
    args = ["svm-grad", "--delta", "1"]
    _, original, _ = run(args, capsys)
    key = private_cache / "key"
    old = key.read_bytes()
    os.chmod(key, 0o644)                                  # readable by others: no longer a secret
    _, again, _ = run(args, capsys)
    assert again == original and key.read_bytes() != old and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_concurrent_runs_agree_on_one_key(private_cache):
    from concurrent.futures import ThreadPoolExecutor

    from derivations import private
    with ThreadPoolExecutor(8) as pool:
        stored = list(pool.map(lambda i: private.store("reports", f"{i}.json", b"%d" % i), range(32)))
    assert all(stored)
    assert [private.load("reports", f"{i}.json", 100) for i in range(32)] == [b"%d" % i for i in range(32)]
