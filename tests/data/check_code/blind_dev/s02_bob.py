import numpy as np


def svm_loss_naive(W, X, y, reg):
    """Multiclass SVM loss, loop version. W is (D, C), X is (N, D)."""
    num_train = X.shape[0]
    num_classes = W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)

    for i in range(num_train):
        s = X[i] @ W
        for c in range(num_classes):
            if c == y[i]:
                continue
            m = s[c] - s[y[i]] + 1.0
            if m > 0:
                loss += m
                dW[:, c] += X[i]
                dW[:, y[i]] -= X[i]

    loss = loss / num_train
    dW = dW / num_train + 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """Multiclass SVM loss, no loops."""
    N = X.shape[0]
    idx = np.arange(N)
    s = X @ W
    raw = s - s[idx, y][:, None] + 1.0

    # I count a margin of exactly zero as "active": at the kink any value
    # between 0 and 1 is a valid subgradient, so this is fine.
    active = raw >= 0
    active[idx, y] = False

    loss = np.sum(raw * active) / N + reg * np.sum(W ** 2)

    coeff = active.astype(X.dtype)
    coeff[idx, y] = -coeff.sum(axis=1)
    dW = X.T @ coeff / N + 2 * reg * W
    return loss, dW
