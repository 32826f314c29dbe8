import numpy as np


def svm_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    scores = np.einsum('nd,dc->nc', X, W)
    true_scores = scores[np.arange(n), y]
    margins = scores - true_scores[:, None] + 1.0
    margins[np.arange(n), y] = 0.0
    hinge = np.clip(margins, 0.0, None)
    loss = hinge.sum() / n + reg * np.einsum('dc,dc->', W, W)

    ind = (hinge > 0).astype(float)
    ind[np.arange(n), y] = -ind.sum(axis=1)
    dW = np.einsum('nd,nc->dc', X, ind) / n + 2 * reg * W
    return loss, dW


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        loss += -np.log(probs[y[i]])
        for j in range(num_classes):
            dW[:, j] += (probs[j] - (j == y[i])) * X[i]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    scores = X @ W
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
    loss = -np.sum(log_probs[np.arange(n), y]) / n + reg * np.sum(W * W)
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1.0
    dW = X.T @ dscores / n + 2 * reg * W
    return loss, dW
