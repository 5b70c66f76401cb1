// The client of the Cloud Function, made for a drawing that changes under the user's hand: it sends once
// the drawing has been still for a moment, keeps at most one request in flight (the newest drawing goes
// when that one returns), and drops answers about a drawing that has changed since they were asked for.
// Whatever the function answers, or fails to, becomes either an answer or a problem for the page to show.
// It also sends the corrections of a reading that the person says is wrong.

// How long a request may take: Cloud Functions' own limit for one (deploy.sh keeps its default).
const REQUEST_TIMEOUT_MS = 60000;

/** Reads a changing drawing of one digit or several through the function at `url`, in one request, reporting
 * to onSent(digits), onAnswer({ digits: [{ prediction, probabilities, pixels }, ...], model }) and
 * onProblem({ kind, ... }): each digit's reading carries the pixels it is about, and the answer the model version
 * that read them. */
export class LiveReader {
  #url;
  #report;
  #delayMs;
  #slowMs;
  #timeoutMs;
  #fetch;
  #setTimeout;
  #clearTimeout;
  #readDigits = null; // gives the current drawing's digits, 784 pixels each; null when there is nothing to read
  #version = 0; // counts changes, so that an answer about an older drawing is recognised
  #timer;
  #busy = false;
  #sendWhenFree = false;
  // The function's health, which says its limits (max_digits, retry_seconds). Until it answers: no limit on
  // digits (it refuses a batch too large itself), and 1 s to wait after a 503 without a readable Retry-After.
  #health = {};

  /** delayMs: how long the drawing must be still before it is sent; slowMs: after this, a request still
   * unanswered is reported (a cold start); fetch and the timer functions are replaceable for tests. */
  constructor(url, { onSent, onAnswer, onProblem }, options = {}) {
    this.#url = url;
    this.#report = { onSent, onAnswer, onProblem };
    this.#delayMs = options.delayMs ?? 120;
    this.#slowMs = options.slowMs ?? 2000;
    this.#timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#setTimeout = options.setTimeout ?? globalThis.setTimeout.bind(globalThis);
    this.#clearTimeout = options.clearTimeout ?? globalThis.clearTimeout.bind(globalThis);
  }

  /** Asks for the function's health, which starts loading its model: a cold start is then under way
   * before the first digit is finished. Learns its limits; resolves to the health report (which says, for one,
   * whether corrections are collected), or null when there is none. */
  warmUp() {
    return this.#fetch(this.#url, { signal: AbortSignal.timeout(this.#timeoutMs) })
      .then((response) => (response.ok ? response.json() : null))
      .then((health) => {
        this.#health = health ?? {};
        return health;
      })
      .catch(() => null);
  }

  /** The drawing changed; `readDigits` gives its digits' pixels, left to right, at the time it is sent. */
  changed(readDigits) {
    this.#readDigits = readDigits;
    this.#version += 1;
    this.#sendIn(this.#delayMs);
  }

  /** The drawing is gone: nothing is sent, and an answer still on its way is dropped. */
  reset() {
    this.#readDigits = null;
    this.#version += 1;
    this.#clearTimeout(this.#timer);
  }

  #sendIn(delayMs) {
    this.#clearTimeout(this.#timer);
    this.#timer = this.#setTimeout(() => this.#send(), delayMs);
  }

  /** Sends the current drawing, or, while a request is in flight, sends it as soon as that one returns. */
  async #send() {
    if (this.#busy) {
      this.#sendWhenFree = true;
      return;
    }
    if (!this.#readDigits) return;
    const version = this.#version;
    const digits = this.#readDigits();
    const most = this.#health.max_digits;
    if (digits.length > most) {
      this.#report.onProblem({ kind: "too-many", count: digits.length, most });
      return;
    }
    this.#report.onSent(digits);
    this.#busy = true;
    const slow = this.#setTimeout(() => this.#readDigits && this.#report.onProblem({ kind: "slow" }), this.#slowMs);
    const { answer, problem } = await this.#ask(digits);
    this.#clearTimeout(slow);
    this.#busy = false;
    if (version === this.#version) {
      if (answer) this.#report.onAnswer(answer);
      if (problem) this.#report.onProblem(problem);
      if (problem?.retryAfter) this.#sendIn(problem.retryAfter * 1000);
    }
    if (this.#sendWhenFree) {
      this.#sendWhenFree = false;
      this.#send();
    }
  }

  /** One request, `image` for one digit and `images` for several: { answer } or { problem }, never an exception. */
  async #ask(digits) {
    const texts = digits.map((pixels) => pixels.join(","));
    const payload = texts.length === 1 ? { image: texts[0] } : { images: texts };
    const sent = await postJson(this.#fetch, this.#url, payload, this.#timeoutMs);
    if (!sent) return { problem: { kind: "unreachable", url: this.#url } };
    const { response, body } = sent;
    const [predictions, probabilities] =
      texts.length === 1 ? [[body?.prediction], [body?.probabilities]] : [body?.predictions, body?.probabilities];
    if (response.ok && areReadings(predictions, probabilities, digits.length)) {
      const model = typeof body.model === "string" ? body.model : null;
      const read = digits.map((pixels, i) => ({ prediction: predictions[i], probabilities: probabilities[i], pixels }));
      return { answer: { digits: read, model } };
    }
    const message = errorMessage(body);
    if (response.status === 503) {
      const retryAfter = Number(response.headers.get("Retry-After")) || this.#health.retry_seconds || 0;
      return { problem: { kind: "starting", message, retryAfter: Math.min(Math.max(retryAfter, 1), 60) } };
    }
    if (!response.ok) return { problem: { kind: "refused", status: response.status, message } };
    return { problem: { kind: "garbled" } };
  }
}

/** Sends the correction of a reading to the function at `url`: the pixels read, the digit they show (`label`),
 * what the model read (`readAs`) and its version (`model`). Resolves to { stored: true } or to
 * { problem: { kind: "unreachable" } } or { problem: { kind: "refused", status, message, retryAfter } };
 * never rejects. fetch is replaceable for tests. */
export async function sendCorrection(url, correction, { fetch = globalThis.fetch.bind(globalThis) } = {}) {
  const { pixels, label, readAs, model } = correction;
  const endpoint = new URL("corrections", url.endsWith("/") ? url : `${url}/`);
  const image = Array.from(pixels).join(",");
  const sent = await postJson(fetch, endpoint, { image, label, read_as: readAs, model }, REQUEST_TIMEOUT_MS);
  if (!sent) return { problem: { kind: "unreachable" } };
  const { response, body } = sent;
  if (response.status === 201 && body?.stored === true) return { stored: true };
  const retryAfter = Number(response.headers.get("Retry-After")) || null;
  return { problem: { kind: "refused", status: response.status, message: errorMessage(body), retryAfter } };
}

/** POSTs `payload` as JSON; resolves to the response and its JSON body (null when it is not JSON), or to null
 * when the function cannot be reached within `timeoutMs`. */
async function postJson(fetch, url, payload, timeoutMs) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return null;
  }
  return { response, body: await response.json().catch(() => null) };
}

/** The function's own explanation in an error answer, or "" when it gave none. */
function errorMessage(body) {
  return typeof body?.error === "string" ? body.error : "";
}

/** Whether an answer holds readings the page can show: `count` digits, each with ten probabilities. */
function areReadings(predictions, probabilities, count) {
  return (
    Array.isArray(predictions) &&
    Array.isArray(probabilities) &&
    predictions.length === count &&
    probabilities.length === count &&
    predictions.every((digit) => Number.isInteger(digit) && digit >= 0 && digit <= 9) &&
    probabilities.every((each) => Array.isArray(each) && each.length === 10 && each.every(Number.isFinite))
  );
}
