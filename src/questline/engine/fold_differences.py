"""Where a partition snapshot differs from an independent refold of the log, hunt
by hunt: the decision state, every read-model row, and (when the rows agree) the
projection state the rows are computed from; then the window of recent command
records. Pure: both folds are in memory.

A snapshot is a pure function of the log before its offset, so a snapshot that
opens cleanly but differs here holds wrong state (written by a buggy version, or
from memory that drifted) and must not be restored from.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from questline.domain.hunt_state import HuntState, dump_state
from questline.domain.projections.projector import Projector
from questline.engine.command_window import WindowData
from questline.engine.memory_rows import rows_in_memory
from questline.engine.snapshots import projections_to
from questline.engine.verification import compare_rows

WINDOW = "command window"
_ABSENT = "<absent>"
_PRESENT = "<present>"


@dataclass(frozen=True)
class Fold:
    """One fold of a partition: the decision state of each hunt and the projections.
    The projector must have no rows waiting to be taken."""

    states: Mapping[str, HuntState]
    projector: Projector
    window: WindowData | None = None  # None: not compared


class FoldDifference(msgspec.Struct, frozen=True):
    hunt_id: str
    part: str  # "hunt", "decision state", "projection state" or a read-model table
    where: str  # a field path, or a row's key (and field)
    snapshot: Any
    refold: Any

    def describe(self) -> str:
        if self.part == WINDOW:
            return (
                f"the command window differs at {self.where}: {_short(self.snapshot)} in the"
                f" snapshot, {_short(self.refold)} by a refold of the log"
            )
        if self.part == "hunt":
            side = "the snapshot" if self.refold == _ABSENT else "a refold of the log"
            return f"hunt {self.hunt_id}: only {side} has it"
        what = f"{self.part} {self.where}" if self.where else self.part
        return (
            f"hunt {self.hunt_id}: {what} is {_short(self.snapshot)} in the snapshot, "
            f"{_short(self.refold)} by a refold of the log"
        )


def fold_differences(snapshot: Fold, refold: Fold) -> list[FoldDifference]:
    """Every difference of `snapshot` from `refold`, hunt by hunt (sorted); empty
    when they are equal."""
    differences: list[FoldDifference] = []
    for hunt_id in sorted(set(snapshot.states) | set(refold.states)):
        mine, theirs = snapshot.states.get(hunt_id), refold.states.get(hunt_id)
        if mine is None or theirs is None:
            differences.append(
                FoldDifference(
                    hunt_id,
                    "hunt",
                    "",
                    _ABSENT if mine is None else _PRESENT,
                    _ABSENT if theirs is None else _PRESENT,
                )
            )
            continue
        differences.extend(
            FoldDifference(hunt_id, "decision state", path, a, b)
            for path, a, b in _paths(
                msgspec.to_builtins(dump_state(mine)), msgspec.to_builtins(dump_state(theirs))
            )
        )
        rows = _row_differences(snapshot.projector, refold.projector, hunt_id)
        differences.extend(rows)
        if not rows:  # the rows agree; what they are computed from must too
            differences.extend(
                FoldDifference(hunt_id, "projection state", path, a, b)
                for path, a, b in _paths(
                    _saved(projections_to(snapshot.projector, hunt_id)),
                    _saved(projections_to(refold.projector, hunt_id)),
                )
            )
    if snapshot.window is not None and refold.window is not None:
        differences.extend(_window_differences(snapshot.window, refold.window))
    return differences


def _window_differences(mine: WindowData, theirs: WindowData) -> list[FoldDifference]:
    if mine == theirs:
        return []
    for name in ("newest", "records", "spilled"):
        a, b = getattr(mine, name), getattr(theirs, name)
        if a != b:
            if isinstance(a, list) and isinstance(b, list):
                at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)
                if at is None:
                    return [FoldDifference("", WINDOW, f"{name} count", len(a), len(b))]
                return [FoldDifference("", WINDOW, f"{name}[{at}]", a[at], b[at])]
            return [FoldDifference("", WINDOW, name, a, b)]
    return []


def _saved(projections: dict[str, bytes]) -> dict[str, Any]:
    """Each projection's saved form as plain values, to compare field by field."""
    return {name: msgspec.msgpack.decode(data) for name, data in projections.items()}


def _row_differences(mine: Projector, theirs: Projector, hunt_id: str) -> list[FoldDifference]:
    held = rows_in_memory(mine, hunt_id)
    wanted = rows_in_memory(theirs, hunt_id)
    found: list[FoldDifference] = []
    for key in sorted(set(held) | set(wanted)):
        table, _, row_key = key
        for d in compare_rows(table, hunt_id, row_key, held.get(key), wanted.get(key)):
            if d.field is None:
                a = _ABSENT if d.stored is None else _PRESENT
                b = _ABSENT if d.replayed is None else _PRESENT
                found.append(FoldDifference(hunt_id, table, f"row {row_key}", a, b))
            else:
                found.append(
                    FoldDifference(hunt_id, table, f"row {row_key} {d.field}", d.stored, d.replayed)
                )
    return found


def _paths(a: Any, b: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """The innermost paths at which two plain values (dicts, lists, scalars) differ."""
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            yield from _paths(a.get(key, _ABSENT), b.get(key, _ABSENT), _join(path, str(key)))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _paths(x, y, f"{path}[{_label(x, y, index)}]")
    else:
        yield path, a, b


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _label(x: Any, y: Any, index: int) -> str:
    """A list element by its id where it has one (teams, reviews), else its index."""
    if isinstance(x, dict) and isinstance(y, dict):
        for name in ("team_id", "review_id", "clue_id"):
            if x.get(name) is not None and x.get(name) == y.get(name):
                return str(x[name])
    return str(index)


def _short(value: Any, limit: int = 120) -> str:
    text = value if value in (_ABSENT, _PRESENT) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
