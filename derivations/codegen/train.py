"""Training a linear classifier with a generated ``loss_and_grad``: minibatch stochastic gradient descent.

Seed 002's Question 2 asks what the learned weights look like. The data
are prepared as the course prepares CIFAR-10: features scaled, the training
mean subtracted, and a constant 1 appended to every example (the bias
trick: the last row of W is the bias). The split into training and
held-out examples and the order of the minibatches come from a generator
seeded with ``seed``, so a run is repeatable.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    """Examples as rows of X (N x D, bias column included), labels 0..K-1, class names, image shape if any."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: list
    image_shape: tuple | None = None     # (height, width) of an example without its bias entry


@dataclass
class Training:
    """What a run produced: the weights, the loss after every epoch, the accuracies."""

    W: np.ndarray
    epoch_losses: list = field(default_factory=list)      # full training loss (with regularisation) after each epoch
    train_accuracy: float = 0.0
    test_accuracy: float = 0.0


def prepare(name, X, y, *, classes=None, test_fraction=0.2, seed=0, image_shape=None, scale=None) -> Dataset:
    """Split ``X``, ``y`` (seeded, stratified by shuffling), scale, centre on the training mean, append the bias."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"X must be N x D and y of length N; got X {X.shape} and y {y.shape}")
    labels = np.unique(y)
    if not np.array_equal(labels, np.arange(len(labels))):
        raise ValueError("labels must be 0..K-1 with every class present")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    test_count = max(1, int(round(test_fraction * len(y))))
    test, train = order[:test_count], order[test_count:]
    scale = scale or max(float(np.abs(X).max()), 1.0)
    X = X / scale
    mean = X[train].mean(axis=0)
    X = np.hstack([X - mean, np.ones((len(X), 1))])
    names = list(classes) if classes is not None else [str(c) for c in labels]
    return Dataset(name, X[train], y[train], X[test], y[test], names, image_shape)


def accuracy(W, X, y) -> float:
    """The fraction of examples whose highest score is their label."""
    return float(np.mean(np.argmax(X @ W, axis=1) == y))


def sgd(loss_and_grad, data: Dataset, *, epochs=20, lr=0.5, reg=1e-3, batch_size=64, seed=0,
        progress=None) -> Training:
    """Minibatch SGD from small random weights: W <- W - lr dW on each shuffled batch, ``epochs`` times over."""
    rng = np.random.default_rng(seed)
    count, features = data.X_train.shape
    W = 0.001 * rng.standard_normal((features, len(data.classes)))
    run = Training(W)
    for _ in range(epochs):
        order = rng.permutation(count)
        for start in range(0, count, batch_size):
            batch = order[start:start + batch_size]
            _, dW = loss_and_grad(W, data.X_train[batch], data.y_train[batch], reg)
            W -= lr * dW
        run.epoch_losses.append(float(loss_and_grad(W, data.X_train, data.y_train, reg)[0]))
        if progress is not None:
            progress(1)
    run.W = W
    run.train_accuracy = accuracy(W, data.X_train, data.y_train)
    run.test_accuracy = accuracy(W, data.X_test, data.y_test)
    return run


def load_digits(seed=0) -> Dataset:
    """scikit-learn's 8 x 8 handwritten digits (1,797 images, shipped inside the package: no download)."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError("--dataset digits needs scikit-learn: pip install 'derive[train]'") from None
    digits = sklearn_digits()
    return prepare("digits", digits.data, digits.target, classes=[str(c) for c in range(10)], seed=seed,
                   image_shape=(8, 8), scale=16.0)
