// Wiring: the pad's strokes go through the pixel contract to the function, its answers to the screen, the
// buttons and keys to the pad, and a correction of a digit shown back to the function. The pad works at once;
// the reader joins when the function's URL is known.
import { LiveReader, sendCorrection } from "./function.js";
import { cleanInk, inkMap, toMnist } from "./pixels.js";
import { labelDigits } from "./split.js";
import { Pad } from "./pad.js";
import * as ui from "./ui.js";

/** The function's URL as given: ?api=URL in this page's address, else API_URL from config.js (written by
 * the demo and the deploy script), else null. */
async function givenUrl() {
  const override = new URLSearchParams(location.search).get("api");
  if (override !== null) return override;
  try {
    return (await import("./config.js")).API_URL ?? null;
  } catch {
    return null; // no config.js: the page was copied without one
  }
}

/** Whether the page can send requests to `url`. */
function isWebAddress(url) {
  try {
    return ["http:", "https:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

let reader = null; // the function's client, once its URL is known and valid

const pad = new Pad(document.getElementById("pad"), readDrawing);

/** The drawing's digits, left to right, 784 pixels each. The pixel contract splits the drawing as it looks on
 * the pad; each digit's strokes (those whose first point is on it; a speck's go) are then rendered alone, so
 * that each digit reaches the model with MNIST's stroke width, whatever its size beside the others. */
function drawnDigits() {
  const { image, starts } = pad.renderAsSeen();
  const { labels, boxes } = labelDigits(cleanInk(inkMap(image.data, image.width, image.height)));
  const strokes = boxes.map(() => []);
  starts.forEach(([col, row], stroke) => strokes[labels[row * image.width + col] - 1]?.push(stroke));
  return strokes.map((which) => {
    const digit = pad.render(which);
    return toMnist(digit.data, digit.width, digit.height);
  });
}

/** Sends the drawing to be read, through the pixel contract, or empties the reading when nothing is drawn. */
function readDrawing() {
  if (!reader) return; // nothing to ask yet, or nothing at all (a message says so)
  if (pad.isEmpty) {
    reader.reset();
    ui.showNothing();
  } else {
    ui.showWaiting();
    reader.changed(drawnDigits);
  }
}

document.getElementById("undo").addEventListener("click", () => pad.undo());
document.getElementById("clear").addEventListener("click", () => pad.clear());
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
    event.preventDefault();
    pad.undo();
  } else if (event.key === "Escape") {
    pad.clear();
  }
});

/** Sends "it was a `label`" about the digit `index` of the reading `answer`: exactly the pixels read. */
async function correct(label, index, answer) {
  const { pixels, prediction } = answer.digits[index];
  const { problem } = await sendCorrection(url, { pixels, label, readAs: prediction, model: answer.model });
  ui.showCorrectionResult(label, index, answer, problem);
}

const url = await givenUrl();
if (isWebAddress(url)) {
  reader = new LiveReader(url, { onSent: ui.showSent, onAnswer: ui.showAnswer, onProblem: ui.showProblem });
  ui.onCorrection(correct);
  reader.warmUp().then((health) => ui.collectCorrections(health?.corrections === true));
  if (!pad.isEmpty) readDrawing(); // drawn while the URL was being looked up
} else {
  ui.showProblem({ kind: "no-function", given: url });
}
