"""Shared fixtures: a private report cache for every test, the worked SVM example, and whether LaTeX tests
may skip."""
import os
import shutil

import pytest


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own empty report cache (never the user's): DERIVE_CACHE_DIR, inherited by
    the commands a test starts as processes."""
    folder = tmp_path_factory.mktemp("derive-cache")
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def svm_example():
    from derivations import svm
    return svm.gradient(delta=1, scores=[3, -1, 4], label=0, classes=["cat", "dog", "bird"])


def require_pdflatex():
    """Skip without pdflatex, except in CI (CI=true), where a missing pdflatex is a failure."""
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pdflatex is missing in CI: .ci/run must install TeX")
        pytest.skip("pdflatex not installed")


@pytest.fixture(scope="session")
def report_corpus(tmp_path_factory):
    """Every report of every command (tests/report_corpus.py) in every format, written once for the session:
    {(name, format): path}. Built with a cache of its own, never the user's."""
    from cli import main

    from .report_corpus import COMMANDS, FORMATS
    folder = tmp_path_factory.mktemp("corpus")
    previous = os.environ.get("DERIVE_CACHE_DIR")
    os.environ["DERIVE_CACHE_DIR"] = str(tmp_path_factory.mktemp("corpus-cache"))
    written = {}
    try:
        for index, (name, args) in enumerate(COMMANDS.items()):
            for fmt, extension in FORMATS.items():
                target = folder / f"{index:02d}.{extension}"
                code = main(args + ["--format", fmt, "-o", str(target)])
                assert code in (0, 1), f"{name} --format {fmt} exited {code}"     # check/verify: 1 = a wrong answer
                written[(name, fmt)] = target
    finally:
        if previous is None:
            del os.environ["DERIVE_CACHE_DIR"]
        else:
            os.environ["DERIVE_CACHE_DIR"] = previous
    return written
