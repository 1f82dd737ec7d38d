"""GET /api/hunts/{hunt}/stats: per-clue statistics for organizers (the clue_stats read model)."""

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from questline.domain.projections.rows import ClueStatsRow
from questline.http.bodies.organize import Stats
from questline.http.endpoint import Call, Endpoint
from questline.http.recipe import handle


def _row_body(row: ClueStatsRow) -> dict[str, object]:
    return {
        "clue_id": row.clue_id,
        "solves": row.solves,
        "wrong": row.wrong,
        "keep_going": row.keep_going,
        "hints_unlocked": row.hints_unlocked,
        "photos_waiting": row.photos_waiting,
        "first_solvers": list(row.first_solvers),
    }


async def stats(call: Call) -> Any:
    """Every clue of the hunt in definition order; a clue nobody touched yet has zeros."""
    stored = {
        value.clue_id: value
        for _, _, value in call.store.rows("clue_stats", call.hunt_id)
        if isinstance(value, ClueStatsRow)
    }
    clues = [
        _row_body(stored.get(clue.id) or ClueStatsRow(clue.id, 0, 0, 0, 0, 0, []))
        for clue in call.hunt.definition.clues
    ]
    return {"hunt": call.hunt_id, "clues": clues}


ENDPOINT = Endpoint(
    "GET",
    "/api/hunts/{hunt}/stats",
    "Per-clue statistics: solves, wrong answers, keep-going hits, hints (organizer)",
    "organizer",
    stats,
    Stats,
)
ENDPOINTS = [ENDPOINT]


async def clue_stats(request: Request) -> Response:
    """The route as a plain Starlette endpoint (the web pages' table names it)."""
    return await handle(ENDPOINT, request)
