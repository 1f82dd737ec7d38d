"""The images organizers upload for their clue text, on disk per hunt and named by their
SHA-256 digest, so the same bytes are stored once and a URL names its content forever.

No event records an upload: a hunt's definition (which is in the log) refers to an
image by its digest, as a submission event refers to a photo. The folder is `images/`
beside the photos (`<photos>/images/<hunt>/<digest>`); the photo sweeper looks only at
digest-named files at the top of the photo folder and its upload area, so it never sees
these. A file is written to a temporary name in the photos' upload area (`.incoming/`,
on the same filesystem), made durable, then renamed into its hunt's folder: a reader
finds the whole image or none, and what a crash leaves behind is an upload the sweeper
removes once stale, like any other.

Names are checked before the file system is touched: a hunt id is what the hunt format
allows (`[a-z0-9-]{1,64}`), a digest is 64 lowercase hex digits; anything else is
"not found", never a path.
"""

import hashlib
import os
import re
import uuid
from pathlib import Path

from questline.adapters.photo_store import PhotoStore, sync_folder

IMAGES = "images"  # the folder's name inside the photo folder
_HUNT = re.compile(r"[a-z0-9-]{1,64}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def is_digest(value: str) -> bool:
    return _DIGEST.fullmatch(value) is not None


class ImageStore:
    def __init__(self, directory: Path, incoming: Path) -> None:
        self.directory = directory
        self.incoming = incoming  # temporary files, on the same filesystem

    @classmethod
    def beside_photos(cls, photos: PhotoStore) -> "ImageStore":
        return cls(photos.directory / IMAGES, photos.incoming_dir)

    def save(self, hunt_id: str, data: bytes) -> tuple[str, bool]:
        """(the image's digest, whether it was stored now rather than already there).
        Blocks on fsync."""
        folder = self._folder(hunt_id)
        digest = hashlib.sha256(data).hexdigest()
        target = folder / digest
        if target.is_file():
            return digest, False
        folder.mkdir(parents=True, exist_ok=True)
        self.incoming.mkdir(parents=True, exist_ok=True)
        temporary = self.incoming / f"{uuid.uuid4().hex}.part"
        try:
            with open(temporary, "xb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)  # whole file or none; the same bytes if raced
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        sync_folder(folder)
        return digest, True

    def load(self, hunt_id: str, digest: str) -> bytes | None:
        """A stored image's bytes, or None (also for a name that is not a digest)."""
        if not is_digest(digest) or _HUNT.fullmatch(hunt_id) is None:
            return None
        try:
            return (self.directory / hunt_id / digest).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def _folder(self, hunt_id: str) -> Path:
        if _HUNT.fullmatch(hunt_id) is None:
            raise ValueError(f"not a hunt id: {hunt_id!r}")
        return self.directory / hunt_id
