"""What the summary names, read from a played rehearsal: clues no team reached,
clues that hold most teams back, teams left with nothing to work on for long
stretches, and the worst of the photo-review queue.

"Holds a team back": the team had hands free and nothing else open, and solving
the clue would open clues still closed to it (a meta before the next round, a
gate before the clues behind it). A clue holds most teams back when most of the
teams that reached it were held by it for `held_minutes` or more.
"""

import statistics

import msgspec

from questline.domain.timestamps import MICROS_PER_SECOND, Micros, to_rfc3339
from questline.rehearsal.simulation import Rehearsal

MINUTE = 60 * MICROS_PER_SECOND
MOST = 0.5  # "most teams": more than half of those that reached the clue
LISTED = 5  # bottlenecks and idle teams named in the summary


class Bottleneck(msgspec.Struct, frozen=True):
    clue: str
    reached: int
    held: int  # teams held back by it for at least the threshold
    median_held_minutes: float
    solved: int
    opens: tuple[str, ...]  # the clues its solve counts towards opening


class IdleTeam(msgspec.Struct, frozen=True):
    team: str
    minutes: float  # its longest stretch with nothing to work on
    start: str  # when that stretch began (HH:MM, UTC)
    cause: str


class ReviewPeak(msgspec.Struct, frozen=True):
    judges: int
    photos: int
    peak_waiting: int
    peak_at: str | None  # HH:MM, UTC
    longest_wait_minutes: float  # counting photos still waiting at the end, so far
    median_wait_minutes: float
    unreviewed: int  # photos still waiting when the hunt ended


class Findings(msgspec.Struct, frozen=True):
    unreached: tuple[str, ...]
    unanswerable: tuple[str, ...]  # clues the simulation could type no accepted answer for
    held_minutes: float  # the threshold of "held back"
    bottlenecks: tuple[Bottleneck, ...]
    strongest_hold: Bottleneck | None  # when no clue holds most teams: the one holding most
    idle_minutes: float  # the threshold of a long stretch
    idle_team_count: int
    idle_teams: tuple[IdleTeam, ...]  # the longest stretches, one per team
    review: ReviewPeak


def thresholds(length: Micros) -> tuple[float, float]:
    """(held, idle) minutes that count as long: 30 and 20, less in hunts under 2 hours."""
    minutes = length / MINUTE
    return min(30.0, minutes / 4), min(20.0, minutes / 6)


def find(rehearsal: Rehearsal) -> Findings:
    d = rehearsal.definition
    seen = rehearsal.observations
    held_minutes, idle_minutes = thresholds(d.ends_at - d.starts_at)
    unreached = tuple(clue.id for clue in d.clues if not seen.reached.get(clue.id))
    return Findings(
        unreached,
        tuple(seen.unanswerable),
        held_minutes,
        *_bottlenecks(rehearsal, held_minutes),
        idle_minutes,
        *_idle(rehearsal, idle_minutes),
        _review(rehearsal),
    )


def _bottlenecks(
    rehearsal: Rehearsal, held_minutes: float
) -> tuple[tuple[Bottleneck, ...], Bottleneck | None]:
    d = rehearsal.definition
    seen = rehearsal.observations
    opens = _opens(rehearsal)
    found = []
    for clue in d.clues:
        reached = len(seen.reached.get(clue.id, {}))
        held = [
            m / MINUTE for m in seen.held.get(clue.id, {}).values() if m >= held_minutes * MINUTE
        ]
        if reached and len(held) >= 2:
            found.append(
                Bottleneck(
                    clue.id,
                    reached,
                    len(held),
                    round(statistics.median(held), 1),
                    len(seen.solved.get(clue.id, {})),
                    opens[clue.id],
                )
            )
    found.sort(key=lambda b: (-b.held, -b.median_held_minutes, b.clue))
    most = tuple(b for b in found if b.held > MOST * b.reached)[:LISTED]
    return most, (found[0] if found and not most else None)


def _opens(rehearsal: Rehearsal) -> dict[str, tuple[str, ...]]:
    d = rehearsal.definition
    out: dict[str, list[str]] = {clue.id: [] for clue in d.clues}
    for clue in d.clues:
        needs = list(clue.requires.of) if clue.requires is not None else []
        round_ = d.round(clue.round) if clue.round is not None else None
        if round_ is not None and round_.requires is not None:
            needs += round_.requires.of
        for need in dict.fromkeys(needs):
            if need in out:
                out[need].append(clue.id)
    return {clue: tuple(ids) for clue, ids in out.items()}


def _idle(rehearsal: Rehearsal, idle_minutes: float) -> tuple[int, tuple[IdleTeam, ...]]:
    seen = rehearsal.observations
    longest: dict[int, tuple[Micros, Micros, str]] = {}
    for stretch in seen.idle:
        length = stretch.end - stretch.start
        if length >= idle_minutes * MINUTE and length > longest.get(stretch.team, (0, 0, ""))[0]:
            longest[stretch.team] = (length, stretch.start, stretch.cause)
    ordered = sorted(longest.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
    named = tuple(
        IdleTeam(seen.teams[team], round(length / MINUTE, 1), _clock(start), cause)
        for team, (length, start, cause) in ordered[:LISTED]
    )
    return len(longest), named


def _review(rehearsal: Rehearsal) -> ReviewPeak:
    seen = rehearsal.observations
    peak_at, peak = max(seen.queue, key=lambda sample: (sample[1], -sample[0]), default=(0, 0))
    waits = [wait / MINUTE for _, wait in rehearsal.waits]
    return ReviewPeak(
        rehearsal.settings.judges,
        len(rehearsal.photos),
        peak,
        _clock(peak_at) if peak else None,
        round(max(waits, default=0.0), 1),
        round(statistics.median(waits), 1) if waits else 0.0,
        rehearsal.unreviewed,
    )


def _clock(at: Micros) -> str:
    return to_rfc3339(at)[11:16]
