"""Shared fixtures: the worked SVM example, and whether LaTeX tests may skip."""
import os
import shutil

import pytest


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
