import numpy as np


def softmax_loss_naive(W, X, y, reg):
    """Softmax (cross-entropy) loss with explicit loops.

    W: (D, C), X: (N, D), y: (N,), reg: float.
    """
    num_train, dim = X.shape
    num_classes = W.shape[1]
    loss = 0.0
    dW = np.zeros((dim, num_classes))
    probs_all = np.zeros((num_train, num_classes))

    # first pass: probabilities and loss
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        probs = np.exp(scores) / np.sum(np.exp(scores))
        probs_all[i] = probs
        loss -= np.log(probs[y[i]])

    # second pass: gradient
    for n in range(num_train):
        for k in range(num_classes):
            indicator = 1.0 if k == y[n] else 0.0
            dW[:, k] += (probs_all[n, k] - indicator) * X[i]

    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    n = X.shape[0]
    logits = np.matmul(X, W)
    logits -= np.amax(logits, axis=1, keepdims=True)
    e = np.exp(logits)
    softmax = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(softmax[np.arange(n), y]).sum() / n
    loss += reg * np.sum(W * W)

    Y = np.eye(W.shape[1])[y]          # one-hot labels, (N, C)
    dW = np.matmul(X.T, softmax - Y) / n + 2 * reg * W
    return loss, dW
