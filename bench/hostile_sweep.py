"""A hostile-input sweep over every command: planted caches, odd output and input files, bounded inputs, options.

Each case starts ``derive`` as a new process (in a fresh working folder, with its own HOME and cache folder,
an address-space limit of --memory-gb and a timeout of --timeout seconds) and is judged by what a user must
never see: code run from a planted file, a traceback, an internal error (exit 1), a hang, a forged cache entry
served, a damaged file (a device, FIFO or symlink replaced by a regular file; a previous output overwritten by
a failed run), non-strict JSON, a refusal that is not one line with exit 2, bad input accepted, or a refused
input read in full first (the child's peak memory above --read-mb).

    python bench/hostile_sweep.py                      # this checkout
    python bench/hostile_sweep.py --root /tmp/before   # another one (git archive <commit> | tar -x -C /tmp/before)

Device nodes (/dev/null, /dev/full, /dev/zero) are private copies made with mknod in the case's folder, so a
run that replaces one never touches the machine's; without root those cases use the real devices only for
reading and are skipped for writing. Prints one line a case and the totals by kind of problem.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MARKER = "PLANTED-CODE-RAN"


class Payload:
    """A pickle that, when loaded, creates the marker file (the side effect a planted cache must never get)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@dataclass
class Case:
    name: str
    args: list
    expect: str = "refuse"          # refuse (exit 2, one line) | ok (exit 0) | either | verdict (0 or 1)
    setup: object = None            # setup(folder) -> None, run before the command
    check: object = None            # check(folder, result) -> problem or None, after it
    env: dict = field(default_factory=dict)
    stdin: bytes | None = None
    wrap: list = field(default_factory=list)    # prefix of the command (unshare ...)
    needs_root: bool = False


@dataclass
class Result:
    code: int | None
    out: bytes
    err: str
    seconds: float
    peak_mb: float


# --- helpers for the cases ------------------------------------------------------------------------

def is_root():
    return os.geteuid() == 0


def device(folder, name, minor):
    """A private copy of /dev/null (3), /dev/zero (5) or /dev/full (7)."""
    path = Path(folder) / name
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    return path


def still_device(name):
    def check(folder, result):
        mode = os.lstat(Path(folder) / name).st_mode
        return None if stat.S_ISCHR(mode) else f"{name} was replaced by a regular file"
    return check


def fifo(folder, name):
    path = Path(folder) / name
    os.mkfifo(path)
    return path


def write_json(path, data):
    Path(path).write_text(json.dumps(data))


def small_batch():
    rng = np.random.default_rng(0)
    return {"X": rng.standard_normal((6, 4)).tolist(), "y": [0, 1, 2, 0, 1, 2],
            "W": (0.01 * rng.standard_normal((4, 3))).tolist()}


def npz_with(path, **arrays):
    np.savez(path, **arrays)


def npy_header(shape, dtype="<f8"):
    """The bytes of a version 1.0 .npy header for ``shape`` (no data)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def huge_header_npz(path):
    """An .npz whose X claims 2**40 x 7 float64 (7 TiB) and holds 16 bytes."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", npy_header((2 ** 40, 7)) + b"\0" * 16)
        archive.writestr("y.npy", npy_header((2,), "<i8") + b"\0" * 16)
        archive.writestr("W.npy", npy_header((7, 2)) + b"\0" * 112)


def zip_bomb_npz(path, gigabytes=1.2):
    """An .npz of a few MB whose X unpacks to ``gigabytes`` of zeros (beyond the batch's size caps)."""
    cache = Path(tempfile.gettempdir()) / f"derive-sweep-bomb-v2-{gigabytes}.npz"
    if not cache.exists():
        rows = int(gigabytes * 1e9 / 8 / 1000)
        chunk = b"\0" * (8 * 1000 * 1000)
        with zipfile.ZipFile(cache, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            with archive.open("X.npy", "w", force_zip64=True) as stream:
                stream.write(npy_header((rows, 1000)))
                for _ in range(rows // 1000):
                    stream.write(chunk)
            archive.writestr("y.npy", npy_header((rows,), "<i8") + b"\0" * (8 * rows))
            archive.writestr("W.npy", npy_header((1000, 3)) + b"\0" * 24000)
    shutil.copy(cache, path)


def nested_json(path, depth=100_000):
    Path(path).write_text('{"X": ' + "[" * depth + "]" * depth + ', "y": [0], "W": [[1, 2]]}')


def expect_text(name, text):
    def check(folder, result):
        found = (Path(folder) / name).read_text()
        return None if found == text else f"{name} was changed by a failed run"
    return check


def both(*checks):
    def check(folder, result):
        for one in checks:
            problem = one(folder, result)
            if problem:
                return problem
        return None
    return check


# --- the planted caches ------------------------------------------------------------------------------

def populate(folder, *commands):
    """Run ``commands`` once so that the caches exist (their files are then replaced by crafted ones)."""
    for args in commands:
        run_derive(folder, args, {}, None, [], timeout=120)


def cache_trees(folder):
    return [Path(folder) / "cache", Path(folder) / "home" / ".cache"]


def plant_pickles(folder):
    """Replace every compiled-template and grammar file of the caches by one that runs code when unpickled."""
    marker = Path(folder) / MARKER
    payload = pickle.dumps(Payload(marker))
    planted = 0
    for tree in cache_trees(folder):
        for path in (p for p in tree.rglob("*") if p.is_file() and p.suffix != ".json"):
            data = path.read_bytes()
            if data.startswith(b"j2"):                                   # Jinja: magic, pickled checksum, marshal
                from jinja2.bccache import bc_magic
                path.write_bytes(bc_magic + payload)
            elif b"\n" in data[:80]:                                     # lark: the grammar's hash line, pickles
                path.write_bytes(data.split(b"\n", 1)[0] + b"\n" + payload)
            else:                                                        # anything else: a bare pickle
                path.write_bytes(payload)
            planted += 1
    # where the first versions kept them, in case the sweep runs before the caches exist
    legacy = Path(folder) / "home" / ".cache" / "derive"
    legacy.mkdir(parents=True, exist_ok=True)
    (legacy / "grammar-planted.lark").write_bytes(b"x\n" + payload)
    return planted


def code_did_not_run(folder, result):
    return "code from a planted cache file ran" if (Path(folder) / MARKER).exists() else None


def forge_entries(folder):
    """Change every cached report's text and recompute its plain SHA-256 (what an attacker without a key can)."""
    import hashlib
    for path in (Path(folder) / "cache").rglob("*.json"):
        raw = path.read_bytes()
        header = None
        if raw.startswith(b"hmac-sha256 "):                  # an authenticated entry: its digest line, then JSON
            header, raw = raw.split(b"\n", 1)
        data = json.loads(raw)
        data["report"] = data["report"].replace("Delta", "FORGED").replace("margin", "FORGED")
        files = {n: __import__("base64").b64decode(t) for n, t in data.get("files", {}).items()}
        digest = hashlib.sha256(data["report"].encode() + b"\0")
        for name in sorted(files):
            digest.update(name.encode() + b"\0" + files[name] + b"\0")
        if "digest" in data:
            data["digest"] = digest.hexdigest()
        payload = json.dumps(data).encode()
        if header is not None:                               # the best an attacker without the key can do
            payload = b"hmac-sha256 " + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        path.write_bytes(payload)


def not_served(folder, result):
    return "a forged cache entry was served" if b"FORGED" in result.out else None


def entries(folder):
    return sorted((Path(folder) / "cache").rglob("*.json"))


def replace_entries(folder, make):
    for path in entries(folder):
        path.unlink()
        make(path)


def cache_is_empty(folder, result):
    """Everything derive keeps is gone (odd entries too); a file of the user's own in the folder is left alone."""
    cache = Path(folder) / "cache"
    left = [p for p in cache.rglob("*") if p.name != "notes.txt"]
    left = [str(p.relative_to(cache)) for p in left if not p.is_dir() or any(p.iterdir())]
    if left:
        return f"cache clear left {len(left)} files: {', '.join(left[:3])}"
    return None if (cache / "notes.txt").exists() else "cache clear removed a file that is not derive's"


# --- the cases ---------------------------------------------------------------------------------------

SVM = ["svm-grad", "--delta", "1"]
DIFF = ["diff", "x^2*y + sin(y)", "--wrt", "x,y"]
CHECK = ["check", str(ROOT / "tests" / "data" / "ta_corpus" / "alice.yaml")]


def cases():
    found = []
    add = found.append

    # 1. caches
    def planted(commands):
        def setup(folder):
            populate(folder, *commands)
            plant_pickles(folder)
        return setup
    for label, args in (("svm-grad", SVM), ("diff", DIFF), ("backprop", ["backprop", "(x+y)*z", "--at", "x=1,y=2,z=3"]),
                        ("check", CHECK)):
        no_cache = args + ["--no-cache"] if label != "check" else args
        add(Case(f"cache: planted pickles, then {label}", no_cache, "verdict" if label == "check" else "ok",
                 planted([args]), code_did_not_run))
    add(Case("cache: planted pickles, DERIVE_CACHE_DIR shared (mode 1777)", CHECK, "verdict",
             lambda f: (populate(f, CHECK, SVM), plant_pickles(f), os.chmod(Path(f) / "cache", 0o1777)),
             code_did_not_run))
    add(Case("cache: grammar cache outside DERIVE_CACHE_DIR", CHECK, "verdict", None,
             lambda f, r: ("a cache file was written outside DERIVE_CACHE_DIR"
                           if any(p.is_file() for p in (Path(f) / "home" / ".cache").rglob("*")) else None)))
    add(Case("cache: forged entry, plain SHA-256 recomputed", SVM, "ok",
             lambda f: (populate(f, SVM), forge_entries(f)), not_served))
    add(Case("cache: entry is a FIFO", SVM, "ok",
             lambda f: (populate(f, SVM), replace_entries(f, os.mkfifo)), None))
    add(Case("cache: entry is a dangling symlink; cache info", ["cache", "info"], "ok",
             lambda f: (populate(f, SVM), replace_entries(f, lambda p: p.symlink_to(Path(f) / "gone.json"))), None))
    add(Case("cache: entry is a dangling symlink; the command", SVM, "ok",
             lambda f: (populate(f, SVM), replace_entries(f, lambda p: p.symlink_to(Path(f) / "gone.json"))), None))

    def forged_link(f):
        populate(f, SVM)
        outside = Path(f) / "outside.json"
        first = entries(f)[0]
        shutil.copy(first, outside)
        first.unlink()
        first.symlink_to(outside)
        forge_entries(f)                   # forges the link's target through the link
    add(Case("cache: entry is a symlink to a forged file", SVM, "ok", forged_link, not_served))
    add(Case("cache: entry is a 5 GB sparse file", SVM, "ok",
             lambda f: (populate(f, SVM), replace_entries(f, lambda p: os.truncate(open(p, "w").name, 5 << 30))),
             None))
    add(Case("cache: entry is a folder; the command", SVM, "ok",
             lambda f: (populate(f, SVM), replace_entries(f, lambda p: (p.mkdir(), (p / "x.json").write_text("{}")))),
             None))
    add(Case("cache: entry is a folder; cache info", ["cache", "info"], "ok",
             lambda f: (populate(f, SVM), replace_entries(f, lambda p: (p.mkdir(), (p / "x.json").write_text("{}")))),
             None))

    def odd_everything(f):
        populate(f, SVM, DIFF)
        reports = entries(f)[0].parent
        os.mkfifo(reports / "fifo.json")
        (reports / "dangling.json").symlink_to(Path(f) / "gone")
        (reports / "nested.json").mkdir()
        (reports / "nested.json" / "inner.json").write_text("{}")
        (reports / "stray").mkdir(exist_ok=True)
        (reports / "stray" / "file.bin").write_bytes(b"x")
        (Path(f) / "cache" / "notes.txt").write_text("the user's own file, not derive's")
    add(Case("cache: clear removes everything (odd entries, folders)", ["cache", "clear"], "ok", odd_everything,
             cache_is_empty))
    add(Case("cache: info with odd entries", ["cache", "info"], "ok", odd_everything, None))

    def wrong_owner(f):
        populate(f, SVM)
        forge_entries(f)
        for path in entries(f):
            os.chown(path, 65534, 65534)
    add(Case("cache: entry owned by another user (forged)", SVM, "ok", wrong_owner, not_served, needs_root=True))

    # 2. output files
    for command in (SVM, ["codegen", "svm"], ["check", str(ROOT / "tests" / "data" / "ta_corpus" / "alice.yaml")],
                    ["verify", "-", "--loss", "svm"]):
        label = command[0]
        stdin = b"L_i = \\max(0, s_j - s_{y_i} + 1)\n" if label == "verify" else None
        ok = "verdict" if label in ("verify", "check") else "ok"
        add(Case(f"-o null device ({label})", command + ["-o", "null"], ok, lambda f: device(f, "null", 3),
                 still_device("null"), stdin=stdin, needs_root=True))
        add(Case(f"-o full device ({label})", command + ["-o", "full"], "refuse", lambda f: device(f, "full", 7),
                 still_device("full"), stdin=stdin, needs_root=True))
        add(Case(f"-o FIFO without a reader ({label})", command + ["-o", "fifo"], "refuse",
                 lambda f: fifo(f, "fifo"),
                 lambda f, r: None if stat.S_ISFIFO(os.lstat(Path(f) / "fifo").st_mode) else "the FIFO was replaced",
                 stdin=stdin))
        add(Case(f"-o FIFO with a reader ({label})", command + ["-o", "fifo"], ok, reader_fifo, read_from_fifo,
                 stdin=stdin))
        add(Case(f"-o symlink ({label})", command + ["-o", "link"], ok,
                 lambda f: (Path(f, "target").write_text("old"), Path(f, "link").symlink_to("target")),
                 through_link, stdin=stdin))
    add(Case("--pdf: a folder named like the PDF, -o report.tex kept", SVM + ["--pdf", "-o", "report.tex"], "refuse",
             lambda f: (Path(f, "report.pdf").mkdir(), Path(f, "report.tex").write_text("PREVIOUS")),
             expect_text("report.tex", "PREVIOUS")))
    add(Case("--pdf: pdflatex missing, -o report.tex kept", SVM + ["--pdf", "-o", "report.tex"], "refuse",
             lambda f: Path(f, "report.tex").write_text("PREVIOUS"), expect_text("report.tex", "PREVIOUS"),
             env={"PATH": "/nonexistent"}))
    add(Case("--pdf: unwritable working folder (read-only mount)", SVM + ["--pdf"], "refuse", None, None,
             wrap=["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$PWD" "$PWD" && exec "$@"', "sh"],
             needs_root=True))
    add(Case("--pdf verify: a folder named like the PDF", ["verify", "-", "--loss", "svm", "--pdf", "-o", "v.tex"],
             "refuse", lambda f: (Path(f, "v.pdf").mkdir(), Path(f, "v.tex").write_text("PREVIOUS")),
             expect_text("v.tex", "PREVIOUS"), stdin=b"L_i = \\max(0, s_j - s_{y_i} + 1)\n"))
    add(Case("-o figure name taken by a folder", ["compare", "--scores", "3,-1,4", "--label", "0", "--format",
                                                   "markdown", "-o", "cmp.md"], "either",
             lambda f: [Path(f, name).mkdir() for name in _figure_names()], None))

    # 3. inputs
    text = ["verify"]
    add(Case("verify a FIFO", text + ["fifo"], "refuse", lambda f: fifo(f, "fifo")))
    add(Case("verify /dev/zero", text + ["zero"], "refuse", lambda f: device(f, "zero", 5), needs_root=True))
    add(Case("verify a folder", text + ["folder"], "refuse", lambda f: Path(f, "folder").mkdir()))
    add(Case("verify a 3 GB sparse file", text + ["big.txt"], "refuse", lambda f: os.truncate(
        open(Path(f, "big.txt"), "w").name, 3 << 30)))
    add(Case("check a FIFO", ["check", "sheet.yaml"], "refuse", lambda f: fifo(f, "sheet.yaml")))
    add(Case("check /dev/zero", ["check", "zero.yaml"], "refuse", lambda f: device(f, "zero.yaml", 5),
             needs_root=True))
    add(Case("check a folder holding a FIFO sheet", ["check", "sheets"], "refuse",
             lambda f: (Path(f, "sheets").mkdir(), fifo(Path(f, "sheets"), "a.yaml"))))
    for label, command in (("svm-grad --wrt batch", ["svm-grad", "--wrt", "batch", "--data"]),
                           ("gradcheck svm", ["gradcheck", "svm", "--data"]),
                           ("gradcheck logistic", ["gradcheck", "logistic", "--data"]),
                           ("train svm", ["train", "svm", "--data"])):
        add(Case(f"--data FIFO ({label})", command + ["data.json"], "refuse", lambda f: fifo(f, "data.json")))
        add(Case(f"--data /dev/zero ({label})", command + ["zero.npz"], "refuse", lambda f: device(f, "zero.npz", 5),
                 needs_root=True))
        add(Case(f"--data folder ({label})", command + ["d.npz"], "refuse", lambda f: Path(f, "d.npz").mkdir()))
        add(Case(f"--data npz claiming 7 TiB ({label})", command + ["huge.npz"], "refuse",
                 lambda f: huge_header_npz(Path(f, "huge.npz"))))
        add(Case(f"--data zip bomb ({label})", command + ["bomb.npz"], "refuse",
                 lambda f: zip_bomb_npz(Path(f, "bomb.npz"))))
        add(Case(f"--data JSON nested 100k deep ({label})", command + ["deep.json"], "refuse",
                 lambda f: nested_json(Path(f, "deep.json"))))
        add(Case(f"--data 400-digit integer ({label})", command + ["big.json"], "refuse",
                 lambda f: write_json(Path(f, "big.json"), {**small_batch(), "X": [[10 ** 400, 1, 2, 3]] * 6})))
        add(Case(f"--data ragged y ({label})", command + ["ragged.json"], "refuse",
                 lambda f: write_json(Path(f, "ragged.json"), {**small_batch(), "y": [[0, 1], [2], 0, 1, 2, 0]})))
        add(Case(f"--data strings in X ({label})", command + ["strings.json"], "refuse",
                 lambda f: write_json(Path(f, "strings.json"), {**small_batch(), "X": [["1", "2", "3", "4"]] * 6})))
        for kind, make in (("complex", lambda: np.ones((6, 4)) * (1 + 2j)),
                           ("datetime", lambda: np.full((6, 4), np.datetime64("2024-01-01"))),
                           ("string", lambda: np.full((6, 4), "1.5"))):
            add(Case(f"--data {kind} X in .npz ({label})", command + [f"{kind}.npz"], "refuse",
                     lambda f, make=make, kind=kind: npz_with(Path(f, f"{kind}.npz"), X=make(),
                                                              y=np.array([0, 1, 2, 0, 1, 2]),
                                                              W=np.zeros((4, 3)))))
    add(Case("train with one class", ["train", "svm", "--data", "one.json"], "refuse",
             lambda f: write_json(Path(f, "one.json"), {"X": np.eye(8).tolist(), "y": [0] * 8})))
    for reg in ("1e308", "nan", "inf", "-1"):
        add(Case(f"--reg {reg} (gradcheck)", ["gradcheck", "svm", "--random", "5,4,3", "--reg", reg], "refuse"))
        add(Case(f"--reg {reg} (svm-grad --wrt batch)", ["svm-grad", "--wrt", "batch", "--data", "b.json",
                                                         "--reg", reg, "--format", "json"], "refuse",
                 lambda f: write_json(Path(f, "b.json"), small_batch())))
        add(Case(f"--reg {reg} (train)", ["train", "softmax", "--data", "b.json", "--reg", reg, "--epochs", "2"],
                 "refuse", lambda f: write_json(Path(f, "b.json"), small_batch())))

    # 4. options
    for option, values in (("--timeout", ("nan", "inf", "-1", "0")),):
        for value in values:
            add(Case(f"verify {option} {value}", ["verify", "-", option, value], "refuse", stdin=b"x = x\n"))
            add(Case(f"check {option} {value}", ["check", str(ROOT / "tests" / "data" / "ta_corpus" / "alice.yaml"), option, value],
                     "refuse"))
    add(Case("check --follow-through nan", ["check", str(ROOT / "tests" / "data" / "ta_corpus" / "alice.yaml"), "--follow-through",
                                            "nan"], "refuse"))
    for option, value in (("--h", "nan"), ("--h", "inf"), ("--h", "0"), ("--delta", "nan"), ("--delta", "inf"),
                          ("--num-checks", "0")):
        add(Case(f"gradcheck {option} {value}", ["gradcheck", "svm", "--random", "5,4,3", option, value], "refuse"))
    for option, value in (("--lr", "nan"), ("--lr", "inf"), ("--epochs", "nan"), ("--epochs", "0"),
                          ("--batch-size", "0"), ("--delta", "nan"), ("--epochs", "1e400")):
        add(Case(f"train {option} {value}", ["train", "svm", "--data", "b.json", option, value], "refuse",
                 lambda f: write_json(Path(f, "b.json"), small_batch())))
    add(Case("svm-grad --wrt batch --delta nan", ["svm-grad", "--wrt", "batch", "--data", "b.json", "--delta", "nan"],
             "refuse", lambda f: write_json(Path(f, "b.json"), small_batch())))
    add(Case("softmax-grad --scale nan", ["softmax-grad", "--scores", "1,2", "--label", "0", "--scale", "nan"],
             "refuse"))
    add(Case("gradcheck --random 2000,3073,10 --all", ["gradcheck", "svm", "--random", "2000,3073,10", "--all"],
             "refuse"))
    add(Case("gradcheck --num-checks 1000000", ["gradcheck", "svm", "--random", "2000,3073,10", "--num-checks",
                                                "1000000"], "refuse"))
    add(Case("train --epochs 10000 --batch-size 1 on 20000 x 64", ["train", "svm", "--data", "big.npz", "--epochs",
                                                                   "10000", "--batch-size", "1"], "refuse",
             lambda f: npz_with(Path(f, "big.npz"), X=np.random.default_rng(0).standard_normal((20000, 64)),
                                y=np.arange(20000) % 10)))
    return found


def _figure_names():
    """The figure names compare writes beside a Markdown report (computed by running it once)."""
    folder = Path(tempfile.mkdtemp(prefix="derive-sweep-fig-"))
    run_derive(folder, ["compare", "--scores", "3,-1,4", "--label", "0", "--format", "markdown", "-o", "cmp.md",
                        "--no-cache"], {}, None, [], timeout=120)
    names = [p.name for p in folder.iterdir() if p.suffix == ".png"]
    shutil.rmtree(folder)
    return names


_readers = {}


def reader_fifo(folder):
    path = fifo(folder, "fifo")
    got = []

    def read():
        try:
            with open(path, "rb") as stream:
                got.append(stream.read())
        except OSError:
            pass
    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    _readers[str(folder)] = (thread, got)


def read_from_fifo(folder, result):
    thread, got = _readers.pop(str(folder))
    if not stat.S_ISFIFO(os.lstat(Path(folder) / "fifo").st_mode):
        with open(Path(folder) / "fifo", "wb"):        # release the reader
            pass
        return "the FIFO was replaced by a regular file"
    thread.join(2)
    if thread.is_alive():
        with open(Path(folder) / "fifo", "wb"):
            pass
        return "nothing was written into the FIFO"
    return None if got and got[0] else "nothing was written into the FIFO"


def through_link(folder, result):
    link = Path(folder) / "link"
    if not link.is_symlink():
        return "the symlink was replaced by a regular file"
    if Path(folder, "target").read_text() == "old":
        return "the symlink's target was not written"
    return None


# --- running and judging ---------------------------------------------------------------------------

def limits(memory_gb):
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (int(memory_gb * (1 << 30)),) * 2)
    return apply


def run_derive(folder, args, env_extra, stdin, wrap, timeout=20.0, root=None, memory_gb=4.0) -> Result:
    folder = Path(folder)
    root = root or ROOT
    env = {k: v for k, v in os.environ.items() if k not in ("DERIVE_CACHE_DIR", "XDG_CACHE_HOME", "DERIVE_DEBUG")}
    env.update(HOME=str(folder / "home"), DERIVE_CACHE_DIR=str(folder / "cache"), PYTHONPATH=str(root))
    env.update(env_extra)
    (folder / "home").mkdir(exist_ok=True)
    peak_file = Path(tempfile.mkdtemp(prefix="derive-sweep-peak-")) / "peak"
    probe = ("import atexit, resource, runpy, sys\n"
             f"atexit.register(lambda: open({str(peak_file)!r}, 'w').write("
             "str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))\n"
             f"sys.argv = [{str(root / 'cli.py')!r}] + sys.argv[1:]\n"
             f"runpy.run_path({str(root / 'cli.py')!r}, run_name='__main__')\n")
    command = wrap + [sys.executable, "-c", probe] + args
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=limits(memory_gb))
    try:
        out, err = process.communicate(stdin or b"", timeout=timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        code = None
    seconds = time.perf_counter() - start
    try:
        peak = int(peak_file.read_text()) / 1024
    except (OSError, ValueError):
        peak = 0.0
    shutil.rmtree(peak_file.parent, ignore_errors=True)
    return Result(code, out, err.decode("utf-8", "replace"), seconds, peak)


def judge(case: Case, result: Result, folder, read_mb=600.0) -> list:
    problems = []
    if case.expect == "refuse" and result.peak_mb > read_mb:
        problems.append(f"read before refused: peak {result.peak_mb:.0f} MB")
    err = result.err.strip()
    if result.code is None:
        problems.append("hang")
    if "Traceback" in result.err:
        problems.append("traceback")
    if "internal error" in result.err:
        problems.append("internal error")
    if result.code is not None:
        if case.expect == "refuse":
            if result.code == 0:
                problems.append("accepted")
            elif result.code != 2:
                problems.append(f"exit {result.code}")
            elif len(err.splitlines()) != 1:
                problems.append("not one line")
        elif case.expect == "ok" and result.code != 0:
            problems.append(f"exit {result.code}")
        elif case.expect == "verdict" and result.code not in (0, 1):
            problems.append(f"exit {result.code}")
        elif case.expect == "either" and result.code not in (0, 2):
            problems.append(f"exit {result.code}")
    if result.code == 0 and "--format" in case.args and "json" in case.args:
        try:
            json.loads(result.out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError:
            problems.append("non-strict JSON")
    if case.check is not None:
        try:
            problem = case.check(folder, result)
        except OSError as error:
            problem = f"check failed: {error}"
        if problem:
            problems.append(problem)
    problem = code_did_not_run(folder, result)
    if problem and problem not in problems:
        problems.append(problem)
    return problems


def kind(problem: str) -> str:
    for word in ("read before", "hang", "traceback", "internal error", "planted", "forged", "replaced", "changed", "not one line",
                 "accepted", "exit", "JSON", "outside", "left", "written"):
        if word in problem:
            return word
    return problem


def main():
    global ROOT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent, help="the checkout whose cli.py is run")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--memory-gb", type=float, default=4.0)
    parser.add_argument("--read-mb", type=float, default=600.0,
                        help="a refused input whose run peaks above this many MB was read in full first")
    parser.add_argument("-k", default="", help="only the cases whose name holds this text")
    args = parser.parse_args()
    ROOT = args.root.resolve()      # the checkout under test (cases name its test data)
    everything = [c for c in cases() if args.k in c.name]
    totals, failing = Counter(), 0
    skipped = 0
    for case in everything:
        if case.needs_root and not is_root():
            skipped += 1
            continue
        folder = Path(tempfile.mkdtemp(prefix="derive-sweep-"))
        try:
            if case.setup is not None:
                try:
                    case.setup(folder)
                except Exception as error:  # noqa: BLE001 - a case that cannot be set up is reported, not fatal
                    print(f"??? {case.name[:62]:62} setup failed: {type(error).__name__}: {error}", flush=True)
                    totals["setup failed"] += 1
                    continue
            result = run_derive(folder, case.args, case.env, case.stdin, case.wrap, args.timeout, ROOT,
                                args.memory_gb)
            problems = judge(case, result, folder, args.read_mb)
        finally:
            subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True)
            shutil.rmtree(folder, ignore_errors=True)
        failing += bool(problems)
        totals.update(kind(p) for p in problems)
        first = result.err.strip().splitlines()[-1][:110] if result.err.strip() else ""
        status = "ok " if not problems else "BAD"
        print(f"{status} {case.name[:62]:62} exit={result.code} {result.seconds:5.1f}s  "
              f"{'; '.join(problems) or first}", flush=True)
    print(f"\n{len(everything) - skipped} cases ({skipped} skipped without root), {failing} with problems")
    for name, count in totals.most_common():
        print(f"  {count:4}  {name}")


if __name__ == "__main__":
    main()
