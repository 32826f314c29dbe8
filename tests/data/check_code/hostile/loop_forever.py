"""An infinite loop: the naive function never returns."""
import numpy as np


def svm_loss_naive(W, X, y, reg):
    i = 0
    while i < X.shape[0]:
        pass
    return 0.0, np.zeros(W.shape)


def svm_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    binary = (margins > 0).astype(float)
    binary[np.arange(n), y] = -binary.sum(axis=1)
    return margins.sum() / n + reg * np.sum(W * W), X.T.dot(binary) / n + 2 * reg * W
