// site/function.js against a fake function and a fake clock, so that the order of events is exact: which
// drawing is sent when, what is shown, what is dropped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LiveReader, sendCorrection } from "../../site/function.js";

const DELAY_MS = 100;
const SLOW_MS = 2000;

/** Timers that run only when the test moves the clock on. */
class FakeClock {
  #now = 0;
  #timers = new Map();
  #nextId = 1;

  setTimeout = (callback, ms) => {
    this.#timers.set(this.#nextId, { due: this.#now + ms, callback });
    return this.#nextId++;
  };

  clearTimeout = (id) => this.#timers.delete(id);

  /** Moves time on by `ms`, running the timers that fall due on the way (those they set included), in order. */
  advance(ms) {
    const end = this.#now + ms;
    for (let next = this.#earliest(end); next; next = this.#earliest(end)) {
      this.#timers.delete(next.id);
      this.#now = next.due;
      next.callback();
    }
    this.#now = end;
  }

  #earliest(end) {
    const due = [...this.#timers].filter(([, timer]) => timer.due <= end).sort(([, a], [, b]) => a.due - b.due);
    return due.length ? { id: due[0][0], ...due[0][1] } : null;
  }
}

/** A drawing of one digit whose pixels are all `value`, or of several, one value each. */
const drawing = (...values) => () => values.map((value) => new Uint8Array(784).fill(value));
const imageOf = (request) => JSON.parse(request.init.body).image.split(",")[0];
const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers });
const prediction = (digit) => ({ prediction: digit, probabilities: Array.from({ length: 10 }, (_, d) => +(d === digit)) });
const MODEL = "cnn-a497cee2f488";
/** What the reader reports of the function's answer `digit` about drawing(value): the pixels it read too. */
const answer = (digit, value) => ({ digits: [{ ...prediction(digit), pixels: drawing(value)()[0] }], model: MODEL });

/** Lets the reader's awaits run: the answer is read, delivered, and the next request started. */
const settle = () => new Promise((resolve) => setImmediate(resolve));
// A 503 with no Retry-After the page can read: a platform's own, or a proxy's that hides the header.
const noModelYet = () => json(503, { error: "the model could not be loaded: bucket gs://x does not exist" });

/** The request answered last is sent again `seconds` after its answer, not a millisecond sooner. */
function assertSentAgainAfter(seconds, { clock, requests }) {
  const sent = requests.length;
  clock.advance(seconds * 1000 - 1);
  assert.equal(requests.length, sent);
  clock.advance(1);
  assert.equal(requests.length, sent + 1);
}

/** A reader wired to a fake fetch that holds every request until the test answers it. */
function setUp() {
  const clock = new FakeClock();
  const requests = [];
  const seen = { sent: [], answers: [], problems: [] };
  const fetch = (url, init) =>
    new Promise((resolve, reject) => requests.push({ url, init, resolve, reject }));
  const reader = new LiveReader(
    "http://function.test/",
    {
      onSent: (pixels) => seen.sent.push(pixels),
      onAnswer: (answer) => seen.answers.push(answer),
      onProblem: (problem) => seen.problems.push(problem),
    },
    { delayMs: DELAY_MS, slowMs: SLOW_MS, fetch, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout },
  );
  return { clock, requests, seen, reader };
}

/** A reader that has just sent one drawing, still unanswered. */
function setUpWithOneSent() {
  const setup = setUp();
  setup.reader.changed(drawing(1));
  setup.clock.advance(DELAY_MS);
  return setup;
}

test("changes in quick succession are sent once, as the newest drawing, when the drawing is still", async () => {
  const { clock, requests, seen, reader } = setUp();
  reader.changed(drawing(1));
  clock.advance(DELAY_MS - 1);
  reader.changed(drawing(2));
  clock.advance(DELAY_MS - 1);
  assert.equal(requests.length, 0);
  clock.advance(1);
  assert.equal(requests.length, 1);
  assert.equal(imageOf(requests[0]), "2");
  assert.equal(requests[0].init.method, "POST");
  assert.deepEqual(seen.sent, [drawing(2)()]);
  requests[0].resolve(json(200, { model: MODEL, ...prediction(7) }));
  await settle();
  assert.deepEqual(seen.answers, [answer(7, 2)]);
  assert.deepEqual(seen.problems, []);
});

test("a number is sent as one batch of its digits, and each digit's reading comes with its pixels", async () => {
  const { clock, requests, seen, reader } = setUp();
  reader.changed(drawing(1, 9, 8, 4));
  clock.advance(DELAY_MS);
  assert.equal(requests.length, 1);
  const { images } = JSON.parse(requests[0].init.body);
  assert.deepEqual(images.map((text) => text.split(",")[0]), ["1", "9", "8", "4"]);
  assert.deepEqual(seen.sent, [drawing(1, 9, 8, 4)()]);
  const readings = [1, 9, 8, 4].map(prediction);
  const batch = { predictions: [1, 9, 8, 4], probabilities: readings.map((r) => r.probabilities), model: MODEL };
  requests[0].resolve(json(200, batch));
  await settle();
  const pixels = drawing(1, 9, 8, 4)();
  assert.deepEqual(seen.answers, [{ digits: readings.map((r, i) => ({ ...r, pixels: pixels[i] })), model: MODEL }]);
});

test("an answer about another number of digits than were sent is not a reading", async () => {
  const { clock, requests, seen, reader } = setUp();
  reader.changed(drawing(1, 9));
  clock.advance(DELAY_MS);
  requests[0].resolve(json(200, { predictions: [1], probabilities: [prediction(1).probabilities], model: MODEL }));
  await settle();
  assert.deepEqual(seen.problems, [{ kind: "garbled" }]);
  assert.deepEqual(seen.answers, []);
});

/** A reader that has learnt the function's limits from its health. */
async function setUpWithHealth(health) {
  const setup = setUp();
  const warmed = setup.reader.warmUp();
  setup.requests.shift().resolve(json(200, { loaded: true, corrections: false, ...health }));
  await warmed;
  return setup;
}

test("more digits than the function's health says it reads are not sent, and their count is reported", async () => {
  const { clock, requests, seen, reader } = await setUpWithHealth({ max_digits: 3, retry_seconds: 10 });
  reader.changed(drawing(1, 1, 1, 1));
  clock.advance(DELAY_MS);
  assert.equal(requests.length, 0);
  assert.deepEqual(seen.problems, [{ kind: "too-many", count: 4, most: 3 }]);
  reader.changed(drawing(1, 1, 1));
  clock.advance(DELAY_MS);
  assert.equal(JSON.parse(requests[0].init.body).images.length, 3);
});

test("before the function's health has answered, a number of any length is sent: the function refuses too many", () => {
  const { clock, requests, seen, reader } = setUp();
  reader.changed(drawing(...Array(30).fill(1)));
  clock.advance(DELAY_MS);
  assert.equal(JSON.parse(requests[0].init.body).images.length, 30);
  assert.deepEqual(seen.problems, []);
});

test("one request at a time: a change waits for it, and its answer, now stale, is dropped", async () => {
  const { clock, requests, seen, reader } = setUp();
  reader.changed(drawing(1));
  clock.advance(DELAY_MS);
  reader.changed(drawing(2));
  clock.advance(DELAY_MS);
  reader.changed(drawing(3));
  clock.advance(DELAY_MS);
  assert.equal(requests.length, 1);
  requests[0].resolve(json(200, { model: MODEL, ...prediction(1) }));
  await settle();
  assert.deepEqual(seen.answers, []);
  assert.deepEqual(requests.map(imageOf), ["1", "3"]);
  requests[1].resolve(json(200, { model: MODEL, ...prediction(3) }));
  await settle();
  assert.deepEqual(seen.answers, [answer(3, 3)]);
});

test("after a reset nothing is sent, and the answer on its way is dropped", async () => {
  const { clock, requests, seen, reader } = setUpWithOneSent();
  reader.reset();
  requests[0].resolve(json(200, { model: MODEL, ...prediction(1) }));
  reader.changed(drawing(2));
  reader.reset();
  clock.advance(DELAY_MS);
  await settle();
  assert.equal(requests.length, 1);
  assert.deepEqual(seen.answers, []);
});

test("a request unanswered after slowMs is reported as slow, and its answer still shown", async () => {
  const { clock, requests, seen } = setUpWithOneSent();
  clock.advance(SLOW_MS - 1);
  assert.deepEqual(seen.problems, []);
  clock.advance(1);
  assert.deepEqual(seen.problems, [{ kind: "slow" }]);
  requests[0].resolve(json(200, { model: MODEL, ...prediction(4) }));
  await settle();
  assert.deepEqual(seen.answers, [answer(4, 1)]);
});

test("503 reports the function's message and asks again after Retry-After", async () => {
  const { clock, requests, seen } = setUpWithOneSent();
  requests[0].resolve(json(503, { error: "the model is still loading" }, { "Retry-After": "3" }));
  await settle();
  assert.deepEqual(seen.problems, [{ kind: "starting", message: "the model is still loading", retryAfter: 3 }]);
  assertSentAgainAfter(3, { clock, requests });
  requests[1].resolve(json(200, { model: MODEL, ...prediction(1) }));
  await settle();
  assert.deepEqual(seen.answers, [answer(1, 1)]);
});

test("a 503 without a readable Retry-After (a platform's own, say) is retried in 1 s before the health says", async () => {
  const { clock, requests, seen } = setUpWithOneSent();
  requests[0].resolve(noModelYet());
  await settle();
  assert.equal(seen.problems[0].retryAfter, 1);
  assertSentAgainAfter(1, { clock, requests });
});

test("a 503 without a readable Retry-After is retried when the function's health says", async () => {
  const { clock, requests, seen, reader } = await setUpWithHealth({ max_digits: 20, retry_seconds: 3 });
  reader.changed(drawing(1));
  clock.advance(DELAY_MS);
  requests[0].resolve(noModelYet());
  await settle();
  assert.equal(seen.problems[0].retryAfter, 3);
  assertSentAgainAfter(3, { clock, requests });
});

test("a function that cannot be reached is reported with its address", async () => {
  const { requests, seen } = setUpWithOneSent();
  requests[0].reject(new TypeError("Failed to fetch"));
  await settle();
  assert.deepEqual(seen.problems, [{ kind: "unreachable", url: "http://function.test/" }]);
});

test("a refusal reports the status and the function's message, whatever the body", async () => {
  const { clock, requests, seen, reader } = setUp();
  const answers = [
    json(400, { error: "image: expected 784 values, got 2" }),
    new Response("<html>Bad gateway</html>", { status: 502 }),
    json(200, { prediction: "seven" }),
    new Response("not json", { status: 200 }),
  ];
  for (const [index, answer] of answers.entries()) {
    reader.changed(drawing(index));
    clock.advance(DELAY_MS);
    requests[index].resolve(answer);
    await settle();
  }
  assert.deepEqual(seen.problems, [
    { kind: "refused", status: 400, message: "image: expected 784 values, got 2" },
    { kind: "refused", status: 502, message: "" },
    { kind: "garbled" },
    { kind: "garbled" },
  ]);
  assert.deepEqual(seen.answers, []);
});

test("warming up asks for the function's health and gives it, or null on a failure", async () => {
  const { requests, seen, reader } = setUp();
  const failed = reader.warmUp();
  assert.equal(requests.length, 1);
  assert.equal(requests[0].init.method, undefined); // a GET
  requests[0].reject(new TypeError("Failed to fetch"));
  assert.equal(await failed, null);
  const refused = reader.warmUp();
  requests[1].resolve(json(500, { error: "internal error" }));
  assert.equal(await refused, null);
  const healthy = reader.warmUp();
  requests[2].resolve(json(200, { loaded: false, corrections: true }));
  assert.deepEqual(await healthy, { loaded: false, corrections: true });
  assert.deepEqual(seen.problems, []);
});

test("a correction is posted to <url>/corrections with the pixels read, the label and the reading", async () => {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push({ url: String(url), init });
    return json(201, { stored: true, label: 7 });
  };
  const [pixels] = drawing(9)();
  const result = await sendCorrection("http://function.test", { pixels, label: 7, readAs: 1, model: MODEL }, { fetch });
  assert.deepEqual(result, { stored: true });
  assert.equal(sent[0].url, "http://function.test/corrections");
  assert.equal(sent[0].init.method, "POST");
  const body = JSON.parse(sent[0].init.body);
  assert.deepEqual(body, { image: Array(784).fill(9).join(","), label: 7, read_as: 1, model: MODEL });
  await sendCorrection("http://function.test/", { pixels, label: 7, readAs: 1, model: MODEL }, { fetch });
  assert.equal(sent[1].url, "http://function.test/corrections"); // one slash, however the URL ends
});

test("a correction refused or unreachable becomes a problem, never an exception", async () => {
  const correction = { pixels: drawing(9)()[0], label: 7, readAs: 1, model: MODEL };
  const answering = (response) => ({ fetch: async () => response });
  assert.deepEqual(await sendCorrection("http://f.test", correction, answering(json(429, { error: "too many" }, { "Retry-After": "12" }))), {
    problem: { kind: "refused", status: 429, message: "too many", retryAfter: 12 },
  });
  assert.deepEqual(await sendCorrection("http://f.test", correction, answering(new Response("<html>", { status: 502 }))), {
    problem: { kind: "refused", status: 502, message: "", retryAfter: null },
  });
  const down = { fetch: async () => Promise.reject(new TypeError("Failed to fetch")) };
  assert.deepEqual(await sendCorrection("http://f.test", correction, down), { problem: { kind: "unreachable" } });
});
