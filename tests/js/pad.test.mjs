// site/pad.js in Node, on a stand-in canvas: a drawing far longer than a person makes by hand is still
// rendered for the model, with the box its strokes span. (The browser tests draw real digits.)
import assert from "node:assert/strict";
import { test } from "node:test";

const DRAWING_CALLS = ["setTransform", "clearRect", "beginPath", "arc", "fill", "moveTo", "lineTo", "stroke"];

/** A 2D context that draws nothing, and whose image is the size it is asked for. */
function fakeContext() {
  const context = Object.fromEntries(DRAWING_CALLS.map((name) => [name, () => {}]));
  context.getImageData = (x, y, width, height) => ({ width, height });
  return context;
}

// Browser classes pad.js uses that Node does not have.
globalThis.ResizeObserver = class {
  observe() {}
};
globalThis.OffscreenCanvas = class {
  constructor(width, height) {
    Object.assign(this, { width, height });
  }

  getContext() {
    return fakeContext();
  }
};

const { Pad } = await import("../../site/pad.js");

/** A 400x400 pad whose pointer events the test sends itself. */
function padOnFakeCanvas() {
  const listeners = {};
  const canvas = {
    clientWidth: 400,
    clientHeight: 400,
    addEventListener: (type, listener) => (listeners[type] = listener),
    setPointerCapture() {},
    getContext() {
      return fakeContext();
    },
  };
  const pad = new Pad(canvas, () => {});
  const send = (type, points) =>
    listeners[type]({
      pointerId: 1,
      button: 0,
      offsetX: points[0][0],
      offsetY: points[0][1],
      preventDefault() {},
      getCoalescedEvents: () => points.map(([offsetX, offsetY]) => ({ offsetX, offsetY })),
    });
  return { pad, send };
}

test("a drawing of 200,000 points is rendered with the box its strokes span", () => {
  const { pad, send } = padOnFakeCanvas();
  send("pointerdown", [[200, 150]]);
  for (let event = 0; event < 20; event++) {
    // 10,000 points an event, zigzagging across x 100..300 and y 100..200 (of the pad's 400)
    send("pointermove", Array.from({ length: 10_000 }, (_, i) => [100 + (i % 201), 100 + (i % 101)]));
  }
  send("pointerup", [[200, 150]]);

  const image = pad.render();
  // The box is 0.5 x 0.25 of the pad: its longer side becomes 200 pixels, with 36 pixels of margin each side.
  assert.deepEqual([image.width, image.height], [272, 172]);
});
