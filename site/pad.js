// The drawing pad: pointer input (mouse, touch, pen) on a canvas, the strokes it records, undo, and two
// renderings of those strokes: as the person sees them, for the pixel contract to split into digits, and each
// digit's strokes for the model, with an MNIST-like stroke width whatever size they were drawn.

const INK = "#14141f";
const PAD_LINE_WIDTH = 0.035; // of the pad's height: the line the user sees
const SEEN_SCALE = 200; // pixels per pad height, in the rendering as seen
// For the model, the line width is a fraction of the strokes' bounding box (its longer side): once the
// pixel contract has fitted the digit into 20 pixels, strokes are about 3 pixels wide, as in MNIST, and a
// digit carries about as much ink as MNIST's digits of its class (tests/browser/test_drawing.py).
const MODEL_LINE_WIDTH = 0.18;
const MODEL_SPAN = 200; // pixels: the bounding box's longer side in the rendering for the model
const MIN_SPAN = 0.01; // of the pad's height: a dot is rendered as if its strokes spanned this much

/** Draws strokes (lists of [x, y] points) in the context's current coordinates, with round ends. */
function trace(context, strokes, lineWidth) {
  Object.assign(context, { lineWidth, lineCap: "round", lineJoin: "round", strokeStyle: INK, fillStyle: INK });
  for (const [first, ...rest] of strokes) {
    context.beginPath();
    context.arc(...first, lineWidth / 2, 0, 2 * Math.PI); // a tap leaves a dot: a zero-length line paints nothing
    context.fill();
    context.beginPath();
    context.moveTo(...first);
    rest.forEach((point) => context.lineTo(...point));
    context.stroke();
  }
}

/** The smallest box around every point of the strokes, as [left, top, right, bottom]. A loop, because
 * Math.min(...points) passes each point as an argument, and a long drawing has more than a call can take. */
function boundingBox(strokes) {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      [left, right] = [Math.min(left, x), Math.max(right, x)];
      [top, bottom] = [Math.min(top, y), Math.max(bottom, y)];
    }
  }
  return [left, top, right, bottom];
}

/** A canvas to draw on; `onChange` hears of every new point, undo and clear. */
export class Pad {
  #canvas;
  #context;
  #onChange;
  #strokes = []; // each a list of [x, y] points, in pad heights from its top left, so a resize keeps them
  #pointerId = null; // the pointer drawing the current stroke: a second finger is ignored

  constructor(canvas, onChange) {
    this.#canvas = canvas;
    this.#context = canvas.getContext("2d");
    this.#onChange = onChange;
    canvas.addEventListener("pointerdown", (event) => this.#begin(event));
    canvas.addEventListener("pointermove", (event) => this.#extend(event));
    canvas.addEventListener("pointerup", (event) => this.#end(event));
    canvas.addEventListener("pointercancel", (event) => this.#end(event));
    new ResizeObserver(() => this.#matchScreen()).observe(canvas);
  }

  get isEmpty() {
    return this.#strokes.length === 0;
  }

  /** Removes the last stroke (the one being drawn, if any). */
  undo() {
    if (this.isEmpty) return;
    this.#strokes.pop();
    this.#pointerId = null;
    this.#redraw();
    this.#onChange();
  }

  /** Removes every stroke. */
  clear() {
    if (this.isEmpty) return;
    this.#strokes = [];
    this.#pointerId = null;
    this.#redraw();
    this.#onChange();
  }

  /** The strokes as the person sees them, as ImageData, SEEN_SCALE pixels to a pad height, so that what
   * looks apart on the pad is apart here; and the pixel under each stroke's first point. Paper, half the
   * drawing's height wide, surrounds it: more paper than ink, as the pixel contract expects of a picture. */
  renderAsSeen() {
    const [left, top, right, bottom] = boundingBox(this.#strokes);
    const margin = (bottom - top) / 2 + PAD_LINE_WIDTH;
    const [x, y] = [left - margin, top - margin];
    const canvas = new OffscreenCanvas(
      Math.ceil((right + margin - x) * SEEN_SCALE),
      Math.ceil((bottom + margin - y) * SEEN_SCALE),
    );
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.setTransform(SEEN_SCALE, 0, 0, SEEN_SCALE, -x * SEEN_SCALE, -y * SEEN_SCALE);
    trace(context, this.#strokes, PAD_LINE_WIDTH);
    const pixel = ([px, py]) => [Math.floor((px - x) * SEEN_SCALE), Math.floor((py - y) * SEEN_SCALE)];
    const starts = this.#strokes.map((stroke) => pixel(stroke[0]));
    return { image: context.getImageData(0, 0, canvas.width, canvas.height), starts };
  }

  /** The strokes numbered in `which` (all by default) drawn again for the model, as ImageData: scaled so that
   * their bounding box's longer side is MODEL_SPAN pixels, with a line width in proportion, so that a digit
   * drawn small or large, with a thin or thick line, reaches the pixel contract with MNIST's stroke width. */
  render(which = this.#strokes.keys()) {
    const strokes = Array.from(which, (index) => this.#strokes[index]);
    const [left, top, right, bottom] = boundingBox(strokes);
    const span = Math.max(right - left, bottom - top, MIN_SPAN);
    const scale = MODEL_SPAN / span;
    const margin = MODEL_LINE_WIDTH * MODEL_SPAN; // room for the line's width and its antialiased edge
    const canvas = new OffscreenCanvas(
      Math.ceil((right - left) * scale + 2 * margin),
      Math.ceil((bottom - top) * scale + 2 * margin),
    );
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.setTransform(scale, 0, 0, scale, margin - left * scale, margin - top * scale);
    trace(context, strokes, MODEL_LINE_WIDTH * span);
    return context.getImageData(0, 0, canvas.width, canvas.height);
  }

  #begin(event) {
    if (this.#pointerId !== null || event.button !== 0) return;
    event.preventDefault();
    this.#canvas.setPointerCapture(event.pointerId);
    this.#pointerId = event.pointerId;
    this.#strokes.push([this.#pointOf(event)]);
    this.#redraw();
    this.#onChange();
  }

  #extend(event) {
    if (event.pointerId !== this.#pointerId) return;
    // Coalesced events are the points the browser merged into this one: with them, fast curves stay round.
    // (A browser without them, or an event sent by a script, has none: the event itself is the point.)
    const coalesced = event.getCoalescedEvents?.() ?? [];
    const points = (coalesced.length ? coalesced : [event]).map((each) => this.#pointOf(each));
    this.#strokes.at(-1).push(...points);
    this.#redraw();
    this.#onChange();
  }

  #end(event) {
    if (event.pointerId === this.#pointerId) this.#pointerId = null;
  }

  #pointOf(event) {
    return [event.offsetX / this.#canvas.clientHeight, event.offsetY / this.#canvas.clientHeight];
  }

  /** Sizes the canvas's pixels to the screen's (sharp on high-DPI screens) and draws the strokes again. */
  #matchScreen() {
    const height = Math.round(this.#canvas.clientHeight * devicePixelRatio);
    this.#canvas.width = Math.round(this.#canvas.clientWidth * devicePixelRatio);
    this.#canvas.height = height;
    this.#context.setTransform(height, 0, 0, height, 0, 0); // draw in pad heights
    this.#redraw();
  }

  /** Draws every stroke afresh (drawing only the new piece would leave beads where pieces overlap). */
  #redraw() {
    this.#context.clearRect(0, 0, this.#canvas.width, this.#canvas.height);
    trace(this.#context, this.#strokes, PAD_LINE_WIDTH);
  }
}
