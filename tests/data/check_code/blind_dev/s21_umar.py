import numpy as np


def svm_loss_naive(W, X, y, reg):
    dW = np.zeros(W.shape)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        count = 0
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                count += 1
                loss += margin
                dW[:, j] += X[i]
        # correct class gets pulled down once per violating class
        dW[:, j] -= count * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    # I train with scipy.optimize.minimize(method='L-BFGS-B', jac=True),
    # which wants a flat gradient vector.
    N = X.shape[0]
    S = X.dot(W)
    M = np.maximum(0, S - S[np.arange(N), y][:, None] + 1)
    M[np.arange(N), y] = 0
    loss = M.sum() / N + reg * np.sum(W * W)
    B = (M > 0).astype(float)
    B[np.arange(N), y] = -B.sum(axis=1)
    dW = X.T.dot(B) / N + 2 * reg * W
    return loss, dW.ravel()
