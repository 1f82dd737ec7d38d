"""Standings routes: the leaderboard (live, frozen for the public during a freeze, or
at a past version or time), its CSV and CTFtime feeds, and a team's progress."""

import csv
import io
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from questline.domain.definition import HuntDefinition
from questline.domain.ledger import HuntLedger, Standing
from questline.domain.projections.rows import HuntRow, LeaderboardRow
from questline.domain.timestamps import Micros, parse_rfc3339, to_rfc3339
from questline.domain.views import public_board_is_frozen, team_progress
from questline.http.bodies.boards import (
    BoardQuery,
    CsvQuery,
    CtftimeFeed,
    Leaderboard,
    TeamProgress,
)
from questline.http.endpoint import Call, Endpoint, Reply2xx
from questline.http.errors import invalid
from questline.http.fold_reads import on_ledger
from questline.http.request_context import Organizer, Team
from questline.http.routes.hunts import clue_stats, team_row
from questline.ports import Board

PAGE = 1000


def sees_frozen(call: Call) -> bool:
    """Whether the caller gets the frozen board: the public and teams during a freeze."""
    return not isinstance(call.principal, Organizer) and public_board_is_frozen(
        call.hunt.definition, call.now
    )


def frozen_version(ledger: HuntLedger, definition: HuntDefinition) -> int:
    """The last version before the freeze: what the frozen board is made of."""
    assert definition.freeze_at is not None
    return ledger.version_at(definition.freeze_at - 1)


def check_division(definition: HuntDefinition, division: str | None) -> None:
    known = [d.id for d in definition.divisions]
    if division is not None and division not in known:
        listed = ", ".join(known) if known else "none"
        raise invalid(
            f"this hunt has no division {division!r} (its divisions: {listed})",
            {"field": "division", "divisions": known},
        )


def board_row(rank: int, r: LeaderboardRow | Standing) -> dict[str, Any]:
    return {
        "rank": rank,
        "team_id": r.team_id,
        "name": r.name,
        "score": r.score,
        "solved": r.solved,
        "finished_at": to_rfc3339(r.finished_at) if r.finished_at is not None else None,
        "division": r.division,
    }


@dataclass(frozen=True, slots=True)
class LiveBoard:
    frozen: bool
    as_of: Micros
    total: int
    board: Board


def live_board(call: Call, division: str | None) -> LiveBoard:
    row: HuntRow = call.hunt
    definition = row.definition
    frozen = sees_frozen(call)
    if division is None:
        total = row.teams_before_freeze if frozen else row.teams
    else:
        counts = row.division_teams_before_freeze if frozen else row.division_teams
        total = counts.get(division, 0)
    as_of = definition.freeze_at if frozen and definition.freeze_at is not None else row.last_time
    return LiveBoard(frozen, as_of, total, "frozen" if frozen else "live")


async def leaderboard(call: Call) -> Any:
    query: BoardQuery = call.query
    check_division(call.hunt.definition, query.division)
    if query.version is not None or query.time is not None:
        return await on_ledger(call, lambda ledger: past_board(call, query, ledger))
    live = live_board(call, query.division)
    rows = call.store.leaderboard(
        call.hunt_id, live.board, query.limit, query.offset, query.division
    )
    return {
        "frozen": live.frozen,
        "as_of": to_rfc3339(live.as_of),
        "total": live.total,
        "teams": [board_row(query.offset + i, r) for i, r in enumerate(rows, start=1)],
    }


def past_board(call: Call, query: BoardQuery, ledger: HuntLedger) -> dict[str, Any]:
    """The board at a version (or at a time): by the rules of the live board, and for the
    public and teams during a freeze never past the freeze point."""
    if query.version is not None and query.time is not None:
        raise invalid("give version or time, not both")
    if query.version is not None:
        version = query.version
        if version > ledger.version:
            raise invalid(
                f"version {version} is outside the log of this hunt (1 to {ledger.version})",
                {"field": "version", "head": ledger.version},
            )
    else:
        assert query.time is not None
        version = ledger.version_at(_time(query.time))
        if version == 0:
            raise invalid(
                f"the hunt's log begins at {to_rfc3339(ledger.time_of(1))}, after {query.time}",
                {"field": "time"},
            )
    frozen = False
    if sees_frozen(call):
        last_before = frozen_version(ledger, call.hunt.definition)
        if version > last_before:
            version, frozen = last_before, True
    standings = ledger.board(version, query.division) if version else []
    page = standings[query.offset : query.offset + query.limit]
    return {
        "frozen": frozen,
        "as_of": {"version": version, "time": to_rfc3339(ledger.time_of(max(version, 1)))},
        "total": len(standings),
        "teams": [board_row(query.offset + i, s) for i, s in enumerate(page, start=1)],
    }


def _time(text: str) -> Micros:
    try:
        return parse_rfc3339(text)
    except (ValueError, OverflowError):
        raise invalid(
            f"time must be an RFC 3339 time like 2026-12-01T20:00:00Z, got {text[:40]!r}",
            {"field": "time"},
        ) from None


def whole_board(call: Call, division: str | None) -> list[LeaderboardRow]:
    """Every team on the board the caller may see, in rank order."""
    live = live_board(call, division)
    rows: list[LeaderboardRow] = []
    while True:
        page = call.store.leaderboard(call.hunt_id, live.board, PAGE, len(rows), division)
        rows.extend(page)
        if len(page) < PAGE:
            return rows


CSV_HEADER = ("rank", "team_id", "name", "division", "score", "solved", "finished_at")


async def leaderboard_csv(call: Call) -> Response:
    """RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or newline."""
    query: CsvQuery = call.query
    check_division(call.hunt.definition, query.division)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for rank, r in enumerate(whole_board(call, query.division), start=1):
        row = board_row(rank, r)
        writer.writerow(["" if row[name] is None else row[name] for name in CSV_HEADER])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{call.hunt_id}-leaderboard.csv"'},
    )


async def ctftime(call: Call) -> Any:
    """The scoreboard feed CTFtime reads."""
    return {
        "standings": [
            {"pos": pos, "team": r.name, "score": r.score}
            for pos, r in enumerate(whole_board(call, None), start=1)
        ]
    }


async def team_progress_route(call: Call) -> Any:
    hunt_id, team_id = call.hunt_id, call.path("team")
    team = team_row(call.store, hunt_id, team_id)
    row = call.store.get("leaderboard_live", hunt_id, team_id)
    score = row.score if isinstance(row, LeaderboardRow) else 0
    # During a freeze a team sees its own live score, but its rank on the frozen board:
    # a live rank would leak the standings the freeze hides.
    frozen = public_board_is_frozen(call.hunt.definition, call.now)
    board: Board = "frozen" if frozen and isinstance(call.principal, Team) else "live"
    rank = call.store.rank(hunt_id, board, team_id)
    stats = clue_stats(call.store, hunt_id)
    return team_progress(call.hunt.definition, team, stats, score, rank, call.now)


CSV = Reply2xx("text/csv", {"type": "string"})

ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/leaderboard",
        "The leaderboard (frozen for the public during a freeze), or the board at a past "
        "version or time",
        "anyone",
        leaderboard,
        Leaderboard,
        query=BoardQuery,
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/leaderboard.csv",
        "The leaderboard as CSV (rank,team_id,name,division,score,solved,finished_at)",
        "anyone",
        leaderboard_csv,
        CSV,
        query=CsvQuery,
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/ctftime.json",
        "The standings as the scoreboard feed CTFtime reads",
        "anyone",
        ctftime,
        CtftimeFeed,
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/teams/{team}",
        "A team's progress (that team or an organizer)",
        "own_team",
        team_progress_route,
        TeamProgress,
    ),
]
