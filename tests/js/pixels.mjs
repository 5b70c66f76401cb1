// Runs site/pixels.js on the pictures given as JSON on stdin, [{width, height, rgba: base64}, ...], and
// writes a JSON list back: the 784 values for each, or {"empty": message} where it found no digit.
import { readFileSync } from "node:fs";
import { EmptyImageError, toMnist } from "../../site/pixels.js";

const pictures = JSON.parse(readFileSync(0, "utf8"));
const results = pictures.map(({ width, height, rgba }) => {
  try {
    return Array.from(toMnist(new Uint8Array(Buffer.from(rgba, "base64")), width, height));
  } catch (error) {
    if (error instanceof EmptyImageError) return { empty: error.message };
    throw error;
  }
});
process.stdout.write(JSON.stringify(results));
