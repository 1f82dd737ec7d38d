"""Small real PNG images for simulated photo uploads, made without any library."""

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def solid_png(rgb: tuple[int, int, int], size: int = 16) -> bytes:
    """A valid size x size PNG of one colour."""
    row = b"\x00" + bytes(rgb) * size  # filter byte 0, then the pixels
    raw = row * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw))
        + _chunk(b"IEND", b"")
    )
