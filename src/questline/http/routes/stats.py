"""GET /api/hunts/{hunt}/stats: per-clue statistics for organizers (the clue_stats read model)."""

from starlette.requests import Request
from starlette.responses import Response

from questline.domain.projections.rows import ClueStatsRow
from questline.http.request_context import (
    authenticate,
    hunt_row,
    require_organizer,
    services_of,
)
from questline.http.responses import json_response


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


async def clue_stats(request: Request) -> Response:
    """Every clue of the hunt in definition order; a clue nobody touched yet has zeros."""
    hunt_id = request.path_params["hunt"]
    require_organizer(authenticate(request))
    row = hunt_row(request, hunt_id)
    stored = {
        value.clue_id: value
        for _, _, value in services_of(request).store.read_models.rows("clue_stats", hunt_id)
        if isinstance(value, ClueStatsRow)
    }
    clues = [
        _row_body(stored.get(clue.id) or ClueStatsRow(clue.id, 0, 0, 0, 0, 0, []))
        for clue in row.definition.clues
    ]
    return json_response({"hunt": hunt_id, "clues": clues})
