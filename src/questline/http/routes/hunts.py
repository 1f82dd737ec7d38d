"""Hunt routes: create, read, pause and resume, the leaderboard, a team's progress, the log."""

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from questline.adapters.event_lines import encode_line
from questline.domain.commands import CreateHunt, PauseHunt, ResumeHunt
from questline.domain.definition_text import HuntFileError, TextFormat, load_hunt_text
from questline.domain.projections.rows import ClueStatsRow, HuntRow, LeaderboardRow, TeamRow
from questline.domain.timestamps import to_rfc3339
from questline.domain.views import hunt_summary, open_clues, public_board_is_frozen, team_progress
from questline.http.command_runner import run_command
from questline.http.errors import forbidden, invalid, not_found
from questline.http.request_context import (
    Organizer,
    Team,
    authenticate,
    check_scope,
    hunt_row,
    query_int,
    read_body,
    require_organizer,
    services_of,
)
from questline.http.responses import json_response
from questline.http.services import JSON_LIMIT
from questline.ports import Board, ReadModelReader


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


def team_score(store: ReadModelReader, hunt_id: str, team_id: str) -> int:
    row = store.get("leaderboard_live", hunt_id, team_id)
    return row.score if isinstance(row, LeaderboardRow) else 0


async def create_hunt(request: Request) -> Response:
    body = await read_body(request, JSON_LIMIT)
    require_organizer(authenticate(request))
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    fmt: TextFormat = (
        "yaml"
        if content_type in ("application/yaml", "application/x-yaml", "text/yaml")
        else "json"
    )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("the body is not UTF-8 text") from None
    try:
        definition = load_hunt_text(text, fmt)
    except HuntFileError as error:
        problems = [{"path": p.path, "message": p.message, "line": p.line} for p in error.problems]
        raise invalid(
            f"the hunt definition has {len(problems)} problem(s)", {"problems": problems}
        ) from None
    services = services_of(request)
    await run_command(services, CreateHunt(definition.id, definition))
    # Built from what was created, not read back: a cluster's read side may lag a moment.
    created = HuntRow(definition, False, 1, 0, 0, 0)
    return json_response(_hunt_body(request, created), 201)


def _hunt_body(request: Request, row: HuntRow) -> dict[str, Any]:
    return hunt_summary(row, services_of(request).clock.now())


async def get_hunt(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    principal = authenticate(request)
    check_scope(principal, hunt_id)
    row = hunt_row(request, hunt_id)
    body = _hunt_body(request, row)
    if isinstance(principal, Team):
        store = services_of(request).store.read_models
        team = team_row(store, hunt_id, principal.team_id)
        body["team_id"] = principal.team_id
        body["clues"] = open_clues(row.definition, team, clue_stats(store, hunt_id))
    return json_response(body)


async def _pause_or_resume(request: Request, pause: bool) -> Response:
    hunt_id = request.path_params["hunt"]
    await read_body(request, JSON_LIMIT)
    require_organizer(authenticate(request))
    hunt_row(request, hunt_id)
    command = PauseHunt(hunt_id) if pause else ResumeHunt(hunt_id)
    await run_command(services_of(request), command)
    return json_response(_hunt_body(request, hunt_row(request, hunt_id)))


async def pause_hunt(request: Request) -> Response:
    return await _pause_or_resume(request, True)


async def resume_hunt(request: Request) -> Response:
    return await _pause_or_resume(request, False)


async def leaderboard(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    principal = authenticate(request)
    check_scope(principal, hunt_id)
    row = hunt_row(request, hunt_id)
    limit = query_int(request, "limit", 100, 1, 1000)
    offset = query_int(request, "offset", 0, 0, None)
    services = services_of(request)
    now = services.clock.now()
    definition = row.definition
    frozen = public_board_is_frozen(definition, now) and not isinstance(principal, Organizer)
    board: Board = "frozen" if frozen else "live"
    rows = services.store.read_models.leaderboard(hunt_id, board, limit, offset)
    as_of = definition.freeze_at if frozen and definition.freeze_at is not None else row.last_time
    return json_response(
        {
            "frozen": frozen,
            "as_of": to_rfc3339(as_of),
            "total": row.teams_before_freeze if frozen else row.teams,
            "teams": [
                {
                    "rank": offset + index,
                    "team_id": r.team_id,
                    "name": r.name,
                    "score": r.score,
                    "solved": r.solved,
                }
                for index, r in enumerate(rows, start=1)
            ],
        }
    )


async def team_progress_route(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    team_id = request.path_params["team"]
    principal = authenticate(request)
    check_scope(principal, hunt_id)
    if isinstance(principal, Team) and principal.team_id != team_id:
        raise forbidden("a team token shows only its own team's progress")
    if not isinstance(principal, Organizer | Team):
        require_organizer(principal)
    row = hunt_row(request, hunt_id)
    store = services_of(request).store.read_models
    team = team_row(store, hunt_id, team_id)
    score = team_score(store, hunt_id, team_id)
    # During a freeze a team sees its own live score, but its rank on the frozen board:
    # a live rank would leak the standings the freeze hides.
    frozen = public_board_is_frozen(row.definition, services_of(request).clock.now())
    board: Board = "frozen" if frozen and isinstance(principal, Team) else "live"
    rank = store.rank(hunt_id, board, team_id)
    return json_response(
        team_progress(row.definition, team, clue_stats(store, hunt_id), score, rank)
    )


def _public_event(line: dict[str, Any]) -> dict[str, Any]:
    payload = dict(line["payload"])
    payload.pop("token_hash", None)  # a digest, but still nobody's business
    return {
        "position": line["position"],
        "version": line["version"],
        "type": line["type"],
        "time": line["time"],
        "payload": payload,
    }


async def events(request: Request) -> Response:
    hunt_id = request.path_params["hunt"]
    require_organizer(authenticate(request))
    hunt_row(request, hunt_id)
    after = query_int(request, "after", 0, 0, None)
    limit = query_int(request, "limit", 100, 1, 1000)
    log = services_of(request).store.events
    lines = [
        _public_event(msgspec.json.decode(encode_line(e)))
        for e in log.read(after=after, hunt_id=hunt_id, limit=limit)
    ]
    return json_response({"events": lines})
