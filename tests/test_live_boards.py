"""LiveBoards, the cluster API node's leaderboard deltas, hands out the rows the
embedded engine's projector changes for the same events: started mid-log (built from
history), after the tail skipped events (rebuilt), and nothing for unwatched hunts."""

from pathlib import Path

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.store import SqliteStore
from questline.cluster.live_boards import LiveBoards
from questline.domain.events import RecordedEvent
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes
from questline.engine.hunt_engine import HuntEngine
from questline.loadgen.workload import Workload
from questline.ports import CommandEnvelope


def _events(tmp_path: Path) -> list[RecordedEvent]:
    workload = Workload(hunts=3, teams=30, seed=11)
    store = SqliteStore(tmp_path / "log.db")
    clock = ManualClock(workload.starts_at + 1)
    engine = HuntEngine(store, clock)
    commands = [*workload.setup(), *workload.play(3000)]
    for start in range(0, len(commands), 100):
        clock.advance(1000)
        engine.execute(
            [
                CommandEnvelope(f"c{start + i}", c)
                for i, c in enumerate(commands[start : start + 100])
            ]
        )
    events = list(store.events.read())
    store.close()
    return events


def _live_rows(changes: Changes, hunts: set[str]) -> Changes:
    return {k: v for k, v in changes.items() if k[0] == "leaderboard_live" and k[1] in hunts}


def test_live_boards_change_the_rows_the_embedded_projector_changes(tmp_path: Path) -> None:
    events = _events(tmp_path)
    watched = {"w-000", "w-001"}
    asked: list[tuple[str, int]] = []

    def history(hunt_id: str, before: int) -> list[RecordedEvent]:
        asked.append((hunt_id, before))
        return [e for e in events if e.hunt_id == hunt_id and e.version < before]

    boards = LiveBoards(history, watched.__contains__)
    projector = Projector()
    skipped = False
    compared = 0
    for start in range(0, len(events), 50):
        batch = events[start : start + 50]
        projector.apply_all(batch)
        expected = _live_rows(projector.take_changes(), watched)
        if start < 500:
            continue  # the node starts later: its boards come from history
        if start == 1000 and not skipped:
            skipped = True  # the tail missed this batch: the next one rebuilds
            continue
        assert boards.changes(batch) == expected
        compared += len(expected)
    assert compared > 100
    assert {hunt for hunt, _ in asked} == watched
    assert len(asked) == 4  # once when each board is first needed, once after the gap


def test_an_unwatched_hunt_costs_nothing(tmp_path: Path) -> None:
    events = _events(tmp_path)[:200]

    def history(hunt_id: str, before: int) -> list[RecordedEvent]:
        raise AssertionError("no history is read for a hunt nobody watches")

    assert LiveBoards(history, lambda hunt_id: False).changes(events) == {}
