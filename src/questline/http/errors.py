"""Every refusal as `{"error": {"code", "message", "details"}}`, never a traceback."""

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from questline.domain.rejections import Rejection

_encoder = msgspec.json.Encoder()


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


def from_rejection(rejection: Rejection) -> ApiError:
    headers: dict[str, str] = {}
    if rejection.status == 429 and rejection.details:
        headers["Retry-After"] = str(rejection.details["retry_after"])
    return ApiError(rejection.status, rejection.code, rejection.message, rejection.details, headers)


def error_response(error: ApiError) -> Response:
    body = {"error": {"code": error.code, "message": error.message, "details": error.details}}
    return Response(
        _encoder.encode(body),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


def invalid(message: str, details: Any = None) -> ApiError:
    return ApiError(422, "invalid_input", message, details)


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)


def too_large(limit: int) -> ApiError:
    return ApiError(413, "body_too_large", f"the request body is larger than {limit} bytes")


def unavailable(message: str, retry_after: int) -> ApiError:
    return ApiError(503, "unavailable", message, headers={"Retry-After": str(retry_after)})
