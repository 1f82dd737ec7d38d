"""Teams that keep a real field's pace: the demo's players work on a clue for the
time their pace and the clue's difficulty give (the rehearsal's team model, with
the hunt's timeline compressed into the demo's), guess wrong now and then while
they work, ask for hints when stuck, and only then send the right answer. Some
finish early, some late, some never, some stop playing part-way.

A `TeamPlan` only decides; `Players` sends what it decides and tells it how the
server answered. Times are seconds on the event loop's clock.
"""

import random
from dataclasses import dataclass, field
from typing import Literal

from questline.domain.definition import Clue, PartsAnswer
from questline.rehearsal.difficulty import expected_minutes
from questline.rehearsal.team_model import TeamTraits, puzzle_minutes

HINT_SPEEDUP = 0.5  # a hint halves what is left of the work (as in rehearsals)
RETAKE_SHARE = 0.3  # a rejected photo is retaken in this share of the clue's time
GUESS_FACTOR = {"text": 1.0, "parts": 1.0, "code": 0.3, "geo": 0.3, "photo": 0.0}


@dataclass(frozen=True)
class Pace:
    """How the hunt's own timeline maps to wall time: `scale` seconds of wall time
    per second of the hunt as written (a 4-hour hunt played in 40 minutes: 1/6)."""

    scale: float


@dataclass(frozen=True)
class Move:
    kind: Literal["right", "wrong", "hint"]
    clue: Clue
    part: str | None = None
    hint_id: str | None = None


@dataclass(slots=True)
class _Work:
    clue: Clue
    expected: float  # seconds of wall time a typical team takes
    due: list[tuple[str, float]]  # (part, or "" for the clue; when the team has it)
    next_guess: float
    next_hint: float | None
    guesses: int = 0


@dataclass
class TeamPlan:
    traits: TeamTraits
    pace: Pace
    rng: random.Random
    joined: float  # when it registered (for the first teams: when the hunt started)
    priority: dict[str, float] = field(default_factory=dict)
    work: dict[str, _Work] = field(default_factory=dict)
    retake: set[str] = field(default_factory=set)
    hints_taken: set[tuple[str, str]] = field(default_factory=set)
    free_since: float | None = None  # since when a hand has been free (None: from arrival)

    def stopped(self, now: float) -> bool:
        """Whether the team has given up playing (some do)."""
        quits = self.traits.quits_after
        return quits is not None and now >= self.joined + quits * 60 * self.pace.scale

    def arrived(self, now: float) -> bool:
        return now >= self.joined + self.traits.arrives_after * 60 * self.pace.scale

    def next_move(self, available: list[Clue], finish: str | None, now: float) -> Move | None:
        """What the team does now on the clues open to it (not solved, not locked, not
        waiting for a judge), or None while it thinks."""
        if not self.arrived(now):
            return None
        arrived = self.joined + self.traits.arrives_after * 60 * self.pace.scale
        ids = {clue.id for clue in available}
        hands = self.traits.parallel - len(self.work)
        if hands > 0:
            fresh = [clue for clue in available if clue.id not in self.work]
            fresh.sort(key=lambda c: (c.meta or c.id == finish, self._priority(c.id)))
            # It started when its hand came free, though it is asked only now.
            since = arrived if self.free_since is None else self.free_since
            for clue in fresh[:hands]:
                self._start(clue, min(now, max(since, arrived)))
            if fresh:
                self.free_since = now
        choices = [work for clue_id, work in self.work.items() if clue_id in ids]
        if not choices:
            return None
        work = self.rng.choice(choices)
        part = work.due[0][0] or None
        if now >= work.due[0][1]:
            return Move("right", work.clue, part)
        if work.next_hint is not None and now >= work.next_hint:
            hint = next(
                (h for h in work.clue.hints if (work.clue.id, h.id) not in self.hints_taken), None
            )
            work.next_hint = None
            if hint is not None:
                return Move("hint", work.clue, hint_id=hint.id)
        limit = work.clue.max_attempts
        if now >= work.next_guess and (limit is None or work.guesses < limit - 1):
            work.guesses += 1
            work.next_guess = self._guess_after(work.clue, now)
            return Move("wrong", work.clue, part)
        return None

    def _priority(self, clue_id: str) -> float:
        if clue_id not in self.priority:
            self.priority[clue_id] = self.rng.random()
        return self.priority[clue_id]

    def _start(self, clue: Clue, now: float) -> None:
        expected = expected_minutes(clue)[0] * 60 * self.pace.scale
        share = RETAKE_SHARE if clue.id in self.retake else 1.0
        total = puzzle_minutes(expected * share, self.traits, self.rng)
        if isinstance(clue.answer, PartsAnswer):
            parts = [part.id for part in clue.answer.parts]
            self.rng.shuffle(parts)
            cuts = [*sorted(self.rng.random() for _ in parts[1:]), 1.0]
            due = [(part, now + total * cut) for part, cut in zip(parts, cuts, strict=True)]
        else:
            due = [("", now + total)]
        patience = self.traits.hint_patience
        next_hint = now + expected * patience if patience is not None and clue.hints else None
        self.work[clue.id] = _Work(clue, expected, due, self._guess_after(clue, now), next_hint)

    def _guess_after(self, clue: Clue, now: float) -> float:
        factor = GUESS_FACTOR[clue.kind]
        if factor == 0.0:
            return float("inf")
        mean = self.traits.guess_every * 60 * self.pace.scale / factor
        return now + self.rng.expovariate(1.0 / mean)

    # -- what the server answered ---------------------------------------------------------

    def part_solved(self, clue_id: str, part: str) -> None:
        """A part is solved; the clue stays in hand until its last one is."""
        work = self.work.get(clue_id)
        if work is not None:
            work.due = [(p, at) for p, at in work.due if p != part]

    def clue_solved(self, clue_id: str, now: float) -> None:
        self.dropped(clue_id, now)

    def hint_taken(self, clue_id: str, hint_id: str, now: float) -> None:
        self.hints_taken.add((clue_id, hint_id))
        work = self.work.get(clue_id)
        if work is None:
            return
        work.due = [(p, now + (at - now) * HINT_SPEEDUP if at > now else at) for p, at in work.due]
        patience = self.traits.hint_patience or 1.0
        work.next_hint = now + work.expected * patience * HINT_SPEEDUP

    def dropped(self, clue_id: str, now: float) -> None:
        """The clue left the team's hands: solved, sent to the judges, or locked."""
        if self.work.pop(clue_id, None) is not None:
            self.free_since = now

    def photo_rejected(self, clue_id: str) -> None:
        self.retake.add(clue_id)
