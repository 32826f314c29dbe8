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
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    rows = np.arange(N)
    S = X @ W
    M = S - S[rows, y][:, None] + 1
    M[rows, y] = 0
    pos = M > 0
    loss = M[pos].sum() / N + reg * np.sum(W * W)

    G = pos.astype(np.float64)
    np.add.at(G, (rows, y), -pos.sum(axis=1))
    dW = X.T @ G / N + 2 * reg * W
    return loss, dW


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= scores.max()
        exps = np.exp(scores)
        total = exps.sum()
        loss += np.log(total) - scores[y[i]]
        for j in range(num_classes):
            dW[:, j] += exps[j] / total * X[i]
        dW[:, y[i]] -= X[i]
    loss /= num_train
    dW = dW / num_train + 2 * reg * W
    return loss, dW
