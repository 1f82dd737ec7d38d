"""Uploaded photos on disk, named by their SHA-256 digest (so a retried upload is
the same file), checked to be the JPEG, PNG or WebP they claim to be.

An upload is written to the folder's upload area (`.incoming/`, on the same
filesystem, so keeping it is one atomic rename) as its bytes arrive, hashed as
they go: no more than one network chunk of a photo is ever in memory. It enters
the store (`keep`) only once a committed event refers to it; the submit route
removes it (`discard`) when the command was refused. What a crash or a lost
reply leaves in the upload area, and stored photos no event refers to, are the
photo sweeper's to settle (engine/photo_sweep.py), through the `PhotoFiles`
methods at the bottom.

Upload area names: `<id>.part` while arriving; `<digest>.<id>.ready` once
complete and durable; `<digest>.<id>.drop` for a stored photo being removed.
"""

import hashlib
import os
import re
import uuid
from pathlib import Path

from questline.ports import IncomingPhoto

MAX_PHOTO_BYTES = 10_000_000
INCOMING = ".incoming"
HEAD_BYTES = 16  # enough for every signature below

_SIGNATURES: tuple[tuple[str, bytes, int], ...] = (
    ("image/jpeg", b"\xff\xd8\xff", 0),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0),
    ("image/webp", b"WEBP", 8),
)
_DIGEST = re.compile(r"[0-9a-f]{64}")
_FINISHED = re.compile(r"([0-9a-f]{64})\.[0-9a-f]{32}\.(ready|drop)")


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes really are, or None when not JPEG, PNG or WebP."""
    for content_type, signature, offset in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not data.startswith(b"RIFF"):
                continue
            return content_type
    return None


class Upload:
    """One photo arriving: appended to a file of the upload area, hashed as it goes."""

    def __init__(self, incoming: Path) -> None:
        incoming.mkdir(parents=True, exist_ok=True)
        self._id = uuid.uuid4().hex
        self.path = incoming / f"{self._id}.part"
        self._file = open(self.path, "xb")  # noqa: SIM115 (finish/discard close it)
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""  # the first bytes, for sniff_image_type
        self.digest: str | None = None

    def write(self, data: bytes) -> None:
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]
        self._hash.update(data)
        self._file.write(data)
        self.size += len(data)

    def finish(self) -> str:
        """Make the bytes durable and name the file by their digest (blocks on fsync)."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        digest = self._hash.hexdigest()
        finished = self.path.with_name(f"{digest}.{self._id}.ready")
        os.replace(self.path, finished)
        self.path = finished
        self.digest = digest
        return digest

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


class PhotoStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.incoming_dir = directory / INCOMING

    def begin(self) -> Upload:
        return Upload(self.incoming_dir)

    def keep(self, upload: Upload) -> None:
        """Store a finished upload under its digest (blocks on the folder's fsync)."""
        assert upload.digest is not None, "finish the upload first"
        if not self._move_in(upload.path, upload.digest) and not self.path(upload.digest).exists():
            raise FileNotFoundError(f"upload {upload.path.name} vanished before it was kept")

    def path(self, digest: str) -> Path:
        return self.directory / digest

    def load(self, digest: str) -> bytes | None:
        """A stored photo's bytes. Only asked for photos a committed event refers to, so
        an upload of them still waiting in the upload area (its kept-rename lost to a
        crash) is stored now rather than answered as missing."""
        if not _DIGEST.fullmatch(digest):
            return None
        path = self.path(digest)
        if not path.exists():
            for found in self.incoming():
                if found.digest == digest and found.name.endswith(".ready"):
                    self.adopt(found.name)
                    break
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def _move_in(self, source: Path, digest: str) -> bool:
        try:
            os.replace(source, self.path(digest))  # whole file or none: no torn photos
        except FileNotFoundError:
            return False  # kept by someone else meanwhile (the same bytes), or gone
        sync_folder(self.directory)
        return True

    # -- PhotoFiles: what the sweeper sees and does --------------------------------------

    def stored(self) -> dict[str, float]:
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return {}
        found: dict[str, float] = {}
        for entry in entries:
            if _DIGEST.fullmatch(entry.name) and entry.is_file():
                try:
                    found[entry.name] = entry.stat().st_mtime
                except FileNotFoundError:
                    continue
        return found

    def incoming(self) -> list[IncomingPhoto]:
        try:
            entries = list(os.scandir(self.incoming_dir))
        except FileNotFoundError:
            return []
        found: list[IncomingPhoto] = []
        for entry in entries:
            try:
                modified_at = entry.stat().st_mtime
            except FileNotFoundError:
                continue
            finished = _FINISHED.fullmatch(entry.name)
            found.append(IncomingPhoto(entry.name, finished[1] if finished else None, modified_at))
        return found

    def adopt(self, name: str) -> bool:
        finished = _FINISHED.fullmatch(name)
        if finished is None:
            return False
        return self._move_in(self.incoming_dir / name, finished[1])

    def drop_incoming(self, name: str) -> bool:
        path = self.incoming_dir / name
        if path.parent != self.incoming_dir:
            return False
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def drop_stored(self, digest: str, unless_modified_after: float) -> bool:
        if not _DIGEST.fullmatch(digest):
            return False
        self.incoming_dir.mkdir(parents=True, exist_ok=True)
        aside = self.incoming_dir / f"{digest}.{uuid.uuid4().hex}.drop"
        try:
            os.rename(self.path(digest), aside)  # atomic: whichever file is there now
        except FileNotFoundError:
            return False
        if aside.stat().st_mtime > unless_modified_after:
            # Kept again between the sweeper's look and now: put it back (same bytes).
            self._move_in(aside, digest)
            return False
        aside.unlink()
        return True


def sync_folder(directory: Path) -> None:
    """Make a rename in the folder durable (power loss included)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
