"""Logistic-regression loss functions with one mistake each (or none), written as a student would.

W holds the D weights (a vector), y the N targets 0 or 1. The course's loss is
-(1/N) sum_i [y_i log s_i + (1 - y_i) log(1 - s_i)] + reg * sum(W * W), s = sigmoid(X W),
with dW = X^T (s - y) / N + 2 reg W.
"""
import numpy as np


def _sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


def correct_loops(W, X, y, reg):
    n = X.shape[0]
    loss, dW = 0.0, np.zeros(W.shape)
    for i in range(n):
        z = X[i].dot(W)
        loss += np.logaddexp(0, z) - y[i] * z
        dW += (_sigmoid(z) - y[i]) * X[i]
    return loss / n + reg * np.sum(W * W), dW / n + 2 * reg * W


def correct_array(W, X, y, reg):
    z = X.dot(W)
    loss = np.mean(np.logaddexp(0, z) - y * z) + reg * np.sum(W * W)
    return loss, X.T.dot(_sigmoid(z) - y) / X.shape[0] + 2 * reg * W


def correct_half(W, X, y, reg):
    z = X.dot(W)
    loss = np.mean(np.logaddexp(0, z) - y * z) + 0.5 * reg * np.sum(W * W)
    return loss, X.T.dot(_sigmoid(z) - y) / X.shape[0] + reg * W


def log10(W, X, y, reg):
    z = X.dot(W)
    loss = np.mean(np.logaddexp(0, z) - y * z) / np.log(10) + reg * np.sum(W * W)
    return loss, X.T.dot(_sigmoid(z) - y) / X.shape[0] + 2 * reg * W


def loss_sign(W, X, y, reg):
    z = X.dot(W)
    loss = -np.mean(np.logaddexp(0, z) - y * z) + reg * np.sum(W * W)
    return loss, X.T.dot(_sigmoid(z) - y) / X.shape[0] + 2 * reg * W


def unstable(W, X, y, reg):
    s = 1.0 / (1.0 + np.exp(-X.dot(W)))
    loss = -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s)) + reg * np.sum(W * W)
    return loss, X.T.dot(s - y) / X.shape[0] + 2 * reg * W


def sign_flipped(W, X, y, reg):
    z = X.dot(W)
    loss = np.mean(np.logaddexp(0, z) - y * z) + reg * np.sum(W * W)
    return loss, X.T.dot(y - _sigmoid(z)) / X.shape[0] + 2 * reg * W


def stale_example_last(W, X, y, reg):
    z = X.dot(W)
    loss = np.mean(np.logaddexp(0, z) - y * z) + reg * np.sum(W * W)
    return loss, X[-1] * np.sum(_sigmoid(z) - y) / X.shape[0] + 2 * reg * W


def grad_reg_missing(W, X, y, reg):
    loss, dW = correct_array(W, X, y, reg)
    return loss, dW - 2 * reg * W


def loss_not_averaged(W, X, y, reg):
    z = X.dot(W)
    loss = np.sum(np.logaddexp(0, z) - y * z) + reg * np.sum(W * W)
    return loss, X.T.dot(_sigmoid(z) - y) / X.shape[0] + 2 * reg * W


def stale_example_first(W, X, y, reg):
    z = X.dot(W)
    loss = np.mean(np.logaddexp(0, z) - y * z) + reg * np.sum(W * W)
    return loss, X[0] * np.sum(_sigmoid(z) - y) / X.shape[0] + 2 * reg * W
