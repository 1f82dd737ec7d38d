"""Fair-play flags (log-features.md, "Fair play"), found incrementally as events arrive.

Flags are advice for a person, never a penalty. Each event is compared only with what
could pair with it: answers with the same (clue, wrong answer), solves of the same
clue within a minute, a team's previous check-in, photos with the same digest or a
dHash chunk in common (two 64-bit hashes within 6 bits of each other agree on at
least one of 7 chunks, so the chunks index every near-duplicate).
"""

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from itertools import combinations

import msgspec

from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    HuntCreated,
    HuntRevised,
    PhotoSubmitted,
    RecordedEvent,
)
from questline.domain.geo import haversine_m
from questline.domain.text_normalization import normalize_answer
from questline.domain.timestamps import MICROS_PER_SECOND, Micros

SHARED_WINDOW = 10 * 60 * MICROS_PER_SECOND
SHARED_MIN_LENGTH = 6
SHARED_MAX_TEAMS = 3
LOCKSTEP_WINDOW = 60 * MICROS_PER_SECOND
LOCKSTEP_CLUES = 3
MAX_SPEED_KMH = 150.0
PHOTO_BITS = 6
_CHUNKS = PHOTO_BITS + 1  # by pigeonhole, hashes within 6 bits share one of 7 chunks
_CHUNK_BITS = (64 + _CHUNKS - 1) // _CHUNKS


class Flag(msgspec.Struct, frozen=True):
    kind: str
    teams: list[str]
    clue: str | None
    versions: list[int]
    detail: str


@dataclass(slots=True)
class _Answer:
    """One wrong answer to one clue: who gave it, when, in which events."""

    given: dict[str, list[tuple[Micros, int]]] = field(default_factory=dict)


@dataclass(slots=True)
class _Photo:
    team_id: str
    clue_id: str
    version: int
    digest: str
    dhash: int | None


class FairPlay:
    def __init__(self) -> None:
        self._code_clues: set[str] = set()  # codes are not text answers
        self._answers: dict[tuple[str, str], _Answer] = {}
        self._solves: dict[str, list[tuple[Micros, str, int]]] = {}  # clue -> by time
        self._pairs: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
        self._last_check_in: dict[str, tuple[float, float, Micros, int]] = {}
        self._travel: list[Flag] = []
        self._photos: list[_Photo] = []
        self._by_digest: dict[str, list[int]] = {}
        self._by_chunk: dict[tuple[int, int], list[int]] = {}
        self._photo_pairs: dict[tuple[int, int], str] = {}

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        if isinstance(event, HuntCreated | HuntRevised):
            self._code_clues = {c.id for c in event.definition.clues if c.kind == "code"}
        elif isinstance(event, AnswerWrong):
            if event.answer is not None and event.clue_id not in self._code_clues:
                self._wrong_answer(recorded, event)
            if event.lat is not None and event.lon is not None:
                self._check_in(event.team_id, event.lat, event.lon, recorded)
        elif isinstance(event, ClueSolved):
            if event.lat is not None and event.lon is not None:
                self._check_in(event.team_id, event.lat, event.lon, recorded)
            if event.moved_from is None:
                time = event.counts_at_time if event.counts_at_time is not None else recorded.time
                self._solved(event.team_id, event.clue_id, time, recorded.version)
        elif isinstance(event, PhotoSubmitted):
            self._photo(recorded, event)

    # -- the four kinds ---------------------------------------------------------------

    def _wrong_answer(self, recorded: RecordedEvent, event: AnswerWrong) -> None:
        assert event.answer is not None
        normalized = normalize_answer(event.answer)
        if len(normalized) < SHARED_MIN_LENGTH:
            return
        answer = self._answers.setdefault((event.clue_id, normalized), _Answer())
        answer.given.setdefault(event.team_id, []).append((recorded.time, recorded.version))

    def _solved(self, team_id: str, clue_id: str, time: Micros, version: int) -> None:
        solves = self._solves.setdefault(clue_id, [])
        low = bisect_left(solves, (time - LOCKSTEP_WINDOW, "", 0))
        high = bisect_right(solves, (time + LOCKSTEP_WINDOW, "\uffff", 2**62))
        for _, other, other_version in solves[low:high]:
            if other == team_id:
                continue
            pair = (min(team_id, other), max(team_id, other))
            clues = self._pairs.setdefault(pair, {})
            clues.setdefault(clue_id, (min(version, other_version), max(version, other_version)))
        insort(solves, (time, team_id, version))

    def _check_in(self, team_id: str, lat: float, lon: float, recorded: RecordedEvent) -> None:
        last = self._last_check_in.get(team_id)
        self._last_check_in[team_id] = (lat, lon, recorded.time, recorded.version)
        if last is None:
            return
        km = haversine_m(last[0], last[1], lat, lon) / 1000
        hours = (recorded.time - last[2]) / (3600 * MICROS_PER_SECOND)
        if km == 0 or (hours > 0 and km / hours <= MAX_SPEED_KMH):
            return
        speed = f"{km / hours:.0f} km/h" if hours > 0 else "no time at all"
        self._travel.append(
            Flag(
                "impossible_travel",
                [team_id],
                None,
                [last[3], recorded.version],
                f"{km:.1f} km in {hours * 60:.1f} min ({speed})",
            )
        )

    def _photo(self, recorded: RecordedEvent, event: PhotoSubmitted) -> None:
        dhash = int(event.dhash, 16) if event.dhash else None
        index = len(self._photos)
        photo = _Photo(event.team_id, event.clue_id, recorded.version, event.digest, dhash)
        candidates = set(self._by_digest.get(event.digest, ()))
        chunks = _chunks(dhash) if dhash is not None else []
        for chunk in chunks:
            candidates.update(self._by_chunk.get(chunk, ()))
        for other_index in sorted(candidates):
            other = self._photos[other_index]
            if other.team_id == photo.team_id:
                continue
            if other.digest == photo.digest:
                self._photo_pairs[(other_index, index)] = "the same file"
            elif other.dhash is not None and dhash is not None:
                bits = (other.dhash ^ dhash).bit_count()
                if bits <= PHOTO_BITS:
                    self._photo_pairs[(other_index, index)] = f"images {bits} bit(s) apart"
        self._photos.append(photo)
        self._by_digest.setdefault(event.digest, []).append(index)
        for chunk in chunks:
            self._by_chunk.setdefault(chunk, []).append(index)

    # -- reading -------------------------------------------------------------------------

    def flags(self) -> list[Flag]:
        found: list[Flag] = []
        for (clue_id, normalized), answer in sorted(self._answers.items()):
            if not 2 <= len(answer.given) <= SHARED_MAX_TEAMS:
                continue
            close = _close_teams(answer.given)
            if close:
                versions = sorted(v for team in close for _, v in answer.given[team])
                found.append(
                    Flag(
                        "shared_wrong_answer",
                        sorted(close),
                        clue_id,
                        versions,
                        f"{len(close)} teams gave the same wrong answer {normalized!r}"
                        " within 10 minutes",
                    )
                )
        for pair, clues in sorted(self._pairs.items()):
            if len(clues) >= LOCKSTEP_CLUES:
                versions = sorted(v for both in clues.values() for v in both)
                found.append(
                    Flag(
                        "lockstep_solves",
                        list(pair),
                        None,
                        versions,
                        f"solved {len(clues)} of the same clues within a minute of each other: "
                        + ", ".join(sorted(clues)),
                    )
                )
        found.extend(self._travel)
        for (a, b), how in sorted(self._photo_pairs.items()):
            first, second = self._photos[a], self._photos[b]
            found.append(
                Flag(
                    "duplicate_photo",
                    sorted({first.team_id, second.team_id}),
                    second.clue_id if first.clue_id == second.clue_id else None,
                    [first.version, second.version],
                    f"photos for {first.clue_id} and {second.clue_id}: {how}",
                )
            )
        return found


def _close_teams(given: dict[str, list[tuple[Micros, int]]]) -> set[str]:
    """The teams whose answer came within the window of another team's."""
    close: set[str] = set()
    for a, b in combinations(sorted(given), 2):
        if any(abs(ta - tb) <= SHARED_WINDOW for ta, _ in given[a] for tb, _ in given[b]):
            close.update((a, b))
    return close


def _chunks(dhash: int) -> list[tuple[int, int]]:
    mask = (1 << _CHUNK_BITS) - 1
    return [(i, (dhash >> (i * _CHUNK_BITS)) & mask) for i in range(_CHUNKS)]
