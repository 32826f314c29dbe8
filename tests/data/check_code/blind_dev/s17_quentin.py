import numpy as np
from hw1_helpers import stable_softmax, one_hot   # my helper module from the notebook


def softmax_loss_naive(W, X, y, reg):
    num_train = X.shape[0]
    num_classes = W.shape[1]
    loss = 0.0
    dW = np.zeros_like(W)
    for i in range(num_train):
        p = stable_softmax(X[i].dot(W))
        loss -= np.log(p[y[i]])
        for c in range(num_classes):
            dW[:, c] += (p[c] - (c == y[i])) * X[i]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    num_train = X.shape[0]
    P = stable_softmax(X.dot(W))
    Y = one_hot(y, W.shape[1])
    loss = -np.sum(Y * np.log(P)) / num_train + reg * np.sum(W * W)
    dW = X.T.dot(P - Y) / num_train + 2 * reg * W
    return loss, dW
