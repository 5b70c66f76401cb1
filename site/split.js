// The split of a number into its digits, ported line for line from function/digit/pixels.py, as pixels.js is.
import { cleanInk, inkMap, max, place, range, stretch } from "./pixels.js";

export const SPECK = 0.15;
export const LOW = 0.4;
export const OVERLAP = 0.5;

/** The pixel contract for a number: RGBA pixels of digits side by side → 784 values per digit, left to right,
 * each digit's strongest ink stretched to 255. Throws as toMnist does. */
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
