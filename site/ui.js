// Everything the page writes on screen: the digit or number read, each digit of a number with its 28x28 and how
// sure the model is of it, the ten probability bars and the preview of one digit (the only one, or the one
// chosen), the row that corrects that digit, and messages. No other module changes the page's content.
import { SIZE } from "./pixels.js";

const reading = document.getElementById("reading");
const digit = document.getElementById("prediction");
const strip = document.getElementById("digits");
const barsTitle = document.getElementById("bars-title");
const bars = document.getElementById("probabilities");
const preview = document.getElementById("preview").getContext("2d");
const status = document.getElementById("status");
const correction = document.getElementById("correction");
const correctionTitle = document.getElementById("correction-title");

// One row per digit: its label, a meter, and the probability in words.
const rows = Array.from({ length: 10 }, (_, d) => {
  const row = document.createElement("li");
  row.dataset.digit = String(d);
  const label = Object.assign(document.createElement("span"), { className: "label", textContent: String(d) });
  const meter = Object.assign(document.createElement("meter"), { min: 0, max: 1, value: 0 });
  meter.setAttribute("aria-label", `probability of ${d}`);
  const percent = Object.assign(document.createElement("span"), { className: "percent" });
  row.append(label, meter, percent);
  return { row, meter, percent };
});
bars.replaceChildren(...rows.map(({ row }) => row));

// The correction row's buttons, one per digit, shown only where the function collects corrections.
const labels = Array.from({ length: 10 }, (_, d) => {
  const button = Object.assign(document.createElement("button"), { type: "button", textContent: String(d) });
  button.dataset.label = String(d);
  button.setAttribute("aria-label", `It was a ${d}`);
  return button;
});
correction.querySelector(".labels").replaceChildren(...labels);
// The one record of the reading: main.js keeps none.
let correctionsCollected = false;
let answer = { digits: [] }; // the reading on screen: its digits, left to right, and the model's version
let chosen = 0; // the digit the bars, the preview and the correction row are about
let corrected = new Set(); // those corrected already, or being sent
let busy = false; // the drawing changed: the reading on screen may not be its own

/** Whether the digit chosen may be corrected now: once, and only if the drawing's. */
const correctable = () => correctionsCollected && !busy && chosen < answer.digits.length && !corrected.has(chosen);

/** Marks the row usable, or not. Buttons are marked, never disabled, so that the keyboard's focus stays. */
const markRow = () => labels.forEach((button) => button.setAttribute("aria-disabled", String(!correctable())));

/** Marks the reading out of date, or not: screen readers (aria-busy) and the row wait for the new one. */
function setBusy(value) {
  busy = value;
  reading.setAttribute("aria-busy", String(value));
  markRow();
}

const inWords = (probability) => `${Math.round(probability * 100)}%`;
const nth = (index) => `digit ${index + 1}`;

/** The drawing changed: its reading is on its way. */
export function showWaiting() {
  setBusy(true);
}

/** Shows the function's reading of the drawing, and clears any message. A number's digits are shown one by
 * one, each a button that chooses it; the least sure is chosen first. */
export function showAnswer(read) {
  answer = read;
  const { digits } = read;
  corrected = new Set();
  setBusy(false);
  digit.textContent = digits.map(({ prediction }) => prediction).join("");
  digit.classList.toggle("long", digits.length > 4);
  strip.hidden = digits.length === 1;
  strip.replaceChildren(...digits.map(digitButton));
  say("");
  correction.hidden = !correctionsCollected;
  const sureness = digits.map(({ prediction, probabilities }) => probabilities[prediction]);
  choose(sureness.indexOf(Math.min(...sureness)));
}

/** A digit of a number as a button: its 28x28, the digit read and how sure the model is of it. */
function digitButton({ prediction, probabilities, pixels }, index) {
  const item = document.createElement("li");
  const button = item.appendChild(Object.assign(document.createElement("button"), { type: "button" }));
  const canvas = Object.assign(document.createElement("canvas"), { width: SIZE, height: SIZE });
  show(canvas.getContext("2d"), pixels);
  const sure = inWords(probabilities[prediction]);
  button.append(canvas, Object.assign(document.createElement("span"), { textContent: `${prediction} ${sure}` }));
  button.setAttribute("aria-label", `${nth(index)}: ${prediction}, ${sure} sure`);
  button.addEventListener("click", () => choose(index));
  return item;
}

/** Shows the bars and the pixels of digit `index` of the reading, and offers to correct it. */
function choose(index) {
  chosen = index;
  const { prediction, probabilities, pixels } = answer.digits[index];
  rows.forEach(({ row, meter, percent }, d) => {
    meter.value = probabilities[d];
    percent.textContent = inWords(probabilities[d]);
    row.classList.toggle("chosen", d === prediction);
  });
  show(preview, pixels);
  strip.querySelectorAll("button").forEach((button, i) => button.setAttribute("aria-pressed", String(i === index)));
  const number = answer.digits.length > 1;
  barsTitle.textContent = number ? `How sure it is of ${nth(index)}` : "How sure it is";
  correctionTitle.textContent = number ? `Wrong? Digit ${index + 1}, read as ${prediction}, was:` : "Wrong? It was:";
  markRow();
}

/** Empties the reading: no digit, empty bars, nothing to correct. */
function clearAnswer() {
  correction.hidden = true;
  answer = { digits: [] };
  markRow();
  digit.textContent = "";
  strip.hidden = true;
  strip.replaceChildren();
  rows.forEach(({ row, meter, percent }) => {
    meter.value = 0;
    percent.textContent = "";
    row.classList.remove("chosen");
  });
}

/** Draws 28x28 pixels, white ink on black as in MNIST. */
function show(context, pixels) {
  const image = context.createImageData(SIZE, SIZE);
  pixels.forEach((level, i) => image.data.set([level, level, level, 255], 4 * i));
  context.putImageData(image, 0, 0);
}

/** Shows the pixels sent of a single digit in the preview; a number's are shown with its reading. */
export function showSent(digits) {
  if (digits.length === 1) show(preview, digits[0]);
  else preview.clearRect(0, 0, SIZE, SIZE);
}

/** Back to a blank page: nothing drawn, nothing read, nothing to say. */
export function showNothing() {
  setBusy(false);
  clearAnswer();
  preview.clearRect(0, 0, SIZE, SIZE);
  say("");
}

/** Explains a problem (see function.js for the kinds). The drawing stays; a reading it no longer matches goes. */
export function showProblem(problem) {
  if (problem.kind !== "slow") {
    setBusy(false);
    clearAnswer();
  }
  say(describe(problem));
}

/** Says whether corrections are collected, which shows the row with the next reading. */
export function collectCorrections(collected) {
  correctionsCollected = collected;
}

/** Calls `onChoose(label, index, answer)` when a digit of the correction row is chosen about digit `index` of
 * the reading `answer`, once for each digit: the row then waits for showCorrectionResult. */
export function onCorrection(onChoose) {
  labels.forEach((button, d) =>
    button.addEventListener("click", () => {
      if (!correctable()) return;
      corrected.add(chosen);
      markRow();
      onChoose(d, chosen, answer);
    }),
  );
}

/** The correction of digit `index` of the reading `about` was stored, or not (a problem from sendCorrection). */
export function showCorrectionResult(label, index, about, problem) {
  const which = about.digits.length > 1 ? `${nth(index)} ` : "";
  if (!problem) {
    say(`Thanks: ${which}stored as a ${label}.`, "thanks");
    return;
  }
  if (about === answer) corrected.delete(index); // it may be tried again
  markRow();
  const why =
    problem.kind === "unreachable"
      ? "the function cannot be reached"
      : `${problem.status}${problem.message ? `: ${problem.message}` : ""}`;
  const when = problem.retryAfter ? ` Try again in ${problem.retryAfter} s.` : "";
  say(`The correction was not stored (${why}).${when}`);
}

/** Writes a message, a warning unless `kind` says otherwise. */
function say(text, kind = "warning") {
  status.textContent = text;
  status.className = text ? kind : "";
}

/** A problem in words, for the person drawing. */
function describe({ kind, given, url, message, retryAfter, status: code, count, most }) {
  const kept = "Your drawing is kept.";
  switch (kind) {
    case "no-function":
      return given === null
        ? "No function to ask: add ?api= and the function's URL to this page's address, or serve the page with a config.js that names it."
        : `“${given}” is not an http:// or https:// address: check ?api= in this page's address.`;
    case "slow":
      return `Waiting for the function: it may be starting up, which takes a few seconds after a quiet spell. ${kept}`;
    case "starting":
      return `The function is not ready (${message || "starting"}). Trying again in ${retryAfter} s. ${kept}`;
    case "unreachable":
      return `Cannot reach the function at ${url}: it may be down, or the address may be wrong. ${kept}`;
    case "refused":
      return `The function answered with an error (${code}${message ? `: ${message}` : ""}). ${kept}`;
    case "too-many":
      return `That is ${count} digits: a number is read up to ${most}. ${kept}`;
    default: // "garbled"
      return `The function's answer is not a reading of a digit: is this the right address? ${kept}`;
  }
}
