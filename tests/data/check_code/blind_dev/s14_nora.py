import numpy as np


def softmax_loss_naive(W, X, y, reg):
    """
    Softmax loss function, naive implementation (with loops)
    """
    # Initialize the loss and gradient to zero.
    loss = 0.0
    dW = np.zeros_like(W)

    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i] @ W
        scores = scores - scores.max()
        softmax = np.exp(scores) / np.exp(scores).sum()
        loss += -np.log(softmax[y[i]])
        for j in range(num_classes):
            if j == y[i]:
                dW[:, j] += X[i] * (softmax[j] - 1)
            else:
                dW[:, j] += X[i] * softmax[j]
    loss = loss / num_train + reg * np.sum(W * W)
    dW = dW / num_train + 2 * reg * W
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """
    Softmax loss function, vectorized version.
    """
    loss = 0.0
    dW = np.zeros_like(W)

    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    num_train = X.shape[0]
    scores = X @ W
    scores -= scores.max(axis=1, keepdims=True)
    softmax = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    loss = np.sum(-np.log(softmax[np.arange(num_train), y]))
    loss += reg * np.sum(W * W)

    softmax[np.arange(num_train), y] -= 1
    dW = X.T @ softmax / num_train + 2 * reg * W
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    return loss, dW
