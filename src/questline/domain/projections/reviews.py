"""The photo reviews read model: the queue organizers judge, and its outcomes."""

import msgspec

from questline.domain.events import (
    ClueSolved,
    Event,
    PhotoRejected,
    PhotoSubmitted,
    RecordedEvent,
)
from questline.domain.projections.rows import ReviewRow, Table


class ReviewsProjection:
    tables: tuple[Table, ...] = ("reviews",)
    events: tuple[type[Event], ...] = (PhotoSubmitted, ClueSolved, PhotoRejected)

    def __init__(self) -> None:
        self._reviews: dict[tuple[str, str], ReviewRow] = {}
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        if isinstance(event, PhotoSubmitted):
            review_id = event.review_id
            self._reviews[(hunt_id, review_id)] = ReviewRow(
                review_id, event.team_id, event.clue_id, event.photo_id, recorded.time, "waiting"
            )
        elif isinstance(event, ClueSolved) and event.review_id is not None:
            review_id = event.review_id
            key = (hunt_id, review_id)
            self._reviews[key] = msgspec.structs.replace(
                self._reviews[key], status="approved", reviewed_at=recorded.time
            )
        elif isinstance(event, PhotoRejected):
            review_id = event.review_id
            key = (hunt_id, review_id)
            self._reviews[key] = msgspec.structs.replace(
                self._reviews[key],
                status="rejected",
                reason=event.reason,
                reviewed_at=recorded.time,
            )
        else:
            return
        self.dirty.add(("reviews", hunt_id, review_id))

    def row(self, table: Table, hunt_id: str, key: str) -> ReviewRow:
        return self._reviews[(hunt_id, key)]
