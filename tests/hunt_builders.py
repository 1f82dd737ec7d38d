"""Building hunts and playing them in tests, without any I/O.

`PureHunt` runs commands through `decide` and `evolve` exactly as the engine
does, keeping the log it produced, so rule tests read like the spec.
"""

from typing import Any

import msgspec

from questline.domain.commands import (
    AdjustScore,
    Announce,
    CodeGiven,
    Command,
    GeoGiven,
    Given,
    PartGiven,
    PauseHunt,
    PhotoGiven,
    RegisterTeam,
    ResumeHunt,
    ReviewPhoto,
    ReviseHunt,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.decide import Accepted, decide
from questline.domain.definition import HuntDefinition
from questline.domain.definition_parsing import parse_definition
from questline.domain.events import HuntCreated, RecordedEvent
from questline.domain.hash_chain import GENESIS, with_hash
from questline.domain.hunt_state import HuntState, evolve
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes
from questline.domain.rejections import Rejection
from questline.domain.replies import Reply
from questline.domain.timestamps import MICROS_PER_SECOND, Micros, parse_rfc3339

SECOND = MICROS_PER_SECOND
MINUTE = 60 * SECOND
STARTS = parse_rfc3339("2026-12-01T18:00:00Z")
FREEZES = parse_rfc3339("2026-12-01T21:30:00Z")
ENDS = parse_rfc3339("2026-12-01T22:00:00Z")
BEFORE_START = STARTS - 3600 * SECOND


def spec_document() -> dict[str, Any]:
    """The example hunt of hunt-format.md, as a parsed document."""
    return {
        "hunt": {
            "id": "harbour-night",
            "title": "Harbour Night Hunt",
            "starts_at": "2026-12-01T18:00:00Z",
            "ends_at": "2026-12-01T22:00:00Z",
            "freeze_at": "2026-12-01T21:30:00Z",
            "team_size": {"max": 4},
            "scoring": {"first_solve_bonus": [50, 25, 10]},
            "attempts": {"wrong_per_minute": 10},
        },
        "clues": [
            {
                "id": "lighthouse",
                "title": "The Lighthouse",
                "text": "Where the keeper never sleeps.",
                "points": 100,
                "answer": {
                    "kind": "text",
                    "accept": ["Lighthouse Keeper", "keeper"],
                    "keep_going": ["light"],
                },
                "hints": [{"id": "look-up", "text": "Look up.", "cost": 20}],
            },
            {
                "id": "dock-9",
                "title": "Dock 9",
                "points": {
                    "dynamic": {
                        "initial": 500,
                        "minimum": 100,
                        "decay": 20,
                        "function": "logarithmic",
                    }
                },
                "requires": ["lighthouse"],
                "answer": {"kind": "geo", "lat": 59.9139, "lon": 10.7522, "radius_m": 30},
            },
            {
                "id": "crate",
                "points": 200,
                "requires": {"any": 1, "of": ["lighthouse", "dock-9"]},
                "answer": {"kind": "code", "codes": ["QL-7F3K-22"]},
            },
            {"id": "selfie", "points": 150, "max_attempts": 3, "answer": {"kind": "photo"}},
        ],
    }


def spec_hunt(**hunt_overrides: Any) -> HuntDefinition:
    document = spec_document()
    document["hunt"].update(hunt_overrides)
    return parse_definition(document)


def hunt_from(document: dict[str, Any]) -> HuntDefinition:
    return parse_definition(document)


DOCK = (59.9139, 10.7522)


class PureHunt:
    """One hunt played through the pure core, with a hand-moved clock."""

    def __init__(self, definition: HuntDefinition, now: Micros = STARTS) -> None:
        self.definition = definition
        self.now = now
        created = with_hash(
            GENESIS,
            RecordedEvent(definition.id, 1, BEFORE_START, "create", HuntCreated(definition)),
        )
        self.state: HuntState = evolve(None, created)
        self.log: list[RecordedEvent] = [msgspec.structs.replace(created, position=1)]
        self._commands = 0

    @property
    def hunt_id(self) -> str:
        return self.definition.id

    def at(self, now: Micros) -> "PureHunt":
        self.now = now
        return self

    def advance(self, micros: Micros) -> "PureHunt":
        self.now += micros
        return self

    def run(self, command: Command) -> Reply | Rejection:
        self._commands += 1
        decision = decide(self.state, command, self.now)
        if isinstance(decision, Rejection):
            return decision
        assert isinstance(decision, Accepted)
        for event in decision.events:
            recorded = with_hash(
                self.state.last_hash,
                RecordedEvent(
                    self.hunt_id,
                    self.state.version + 1,
                    self.now,
                    f"c{self._commands}",
                    event,
                    position=len(self.log) + 1,
                ),
            )
            self.state = evolve(self.state, recorded)
            self.log.append(recorded)
        return decision.reply

    def accepted(self, command: Command) -> Any:
        result = self.run(command)
        assert not isinstance(result, Rejection), result
        return result

    # Shorthands that read like the spec.
    def register(self, name: str, division: str | None = None) -> str:
        reply = self.accepted(RegisterTeam(self.hunt_id, name, f"hash-of-{name}", division))
        team_id: str = reply.team_id
        return team_id

    def revise(
        self,
        definition: HuntDefinition,
        *,
        rejudge: bool = False,
        dry_run: bool = False,
        expected: int | None = None,
    ) -> Reply | Rejection:
        return self.run(ReviseHunt(self.hunt_id, definition, expected, dry_run, rejudge))

    def part(self, team_id: str, clue_id: str, part_id: str, answer: str) -> Reply | Rejection:
        return self.submit(team_id, clue_id, PartGiven(part_id, answer))

    def submit(self, team_id: str, clue_id: str, given: Given) -> Reply | Rejection:
        return self.run(Submit(self.hunt_id, team_id, clue_id, given))

    def text(self, team_id: str, clue_id: str, answer: str) -> Reply | Rejection:
        return self.submit(team_id, clue_id, TextGiven(answer))

    def geo(self, team_id: str, clue_id: str, lat: float, lon: float) -> Reply | Rejection:
        return self.submit(team_id, clue_id, GeoGiven(lat, lon))

    def code(self, team_id: str, clue_id: str, code: str) -> Reply | Rejection:
        return self.submit(team_id, clue_id, CodeGiven(code))

    def photo(self, team_id: str, clue_id: str, photo_id: str = "ph") -> Reply | Rejection:
        return self.submit(team_id, clue_id, PhotoGiven(photo_id, "sha256:00", "image/jpeg", 10))

    def hint(self, team_id: str, clue_id: str, hint_id: str) -> Reply | Rejection:
        return self.run(UnlockHint(self.hunt_id, team_id, clue_id, hint_id))

    def review(self, review_id: str, approve: bool, reason: str = "") -> Reply | Rejection:
        return self.run(ReviewPhoto(self.hunt_id, review_id, approve, reason))

    def adjust(self, team_id: str, points: int, reason: str = "bonus") -> Reply | Rejection:
        return self.run(AdjustScore(self.hunt_id, team_id, points, reason))

    def pause(self) -> Reply | Rejection:
        return self.run(PauseHunt(self.hunt_id))

    def resume(self) -> Reply | Rejection:
        return self.run(ResumeHunt(self.hunt_id))

    def announce(self, text: str) -> Reply | Rejection:
        return self.run(Announce(self.hunt_id, text))

    def score(self, team_id: str) -> int:
        return self.state.scores.score(team_id)

    def solve_lighthouse(self, team_id: str) -> Reply | Rejection:
        return self.text(team_id, "lighthouse", "keeper")

    def rows(self) -> Changes:
        """Every read-model row a fold of this hunt's log gives."""
        projector = Projector()
        projector.apply_all(self.log)
        return projector.take_changes()
