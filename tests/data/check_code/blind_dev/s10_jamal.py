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
                # the correct class score should go up, the others down
                dW[:, y[i]] += X[i]
                dW[:, j] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def softmax_loss_naive(W, X, y, reg):
    loss = 0.0
    dW = np.zeros_like(W)
    N = X.shape[0]
    C = W.shape[1]
    for i in range(N):
        scores = np.zeros(C)
        for c in range(C):
            scores[c] = np.dot(X[i], W[:, c])
        m = np.max(scores)
        sumexp = 0.0
        for c in range(C):
            sumexp += np.exp(scores[c] - m)
        loss += -(scores[y[i]] - m) + np.log(sumexp)
        for c in range(C):
            prob = np.exp(scores[c] - m) / sumexp
            dW[:, c] += prob * X[i]
        dW[:, y[i]] -= X[i]
    loss /= N
    loss += reg * np.sum(W * W)
    dW /= N
    dW += 2 * reg * W
    return loss, dW
