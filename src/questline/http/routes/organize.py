"""Organizer routes: adjustments, announcements, the photo review queue."""

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from questline.adapters.photo_store import sniff_image_type
from questline.domain.commands import AdjustScore, Announce, ReviewPhoto
from questline.domain.limits import points_problem
from questline.domain.projections.rows import ReviewRow
from questline.domain.replies import AdjustmentReply, ReviewReply
from questline.domain.timestamps import to_rfc3339
from questline.http.command_runner import fingerprint, idempotency_command_id, run_command
from questline.http.errors import forbidden, invalid, not_found
from questline.http.request_context import (
    Organizer,
    Team,
    admit_body,
    authenticate,
    check_scope,
    field,
    hunt_row,
    no_other_fields,
    parse_json_object,
    read_body,
    require_organizer,
    services_of,
)
from questline.http.responses import json_response
from questline.http.services import JSON_LIMIT

_canonical = msgspec.json.Encoder(order="sorted")


async def adjust(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    admit_body(request, JSON_LIMIT)
    require_organizer(authenticate(request))  # before a byte of the body is read
    body = await read_body(request, JSON_LIMIT)
    hunt_row(request, hunt_id)
    data = parse_json_object(body)
    no_other_fields(data, {"team_id", "points", "reason"})
    team_id = field(data, "team_id", str)
    points = field(data, "points", int)
    reason = field(data, "reason", str)
    if points == 0:
        raise invalid("points must be a non-zero whole number", {"field": "points"})
    too_many = points_problem(points)
    if too_many is not None:
        raise invalid(f"points {too_many}", {"field": "points"})
    if not reason.strip():
        raise invalid("reason must not be empty", {"field": "reason"})
    command_id, remember = idempotency_command_id(
        hunt_id, "organizers", request.headers.get("idempotency-key")
    )
    reply, _ = await run_command(
        services_of(request),
        AdjustScore(hunt_id, team_id, points, reason),
        command_id=command_id,
        remember=remember,
        request_fingerprint=fingerprint("adjustment", _canonical.encode(data)),
        correlation_id=request.state.correlation_id,
    )
    assert isinstance(reply, AdjustmentReply)
    return json_response({"team_id": reply.team_id, "score": reply.score}, 201)


async def announce(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    admit_body(request, JSON_LIMIT)
    require_organizer(authenticate(request))  # before a byte of the body is read
    body = await read_body(request, JSON_LIMIT)
    hunt_row(request, hunt_id)
    data = parse_json_object(body)
    no_other_fields(data, {"text"})
    text = field(data, "text", str)
    if not text.strip():
        raise invalid("text must not be empty", {"field": "text"})
    await run_command(services_of(request), Announce(hunt_id, text))
    return json_response({"text": text.strip()}, 201)


def _review_body(request: Request, hunt_id: str, row: ReviewRow) -> dict[str, object]:
    return {
        "id": row.review_id,
        "team_id": row.team_id,
        "clue": row.clue_id,
        "submitted_at": to_rfc3339(row.submitted_at),
        "photo_url": f"/api/hunts/{hunt_id}/photos/{row.review_id}",
    }


async def reviews(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    require_organizer(authenticate(request))
    hunt_row(request, hunt_id)
    store = services_of(request).store.read_models
    waiting = [
        row
        for _, _, row in store.rows("reviews", hunt_id)
        if isinstance(row, ReviewRow) and row.status == "waiting"
    ]
    waiting.sort(key=lambda r: (r.submitted_at, int(r.review_id.removeprefix("p-"))))
    return json_response([_review_body(request, hunt_id, row) for row in waiting])


async def review(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    admit_body(request, JSON_LIMIT)
    require_organizer(authenticate(request))  # before a byte of the body is read
    body = await read_body(request, JSON_LIMIT)
    hunt_row(request, hunt_id)
    data = parse_json_object(body)
    no_other_fields(data, {"approve", "reason"})
    approve = field(data, "approve", bool)
    reason = field(data, "reason", str, required=False) or ""
    reply, _ = await run_command(
        services_of(request),
        ReviewPhoto(hunt_id, request.path_params["id"], approve, reason),
        correlation_id=request.state.correlation_id,
    )
    assert isinstance(reply, ReviewReply)
    return json_response(
        {
            "id": reply.review_id,
            "approved": reply.approved,
            "team_id": reply.team_id,
            "clue": reply.clue_id,
            "score": reply.score,
        }
    )


async def photo(request: Request) -> Response:
    """A submitted photo: for organizers, and for the team that sent it."""
    hunt_id = request.path_params["hunt"]
    principal = authenticate(request)
    if not isinstance(principal, Team | Organizer):  # 401 before 404: ids stay unguessable
        require_organizer(principal)
    check_scope(principal, hunt_id)
    hunt_row(request, hunt_id)
    services = services_of(request)
    row = services.store.read_models.get("reviews", hunt_id, request.path_params["id"])
    if not isinstance(row, ReviewRow):
        raise not_found("unknown_review", "there is no such photo in this hunt")
    if isinstance(principal, Team) and principal.team_id != row.team_id:
        raise forbidden("a team sees only its own photos")
    data = services.photos.load(row.photo_id)
    if data is None:
        raise not_found("photo_missing", "the photo file is missing from the photo store")
    return Response(
        data,
        media_type=sniff_image_type(data) or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=3600"},
    )
