"""Uploaded photos on disk, named by their SHA-256 digest (so a retried upload
is the same file), checked to be the JPEG, PNG or WebP they claim to be."""

import hashlib
import os
import tempfile
from pathlib import Path

MAX_PHOTO_BYTES = 10_000_000

_SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/webp", b"WEBP", 8),
)


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes really are, or None when not JPEG, PNG or WebP."""
    for content_type, signature, offset in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return content_type
    return None


class PhotoStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def save(self, data: bytes) -> str:
        """Store the bytes; return their digest, which names them from now on."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.directory / digest
        if not target.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".upload-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)  # whole file or none: no torn photos
        return digest

    def load(self, digest: str) -> bytes | None:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            return None
        path = self.directory / digest
        return path.read_bytes() if path.exists() else None
