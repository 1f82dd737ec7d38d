"""Hunt routes: create, list, read (a team's view), pause and resume, and revising a
live hunt (hunt-day.md "Errata"): its definition, a revision, the revisions so far."""

from typing import Any

import yaml
from starlette.responses import Response

from questline.domain.commands import CreateHunt, PauseHunt, ResumeHunt, ReviseHunt
from questline.domain.definition_document import definition_document
from questline.domain.definition_text import locate_problems
from questline.domain.projections.rows import ClueStatsRow, HuntRow, RevisionRow, TeamRow
from questline.domain.replies import RevisionReply
from questline.domain.timestamps import to_rfc3339
from questline.domain.views import hunt_summary, locked_clues, open_clues, phase, rounds_view
from questline.http.bodies.hunts import (
    DefinitionDocument,
    Hunt,
    HuntListing,
    RevisionEntry,
    RevisionQuery,
    RevisionResult,
)
from questline.http.endpoint import AnyBody, Call, Endpoint, HeaderParam, HuntDocument, Reply2xx
from questline.http.errors import ApiError, invalid, not_found
from questline.http.request_context import Organizer, Team
from questline.ports import ReadModelReader


def clue_stats(store: ReadModelReader, hunt_id: str) -> dict[str, ClueStatsRow]:
    return {
        key: row
        for _, key, row in store.rows("clue_stats", hunt_id)
        if isinstance(row, ClueStatsRow)
    }


def team_row(store: ReadModelReader, hunt_id: str, team_id: str) -> TeamRow:
    row = store.get("teams", hunt_id, team_id)
    if not isinstance(row, TeamRow):
        raise not_found("unknown_team", f"hunt {hunt_id!r} has no team {team_id!r}")
    return row


async def create_hunt(call: Call) -> Any:
    definition = call.body
    await call.run(CreateHunt(definition.id, definition))
    # Built from what was created, not read back: a cluster's read side may lag a moment.
    return hunt_summary(HuntRow(definition, False, 1, 0, 0, 0), call.now)


async def list_hunts(call: Call) -> Any:
    """Organizers see every hunt; anyone else the hunts marked `listed: true`."""
    organizer = isinstance(call.principal, Organizer)
    rows = [
        row
        for _, _, row in call.store.rows("hunts")
        if isinstance(row, HuntRow) and (organizer or row.definition.listed)
    ]
    rows.sort(key=lambda r: (r.definition.starts_at, r.definition.id))
    now = call.now
    return [
        {
            "id": r.definition.id,
            "title": r.definition.title,
            "starts_at": to_rfc3339(r.definition.starts_at),
            "ends_at": to_rfc3339(r.definition.ends_at),
            "state": phase(r, now),
            "teams": r.teams,
        }
        for r in rows
    ]


async def get_hunt(call: Call) -> Any:
    row = call.hunt
    now = call.now
    body = hunt_summary(row, now)
    if isinstance(call.principal, Team):
        team_id = call.principal.team_id
        team = team_row(call.store, call.hunt_id, team_id)
        body["team_id"] = team_id
        body["clues"] = open_clues(row.definition, team, clue_stats(call.store, call.hunt_id), now)
        body["locked"] = locked_clues(row.definition, team, now)
        if row.definition.rounds:
            body["rounds"] = rounds_view(row.definition, team, now)
    elif row.definition.rounds:
        body["rounds"] = rounds_view(row.definition, None, now)
    return body


async def pause_hunt(call: Call) -> Any:
    await call.run(PauseHunt(call.hunt_id))
    return hunt_summary(await _reread(call), call.now)


async def resume_hunt(call: Call) -> Any:
    await call.run(ResumeHunt(call.hunt_id))
    return hunt_summary(await _reread(call), call.now)


async def _reread(call: Call) -> HuntRow:
    await call.see_own_writes()
    row = call.store.get("hunts", call.hunt_id, call.hunt_id)
    return row if isinstance(row, HuntRow) else call.hunt


YAML_MEDIA = "application/yaml"


async def get_definition(call: Call) -> Any:
    document = definition_document(call.hunt.definition)
    document["revision"] = call.hunt.revision
    if YAML_MEDIA in call.request.headers.get("accept", ""):
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        return Response(text, media_type=YAML_MEDIA)
    return document


def if_match(header: str | None) -> int | None:
    """The revision an If-Match names: "3", 3 or W/"3" (None: no condition)."""
    if header is None or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise invalid(
            'If-Match must name a revision, like "3" (from GET .../definition)',
            {"header": "If-Match"},
        )
    return int(value)


async def revise_hunt(call: Call) -> Any:
    query: RevisionQuery = call.query
    expected = if_match(call.request.headers.get("if-match"))
    command = ReviseHunt(call.hunt_id, call.body, expected, query.dry_run, query.rejudge)
    try:
        reply = await call.run(command)
    except ApiError as error:
        raise _with_lines(error, call.text or "") from None
    assert isinstance(reply, RevisionReply)
    return {
        "revision": reply.revision,
        "changes": list(reply.changes),
        "board": [
            {
                "team_id": b.team_id,
                "name": b.name,
                "rank_before": b.rank_before,
                "rank_after": b.rank_after,
                "score_before": b.score_before,
                "score_after": b.score_after,
            }
            for b in reply.board
        ],
        "rejudged": [
            {"team_id": r.team_id, "clue": r.clue, "version": r.version} for r in reply.rejudged
        ],
    }


def _with_lines(error: ApiError, text: str) -> ApiError:
    """A revision's problems, found by the domain, with the lines of the sent text."""
    details = error.details
    if error.status != 422 or not isinstance(details, dict) or "problems" not in details:
        return error
    located = locate_problems(text, [(p["path"], p["message"]) for p in details["problems"]])
    problems = [{"path": p.path, "message": p.message, "line": p.line} for p in located]
    return ApiError(error.status, error.code, error.message, {**details, "problems": problems})


async def revisions(call: Call) -> Any:
    rows = [
        r for _, _, r in call.store.rows("revisions", call.hunt_id) if isinstance(r, RevisionRow)
    ]
    rows.sort(key=lambda r: r.revision)
    return [
        {"revision": r.revision, "time": to_rfc3339(r.time), "changes": list(r.changes)}
        for r in rows
    ]


HUNT_DOCUMENT_IN_YAML = Reply2xx(YAML_MEDIA, {"type": "string"})
IF_MATCH = HeaderParam(
    "If-Match",
    {"type": "string", "maxLength": 24},
    'revise only if the hunt is at this revision ("3"): 412 otherwise',
)
ACCEPT = HeaderParam("Accept", {"type": "string"}, "application/yaml for the YAML document")

ENDPOINTS = [
    Endpoint(
        "POST",
        "/api/hunts",
        "Create a hunt from a definition (JSON, or YAML as application/yaml)",
        "organizer",
        create_hunt,
        Hunt,
        201,
        body=HuntDocument(),
    ),
    Endpoint(
        "GET",
        "/api/hunts",
        "The hunts: every one for organizers, those marked listed for anyone else",
        "anyone",
        list_hunts,
        list[HuntListing],
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}",
        "A hunt; with a team token, its clues open and locked for that team",
        "anyone",
        get_hunt,
        Hunt,
    ),
    Endpoint(
        "PUT",
        "/api/hunts/{hunt}",
        "Revise a live hunt with a whole new definition (JSON or YAML)",
        "organizer",
        revise_hunt,
        RevisionResult,
        body=HuntDocument(),
        query=RevisionQuery,
        headers=(IF_MATCH,),
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/definition",
        "The definition in force, as the organizer's document, with its revision",
        "organizer",
        get_definition,
        DefinitionDocument,
        headers=(ACCEPT,),
        other_replies=(HUNT_DOCUMENT_IN_YAML,),
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/revisions",
        "Every revision of the hunt with its time and changes",
        "organizer",
        revisions,
        list[RevisionEntry],
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/pause",
        "Pause the hunt",
        "organizer",
        pause_hunt,
        Hunt,
        body=AnyBody(),
    ),
    Endpoint(
        "POST",
        "/api/hunts/{hunt}/resume",
        "Resume the hunt",
        "organizer",
        resume_hunt,
        Hunt,
        body=AnyBody(),
    ),
]
