"""Team routes: register, submit answers (text, GPS, code, photo), unlock hints."""

import hashlib
from typing import Any

import msgspec
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from questline.adapters.photo_store import sniff_image_type
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
from questline.http.abuse_limits import admit_registration
from questline.http.command_runner import fingerprint, idempotency_command_id, run_command
from questline.http.errors import ApiError, invalid, too_large
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


async def register_team(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    body = await read_body(request, JSON_LIMIT)
    principal = authenticate(request)
    check_scope(principal, hunt_id)
    hunt_row(request, hunt_id)
    data = parse_json_object(body)
    no_other_fields(data, {"name"})
    name = field(data, "name", str)
    if not 1 <= len(name.strip()) <= 64:
        raise invalid("name must be 1 to 64 characters", {"field": "name"})
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


async def _given_from_multipart(request: Request) -> tuple[str, Given, bytes, str]:
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=MULTIPART_LIMIT)
    except Exception as error:  # the parser's errors are input errors, whatever their class
        raise invalid(f"the multipart body cannot be read: {error}") from None
    unknown = sorted(set(form.keys()) - {"clue", "photo"})
    if unknown:
        raise invalid(f"unknown field(s): {', '.join(unknown)}", {"fields": unknown})
    clue = form.get("clue")
    photo = form.get("photo")
    if not isinstance(clue, str) or not clue:
        raise invalid("the field 'clue' is missing", {"field": "clue"})
    if not isinstance(photo, UploadFile):
        raise invalid("the field 'photo' must be an uploaded file", {"field": "photo"})
    data = await photo.read()
    if len(data) > PHOTO_LIMIT:
        raise too_large(PHOTO_LIMIT)
    content_type = sniff_image_type(data)
    if content_type is None:
        raise invalid("the photo must be a JPEG, PNG or WebP image", {"field": "photo"})
    digest = hashlib.sha256(data).hexdigest()
    given = PhotoGiven(photo_id=digest, digest=digest, content_type=content_type, size=len(data))
    return clue, given, data, digest


async def submit(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    is_multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    body = await read_body(request, MULTIPART_LIMIT if is_multipart else JSON_LIMIT)
    team = require_team(authenticate(request), hunt_id)
    hunt_row(request, hunt_id)
    photo: bytes | None = None
    if is_multipart:
        clue, given, photo, digest = await _given_from_multipart(request)
        canonical = _canonical.encode({"clue": clue, "photo": digest})
    else:
        data = parse_json_object(body)
        clue, given = _given_from_json(data)
        canonical = _canonical.encode(data)
    services = services_of(request)
    command_id, remember = idempotency_command_id(
        hunt_id, f"team:{team.team_id}", request.headers.get("idempotency-key")
    )
    if photo is not None:
        services.photos.save(photo)  # before the command: an accepted photo is never missing
    reply, _ = await run_command(
        services,
        Submit(hunt_id, team.team_id, clue, given),
        command_id=command_id,
        remember=remember,
        request_fingerprint=fingerprint("submission", canonical),
        correlation_id=request.state.correlation_id,
    )
    assert isinstance(reply, SubmissionReply)
    return json_response(submission_body(reply))


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
