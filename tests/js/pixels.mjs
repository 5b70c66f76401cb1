// Runs site/pixels.js (and split.js, for numbers) on the pictures given as JSON on stdin, [{width, height, rgba:
// base64, number}, ...], and writes a JSON list back: for a picture of one digit its 784 values, for a number
// {digits: [784 values each], boxes: [[top, bottom, left, right] each]}; or {"empty": message} where it found no
// digit.
import { readFileSync } from "node:fs";
import { EmptyImageError, cleanInk, inkMap, toMnist } from "../../site/pixels.js";
import { labelDigits, toMnistDigits } from "../../site/split.js";

const pictures = JSON.parse(readFileSync(0, "utf8"));
const results = pictures.map(({ width, height, rgba, number }) => {
  const pixels = new Uint8Array(Buffer.from(rgba, "base64"));
  try {
    if (!number) return Array.from(toMnist(pixels, width, height));
    const { boxes } = labelDigits(cleanInk(inkMap(pixels, width, height)));
    return { digits: toMnistDigits(pixels, width, height).map((digit) => Array.from(digit)), boxes };
  } catch (error) {
    if (error instanceof EmptyImageError) return { empty: error.message };
    throw error;
  }
});
process.stdout.write(JSON.stringify(results));
