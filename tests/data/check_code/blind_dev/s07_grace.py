import numpy as np

# hinge margin, as in the lecture notes example
DELTA = 10.0


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
            margin = scores[j] - correct_class_score + DELTA
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
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)
    margins = np.maximum(0, scores - scores[rows, y][:, None] + DELTA)
    margins[rows, y] = 0
    loss = margins.sum() / num_train + reg * np.sum(W * W)

    indicator = (margins > 0).astype(float)
    indicator[rows, y] = -indicator.sum(axis=1)
    dW = X.T.dot(indicator) / num_train + 2 * reg * W
    return loss, dW
