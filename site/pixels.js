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

export const range = (length) => Array.from({ length }, (_, i) => i);
const sum = (values) => values.reduce((total, value) => total + value, 0);
// Plain loops over a drawing's pixels: V8 runs them several times faster than reduce, or from and map.
export function max(values) {
  let highest = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > highest) highest = values[i];
  return highest;
}

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
  if (max(values) - background < MIN_CONTRAST) throw new EmptyImageError("the image has no ink: draw or write a digit");
  const above = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) above[i] = Math.max(values[i] - background, 0);
  return stretch({ values: above, height, width });
}

/** Stretches the strongest ink to 255 and drops faint noise (below NOISE_FLOOR after the stretch). */
export function stretch({ values, height, width }) {
  const scale = 255 / max(values);
  const stretched = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const level = roundHalfUp(values[i] * scale);
    stretched[i] = level < NOISE_FLOOR ? 0 : level;
  }
  return { values: stretched, height, width };
}

/** Resamples a plane along axis 0 (its columns) or 1 (its rows) to `target` pixels by area averaging, from the
 * running sums of the ink at the target pixels' edges. */
export function boxResample({ values, height, width }, axis, target) {
  const [source, across] = axis === 0 ? [height, width] : [width, height];
  const at = (along, other, length) => (axis === 0 ? along * width + other : other * length + along);
  const scale = source / target;
  const resampled = new Float64Array(target * across);
  const before = new Float64Array(source + 1); // running sums
  for (let other = 0; other < across; other++) {
    for (let s = 0; s < source; s++) before[s + 1] = before[s] + values[at(s, other, width)];
    let previous = 0;
    for (let t = 0; t < target; t++) {
      const edge = (t + 1) * scale;
      const whole = Math.min(Math.floor(edge), source - 1);
      const atEdge = before[whole] + (edge - whole) * values[at(whole, other, width)];
      resampled[at(t, other, target)] = (atEdge - previous) / scale;
      previous = atEdge;
    }
  }
  return axis === 0 ? { values: resampled, height: target, width } : { values: resampled, height, width: target };
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
  const crop = new Float64Array(cropHeight * cropWidth);
  for (let row = 0; row < cropHeight; row++) {
    crop.set(values.subarray((top + row) * width + left, (top + row) * width + right + 1), row * cropWidth);
  }
  const scale = FIT / Math.max(cropHeight, cropWidth);
  const [targetHeight, targetWidth] = [cropHeight, cropWidth].map((side) => Math.max(1, roundHalfUp(side * scale)));
  return boxResample(boxResample({ values: crop, height: cropHeight, width: cropWidth }, 0, targetHeight), 1, targetWidth);
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

/** Clean ink of one digit → 784 values 0..255, row-major: fitted, centred and rounded to whole levels. */
export function place(plane) {
  return Uint8Array.from(centre(fit(plane)), roundHalfUp);
}

/** The pixel contract: RGBA pixels of one digit → 784 values 0..255, row-major, 0 = background.
 *
 * Throws EmptyImageError when there is no ink, RangeError when the pixels do not match the size. */
export function toMnist(rgba, width, height) {
  return place(cleanInk(inkMap(rgba, width, height)));
}
