"""Random distortions applied to each training batch, so that the model reads digits the way other people
write them, not only the way MNIST's writers did: thicker and thinner strokes, slant, small rotations, size
and position changes. They act on raw 0..255 pixels and keep the background at 0."""

import keras
from keras import layers, ops

from digit.pixels import SIZE


class RandomStrokeWidth(layers.Layer):
    """Thickens or thins every stroke by up to `factor` of a pixel on each side: a blend towards a 3x3 grey
    dilation (thicker) or erosion (thinner), chosen at random per image."""

    def __init__(self, factor: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=True):
        if not training:
            return images
        thicker = ops.max_pool(images, 3, 1, "same")
        thinner = -ops.max_pool(-images, 3, 1, "same")
        amount = keras.random.uniform(
            (ops.shape(images)[0], 1, 1, 1), -self.factor, self.factor, seed=self.seed_generator
        )
        return ops.where(amount > 0, images + amount * (thicker - images), images + amount * (images - thinner))


def augmenter(seed: int) -> keras.Sequential:
    """The distortions, in the order a pen would cause them, as one layer stack for (batch, 28, 28) images."""
    fill = {"fill_mode": "constant", "fill_value": 0.0}
    return keras.Sequential(
        [
            layers.Reshape((SIZE, SIZE, 1)),
            RandomStrokeWidth(0.6, seed=seed),
            layers.RandomShear(x_factor=0.15, seed=seed + 1, **fill),  # slant
            layers.RandomRotation(0.04, seed=seed + 2, **fill),  # ±15 degrees
            layers.RandomZoom(0.12, seed=seed + 3, **fill),
            layers.RandomTranslation(0.06, 0.06, seed=seed + 4, **fill),  # ±1.7 pixels
            layers.Reshape((SIZE, SIZE)),
        ],
        name="augment",
    )
