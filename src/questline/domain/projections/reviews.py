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
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import ReviewRow, Table
from questline.domain.projections.saved_form import decoder, encode

_saved = decoder(list[ReviewRow])


class ReviewsProjection:
    name: ClassVar[str] = "reviews"
    tables: tuple[Table, ...] = ("reviews",)
    saved_types: tuple[type, ...] = (ReviewRow,)

    def __init__(self) -> None:
        self._reviews: dict[tuple[str, str], ReviewRow] = {}
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        handler = self.handlers.get(type(recorded.event))
        if handler is not None:
            handler(recorded)

    def _submitted(self, recorded: RecordedEvent) -> None:
        event: PhotoSubmitted = recorded.event  # type: ignore[assignment]
        review_id = event.review_id
        self._reviews[(recorded.hunt_id, review_id)] = ReviewRow(
            review_id, event.team_id, event.clue_id, event.photo_id, recorded.time, "waiting"
        )
        self.dirty.add(("reviews", recorded.hunt_id, review_id))

    def _solved(self, recorded: RecordedEvent) -> None:
        event: ClueSolved = recorded.event  # type: ignore[assignment]
        review_id = event.review_id
        if review_id is None:
            return  # not a photo
        key = (recorded.hunt_id, review_id)
        self._reviews[key] = msgspec.structs.replace(
            self._reviews[key], status="approved", reviewed_at=recorded.time
        )
        self.dirty.add(("reviews", recorded.hunt_id, review_id))

    def _rejected(self, recorded: RecordedEvent) -> None:
        event: PhotoRejected = recorded.event  # type: ignore[assignment]
        key = (recorded.hunt_id, event.review_id)
        self._reviews[key] = msgspec.structs.replace(
            self._reviews[key], status="rejected", reason=event.reason, reviewed_at=recorded.time
        )
        self.dirty.add(("reviews", recorded.hunt_id, event.review_id))

    ROUTES: ClassVar[Routes] = {
        PhotoSubmitted: _submitted,
        ClueSolved: _solved,
        PhotoRejected: _rejected,
    }
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

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
