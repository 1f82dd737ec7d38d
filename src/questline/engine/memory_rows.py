"""Every read-model row a projector holds in memory for one hunt, but the audit
feed (append-only, kept by no projection's state): what the store should hold
for that hunt as of the projector's position."""

from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes
from questline.engine.snapshots import SnapshotError


def rows_in_memory(projector: Projector, hunt_id: str) -> Changes:
    """The projector must have no rows waiting to be taken."""
    if projector.has_untaken(hunt_id):
        raise SnapshotError(f"hunt {hunt_id} has read-model rows not yet taken")
    return projector.rows(hunt_id)
