"""When a clue is open for a team: its time has come (its own release and its
round's), its `requires` are met, and its round's gate is met; or it was open
for the team when a revision changed its rules (it stays open).

Derived from the definition, what the team solved and the time, never stored:
a clue opens on the clock without anything being written, so nothing is missed
while a node is down.
"""

from collections.abc import Collection

from questline.domain.definition import Clue, HuntDefinition, Requires, Round
from questline.domain.timestamps import Micros


def requirements_met(requires: Requires | None, solved: Collection[str]) -> bool:
    if requires is None:
        return True
    return sum(1 for r in requires.of if r in solved) >= requires.count


def opens_at(definition: HuntDefinition, clue: Clue) -> Micros | None:
    """The time the clue opens on the clock (the later of its own and its round's)."""
    times: list[Micros] = []
    if clue.release is not None:
        times.append(clue.release.time(definition.starts_at))
    round_ = definition.round(clue.round) if clue.round is not None else None
    if round_ is not None and round_.release is not None:
        times.append(round_.release.time(definition.starts_at))
    return max(times) if times else None


def round_open(
    definition: HuntDefinition, round_: Round, solved: Collection[str], now: Micros
) -> bool:
    if round_.release is not None and now < round_.release.time(definition.starts_at):
        return False
    return requirements_met(round_.requires, solved)


def clue_open(
    definition: HuntDefinition,
    clue: Clue,
    solved: Collection[str],
    now: Micros,
    kept_open: Collection[str] = (),
) -> bool:
    if clue.id in kept_open:
        return True
    if clue.release is not None and now < clue.release.time(definition.starts_at):
        return False
    if not requirements_met(clue.requires, solved):
        return False
    if clue.round is None:
        return True
    round_ = definition.round(clue.round)
    return round_ is None or round_open(definition, round_, solved, now)


def open_clues(
    definition: HuntDefinition, solved: Collection[str], now: Micros, kept_open: Collection[str]
) -> set[str]:
    return {c.id for c in definition.clues if clue_open(definition, c, solved, now, kept_open)}
