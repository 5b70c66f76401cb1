"""The pixel contract on inputs whose outputs are known."""

import tracemalloc

import numpy as np
import pytest

from digit.pixels import FIT, SIZE, EmptyImageError, box_resample, to_mnist


def bar_on_paper(height=100, width=60, top=10, left=20, bar_h=40, bar_w=20, ink=0, paper=255):
    image = np.full((height, width), paper, dtype=np.uint8)
    image[top : top + bar_h, left : left + bar_w] = ink
    return image


def expected_bar():
    """A 40x20 bar fits to 20x10; its centre of mass (9.5, 4.5) lands on 14 → top 5 (4.5 rounds up), left 10."""
    field = np.zeros((SIZE, SIZE), dtype=np.uint8)
    field[5:25, 10:20] = 255
    return field


def test_dark_ink_on_light_paper_becomes_white_on_black_fitted_and_centred():
    np.testing.assert_array_equal(to_mnist(bar_on_paper()), expected_bar())


def test_light_ink_on_dark_paper_gives_the_same_digit():
    np.testing.assert_array_equal(to_mnist(bar_on_paper(ink=255, paper=0)), expected_bar())


def test_position_on_the_page_does_not_matter():
    np.testing.assert_array_equal(to_mnist(bar_on_paper(height=400, width=400, top=300, left=5)), expected_bar())


def test_colour_ink_is_read_by_its_luminance():
    rgb = np.full((100, 60, 3), 255, dtype=np.uint8)
    rgb[10:50, 20:40] = (0, 0, 200)  # dark blue pen
    np.testing.assert_array_equal(to_mnist(rgb), expected_bar())


@pytest.mark.parametrize("ink_rgb", [(0, 0, 0), (255, 255, 255), (200, 30, 30)])
def test_transparent_background_is_paper_whatever_the_ink_colour(ink_rgb):
    rgba = np.zeros((100, 60, 4), dtype=np.uint8)
    rgba[10:50, 20:40] = (*ink_rgb, 255)
    np.testing.assert_array_equal(to_mnist(rgba), expected_bar())


def test_grey_with_alpha_is_read_like_rgba():
    grey_alpha = np.zeros((100, 60, 2), dtype=np.uint8)
    grey_alpha[10:50, 20:40] = (0, 255)
    np.testing.assert_array_equal(to_mnist(grey_alpha), expected_bar())


def test_faint_pencil_is_stretched_to_full_ink_and_paper_grain_is_dropped():
    grain = np.random.default_rng(0).integers(-3, 4, (100, 60))
    scan = bar_on_paper(ink=150, paper=235).astype(np.int16)
    scan[scan == 235] += grain[scan == 235]
    np.testing.assert_array_equal(to_mnist(scan), expected_bar())


def test_a_tiny_digit_is_scaled_up_to_fill_the_box():
    tiny = np.zeros((30, 30), dtype=np.uint8)
    tiny[10:14, 10:12] = 255  # 4x2 → 20x10
    np.testing.assert_array_equal(to_mnist(tiny), expected_bar())


def test_a_one_pixel_wide_stroke_keeps_its_aspect_and_stays_visible():
    line = np.zeros((200, 50), dtype=np.uint8)
    line[0:200, 25] = 255  # 200x1 → 20x1 (at least one pixel wide)
    out = to_mnist(line)
    assert out.sum(axis=0).nonzero()[0].tolist() == [14]
    assert out.sum(axis=1).nonzero()[0].tolist() == list(range(5, 25))
    assert out.max() == 255


@pytest.mark.parametrize(
    "image",
    [np.full((50, 50), 255, np.uint8), np.zeros((50, 50), np.uint8), np.full((50, 50), 128, np.uint8)],
    ids=["white", "black", "grey"],
)
def test_a_blank_image_is_an_error_the_caller_can_report(image):
    with pytest.raises(EmptyImageError, match="no ink"):
        to_mnist(image)


def test_a_fully_transparent_image_is_empty():
    with pytest.raises(EmptyImageError, match="transparent"):
        to_mnist(np.zeros((20, 20, 4), dtype=np.uint8))


@pytest.mark.parametrize("shape", [(0, 5), (5,), (4, 4, 5), (2, 2, 2, 2)])
def test_arrays_that_are_not_images_are_refused(shape):
    with pytest.raises(ValueError, match="expected a"):
        to_mnist(np.ones(shape))


def test_mnist_digits_come_back_almost_unchanged(mnist_sample):
    """MNIST was made by this recipe, so passing its digits through it again must change next to nothing."""
    images, _ = mnist_sample
    again = np.stack([to_mnist(image) for image in images]).astype(float)
    assert np.abs(again - images).mean() < 0.5
    moved = (np.abs(again - images).max(axis=(1, 2)) > 128).mean()
    assert moved < 0.02


def test_output_is_whole_numbers_in_range_with_the_ink_fitted_to_twenty_pixels(mnist_sample):
    images, _ = mnist_sample
    for image in images[:50]:
        out = to_mnist(np.kron(image, np.ones((3, 3))))  # drawn three times larger
        assert out.dtype == np.uint8 and out.shape == (SIZE, SIZE)
        rows, cols = np.nonzero(out)
        assert max(np.ptp(rows), np.ptp(cols)) + 1 == FIT


def box_weights(source: int, target: int) -> np.ndarray:
    """The box resample written as its (target, source) matrix: each target pixel's weight on each source pixel
    is the fraction of the source pixel that lies inside it, over the target pixel's width."""
    scale = source / target
    starts = np.arange(target)[:, None] * scale
    edges = np.arange(source + 1)[None, :]
    return np.clip(np.minimum(starts + scale, edges[:, 1:]) - np.maximum(starts, edges[:, :-1]), 0, None) / scale


@pytest.mark.parametrize("source,target", [(7, 7), (40, 20), (20, 40), (13, 5), (3, 20), (1, 1), (1, 20), (997, 20)])
def test_box_resample_averages_what_each_target_pixel_covers(source, target):
    ink = np.random.default_rng(source).integers(0, 256, (source, 6)).astype(np.float64)
    weights = box_weights(source, target)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)  # the matrix is an average
    np.testing.assert_allclose(weights.sum(axis=0), target / source)  # that uses each source pixel fully once
    resampled = box_resample(ink, 0, target)
    np.testing.assert_allclose(resampled, weights @ ink, rtol=0, atol=1e-9)
    np.testing.assert_allclose(box_resample(ink.T, 1, target), resampled.T, rtol=0, atol=1e-9)  # either axis
    if source == target:
        np.testing.assert_allclose(resampled, ink, rtol=0, atol=1e-9)


def test_the_resample_of_a_long_thin_picture_costs_what_its_area_does():
    """A line a million pixels long holds a million pixels: its resample must not build a matrix of 20 times
    that, as a product of dense weights would (tracemalloc counts numpy's allocations)."""
    line = np.zeros((1, 2**20))
    line[0, :5] = line[0, -5:] = 255
    tracemalloc.start()
    try:
        fitted = box_resample(line, 1, 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * line.nbytes
    np.testing.assert_allclose(fitted[0, [0, -1]], 5 * 255 / 2**20 * 20)
    np.testing.assert_allclose(fitted[0, 1:-1], 0, atol=1e-6)
