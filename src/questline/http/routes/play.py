"""Team routes: register, submit (text, parts, GPS, code, photo), unlock hints, and a
new token for a team that lost its phone."""

import asyncio
import logging
from typing import Any

import msgspec

from questline.domain.commands import (
    CodeGiven,
    GeoGiven,
    Given,
    IssueToken,
    PartGiven,
    PhotoGiven,
    RegisterTeam,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.projections.rows import HuntRow
from questline.domain.replies import HintReply, SubmissionReply, TeamReply
from questline.domain.team_names import team_name_problem
from questline.domain.timestamps import Micros, parse_rfc3339
from questline.http.abuse_limits import admit_registration
from questline.http.bodies.play import (
    SUBMISSIONS,
    CodeSubmission,
    GeoSubmission,
    HintResult,
    PartSubmission,
    PhotoSubmission,
    Registration,
    SubmissionResult,
    TeamCreated,
    TextSubmission,
    TokenGiven,
    TokenRequest,
    submission_shape,
)
from questline.http.command_runner import OutcomeUnknown
from questline.http.endpoint import (
    IDEMPOTENCY_KEY,
    AnyBody,
    Call,
    Endpoint,
    JsonBody,
    OneOf,
)
from questline.http.errors import ApiError, invalid, unavailable
from questline.http.photo_dhash import photo_dhash
from questline.http.photo_upload import receive_photo
from questline.http.request_context import Team
from questline.http.services import MULTIPART_LIMIT, PHOTO_LIMIT
from questline.http.tokens import new_team_token, token_hash

_canonical = msgspec.json.Encoder(order="sorted")
log = logging.getLogger(__name__)

# A phone's clock may be off, and a queued answer may be sent hours later; a time
# further than this from the hunt (or ahead of the server) is not a phone's.
# client_time is advice kept for organizers: a phone whose clock is days off must still
# play, so only times no phone could hold are refused.
CLIENT_TIME_RANGE = (parse_rfc3339("2000-01-01T00:00:00Z"), parse_rfc3339("2100-01-01T00:00:00Z"))


async def register_team(call: Call) -> Any:
    body: Registration = call.body
    name, problem = team_name_problem(body.name)
    if problem is not None:  # early, before a command is queued; decide checks it too
        raise invalid(problem, {"field": "name"})
    refund = admit_registration(call.request, call.hunt_id)
    token = new_team_token()
    try:
        reply = await call.run(RegisterTeam(call.hunt_id, name, token_hash(token), body.division))
    except ApiError as error:
        if error.status >= 500:  # the server's trouble: not counted against the caller
            refund()
        raise
    assert isinstance(reply, TeamReply)
    return {"team_id": reply.team_id, "token": token}


def client_time(text: str | None, hunt: HuntRow, now: Micros) -> Micros | None:
    """When the phone says it made the submission: kept, never judged by; 422 for a
    time that is not RFC 3339 or outside 2000..2100 (a phone's clock may be off by days:
    that must not stop it playing)."""
    if text is None:
        return None
    try:
        value = parse_rfc3339(text)
    except (ValueError, OverflowError):
        raise invalid(
            f"client_time must be an RFC 3339 time like 2026-12-01T18:30:00Z, got {text[:40]!r}",
            {"field": "client_time"},
        ) from None
    earliest, latest = CLIENT_TIME_RANGE
    if not earliest <= value < latest:
        raise invalid(
            "client_time must be a time between 2000 and 2100 (when the phone made it)",
            {"field": "client_time"},
        )
    return value


def _given(body: Any) -> Given:
    if isinstance(body, PartSubmission):
        return PartGiven(body.part, body.answer)
    if isinstance(body, TextSubmission):
        return TextGiven(body.answer)
    if isinstance(body, CodeSubmission):
        return CodeGiven(body.code)
    assert isinstance(body, GeoSubmission)
    return GeoGiven(body.lat, body.lon)


async def submit(call: Call) -> Any:
    if call.body is None:  # multipart/form-data: the photo streams in from here
        return await _submit_photo(call)
    team = _team(call)
    given = _given(call.body)
    when = client_time(call.body.client_time, call.hunt, call.now)
    reply = await call.run(Submit(call.hunt_id, team.team_id, call.body.clue, given, when))
    assert isinstance(reply, SubmissionReply)
    return submission_body(reply)


def _team(call: Call) -> Team:
    assert isinstance(call.principal, Team), "who='team'"
    return call.principal


async def _submit_photo(call: Call) -> Any:
    """The photo is kept only if its command was accepted (before the answer)."""
    team = _team(call)
    photos = call.services.photos
    received = await receive_photo(
        call.request, photos, body_limit=MULTIPART_LIMIT, photo_limit=PHOTO_LIMIT
    )
    upload = received.upload
    try:
        when = client_time(received.client_time, call.hunt, call.now)
        dhash = await asyncio.to_thread(photo_dhash, upload.path)
    except BaseException:
        upload.discard()
        raise
    given = PhotoGiven(
        photo_id=received.digest,
        digest=received.digest,
        content_type=received.content_type,
        size=upload.size,
        dhash=dhash,
    )
    fields = {"clue": received.clue, "photo": received.digest}
    if received.client_time is not None:
        fields["client_time"] = received.client_time
    try:
        reply = await call.run(
            Submit(call.hunt_id, team.team_id, received.clue, given, when),
            _canonical.encode(fields),
        )
    except OutcomeUnknown:
        raise  # it may yet commit: the photo sweeper keeps or removes the upload
    except ApiError:
        upload.discard()  # refused: nothing of it stays
        raise
    assert isinstance(reply, SubmissionReply)
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
    return submission_body(reply)


def submission_body(reply: SubmissionReply) -> dict[str, Any]:
    body: dict[str, Any] = {
        "result": reply.result,
        "points": reply.points,
        "bonus": reply.bonus,
        "score": reply.score,
    }
    if reply.review_id is not None:
        body["review_id"] = reply.review_id
    if reply.distance_m is not None:
        body["distance_m"] = round(reply.distance_m, 1)
    return body


async def unlock_hint(call: Call) -> Any:
    team = _team(call)
    clue_id, hint_id = call.path("clue"), call.path("hint")
    reply = await call.run(
        UnlockHint(call.hunt_id, team.team_id, clue_id, hint_id),
        f"{clue_id}\x00{hint_id}".encode(),
    )
    assert isinstance(reply, HintReply)
    return {
        "hint": {"id": reply.hint_id, "text": reply.text, "cost": reply.cost},
        "score": reply.score,
    }


async def new_token(call: Call) -> Any:
    """A new token for the team; with revoke_others, every earlier one stops working."""
    body: TokenRequest = call.body
    token = new_team_token()
    command = IssueToken(call.hunt_id, call.path("team"), token_hash(token), body.revoke_others)
    reply = await call.run(command)
    assert isinstance(reply, TeamReply)
    return {"token": token}


ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/teams",
        "Register a team (with its division when the hunt has divisions)",
        "anyone",
        register_team,
        TeamCreated,
        201,
        body=JsonBody(Registration),
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/submissions",
        "Submit an answer, a part's answer, a GPS check-in, a code or a photo",
        "team",
        submit,
        SubmissionResult,
        body=OneOf(SUBMISSIONS, submission_shape),
        photo=PhotoSubmission,
        headers=(IDEMPOTENCY_KEY,),
        idempotency="submission",
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/clues/{clue}/hints/{hint}",
        "Unlock a hint",
        "team",
        unlock_hint,
        HintResult,
        body=AnyBody(),
        headers=(IDEMPOTENCY_KEY,),
        idempotency="hint",
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/teams/{team}/tokens",
        "A new token for the team (that team or an organizer); revoke_others cuts off the rest",
        "own_team",
        new_token,
        TokenGiven,
        201,
        body=JsonBody(TokenRequest, empty_ok=True),
    ),
]
