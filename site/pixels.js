// The pixel contract of function/digit/pixels.py, ported line for line: the same steps, constants and
// rounding (half up, as Math.floor(x + 0.5)), so the page sends exactly what the model was trained on.
// Pure functions, no DOM: Node imports this module too, to test it against the Python original.
//
// A picture is a "plane": { values: Float64Array (row-major), height, width }.

export const SIZE = 28;
export const FIT = 20;
export const CENTRE = 14.0;
export const NOISE_FLOOR = 12;
export const MIN_CONTRAST = 32;

const LUMA = [0.299, 0.587, 0.114];

/** The picture holds no ink: there is no digit to read. */
export class EmptyImageError extends Error {
  name = "EmptyImageError";
}

/** Rounds .5 upwards, like the Python side (Math.round differs just below .5, e.g. 0.49999999999999994). */
export function roundHalfUp(value) {
  return Math.floor(value + 0.5);
}

const range = (length) => Array.from({ length }, (_, i) => i);
const sum = (values) => values.reduce((total, value) => total + value, 0);
const max = (values) => values.reduce((a, b) => Math.max(a, b), -Infinity);

/** The middle value of whole-number levels 0..255, or the mean of the two middle values, as numpy's median.
 * Counted in a histogram rather than sorted: a drawing has tens of thousands of pixels, and this is one pass. */
function median(levels) {
  const counts = new Uint32Array(256);
  for (const level of levels) counts[level] += 1;
  const nth = (rank) => {
    let seen = 0;
    for (let level = 0; level < 256; level++) {
      seen += counts[level];
      if (seen > rank) return level;
    }
    return 255;
  };
  const middle = levels.length >> 1;
  return levels.length % 2 ? nth(middle) : (nth(middle - 1) + nth(middle)) / 2;
}

/** RGBA pixels (as in ImageData) → whole-number ink levels: 0 where the paper is, 255 where the ink is. */
export function inkMap(rgba, width, height) {
  if (!(width > 0 && height > 0) || rgba.length !== width * height * 4) {
    throw new RangeError(`expected ${width}x${height} RGBA pixels, got ${rgba.length} values`);
  }
  const count = width * height;
  const grey = new Float64Array(count);
  const alpha = new Float64Array(count);
  let [lowestAlpha, highestAlpha] = [1, 0];
  for (let i = 0; i < count; i++) {
    grey[i] = rgba[4 * i] * LUMA[0] + rgba[4 * i + 1] * LUMA[1] + rgba[4 * i + 2] * LUMA[2];
    alpha[i] = rgba[4 * i + 3] / 255;
    lowestAlpha = Math.min(lowestAlpha, alpha[i]);
    highestAlpha = Math.max(highestAlpha, alpha[i]);
  }
  if (lowestAlpha < 1) {
    if (highestAlpha === 0) throw new EmptyImageError("the image is fully transparent");
    // Transparent pixels are paper: lay the picture on a matte the ink stands out against.
    let [inkTimesAlpha, alphaTotal] = [0, 0];
    for (let i = 0; i < count; i++) {
      inkTimesAlpha += grey[i] * alpha[i];
      alphaTotal += alpha[i];
    }
    const matte = inkTimesAlpha / alphaTotal < 128 ? 255 : 0;
    for (let i = 0; i < count; i++) grey[i] = grey[i] * alpha[i] + (1 - alpha[i]) * matte;
  }
  const levels = new Uint8Array(count);
  for (let i = 0; i < count; i++) levels[i] = roundHalfUp(grey[i]);
  if (median(levels) > 127.5) {
    for (let i = 0; i < count; i++) levels[i] = 255 - levels[i];
  }
  return { values: levels, height, width };
}

/** Subtracts the background level, stretches the strongest ink to 255 and drops faint noise. */
export function cleanInk({ values, height, width }) {
  const background = median(values);
  const peak = max(values) - background;
  if (peak < MIN_CONTRAST) throw new EmptyImageError("the image has no ink: draw or write a digit");
  const cleaned = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const level = roundHalfUp(Math.max(values[i] - background, 0) * (255 / peak));
    cleaned[i] = level < NOISE_FLOOR ? 0 : level;
  }
  return { values: cleaned, height, width };
}

/** The target x source matrix of a box resample along one axis: each target pixel averages the source
 * pixels it covers, each weighted by the fraction of it that lies inside. */
export function areaWeights(source, target) {
  const scale = source / target;
  return Array.from({ length: target }, (_, t) =>
    Float64Array.from(
      { length: source },
      (_, s) => Math.max(Math.min(t * scale + scale, s + 1) - Math.max(t * scale, s), 0) / scale,
    ),
  );
}

/** Crops to the ink's bounding box and resizes it, aspect kept, so that its longer side is FIT pixels. */
export function fit({ values, height, width }) {
  let [top, bottom, left, right] = [height, -1, width, -1];
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      if (values[row * width + col]) {
        [top, bottom] = [Math.min(top, row), Math.max(bottom, row)];
        [left, right] = [Math.min(left, col), Math.max(right, col)];
      }
    }
  }
  const [cropHeight, cropWidth] = [bottom - top + 1, right - left + 1];
  const scale = FIT / Math.max(cropHeight, cropWidth);
  const rowWeights = areaWeights(cropHeight, Math.max(1, roundHalfUp(cropHeight * scale)));
  const colWeights = areaWeights(cropWidth, Math.max(1, roundHalfUp(cropWidth * scale)));
  // rowWeights @ crop @ colWeights transposed, as on the Python side; a zero weight adds nothing, so only the
  // source pixels a target pixel covers are visited.
  const rowsResampled = new Float64Array(rowWeights.length * cropWidth);
  rowWeights.forEach((weights, target) => {
    weights.forEach((weight, row) => {
      if (weight === 0) return;
      const source = (top + row) * width + left;
      for (let col = 0; col < cropWidth; col++) rowsResampled[target * cropWidth + col] += weight * values[source + col];
    });
  });
  const resampled = new Float64Array(rowWeights.length * colWeights.length);
  for (let row = 0; row < rowWeights.length; row++) {
    colWeights.forEach((weights, target) => {
      let total = 0;
      weights.forEach((weight, col) => (total += weight && weight * rowsResampled[row * cropWidth + col]));
      resampled[row * colWeights.length + target] = total;
    });
  }
  return { values: resampled, height: rowWeights.length, width: colWeights.length };
}

/** Places the digit in the SIZE x SIZE field with its centre of mass on CENTRE, as MNIST did. */
export function centre({ values, height, width }) {
  const rowSums = range(height).map((row) => sum(values.subarray(row * width, (row + 1) * width)));
  const colSums = range(width).map((col) => sum(range(height).map((row) => values[row * width + col])));
  const mass = sum(values);
  const comY = sum(rowSums.map((rowSum, row) => rowSum * row)) / mass;
  const comX = sum(colSums.map((colSum, col) => colSum * col)) / mass;
  const clip = (value, low, high) => Math.min(Math.max(value, low), high);
  const top = clip(roundHalfUp(CENTRE - comY), 0, SIZE - height);
  const left = clip(roundHalfUp(CENTRE - comX), 0, SIZE - width);
  const field = new Float64Array(SIZE * SIZE);
  values.forEach((value, i) => (field[(top + Math.floor(i / width)) * SIZE + left + (i % width)] = value));
  return field;
}

/** The pixel contract: RGBA pixels of one digit → 784 values 0..255, row-major, 0 = background.
 *
 * Throws EmptyImageError when there is no ink, RangeError when the pixels do not match the size. */
export function toMnist(rgba, width, height) {
  return Uint8Array.from(centre(fit(cleanInk(inkMap(rgba, width, height)))), roundHalfUp);
}
