"""The 64-bit difference hash (dHash) of a received photo, so fair play can flag
near-duplicates from different teams (log-features.md): the photo shrunk to 9x8
grey pixels, one bit per pair of neighbours in a row (is the left one brighter).
Re-encoded, resized or slightly retouched copies keep most bits.

Computed when the photo arrives, in a worker thread (decoding is CPU work). A photo
that cannot be decoded, or whose pixels would take too much memory to decode, gets no
dHash (its digest still catches exact copies): never an error for the team.
"""

import logging
import warnings
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 9, 8
# JPEGs decode at 1/8 scale (draft mode), so any phone photo is cheap; other formats
# decode whole: past this many pixels they are not worth the memory.
MAX_FULL_DECODE_PIXELS = 40_000_000


def dhash_of(image: Image.Image) -> str:
    grey = image.convert("L").resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()  # one byte per grey pixel, row by row
    bits = 0
    for row in range(HEIGHT):
        for col in range(WIDTH - 1):
            left = pixels[row * WIDTH + col]
            right = pixels[row * WIDTH + col + 1]
            bits = (bits << 1) | (1 if left > right else 0)
    return f"{bits:016x}"


def photo_dhash(path: Path) -> str | None:
    """The photo's dHash as 16 lower-case hex digits, or None if it cannot be decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format == "JPEG":
                    image.draft("L", (WIDTH * 8, HEIGHT * 8))
                elif image.width * image.height > MAX_FULL_DECODE_PIXELS:
                    return None
                return dhash_of(image)
    except Exception as error:  # any undecodable input: the photo stays, without a dHash
        log.info("no dHash for photo %s: %s", path.name, error)
        return None
