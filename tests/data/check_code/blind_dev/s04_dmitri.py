# CS231n assignment 1 -- linear classifiers
# Dmitri
import numpy as np


def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            # >= so that ties also contribute to the gradient (subgradient)
            if margin >= 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X.dot(W)
    correct = scores[range(N), y]
    margins = scores - correct[:, np.newaxis] + 1
    margins[range(N), y] = 0
    margins = np.maximum(margins, 0)
    loss = margins.sum() / N

    mask = (margins > 0).astype(float)
    mask[range(N), y] = -mask.sum(axis=1)
    dW = X.T.dot(mask) / N
    return loss, dW


def softmax_loss_naive(W, X, y, reg):
    # Regulariser convention: R(W) = 0.5 * reg * ||W||^2, so dR/dW = reg * W.
    N, D = X.shape
    C = W.shape[1]
    loss = 0.0
    dW = np.zeros((D, C))
    for n in range(N):
        z = np.dot(X[n], W)
        zmax = np.max(z)
        lse = zmax + np.log(np.sum(np.exp(z - zmax)))   # log-sum-exp
        loss += lse - z[y[n]]
        for c in range(C):
            p_c = np.exp(z[c] - lse)
            if c == y[n]:
                dW[:, c] += (p_c - 1) * X[n]
            else:
                dW[:, c] += p_c * X[n]
    loss = loss / N + 0.5 * reg * np.sum(W * W)
    dW = dW / N + reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    # same 0.5 * reg convention as the naive version
    N = X.shape[0]
    Z = X @ W
    Z = Z - Z.max(axis=1, keepdims=True)
    logP = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    loss = -logP[np.arange(N), y].mean() + 0.5 * reg * (W ** 2).sum()
    P = np.exp(logP)
    P[np.arange(N), y] -= 1
    dW = X.T @ P / N + reg * W
    return loss, dW
