"""SVM loss functions with one mistake each (or none), written as a student would: the test names each one's mistake.

Every function is f(W, X, y, reg) -> (loss, dW), X N x D, W D x K; the course's loss is
(1/N) sum_i sum_{j != y_i} max(0, s_j - s_{y_i} + 1) + reg * sum(W * W) with dW = ... + 2 reg W.
"""
import numpy as np


def _pieces(W, X, y, delta=1.0):
    n = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(n), y][:, None]
    margins = scores - correct + delta
    margins[np.arange(n), y] = 0.0
    return n, scores, correct, margins


def _grad(X, y, active, n):
    """X^T G / n with G = active (0/1) and the correct class minus the row's count."""
    G = active.astype(float)
    G[np.arange(n), y] = -G.sum(axis=1)
    return X.T.dot(G) / n


def correct_loops(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    for i in range(X.shape[0]):
        scores = X[i].dot(W)
        for j in range(W.shape[1]):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss = loss / X.shape[0] + reg * np.sum(W * W)
    dW = dW / X.shape[0] + 2 * reg * W
    return loss, dW


def correct_array(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y)
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def correct_half(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y)
    loss = np.maximum(0, margins).sum() / n + 0.5 * reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + reg * W


def correct_kink(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y)
    active = margins >= 0
    active[np.arange(n), y] = False
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, active, n) + 2 * reg * W


def correct_delta(W, X, y, reg, delta=1.0):
    n, _, _, margins = _pieces(W, X, y, delta)
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def delta_ignored(W, X, y, reg, delta=1.0):
    n, _, _, margins = _pieces(W, X, y, 1.0)
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def delta_ten(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y, 10.0)
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def _with(W, X, y, reg, loss_reg=1.0, grad_reg=2.0, loss_n=True, grad_n=True):
    n, _, _, margins = _pieces(W, X, y)
    data = np.maximum(0, margins).sum() / (n if loss_n else 1)
    grad = _grad(X, y, margins > 0, n) * (1 if grad_n else n)
    return data + loss_reg * reg * np.sum(W * W), grad + grad_reg * reg * W


def loss_reg_missing(W, X, y, reg):
    return _with(W, X, y, reg, loss_reg=0.0)


def loss_half_only(W, X, y, reg):
    return _with(W, X, y, reg, loss_reg=0.5)


def loss_reg_doubled(W, X, y, reg):
    return _with(W, X, y, reg, loss_reg=2.0)


def loss_not_averaged(W, X, y, reg):
    return _with(W, X, y, reg, loss_n=False)


def loss_reg_over_n(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y)
    loss = (np.maximum(0, margins).sum() + reg * np.sum(W * W)) / n
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def grad_reg_missing(W, X, y, reg):
    return _with(W, X, y, reg, grad_reg=0.0)


def grad_half_only(W, X, y, reg):
    return _with(W, X, y, reg, grad_reg=1.0)


def grad_reg_quadrupled(W, X, y, reg):
    return _with(W, X, y, reg, grad_reg=4.0)


def grad_not_averaged(W, X, y, reg):
    return _with(W, X, y, reg, grad_n=False)


def grad_reg_over_n(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y)
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    G = (margins > 0).astype(float)
    G[np.arange(n), y] = -G.sum(axis=1)
    return loss, (X.T.dot(G) + 2 * reg * W) / n


def reg_missing_both(W, X, y, reg):
    return _with(W, X, y, reg, loss_reg=0.0, grad_reg=0.0)


def kept_correct_term(W, X, y, reg):
    n = X.shape[0]
    scores = X.dot(W)
    margins = scores - scores[np.arange(n), y][:, None] + 1      # the correct class's own margin (1) kept
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    active = margins > 0
    active[np.arange(n), y] = False
    return loss, _grad(X, y, active, n) + 2 * reg * W


def dropped_max(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y)
    loss = margins.sum() / n + reg * np.sum(W * W)
    active = np.ones(margins.shape, dtype=bool)
    active[np.arange(n), y] = False
    return loss, _grad(X, y, active, n) + 2 * reg * W


def reversed_margin(W, X, y, reg):
    n = X.shape[0]
    scores = X.dot(W)
    margins = scores[np.arange(n), y][:, None] - scores + 1        # s_y - s_j + 1
    margins[np.arange(n), y] = 0
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def flipped_delta(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y, -1.0)
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def delta_left_out(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y, 0.0)
    loss = np.maximum(0, margins).sum() / n + reg * np.sum(W * W)
    return loss, _grad(X, y, margins > 0, n) + 2 * reg * W


def _loss(W, X, y, reg):
    n, _, _, margins = _pieces(W, X, y)
    return np.maximum(0, margins).sum() / n + reg * np.sum(W * W), margins, n


def dropped_label_delta(W, X, y, reg):
    loss, margins, n = _loss(W, X, y, reg)
    active = (margins > 0).astype(float)
    G = active - active.sum(axis=1, keepdims=True)          # every column subtracts the count, not only y_i's
    return loss, X.T.dot(G) / n + 2 * reg * W


def correct_class_plus(W, X, y, reg):
    loss, margins, n = _loss(W, X, y, reg)
    G = (margins > 0).astype(float)
    G[np.arange(n), y] = G.sum(axis=1)
    return loss, X.T.dot(G) / n + 2 * reg * W


def correct_class_untouched(W, X, y, reg):
    loss, margins, n = _loss(W, X, y, reg)
    return loss, X.T.dot((margins > 0).astype(float)) / n + 2 * reg * W


def swapped_updates(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    for i in range(X.shape[0]):
        scores = X[i].dot(W)
        for j in range(W.shape[1]):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                loss += margin
                dW[:, y[i]] += X[i]
                dW[:, j] -= X[i]
    return loss / X.shape[0] + reg * np.sum(W * W), dW / X.shape[0] + 2 * reg * W


def correct_class_counted(W, X, y, reg):
    loss, margins, n = _loss(W, X, y, reg)
    scores = X.dot(W)
    raw = scores - scores[np.arange(n), y][:, None] + 1           # the correct class's margin 1 > 0 is counted
    binary = (raw > 0).astype(float)
    binary[np.arange(n), y] = -binary.sum(axis=1)
    return loss, X.T.dot(binary) / n + 2 * reg * W


def indicator_dropped(W, X, y, reg):
    loss, margins, n = _loss(W, X, y, reg)
    active = np.ones(margins.shape, dtype=bool)
    active[np.arange(n), y] = False
    return loss, _grad(X, y, active, n) + 2 * reg * W


def stale_example(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    n = X.shape[0]
    counts = []
    for i in range(n):
        scores = X[i].dot(W)
        active = [j for j in range(W.shape[1]) if j != y[i] and scores[j] - scores[y[i]] + 1 > 0]
        loss += sum(scores[j] - scores[y[i]] + 1 for j in active)
        counts.append(active)
    for k in range(n):
        for j in counts[k]:
            dW[:, j] += X[i]                     # i is left at n - 1
            dW[:, y[k]] -= X[i]
    return loss / n + reg * np.sum(W * W), dW / n + 2 * reg * W


def stale_column(W, X, y, reg):
    dW = np.zeros(W.shape)
    loss = 0.0
    for i in range(X.shape[0]):
        scores = X[i].dot(W)
        count = 0
        for j in range(W.shape[1]):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                count += 1
                loss += margin
                dW[:, j] += X[i]
        dW[:, j] -= count * X[i]                 # j is left at K - 1
    return loss / X.shape[0] + reg * np.sum(W * W), dW / X.shape[0] + 2 * reg * W


def transposed(W, X, y, reg):
    loss, dW = correct_array(W, X, y, reg)
    return loss, dW.T


def loss_not_averaged_grad_half(W, X, y, reg):
    return _with(W, X, y, reg, loss_n=False, grad_reg=1.0)


def stale_example_first(W, X, y, reg):
    loss, margins, n = _loss(W, X, y, reg)
    G = (margins > 0).astype(float)
    G[np.arange(n), y] = -G.sum(axis=1)
    return loss, np.outer(X[0], G.sum(axis=0)) / n + 2 * reg * W     # x_0 for every example


def first_column(W, X, y, reg):
    loss, margins, n = _loss(W, X, y, reg)
    G = (margins > 0).astype(float)
    G[:, 0] -= G.sum(axis=1)                     # the count subtracted from column 0, not y_i
    return loss, X.T.dot(G) / n + 2 * reg * W
