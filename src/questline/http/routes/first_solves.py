"""GET /api/hunts/{hunt}/first-solves: the first team to solve each clue, newest first,
for the big screen's feed (the clue statistics keep who; the audit feed keeps when).

Anyone may read it, like the leaderboard. During the freeze the public sees only the
first solves made before it: a later one would tell what the frozen board hides."""

from typing import Any

from questline.domain.projections.audit_feed import audit_key
from questline.domain.projections.rows import AuditRow, ClueStatsRow, LeaderboardRow
from questline.domain.timestamps import to_rfc3339
from questline.http.bodies.boards import FirstSolves
from questline.http.endpoint import Call, Endpoint
from questline.http.routes.boards import sees_frozen


async def first_solves(call: Call) -> Any:
    hunt_id, store = call.hunt_id, call.store
    definition = call.hunt.definition
    hidden_from = definition.freeze_at if sees_frozen(call) else None
    titles = {clue.id: clue.title for clue in definition.clues}
    entries: list[tuple[int, dict[str, Any]]] = []
    for _, clue_id, stats in store.rows("clue_stats", hunt_id):
        if not isinstance(stats, ClueStatsRow) or not stats.first_solves or clue_id not in titles:
            continue
        version, team_id = stats.first_solves[0]
        event = store.get("audit", hunt_id, audit_key(version))
        time = event.time if isinstance(event, AuditRow) else None
        if hidden_from is not None and (time is None or time >= hidden_from):
            continue
        team = store.get("leaderboard_live", hunt_id, team_id)
        name = team.name if isinstance(team, LeaderboardRow) else team_id
        entries.append(
            (
                version,
                {
                    "clue": clue_id,
                    "title": titles[clue_id],
                    "team_id": team_id,
                    "name": name,
                    "version": version,
                    "time": to_rfc3339(time) if time is not None else None,
                },
            )
        )
    entries.sort(key=lambda entry: -entry[0])
    return {"first_solves": [body for _, body in entries]}


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/first-solves",
        "The first team to solve each clue, newest first (during a freeze the public "
        "sees only those before it)",
        "anyone",
        first_solves,
        FirstSolves,
    )
]
