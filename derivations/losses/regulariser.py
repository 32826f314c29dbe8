"""The L2 regulariser of the batch losses and its gradient, in the two conventions a course uses.

    full:  lambda sum_k sum_l W_kl^2,        d/dW_dc = 2 lambda W_dc
    half:  (1/2) lambda sum_k sum_l W_kl^2,  d/dW_dc = lambda W_dc

k and l are the regulariser's own summation indices (d and c are those of the weight W_dc differentiated).
"""
from __future__ import annotations

from sympy import Rational, Sum

from ..engine.notation import D, K, W, c, feature, lam, other_class, other_feature

#: the feature and class indices of the regulariser sum_d' sum_c' W_d'c'^2 (d and c are the weight's own, W_dc)
k_, l_ = other_feature, other_class


def regulariser(reg_form: str):
    """lambda sum_k sum_l W_kl^2, or half of it."""
    total = Sum(Sum(W[k_, l_] ** 2, (l_, 0, K - 1)), (k_, 0, D - 1))
    return (lam if reg_form == "full" else Rational(1, 2) * lam) * total


def reg_gradient(reg_form: str):
    """2 lambda W_dc (full) or lambda W_dc (half)."""
    return (2 * lam if reg_form == "full" else lam) * W[feature, c]


__all__ = ["regulariser", "reg_gradient", "k_", "l_"]
