"""Fitting a model to a dataset, and measuring it on the held-out part."""

import sys
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from train import network
from train.augment import augmenter
from train.cut_examples import WRONG_CUT, WRONG_CUT_WEIGHT
from train.data import Dataset
from train.recipes import Recipe


@dataclass
class Evaluation:
    """How the model did on the test images."""

    accuracy: float
    per_class_accuracy: list[float]
    confusion: np.ndarray  # confusion[true, predicted] = count
    predicted: np.ndarray


def fit(arch: str, data: Dataset, recipe: Recipe, seed: int = 0) -> keras.Model:
    """A model of `arch` trained on data's training part (never its test part), with a progress bar on a
    terminal and one line per epoch in a log."""
    keras.utils.set_random_seed(seed)
    model = network.build(arch)
    batches = tf.data.Dataset.from_tensor_slices((data.x_train.astype(np.float32), data.y_train))
    batches = batches.shuffle(len(data.x_train), seed=seed).batch(recipe.batch_size)
    if recipe.augment:
        augment = augmenter(seed)
        # One batch at a time: mapped in parallel, the batches would draw their distortions in whatever order the
        # threads ran, and two runs with one seed would train different models.
        batches = batches.map(lambda x, y: (augment(x, training=True), y))
    batches = batches.map(lambda x, y: (x, targets(y), tf.where(y == WRONG_CUT, WRONG_CUT_WEIGHT, 1.0)))
    steps = recipe.epochs * int(np.ceil(len(data.x_train) / recipe.batch_size))
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(recipe.learning_rate, steps)),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing),
        metrics=["accuracy"],
    )
    model.fit(
        batches.prefetch(tf.data.AUTOTUNE), epochs=recipe.epochs, shuffle=False, verbose=1 if sys.stdout.isatty() else 2
    )
    return model


def targets(labels: tf.Tensor) -> tf.Tensor:
    """The probabilities taught for each label: all on its digit (label smoothing needs them one-hot), or for a
    wrong cut (WRONG_CUT, one past the digits) spread evenly over the ten."""
    wrong = tf.cast(labels == WRONG_CUT, tf.float32)[:, tf.newaxis]
    return tf.one_hot(labels, 10) + wrong / 10  # one_hot gives a row of zeros for a label past the digits


def evaluate(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Accuracy overall and per digit, and the confusion matrix, on images the model never trained on."""
    return scored(probabilities(model, images).argmax(axis=1), labels)


def probabilities(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """The model's (N, 10) probabilities for contract-form images, quietly."""
    return model.predict(images.astype(np.float32), batch_size=256, verbose=0)


def scored(predicted: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Accuracy overall and per digit, and the confusion matrix, of the digits read against the labels."""
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    return Evaluation(
        accuracy=float((predicted == labels).mean()),
        per_class_accuracy=[round(float(a), 4) for a in per_class],
        confusion=confusion,
        predicted=predicted,
    )
