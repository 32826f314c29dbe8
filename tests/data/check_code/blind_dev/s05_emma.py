import numpy as np


def svm_loss_naive(W, X, y, reg):
    """
    Structured SVM loss function, naive implementation (with loops).
    """
    dW = np.zeros(W.shape)  # initialize the gradient as zero
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            margin = scores[j] - correct_class_score + 1  # note delta = 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]

    loss /= num_train
    dW /= num_train

    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """
    Vectorised SVM using a one-hot mask for the correct classes.
    """
    num_train, num_classes = X.shape[0], W.shape[1]
    scores = X.dot(W)

    onehot = np.zeros((num_train, num_classes))
    onehot[np.arange(num_train), y] = 1

    correct = np.sum(scores * onehot, axis=1, keepdims=True)
    margins = np.maximum(0, scores - correct + 1) * (1 - onehot)
    loss = margins.sum() / num_train + reg * np.sum(W * W)

    G = (margins > 0).astype(float)
    G -= onehot * G.sum(axis=1, keepdims=True)
    dW = X.T.dot(G) / num_train + 2 * reg * W
    return loss, dW
