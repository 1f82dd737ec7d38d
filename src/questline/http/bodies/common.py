"""Shapes every part of the API shares: times, the error body, the probes' answer."""

from typing import Annotated, Any

import msgspec

from questline.http.endpoint import Shape

Time = Annotated[str, msgspec.Meta(extra_json_schema={"format": "date-time"})]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class ErrorDetail(Shape):
    code: str
    message: str
    details: Any


class Error(Shape):
    """Every 4xx and 5xx answer."""

    error: ErrorDetail


class Health(Shape):
    status: str
    reasons: list[str] | None = None
