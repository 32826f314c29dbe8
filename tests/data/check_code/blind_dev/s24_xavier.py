import numpy as np


def svm_loss_naive(W, X, y, reg):
    # accumulate the gradient as (C, D) -- rows are easier to add to -- and
    # transpose back at the end
    num_train, dim = X.shape
    num_classes = W.shape[1]
    loss = 0.0
    gT = np.zeros((num_classes, dim))
    for i in range(num_train):
        scores = X[i].dot(W)
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - scores[y[i]] + 1
            if margin > 0:
                loss += margin
                gT[j] += X[i]
                gT[y[i]] -= X[i]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = gT.T / num_train + 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    margins = scores - scores[np.arange(N), y].reshape(N, 1) + 1
    margins[np.arange(N), y] = 0
    viol = margins > 0
    loss = np.where(viol, margins, 0).sum() / N + reg * np.sum(W * W)
    # gradient: wrong classes get +x_i, correct class gets -(#violations) x_i
    dW = X.T @ viol.astype(float)
    dW -= X.T @ (np.eye(W.shape[1])[y] * viol.sum(axis=1, keepdims=True))
    dW = dW / N + 2 * reg * W
    return loss, dW


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        norm = np.sum(np.exp(scores))
        loss += -scores[y[i]] + np.log(norm)
        for j in range(num_classes):
            p = np.exp(scores[j]) / norm
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    scores = X @ W
    scores -= scores.max(axis=1, keepdims=True)
    logsumexp = np.log(np.exp(scores).sum(axis=1))
    loss = np.mean(logsumexp - scores[np.arange(N), y]) + reg * np.sum(W * W)
    probs = np.exp(scores - logsumexp[:, None])
    probs[np.arange(N), y] -= 1
    dW = X.T @ probs / N + 2 * reg * W
    return loss, dW
