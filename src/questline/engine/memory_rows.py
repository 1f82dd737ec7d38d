"""Every read-model row a projector holds in memory for one hunt, but the audit
feed (append-only, kept by no projection's state): what the store should hold
for that hunt as of the projector's position."""

from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes, Table
from questline.engine.snapshots import projections_to


def rows_in_memory(projector: Projector, hunt_id: str) -> Changes:
    """The projector must have no rows waiting to be taken."""
    data = projections_to(projector, hunt_id)
    keys: list[tuple[Table, str]] = []
    if data.catalog is not None:
        keys.append(("hunts", hunt_id))
    keys.extend(("teams", team.team_id) for team in data.teams)
    if data.boards is not None:
        keys.extend(("leaderboard_live", e.team_id) for e in data.boards.live.entries)
        if data.boards.frozen is not None:
            keys.extend(("leaderboard_frozen", e.team_id) for e in data.boards.frozen.entries)
    keys.extend(("clue_stats", stats.clue_id) for stats in data.clue_stats)
    keys.extend(("reviews", review.review_id) for review in data.reviews)
    owners = {table: p for p in projector.projections for table in p.tables}
    return {(table, hunt_id, key): owners[table].row(table, hunt_id, key) for table, key in keys}
