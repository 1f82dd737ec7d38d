"""The hunt's own images (hunt-day.md: clue text in Markdown "with images the organizer
uploads"): organizers upload them, anyone reads them, clue text refers to them by URL.

Stored content-addressed (adapters/image_store.py): the same bytes stored twice are one
file, 201 the first time and 200 after. The URL of an image never changes what it
names, so readers may cache it for good. Only JPEG, PNG and WebP are kept, told by their
bytes: the Content-Type an uploader declares is not believed, and replies carry the
sniffed type with `nosniff`.
"""

import asyncio
from typing import Any

from starlette.responses import Response

from questline.adapters.image_store import is_digest
from questline.adapters.photo_store import sniff_image_type
from questline.http.bodies.images import StoredImage
from questline.http.endpoint import Call, Endpoint, ImageBytes, Reply2xx
from questline.http.errors import ApiError, not_found, unavailable
from questline.http.responses import json_response

IMMUTABLE = "public, max-age=31536000, immutable"


def unsupported(message: str) -> ApiError:
    return ApiError(415, "unsupported_image", message)


async def upload(call: Call) -> Any:
    data: bytes = call.body
    if call.request.headers.get("content-type", "").startswith("multipart/"):
        raise unsupported(
            "send the JPEG, PNG or WebP image's bytes as the whole body (Content-Type "
            "image/jpeg, image/png or image/webp), not a form"
        )
    if sniff_image_type(data) is None:
        raise unsupported("the body must be a JPEG, PNG or WebP image; its bytes are none of these")
    try:
        digest, created = await asyncio.to_thread(call.services.images.save, call.hunt_id, data)
    except OSError as error:  # a full disk is no fault of the caller's
        reason = error.strerror or error
        raise unavailable(f"the image cannot be stored now ({reason}); retry", 5) from None
    url = f"/api/hunts/{call.hunt_id}/images/{digest}"
    body = StoredImage(digest=digest, url=url, markdown=f"![]({url})")
    return json_response(body, 201 if created else 200, {"Location": url})


async def image(call: Call) -> Any:
    digest = call.path("digest")
    data = None
    if is_digest(digest):  # checked before the file system is asked anything
        data = await asyncio.to_thread(call.services.images.load, call.hunt_id, digest)
    media = sniff_image_type(data) if data is not None else None
    if data is None or media is None:
        raise not_found(
            "unknown_image", "there is no such image in this hunt (a 64-hex-digit SHA-256 digest)"
        )
    return Response(
        data,
        media_type=media,
        headers={"Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff"},
    )


IMAGE = Reply2xx("image/*", {"type": "string", "format": "binary"})

ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/images",
        "Upload an image for clue text (JPEG, PNG or WebP bytes as the body); 200 if "
        "the same bytes were stored already",
        "organizer",
        upload,
        StoredImage,
        201,
        body=ImageBytes(),
        other_statuses=((200, StoredImage),),
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/images/{digest}",
        "An uploaded image, by its SHA-256 digest (anyone; cacheable for good)",
        "anyone",
        image,
        IMAGE,
    ),
]
