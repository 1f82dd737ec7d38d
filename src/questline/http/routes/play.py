"""Team routes: register, submit answers (text, GPS, code, photo), unlock hints."""

import asyncio
import logging
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from questline.domain.commands import (
    CodeGiven,
    GeoGiven,
    Given,
    PhotoGiven,
    RegisterTeam,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.replies import HintReply, SubmissionReply, TeamReply
from questline.domain.team_names import team_name_problem
from questline.http.abuse_limits import admit_registration
from questline.http.command_runner import (
    OutcomeUnknown,
    fingerprint,
    idempotency_command_id,
    run_command,
)
from questline.http.errors import ApiError, invalid, too_large, unavailable
from questline.http.photo_upload import receive_photo
from questline.http.request_context import (
    Team,
    admit_body,
    authenticate,
    check_scope,
    field,
    hunt_row,
    no_other_fields,
    parse_json_object,
    read_body,
    require_team,
    services_of,
)
from questline.http.responses import json_response
from questline.http.services import JSON_LIMIT, MULTIPART_LIMIT, PHOTO_LIMIT
from questline.http.tokens import new_team_token, token_hash

_canonical = msgspec.json.Encoder(order="sorted")
log = logging.getLogger(__name__)


async def register_team(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    body = await read_body(request, JSON_LIMIT)
    principal = authenticate(request)
    check_scope(principal, hunt_id)
    hunt_row(request, hunt_id)
    data = parse_json_object(body)
    no_other_fields(data, {"name"})
    name, problem = team_name_problem(field(data, "name", str))
    if problem is not None:  # early, before a command is queued; decide checks it too
        raise invalid(problem, {"field": "name"})
    refund = admit_registration(request, hunt_id)
    token = new_team_token()
    try:
        reply, _ = await run_command(
            services_of(request), RegisterTeam(hunt_id, name, token_hash(token))
        )
    except ApiError as error:
        if error.status >= 500:  # the server's trouble: not counted against the caller
            refund()
        raise
    assert isinstance(reply, TeamReply)
    return json_response({"team_id": reply.team_id, "token": token}, 201)


def _given_from_json(data: dict[str, Any]) -> tuple[str, Given]:
    clue = field(data, "clue", str)
    if "answer" in data:
        no_other_fields(data, {"clue", "answer"})
        return clue, TextGiven(field(data, "answer", str))
    if "code" in data:
        no_other_fields(data, {"clue", "code"})
        return clue, CodeGiven(field(data, "code", str))
    if "lat" in data or "lon" in data:
        no_other_fields(data, {"clue", "lat", "lon"})
        return clue, GeoGiven(_coordinate(data, "lat"), _coordinate(data, "lon"))
    raise invalid("give one of: answer (text), code, or lat and lon (a GPS check-in)")


def _coordinate(data: dict[str, Any], name: str) -> float:
    value = field(data, name, (int, float))
    try:
        return float(value)
    except OverflowError:  # an int of hundreds of digits
        raise invalid(f"the field {name!r} is not a coordinate", {"field": name}) from None


async def submit(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return await _submit_photo(request, hunt_id)
    body = await read_body(request, JSON_LIMIT)
    team = require_team(authenticate(request), hunt_id)
    hunt_row(request, hunt_id)
    data = parse_json_object(body)
    clue, given = _given_from_json(data)
    reply = await _run_submit(request, team, clue, given, _canonical.encode(data))
    return json_response(submission_body(reply))


async def _submit_photo(request: Request, hunt_id: str) -> Response:
    """Who may send it and where, decided before a byte of the body is read (413 by the
    declared length first); the photo kept only if its command was accepted."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MULTIPART_LIMIT:
        raise too_large(MULTIPART_LIMIT)
    team = require_team(authenticate(request), hunt_id)
    hunt_row(request, hunt_id)
    idempotency_command_id(hunt_id, "", request.headers.get("idempotency-key"))  # 422 early
    photos = services_of(request).photos
    received = await receive_photo(
        request, photos, body_limit=MULTIPART_LIMIT, photo_limit=PHOTO_LIMIT
    )
    upload = received.upload
    given = PhotoGiven(
        photo_id=received.digest,
        digest=received.digest,
        content_type=received.content_type,
        size=upload.size,
    )
    canonical = _canonical.encode({"clue": received.clue, "photo": received.digest})
    try:
        reply = await _run_submit(request, team, received.clue, given, canonical)
    except OutcomeUnknown:
        raise  # it may yet commit: the photo sweeper keeps or removes the upload
    except ApiError:
        upload.discard()  # refused: nothing of it stays
        raise
    if reply.result == "pending_review":
        # After the commit, before the answer: an acknowledged photo is on disk.
        try:
            await asyncio.to_thread(photos.keep, upload)
        except OSError:  # committed: the sweeper stores it from the upload area later
            log.exception("an accepted photo could not be stored yet")
            raise unavailable(
                "the photo was accepted but is not stored yet; retry with the same Idempotency-Key",
                5,
            ) from None
    else:
        upload.discard()
    return json_response(submission_body(reply))


async def _run_submit(
    request: Request, team: Team, clue: str, given: Given, canonical: bytes
) -> SubmissionReply:
    command_id, remember = idempotency_command_id(
        team.hunt_id, f"team:{team.team_id}", request.headers.get("idempotency-key")
    )
    reply, _ = await run_command(
        services_of(request),
        Submit(team.hunt_id, team.team_id, clue, given),
        command_id=command_id,
        remember=remember,
        request_fingerprint=fingerprint("submission", canonical),
        correlation_id=request.state.correlation_id,
    )
    assert isinstance(reply, SubmissionReply)
    return reply


def submission_body(reply: SubmissionReply) -> dict[str, Any]:
    body: dict[str, Any] = {
        "result": reply.result,
        "points": reply.points,
        "bonus": reply.bonus,
        "score": reply.score,
    }
    if reply.review_id is not None:
        body["review_id"] = reply.review_id
    return body


async def unlock_hint(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    admit_body(request, JSON_LIMIT)
    team: Team = require_team(authenticate(request), hunt_id)
    await read_body(request, JSON_LIMIT)
    hunt_row(request, hunt_id)
    clue_id = request.path_params["clue"]
    hint_id = request.path_params["hint"]
    command_id, remember = idempotency_command_id(
        hunt_id, f"team:{team.team_id}", request.headers.get("idempotency-key")
    )
    reply, _ = await run_command(
        services_of(request),
        UnlockHint(hunt_id, team.team_id, clue_id, hint_id),
        command_id=command_id,
        remember=remember,
        request_fingerprint=fingerprint("hint", f"{clue_id}\x00{hint_id}".encode()),
        correlation_id=request.state.correlation_id,
    )
    assert isinstance(reply, HintReply)
    return json_response(
        {
            "hint": {"id": reply.hint_id, "text": reply.text, "cost": reply.cost},
            "score": reply.score,
        }
    )


__all__ = ["ApiError"]
