"""A page opened by a browser test: what it requested, what went wrong in it, and what it shows."""

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request, expect

# The preview's pixels: the red channel of its 28x28 canvas (the preview is grey: red = green = blue).
PREVIEW = """() => Array.from(
  document.getElementById("preview").getContext("2d").getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)
)"""
BARS = """() => Array.from(document.querySelectorAll("#probabilities [data-digit]"))
  .sort((a, b) => a.dataset.digit - b.dataset.digit)
  .map((row) => row.querySelector("meter").value)"""
# Each digit of a number shown: its text, and the red channel of its 28x28 canvas.
DIGITS_SHOWN = """() => Array.from(document.querySelectorAll("#digits button")).map((button) => [
  button.textContent,
  Array.from(button.querySelector("canvas").getContext("2d").getImageData(0, 0, 28, 28).data)
    .filter((_, i) => i % 4 === 0),
])"""
INK_ON_PAD = """() => {
  const pad = document.getElementById("pad");
  return pad.getContext("2d").getImageData(0, 0, pad.width, pad.height).data.some((value, i) => i % 4 === 3 && value);
}"""


@dataclass
class Visit:
    page: Page
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # uncaught exceptions and console errors

    def watch(self) -> "Visit":
        self.page.on("request", lambda request: self.requests.append(request))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        return self

    def origins(self) -> set[str]:
        return {"{0.scheme}://{0.netloc}".format(urlsplit(request.url)) for request in self.requests}

    def readings_sent(self) -> list[dict]:
        """The body of every request the page sent to the function to be read, in order."""
        return [
            json.loads(r.post_data) for r in self.requests if r.method == "POST" and not r.url.endswith("/corrections")
        ]

    def last_sent(self) -> list[int]:
        """The pixels of the last image of one digit the page sent to the function to be read."""
        sent = self.readings_sent()
        assert sent, "the page sent nothing"
        return [int(value) for value in sent[-1]["image"].split(",")]

    def last_number_sent(self) -> list[list[int]]:
        """The pixels of each digit of the last number the page sent to the function to be read, in one request."""
        sent = self.readings_sent()
        assert sent, "the page sent nothing"
        return [[int(value) for value in image.split(",")] for image in sent[-1]["images"]]

    def settle(self) -> None:
        """Waits until the reading is about the drawing as it is now: the page clears aria-busy then."""
        expect(self.page.locator("#reading")).to_have_attribute("aria-busy", "false")

    def digit_shown(self) -> str:
        self.settle()
        return self.page.locator("#prediction").text_content()

    def bars(self) -> list[float]:
        """The probability shown for each digit, 0 to 9."""
        self.settle()
        return self.page.evaluate(BARS)

    def preview(self) -> list[int]:
        return self.page.evaluate(PREVIEW)

    def digits_shown(self) -> list[tuple[str, list[int]]]:
        """Each digit of the number shown, as its text (the digit and how sure) and its 28x28 pixels."""
        self.settle()
        return [(text, pixels) for text, pixels in self.page.evaluate(DIGITS_SHOWN)]

    def ink_on_pad(self) -> bool:
        return self.page.evaluate(INK_ON_PAD)
