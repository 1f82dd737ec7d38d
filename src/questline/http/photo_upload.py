"""A multipart photo submission, read as it arrives, straight into the photo store.

The caller is checked before any of this runs (the submit route: declared size,
token, scope, hunt), so an anonymous upload costs no more than its headers. Here
the body streams through a multipart parser: the `clue` and `client_time` fields
are kept (they are short), the `photo` part goes chunk by chunk into an `Upload` in the store's
upload area, hashed as it goes. The body is refused with 413 the moment it
passes the limit, whether or not it declared its length (chunked), and whatever
goes wrong (bad input, a client that hangs up, a cancelled request) the upload
is removed before the error leaves. A photo whose command is accepted is kept by
the route; it is never in memory whole.
"""

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from questline.adapters.photo_store import PhotoStore, Upload, sniff_image_type
from questline.http.errors import ApiError, invalid, too_large, unavailable

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FIELDS = ("clue", "photo", "client_time")
MAX_TEXT_BYTES = 1024  # clue ids and times are short; a longer field is bad input, not a buffer


@dataclass(frozen=True, slots=True)
class ReceivedPhoto:
    clue: str
    upload: Upload  # finished: durable, named by its digest
    content_type: str
    client_time: str | None = None

    @property
    def digest(self) -> str:
        assert self.upload.digest is not None
        return self.upload.digest


class _Reader:
    """The parser's callbacks: which part is being read, and where its bytes go."""

    def __init__(self, photos: PhotoStore, photo_limit: int) -> None:
        self.photos = photos
        self.photo_limit = photo_limit
        self.upload: Upload | None = None
        self.texts: dict[str, bytearray] = {}  # clue, client_time
        self.seen: set[str] = set()
        self.ended = False
        self._part: str | None = None
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition = b""

    def callbacks(self) -> "MultipartCallbacks":
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._part = None
        self._disposition = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if bytes(self._header_name).lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        raw_name = options.get(b"name")
        if raw_name is None:
            raise invalid("each multipart part needs a Content-Disposition with a name")
        name = raw_name.decode("utf-8", "replace")
        if name not in FIELDS:
            raise invalid(f"unknown field(s): {name}", {"fields": [name]})
        if name in self.seen:
            raise invalid(f"the field {name!r} is given twice", {"field": name})
        self.seen.add(name)
        is_file = b"filename" in options
        if name == "photo":
            if not is_file:
                raise invalid("the field 'photo' must be an uploaded file", {"field": "photo"})
            try:
                self.upload = self.photos.begin()
            except OSError as error:
                raise _store_failed(error) from None
        else:
            if is_file:
                raise invalid(f"the field {name!r} must be text, not a file", {"field": name})
            self.texts[name] = bytearray()
        self._part = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part == "photo":
            assert self.upload is not None
            if self.upload.size + (end - start) > self.photo_limit:
                raise too_large(self.photo_limit)
            try:
                self.upload.write(data[start:end])
            except OSError as error:  # a full disk is no fault of the caller's
                raise _store_failed(error) from None
        elif self._part is not None:
            text = self.texts[self._part]
            if len(text) + (end - start) > MAX_TEXT_BYTES:
                raise invalid(f"the field {self._part!r} is too long", {"field": self._part})
            text += data[start:end]

    def on_end(self) -> None:
        self.ended = True


async def receive_photo(
    request: Request, photos: PhotoStore, *, body_limit: int, photo_limit: int
) -> ReceivedPhoto:
    """The clue and the stored-to-disk photo of a multipart submission, or an ApiError
    (the upload removed). The caller keeps or discards the returned upload."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise invalid("the multipart Content-Type needs a boundary")
    reader = _Reader(photos, photo_limit)
    try:
        try:
            parser = MultipartParser(boundary, reader.callbacks())
        except ValueError as error:
            raise invalid(f"the multipart boundary cannot be used: {error}") from None
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > body_limit:
                raise too_large(body_limit)
            try:
                parser.write(chunk)
            except MultipartParseError as error:
                raise invalid(f"the multipart body cannot be read: {error}") from None
            if reader.ended:
                break  # what follows the closing boundary is the epilogue: ignored
        return await _finished(reader)
    except BaseException:
        if reader.upload is not None:
            reader.upload.discard()
        raise


async def _finished(reader: _Reader) -> ReceivedPhoto:
    if not reader.ended:
        _missing("the multipart body ended before its closing boundary")
    if not reader.texts.get("clue"):
        _missing("the field 'clue' is missing", "clue")
    if reader.upload is None:
        _missing("the field 'photo' must be an uploaded file", "photo")
    texts: dict[str, str] = {}
    for name, raw in reader.texts.items():
        try:
            texts[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid(f"the field {name!r} is not UTF-8 text", {"field": name}) from None
    content_type = sniff_image_type(reader.upload.head)
    if content_type is None:
        raise invalid("the photo must be a JPEG, PNG or WebP image", {"field": "photo"})
    try:
        await asyncio.to_thread(reader.upload.finish)
    except OSError as error:
        raise _store_failed(error) from None
    return ReceivedPhoto(texts["clue"], reader.upload, content_type, texts.get("client_time"))


def _store_failed(error: OSError) -> ApiError:
    return unavailable(f"the photo cannot be stored now ({error.strerror or error}); retry", 5)


def _missing(message: str, field: str | None = None) -> NoReturn:
    raise invalid(message, {"field": field} if field else None)


__all__ = ["ApiError", "ReceivedPhoto", "receive_photo"]
