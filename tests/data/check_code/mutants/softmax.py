"""Softmax loss functions with one mistake each (or none), written as a student would: the test names each one's mistake.

The course's loss is -(1/N) sum_i log p_{i, y_i} + reg * sum(W * W), with dW = X^T (P - Y) / N + 2 reg W.
"""
import math

import numpy as np


def _probs(W, X, shift=True):
    scores = X.dot(W)
    if shift:
        scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


def _one_hot(y, k):
    Y = np.zeros((y.shape[0], k))
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def _standard(W, X, y, reg, probs):
    n = X.shape[0]
    loss = -np.log(probs[np.arange(n), y]).mean() + reg * np.sum(W * W)
    return loss, X.T.dot(probs - _one_hot(y, W.shape[1])) / n + 2 * reg * W


def correct_loops(W, X, y, reg):
    n, k = X.shape[0], W.shape[1]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(n):
        scores = X[i].dot(W)
        scores -= scores.max()
        p = np.exp(scores) / np.sum(np.exp(scores))
        loss -= math.log(p[y[i]])
        for j in range(k):
            dW[:, j] += (p[j] - (j == y[i])) * X[i]
    return loss / n + reg * np.sum(W * W), dW / n + 2 * reg * W


def correct_array(W, X, y, reg):
    return _standard(W, X, y, reg, _probs(W, X))


def correct_logsumexp(W, X, y, reg):
    n = X.shape[0]
    scores = X.dot(W)
    top = scores.max(axis=1, keepdims=True)
    log_sum = top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))
    loss = (log_sum - scores[np.arange(n), y]).mean() + reg * np.sum(W * W)
    p = np.exp(scores - log_sum[:, None])
    return loss, X.T.dot(p - _one_hot(y, W.shape[1])) / n + 2 * reg * W


def correct_half(W, X, y, reg):
    loss, dW = _standard(W, X, y, 0.0, _probs(W, X))
    return loss + 0.5 * reg * np.sum(W * W), dW + reg * W


def log10(W, X, y, reg):
    n = X.shape[0]
    p = _probs(W, X)
    loss = -sum(math.log10(p[i, y[i]]) for i in range(n)) / n + reg * np.sum(W * W)
    return loss, X.T.dot(p - _one_hot(y, W.shape[1])) / n + 2 * reg * W


def loss_sign(W, X, y, reg):
    n = X.shape[0]
    p = _probs(W, X)
    loss = np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W)
    return loss, X.T.dot(p - _one_hot(y, W.shape[1])) / n + 2 * reg * W


def no_max(W, X, y, reg):
    return _standard(W, X, y, reg, _probs(W, X, shift=False))


def over_examples(W, X, y, reg):
    scores = X.dot(W)
    e = np.exp(scores - scores.max())
    return _standard(W, X, y, reg, e / e.sum(axis=0, keepdims=True))


def _grad_with(W, X, y, reg, G):
    n = X.shape[0]
    p = _probs(W, X)
    loss = -np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W)
    return loss, X.T.dot(G(p, _one_hot(y, W.shape[1]))) / n + 2 * reg * W


def no_minus_one(W, X, y, reg):
    return _grad_with(W, X, y, reg, lambda p, Y: p)


def sign_flipped(W, X, y, reg):
    return _grad_with(W, X, y, reg, lambda p, Y: Y - p)


def minus_one_everywhere(W, X, y, reg):
    return _grad_with(W, X, y, reg, lambda p, Y: p - 1)


def stale_column_last(W, X, y, reg):
    n, k = X.shape[0], W.shape[1]
    p = _probs(W, X)
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(n):
        loss -= np.log(p[i, y[i]])
        for j in range(k):
            dW[:, j] += p[i, j] * X[i]
        dW[:, j] -= X[i]                           # j is left at K - 1
    return loss / n + reg * np.sum(W * W), dW / n + 2 * reg * W


def stale_column_first(W, X, y, reg):
    return _grad_with(W, X, y, reg, lambda p, Y: p - _one_hot(np.zeros(len(p), dtype=int), p.shape[1]))


def stale_example_last(W, X, y, reg):
    n = X.shape[0]
    p = _probs(W, X)
    G = p - _one_hot(y, W.shape[1])
    dW = np.zeros(W.shape)
    for i in range(n):
        pass
    for m in range(n):
        dW += np.outer(X[i], G[m])                 # i is left at n - 1
    return -np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W), dW / n + 2 * reg * W


def stale_example_first(W, X, y, reg):
    n = X.shape[0]
    p = _probs(W, X)
    G = p - _one_hot(y, W.shape[1])
    return -np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W), np.outer(X[0], G.sum(axis=0)) / n + 2 * reg * W


def loss_reg_missing(W, X, y, reg):
    loss, dW = correct_array(W, X, y, reg)
    return loss - reg * np.sum(W * W), dW


def grad_not_averaged(W, X, y, reg):
    loss, dW = correct_array(W, X, y, reg)
    return loss, (dW - 2 * reg * W) * X.shape[0] + 2 * reg * W


def transposed(W, X, y, reg):
    loss, dW = correct_array(W, X, y, reg)
    return loss, dW.T
