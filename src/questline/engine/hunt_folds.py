"""Folds of a hunt's whole log that reads need but read models do not hold: the ledger
(time travel, score history, receipts, the certificate) and the fair-play flags.

A fold is built the first time a hunt is asked about, from its events, and brought up
to date from the log before each read (only the events after the last one it folded
are read), so it never replays the hunt from the start again and never misses an
event: the same in both shapes, over SQLite's log or a cluster's event archive.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from questline.domain.events import RecordedEvent
from questline.domain.fair_play import FairPlay
from questline.domain.ledger import HuntLedger
from questline.ports import EventReader

F = TypeVar("F")


@dataclass
class _Kept(Generic[F]):
    fold: F
    position: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Folds(Generic[F]):
    def __init__(
        self,
        events: EventReader,
        start: Callable[[RecordedEvent], F],
        apply: Callable[[F, RecordedEvent], None],
    ) -> None:
        self._events = events
        self._start = start
        self._apply = apply
        self._kept: dict[str, _Kept[F]] = {}
        self._lock = threading.Lock()

    def get(self, hunt_id: str) -> F | None:
        """The hunt's fold as of the log's end, or None for a hunt with no events."""
        kept = self._kept.get(hunt_id)
        if kept is None:
            first = next(iter(self._events.read(hunt_id=hunt_id, limit=1)), None)
            if first is None:
                return None
            with self._lock:
                kept = self._kept.get(hunt_id)
                if kept is None:
                    kept = _Kept(self._start(first), first.position)
                    self._kept[hunt_id] = kept
        with kept.lock:
            for recorded in self._events.read(after=kept.position, hunt_id=hunt_id):
                self._apply(kept.fold, recorded)
                kept.position = recorded.position
            return kept.fold


def _fair_play(first: RecordedEvent) -> FairPlay:
    fold = FairPlay()
    fold.apply(first)
    return fold


class HuntFolds:
    def __init__(self, events: EventReader) -> None:
        self._ledgers = _Folds(events, HuntLedger.of, HuntLedger.apply)
        self._fair_play = _Folds(events, _fair_play, FairPlay.apply)

    def ledger(self, hunt_id: str) -> HuntLedger | None:
        return self._ledgers.get(hunt_id)

    def fair_play(self, hunt_id: str) -> FairPlay | None:
        return self._fair_play.get(hunt_id)
