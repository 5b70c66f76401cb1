// Times site/pixels.js on the picture given as JSON on stdin, {width, height, rgba: base64}: prints the
// median milliseconds per call over `runs` calls (after a few untimed ones, as a page would be warm).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { toMnist } from "../site/pixels.js";

const { width, height, rgba, runs } = JSON.parse(readFileSync(0, "utf8"));
const pixels = new Uint8Array(Buffer.from(rgba, "base64"));
const timings = [];
for (let run = -10; run < runs; run += 1) {
  const started = performance.now();
  toMnist(pixels, width, height);
  if (run >= 0) timings.push(performance.now() - started);
}
timings.sort((a, b) => a - b);
process.stdout.write(String(timings[timings.length >> 1]));
