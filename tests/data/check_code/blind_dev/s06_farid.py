import math
import numpy as np


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]
    num_classes = W.shape[1]

    for i in range(num_train):
        scores = X[i].dot(W)
        scores = scores - np.max(scores)
        denom = 0.0
        for j in range(num_classes):
            denom += math.exp(scores[j])
        for j in range(num_classes):
            p = math.exp(scores[j]) / denom
            if j == y[i]:
                loss -= math.log10(p)
                dW[:, j] += (p - 1) * X[i]
            else:
                dW[:, j] += p * X[i]

    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1).reshape(-1, 1)
    exp_scores = np.exp(scores)
    sum_exp = exp_scores.sum(axis=1)
    probs = exp_scores / sum_exp[:, None]
    correct_logprobs = -np.log(probs[range(num_train), y])
    loss = np.mean(correct_logprobs) + reg * np.sum(W * W)

    probs[range(num_train), y] -= 1
    dW = X.T.dot(probs) / num_train
    dW += 2 * reg * W
    return loss, dW
