// The pixel contract of function/digit/pixels.py, ported line for line: the same steps, constants and
// rounding (half up, as Math.floor(x + 0.5)), so the page sends exactly what the model was trained on; and its
// split of a picture of a number into its digits (see pixels.py for how it splits).
// Pure functions, no DOM: Node imports this module too, to test it against the Python original.
//
// A picture is a "plane": { values: Float64Array (row-major), height, width }.

export const SIZE = 28;
export const FIT = 20;
export const CENTRE = 14.0;
export const NOISE_FLOOR = 12;
export const MIN_CONTRAST = 32;
export const SPECK = 0.15;
export const LOW = 0.4;
export const OVERLAP = 0.5;

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
// Plain loops over a drawing's pixels: V8 runs them several times faster than reduce, or from and map.
function max(values) {
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

/** The pixel contract for a number: RGBA pixels of digits side by side → one array of 784 values per digit,
 * left to right. Each digit's strongest ink is stretched to 255, as a picture of it alone would be.
 *
 * Throws EmptyImageError when there is no ink, RangeError when the pixels do not match the size. */
export function toMnistDigits(rgba, width, height) {
  return split(cleanInk(inkMap(rgba, width, height))).map((piece) => place(stretch(piece)));
}

/** Clean ink → the ink of each digit, left to right, each cropped to its bounding box, without the ink of
 * the others (a slanted neighbour may reach into the box) or of what is no digit. */
export function split({ values, width }) {
  const { labels, boxes } = labelDigits({ values, width });
  return boxes.map(([top, bottom, left, right], index) => {
    const [pieceHeight, pieceWidth] = [bottom - top + 1, right - left + 1];
    const piece = new Float64Array(pieceHeight * pieceWidth);
    for (let row = 0; row < pieceHeight; row++) {
      for (let col = 0; col < pieceWidth; col++) {
        const source = (top + row) * width + left + col;
        if (labels[source] === index + 1) piece[row * pieceWidth + col] = values[source];
      }
    }
    return { values: piece, height: pieceHeight, width: pieceWidth };
  });
}

/** Clean ink → each pixel's digit (`labels`, row-major), 1 to N from left to right, 0 for paper and for the ink
 * that is no digit (specks, dashes, dots); and each digit's box, as [top, bottom, left, right], its first and
 * last row and column. */
export function labelDigits({ values, width }) {
  const runs = inkRuns(values, width);
  const marks = markOfRun(runs);
  const digitOfMark = digitsOfMarks(boxesOf(marks, max(marks) + 1, runs));
  const digits = marks.map((mark) => digitOfMark[mark]);
  const labels = new Int32Array(values.length);
  runs.forEach(([row, start, end], run) => labels.fill(digits[run], row * width + start, row * width + end));
  return { labels, boxes: boxesOf(digits.map((digit) => digit - 1), max(digitOfMark), runs) };
}

/** The runs of ink along each row, in reading order, as [row, first column, one past the last column]. */
function inkRuns(values, width) {
  const runs = [];
  for (let row = 0; row * width < values.length; row++) {
    let start = -1;
    for (let col = 0; col <= width; col++) {
      const inked = col < width && values[row * width + col] > 0;
      if (inked && start < 0) start = col;
      if (!inked && start >= 0) {
        runs.push([row, start, col]);
        start = -1;
      }
    }
  }
  return runs;
}

/** Each run's mark: runs of neighbouring rows that touch, side by side or at a corner, are one mark. Marks
 * are numbered from 0 in the order of their first run. */
function markOfRun(runs) {
  const parent = range(runs.length);
  const root = (run) => {
    while (parent[run] !== run) {
      parent[run] = parent[parent[run]];
      run = parent[run];
    }
    return run;
  };
  let above = [0, 0]; // the runs of the row above the row read, as [first, last)
  let first = 0;
  while (first < runs.length) {
    let last = first;
    while (last < runs.length && runs[last][0] === runs[first][0]) last += 1;
    if (above[1] > above[0] && runs[above[0]][0] === runs[first][0] - 1) {
      let [upper, lower] = [above[0], first];
      while (upper < above[1] && lower < last) {
        // the two rows' runs, left to right, as in a merge
        if (runs[lower][1] <= runs[upper][2] && runs[upper][1] <= runs[lower][2]) parent[root(lower)] = root(upper);
        if (runs[upper][2] < runs[lower][2]) upper += 1;
        else lower += 1;
      }
    }
    [above, first] = [[first, last], last];
  }
  const numbers = new Map();
  return range(runs.length).map((run) => {
    if (!numbers.has(root(run))) numbers.set(root(run), numbers.size);
    return numbers.get(root(run));
  });
}

/** The box [top, bottom, left, right] of each of `count` groups of runs, `groups` giving each run's group
 * (below 0: none). */
function boxesOf(groups, count, runs) {
  const boxes = Array.from({ length: count }, () => [Infinity, -1, Infinity, -1]);
  runs.forEach(([row, start, end], run) => {
    if (groups[run] >= 0) {
      const box = boxes[groups[run]];
      [box[0], box[1]] = [Math.min(box[0], row), Math.max(box[1], row)];
      [box[2], box[3]] = [Math.min(box[2], start), Math.max(box[3], end - 1)];
    }
  });
  return boxes;
}

/** Each mark's digit, 1 to N from left to right, or 0, from the marks' boxes: the tall marks make the
 * digits, and a low one joins the digit whose columns it overlaps most. */
function digitsOfMarks(boxes) {
  const height = boxes.map(([top, bottom]) => bottom - top + 1);
  const width = boxes.map(([, , left, right]) => right - left + 1);
  const tallest = max(height);
  const digitOfMark = boxes.map(() => 0);
  const digits = []; // the columns each spans, as [left, right]
  const overlap = (digit, mark) => Math.min(digit[1], boxes[mark][3]) - Math.max(digit[0], boxes[mark][2]) + 1;

  const tall = range(boxes.length).filter((mark) => height[mark] >= LOW * tallest);
  for (const mark of tall.sort((a, b) => boxes[a][2] - boxes[b][2] || a - b)) {
    const last = digits.at(-1);
    if (last && overlap(last, mark) >= OVERLAP * Math.min(last[1] - last[0] + 1, width[mark])) {
      last[1] = Math.max(last[1], boxes[mark][3]);
    } else {
      digits.push([boxes[mark][2], boxes[mark][3]]);
    }
    digitOfMark[mark] = digits.length;
  }
  for (let mark = 0; mark < boxes.length; mark++) {
    if (height[mark] < LOW * tallest && Math.max(height[mark], width[mark]) >= SPECK * tallest) {
      const overlaps = digits.map((digit) => overlap(digit, mark));
      const best = overlaps.indexOf(max(overlaps));
      digitOfMark[mark] = overlaps[best] > 0 ? best + 1 : 0;
    }
  }
  return digitOfMark;
}
