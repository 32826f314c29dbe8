import numpy as np


def _hinge(x):
    return x if x > 0 else 0.0


def svm_loss_naive(W, X, y, reg):
    N, C = X.shape[0], W.shape[1]
    total = 0.0
    grad = np.zeros(W.shape)
    for n in range(N):
        x_n = X[n]
        label = y[n]
        s = W.T.dot(x_n)
        for c in range(C):
            if c != label:
                h = _hinge(s[c] - s[label] + 1.0)
                total += h
                if h > 0:
                    grad[:, c] += x_n
                    grad[:, label] -= x_n
    loss = total / N + reg * np.sum(W * W)
    grad = grad / N + 2 * reg * W
    return loss, grad


def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    correct = scores[np.arange(N), y]
    margins = np.maximum(0, scores - correct[:, None] + 1)
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N + reg * np.sum(W * W)

    mask = (margins > 0) * 1.0
    mask[np.arange(N), y] = -np.sum(mask, axis=1)
    dW = mask.T.dot(X) / N
    dW += 2 * reg * W.T
    return loss, dW
