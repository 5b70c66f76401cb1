// Everything the page writes on screen: the digit read, the ten probability bars, the preview of the pixels
// sent, and messages. No other module changes the page's content.

const reading = document.getElementById("reading");
const digit = document.getElementById("prediction");
const bars = document.getElementById("probabilities");
const preview = document.getElementById("preview").getContext("2d");
const status = document.getElementById("status");

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

const setBusy = (busy) => reading.setAttribute("aria-busy", String(busy));

/** Marks the reading as out of date while the drawing changes: screen readers wait for the new one
 * (aria-busy) instead of announcing every reading on the way. */
export function showWaiting() {
  setBusy(true);
}

/** Shows the function's reading of the drawing, and clears any message. */
export function showAnswer({ prediction, probabilities }) {
  setBusy(false);
  digit.textContent = String(prediction);
  rows.forEach(({ row, meter, percent }, d) => {
    meter.value = probabilities[d];
    percent.textContent = `${Math.round(probabilities[d] * 100)}%`;
    row.classList.toggle("chosen", d === prediction);
  });
  status.textContent = "";
}

/** Empties the reading: no digit, empty bars. */
function clearAnswer() {
  digit.textContent = "";
  rows.forEach(({ row, meter, percent }) => {
    meter.value = 0;
    percent.textContent = "";
    row.classList.remove("chosen");
  });
}

/** Shows the 28x28 pixels sent to the function, white ink on black as in MNIST. */
export function showPreview(pixels) {
  const image = preview.createImageData(28, 28);
  pixels.forEach((level, i) => image.data.set([level, level, level, 255], 4 * i));
  preview.putImageData(image, 0, 0);
}

/** Back to a blank page: nothing drawn, nothing read, nothing to say. */
export function showNothing() {
  setBusy(false);
  clearAnswer();
  preview.clearRect(0, 0, 28, 28);
  status.textContent = "";
}

/** Explains a problem (see api.js for the kinds). The drawing stays; a reading it no longer matches goes. */
export function showProblem(problem) {
  if (problem.kind !== "slow") {
    setBusy(false);
    clearAnswer();
  }
  status.textContent = describe(problem);
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
