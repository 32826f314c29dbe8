import numpy as np


def svm_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X @ W
    correct_scores = scores[np.arange(num_train), y]
    margins = np.maximum(0, scores - correct_scores[:, None] + 1)
    margins[np.arange(num_train), y] = 0

    loss = np.sum(margins) / num_train
    loss += 0.5 * reg * np.sum(W * W)

    counts = (margins > 0).astype(float)
    counts[np.arange(num_train), y] = -counts.sum(axis=1)
    dW = X.T @ counts / num_train
    dW += 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X @ W
    scores -= np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1, keepdims=True)

    loss = -np.sum(np.log(probs[np.arange(num_train), y])) / num_train
    loss += 0.5 * reg * np.sum(W * W)

    probs[np.arange(num_train), y] -= 1
    dW = X.T @ probs / num_train
    dW += 2 * reg * W
    return loss, dW
