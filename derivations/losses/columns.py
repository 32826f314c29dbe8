"""The columns of one example, as the weight derivations write them: K scores s, K probabilities p, the one-hot
label y (y_k = delta_{k, y}), and one weight vector w of D entries (as in d(w^T x)/dw = x)."""
from __future__ import annotations

from sympy import KroneckerDelta

from ..engine.matrices import named
from ..engine.notation import D, K, p, s, w, y

SCORES = named("s", K, 1, lambda i, _: s[i])
PROBABILITIES = named("p", K, 1, lambda i, _: p[i])
ONE_HOT = named("y", K, 1, lambda i, _: KroneckerDelta(i, y))
WEIGHT_VECTOR = named("w", D, 1, lambda i, _: w[i])

__all__ = ["SCORES", "PROBABILITIES", "ONE_HOT", "WEIGHT_VECTOR"]
