"""
Linear classifiers -- Kasia.

Note on regularisation: I use R(W) = 1/2 * reg * sum(W^2) everywhere, so the
gradient of the regulariser is simply reg * W (the 1/2 cancels the 2).
"""
import numpy as np


def svm_loss_naive(W, X, y, reg):
    delta = 1.0
    n_samples = X.shape[0]
    n_classes = W.shape[1]
    loss = 0.0
    grad = np.zeros_like(W)
    for i in range(n_samples):
        scores = X[i].dot(W)
        for j in range(n_classes):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + delta
            if margin > 0:
                loss += margin
                grad[:, j] += X[i]
                grad[:, y[i]] -= X[i]
    loss = loss / n_samples + 0.5 * reg * np.sum(W * W)
    grad = grad / n_samples + reg * W
    return loss, grad


def svm_loss_vectorized(W, X, y, reg):
    delta = 1.0
    n = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(n), y][:, None]
    margins = np.maximum(0.0, scores - correct + delta)
    margins[np.arange(n), y] = 0.0
    loss = margins.sum() / n + 0.5 * reg * np.sum(W * W)

    indicator = (margins > 0).astype(W.dtype)
    indicator[np.arange(n), y] -= indicator.sum(axis=1)
    grad = X.T.dot(indicator) / n + reg * W
    return loss, grad


def _softmax_row(z):
    z = z - np.max(z)
    e = np.exp(z)
    return e / e.sum()


def softmax_loss_naive(W, X, y, reg):
    n_samples = X.shape[0]
    n_classes = W.shape[1]
    loss = 0.0
    grad = np.zeros_like(W)
    for i in range(n_samples):
        p = _softmax_row(X[i].dot(W))
        loss -= np.log(p[y[i]])
        for k in range(n_classes):
            target = 1.0 if k == y[i] else 0.0
            grad[:, k] += (p[k] - target) * X[i]
    loss = loss / n_samples + 0.5 * reg * np.sum(W * W)
    grad = grad / n_samples + reg * W
    return loss, grad


def softmax_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    p = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(n), y])) + 0.5 * reg * np.sum(W * W)
    p[np.arange(n), y] -= 1.0
    grad = X.T.dot(p) / n + reg * W
    return loss, grad
