"""Organizer routes: adjustments, announcements, messages to one team, the photo
review queue (and the photos themselves, which the sending team may see too)."""

from typing import Any

from starlette.responses import Response

from questline.adapters.photo_store import sniff_image_type
from questline.domain.commands import AdjustScore, Announce, MessageTeam, ReviewPhoto
from questline.domain.limits import points_problem
from questline.domain.projections.rows import AnnouncementRow, ReviewRow
from questline.domain.replies import AdjustmentReply, ReviewReply
from questline.domain.timestamps import to_rfc3339
from questline.http.bodies.organize import (
    AdjustmentRequest,
    AdjustmentResult,
    Announcement,
    AnnouncementMade,
    AnnouncementRequest,
    MessageRequest,
    MessageSent,
    ReviewOutcome,
    ReviewRequest,
    WaitingPhoto,
)
from questline.http.endpoint import IDEMPOTENCY_KEY, Call, Endpoint, JsonBody, Reply2xx
from questline.http.errors import forbidden, invalid, not_found
from questline.http.request_context import Team


def _text(value: str, name: str = "text") -> str:
    text = value.strip()
    if not text:
        raise invalid(f"{name} must not be empty", {"field": name})
    return text


async def adjust(call: Call) -> Any:
    body: AdjustmentRequest = call.body
    if body.points == 0:
        raise invalid("points must be a non-zero whole number", {"field": "points"})
    too_many = points_problem(body.points)
    if too_many is not None:
        raise invalid(f"points {too_many}", {"field": "points"})
    _text(body.reason, "reason")
    reply = await call.run(AdjustScore(call.hunt_id, body.team_id, body.points, body.reason))
    assert isinstance(reply, AdjustmentReply)
    return {"team_id": reply.team_id, "score": reply.score}


async def announce(call: Call) -> Any:
    body: AnnouncementRequest = call.body
    text = _text(body.text)
    await call.run(Announce(call.hunt_id, body.text))
    return {"text": text}


async def announcements(call: Call) -> Any:
    """Every announcement of the hunt, newest first."""
    rows = [
        r
        for _, _, r in call.store.rows("announcements", call.hunt_id)
        if isinstance(r, AnnouncementRow)
    ]
    rows.sort(key=lambda r: r.id, reverse=True)
    return [{"id": r.id, "time": to_rfc3339(r.time), "text": r.text} for r in rows]


async def message_team(call: Call) -> Any:
    body: MessageRequest = call.body
    text = _text(body.text)
    team_id = call.path("team")
    await call.run(MessageTeam(call.hunt_id, team_id, body.text))
    return {"team_id": team_id, "text": text}


def _review_body(hunt_id: str, row: ReviewRow) -> dict[str, object]:
    return {
        "id": row.review_id,
        "team_id": row.team_id,
        "clue": row.clue_id,
        "submitted_at": to_rfc3339(row.submitted_at),
        "photo_url": f"/api/hunts/{hunt_id}/photos/{row.review_id}",
    }


async def reviews(call: Call) -> Any:
    waiting = [
        row
        for _, _, row in call.store.rows("reviews", call.hunt_id)
        if isinstance(row, ReviewRow) and row.status == "waiting"
    ]
    waiting.sort(key=lambda r: (r.submitted_at, int(r.review_id.removeprefix("p-"))))
    return [_review_body(call.hunt_id, row) for row in waiting]


async def review(call: Call) -> Any:
    body: ReviewRequest = call.body
    reply = await call.run(ReviewPhoto(call.hunt_id, call.path("id"), body.approve, body.reason))
    assert isinstance(reply, ReviewReply)
    return {
        "id": reply.review_id,
        "approved": reply.approved,
        "team_id": reply.team_id,
        "clue": reply.clue_id,
        "score": reply.score,
    }


async def photo(call: Call) -> Any:
    """A submitted photo: for organizers, and for the team that sent it."""
    row = call.store.get("reviews", call.hunt_id, call.path("id"))
    if not isinstance(row, ReviewRow):
        raise not_found("unknown_review", "there is no such photo in this hunt")
    if isinstance(call.principal, Team) and call.principal.team_id != row.team_id:
        raise forbidden("a team sees only its own photos")
    data = call.services.photos.load(row.photo_id)
    if data is None:
        raise not_found("photo_missing", "the photo file is missing from the photo store")
    return Response(
        data,
        media_type=sniff_image_type(data) or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=3600"},
    )


PHOTO = Reply2xx("image/*", {"type": "string", "format": "binary"})

ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/adjustments",
        "Award or deduct points with a reason",
        "organizer",
        adjust,
        AdjustmentResult,
        201,
        body=JsonBody(AdjustmentRequest),
        headers=(IDEMPOTENCY_KEY,),
        idempotency="adjustment",
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/announcements",
        "Announce to everyone following the hunt",
        "organizer",
        announce,
        AnnouncementMade,
        201,
        body=JsonBody(AnnouncementRequest),
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/announcements",
        "Every announcement, newest first",
        "anyone",
        announcements,
        list[Announcement],
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/teams/{team}/messages",
        "A message to one team: sent on its stream and kept in its progress",
        "organizer",
        message_team,
        MessageSent,
        201,
        body=JsonBody(MessageRequest),
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/reviews",
        "Photos waiting for review, oldest first",
        "organizer",
        reviews,
        list[WaitingPhoto],
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/reviews/{id}",
        "Approve or reject a photo",
        "organizer",
        review,
        ReviewOutcome,
        body=JsonBody(ReviewRequest),
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/photos/{id}",
        "A submitted photo (organizers, or the team that sent it)",
        "team_or_organizer",
        photo,
        PHOTO,
    ),
]
