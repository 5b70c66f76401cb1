"""The README's example digit, a 1: one vertical stroke, column 14, rows 4 to 23, white on black as the pixel
contract reads it. `python3 -m examples.one` prints its 784 pixels comma-separated, as a request's "image"
takes them: the README's curl, the one the demo prints, and deploy.sh check all send them from here. Standard
library only, and Python 3.8's, for deploy.sh's python3."""

SIZE = 28  # the pixel contract's side (digit/pixels.py, which needs numpy)
PIXELS = [255 if index % SIZE == 14 and 4 <= index // SIZE < 24 else 0 for index in range(SIZE * SIZE)]

if __name__ == "__main__":
    print(",".join(map(str, PIXELS)))
