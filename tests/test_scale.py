"""Worked examples at real sizes: K = 200 classes (and D = 200 features), the numbers against NumPy.

No timing here (bench/scaling.py measures it); these check that large examples are right, complete in
JSON and tables, and written with "…" in the middle of long sums and vectors.
"""
import json
import random

import numpy as np
import pytest

from derivations import compare, jacobian, logistic, softmax, svm
from derivations.engine.steps import Table
from derivations.report.render import render

K = 200


@pytest.fixture(scope="module")
def scores():
    rng = random.Random(13)
    return [rng.randint(-60, 60) / 10 for _ in range(K)]


def _table_rows(d):
    return max((len(b.rows) for b in d.blocks() if isinstance(b, Table)), default=0)


def test_svm_at_200_classes(scores):
    label, delta = 7, 1.5
    d = svm.gradient(delta=delta, scores=scores, label=label)
    s = np.array(scores)
    margins = s - s[label] + delta
    margins[label] = 0
    loss = np.maximum(0, margins).sum()
    grad = (margins > 0).astype(float)
    grad[label] = -grad.sum()
    assert d.verified
    assert d.results["loss"].value == pytest.approx(loss, abs=1e-9)
    assert d.results["dscores"].value == grad.tolist()
    assert _table_rows(d) == K                      # the whole vector in the table
    text = render(d, "text")
    assert "+ … +" in text and "s₁₉₉" in text and "s₁₀₀" not in text
    data = json.loads(render(d, "json"))
    assert len(data["results"]["dscores"]["value"]) == K


def test_softmax_at_200_classes(scores):
    label = 3
    d = softmax.gradient(scores=scores, label=label)
    s = np.array(scores)
    p = np.exp(s - s.max())
    p /= p.sum()
    grad = p.copy()
    grad[label] -= 1
    assert d.verified
    assert d.results["loss"].value == pytest.approx(-np.log(p[label]), rel=1e-12)
    assert np.allclose(d.results["probs"].value, p, rtol=1e-12, atol=0)
    assert np.allclose(d.results["dscores"].value, grad, rtol=1e-12, atol=1e-300)
    assert _table_rows(d) == K
    data = json.loads(render(d, "json"))
    assert len(data["results"]["probs"]["value"]) == K
    # the exact probabilities: every entry, the shared denominator written once
    exact = data["results"]["probs"]["exact"]
    assert exact.startswith("Matrix([[") and len(exact) < 40 * K
    import sympy
    read_back = np.array(sympy.sympify(exact).evalf(30).tolist(), dtype=float).ravel()      # our own output
    assert np.allclose(read_back, p, rtol=1e-12, atol=0)
    assert "…" in render(d, "text")


def test_logistic_at_200_features(scores):
    rng = random.Random(5)
    weights = [rng.randint(-20, 20) / 100 for _ in range(K)]
    d = logistic.gradient(weights=weights, inputs=scores, target=1)
    x, w = np.array(scores), np.array(weights)
    z = w @ x
    y = 1 / (1 + np.exp(-z))
    assert d.verified
    assert d.results["z"].value == pytest.approx(z, rel=1e-12)
    assert d.results["loss"].value == pytest.approx(-np.log(y), rel=1e-10)
    assert np.allclose(d.results["dw"].value, (y - 1) * x, rtol=1e-10, atol=1e-15)


def test_softmax_jacobian_at_60_classes(scores):
    values = scores[:60]
    d = jacobian.jacobian(scores=values)
    s = np.array(values)
    p = np.exp(s - s.max())
    p /= p.sum()
    expected = np.diag(p) - np.outer(p, p)
    assert d.verified
    got = np.array(d.results["jacobian"].value)
    assert got.shape == (60, 60) and np.allclose(got, expected, rtol=1e-12, atol=1e-300)
    text = render(d, "text")
    assert "⋱" in text and "the JSON report holds all 60 × 60 entries" in text


def test_compare_at_200_classes(scores):
    label = 0
    d = compare.compare(scores=[scores, scores[::-1]], label=label, delta=1)
    for n, vector in enumerate([scores, scores[::-1]]):
        s = np.array(vector)
        margins = s - s[label] + 1
        margins[label] = 0
        assert d.results["svm_loss"].value[n] == pytest.approx(np.maximum(0, margins).sum())
        p = np.exp(s - s.max())
        p /= p.sum()
        assert d.results["softmax_loss"].value[n] == pytest.approx(-np.log(p[label]), rel=1e-12)
    assert d.verified and d.files
