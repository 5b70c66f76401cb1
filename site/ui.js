// Everything the page writes on screen: the digit read, the ten probability bars, the preview of the pixels
// sent, the row that corrects a reading, and messages. No other module changes the page's content.
import { SIZE } from "./pixels.js";

const reading = document.getElementById("reading");
const digit = document.getElementById("prediction");
const bars = document.getElementById("probabilities");
const preview = document.getElementById("preview").getContext("2d");
const status = document.getElementById("status");
const correction = document.getElementById("correction");

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
let correctionsCollected = false;
let correctable = false; // whether the reading shown may be corrected now: once, and not while sending

/** Lets the row be used, or not. Buttons are marked, never disabled, so that the keyboard's focus stays. */
function setCorrectable(value) {
  correctable = value;
  labels.forEach((button) => button.setAttribute("aria-disabled", String(!value)));
}

const setBusy = (busy) => reading.setAttribute("aria-busy", String(busy));

/** Marks the reading as out of date while the drawing changes: screen readers wait for the new one
 * (aria-busy) instead of announcing every reading on the way. */
export function showWaiting() {
  setBusy(true);
}

/** Shows the function's reading of the drawing, and clears any message; where corrections are collected,
 * offers to correct it. */
export function showAnswer({ prediction, probabilities }) {
  setBusy(false);
  digit.textContent = String(prediction);
  rows.forEach(({ row, meter, percent }, d) => {
    meter.value = probabilities[d];
    percent.textContent = `${Math.round(probabilities[d] * 100)}%`;
    row.classList.toggle("chosen", d === prediction);
  });
  say("");
  correction.hidden = !correctionsCollected;
  setCorrectable(correctionsCollected);
}

/** Empties the reading: no digit, empty bars, nothing to correct. */
function clearAnswer() {
  correction.hidden = true;
  setCorrectable(false);
  digit.textContent = "";
  rows.forEach(({ row, meter, percent }) => {
    meter.value = 0;
    percent.textContent = "";
    row.classList.remove("chosen");
  });
}

/** Shows the 28x28 pixels sent to the function, white ink on black as in MNIST. */
export function showPreview(pixels) {
  const image = preview.createImageData(SIZE, SIZE);
  pixels.forEach((level, i) => image.data.set([level, level, level, 255], 4 * i));
  preview.putImageData(image, 0, 0);
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

/** Calls `onChoose(label)` when a digit of the correction row is chosen, once for each reading: the row
 * then waits for showCorrectionResult. */
export function onCorrection(onChoose) {
  labels.forEach((button, d) =>
    button.addEventListener("click", () => {
      if (!correctable) return;
      setCorrectable(false);
      onChoose(d);
    }),
  );
}

/** The correction was stored, or not (a problem from function.js's sendCorrection). */
export function showCorrectionResult(label, problem) {
  if (!problem) {
    say(`Thanks: stored as a ${label}.`, "thanks");
    return;
  }
  setCorrectable(true); // it may be tried again
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
function describe({ kind, given, url, message, retryAfter, status: code }) {
  const kept = "Your drawing is kept.";
  switch (kind) {
    case "no-function":
      return given === null
        ? "No function to ask: add ?api= and the function's URL to this page's address, or write site/config.js."
        : `“${given}” is not an http:// or https:// address: check ?api= in this page's address.`;
    case "slow":
      return `Waiting for the function: it may be starting up, which takes a few seconds after a quiet spell. ${kept}`;
    case "starting":
      return `The function is not ready (${message || "starting"}). Trying again in ${retryAfter} s. ${kept}`;
    case "unreachable":
      return `Cannot reach the function at ${url}: it may be down, or the address may be wrong. ${kept}`;
    case "refused":
      return `The function answered with an error (${code}${message ? `: ${message}` : ""}). ${kept}`;
    default: // "garbled"
      return `The function's answer is not a reading of a digit: is this the right address? ${kept}`;
  }
}
