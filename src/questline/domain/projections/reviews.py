"""The photo reviews read model: the queue organizers judge, and its outcomes."""

from collections.abc import Iterator
from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    ClueSolved,
    Event,
    PhotoRejected,
    PhotoSubmitted,
    RecordedEvent,
)
from questline.domain.projections.rows import ReviewRow, Table
from questline.domain.projections.saved_form import decoder, encode

_saved = decoder(list[ReviewRow])


class ReviewsProjection:
    name: ClassVar[str] = "reviews"
    tables: tuple[Table, ...] = ("reviews",)
    saved_types: tuple[type, ...] = (ReviewRow,)
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

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("reviews", review) for (h, review) in self._reviews if h == hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        rows = [row for (h, _), row in self._reviews.items() if h == hunt_id]
        return encode(rows) if rows else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        for review in _saved.decode(data):
            self._reviews[(hunt_id, review.review_id)] = review
