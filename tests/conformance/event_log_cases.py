"""What every EventLog must do. A backend's test module subclasses
`EventLogConformance` and says how to open its store (see test_sqlite.py);
pytest does not collect this class on its own."""

from itertools import pairwise

import msgspec
import pytest

from questline.domain.events import AnnouncementMade
from questline.ports import Store, VersionConflict
from tests.conformance.samples import BackendCase, append, every_event, history, recorded


class EventLogConformance(BackendCase):
    # More events than any backend hands out in its first page of a read.
    large_read = 5_000

    def test_a_new_log_is_empty(self, store: Store) -> None:
        log = store.events
        assert log.head() == 0
        assert log.version("h") == 0
        assert log.hunt_ids() == []
        assert list(log.read()) == []

    def test_versions_run_from_one_without_gaps_for_each_hunt(self, store: Store) -> None:
        append(store, [recorded("a", 1), recorded("b", 1), recorded("a", 2)])
        append(store, [recorded("b", 2), recorded("b", 3), recorded("a", 3), recorded("c", 1)])
        log = store.events
        assert (log.version("a"), log.version("b"), log.version("c")) == (3, 3, 1)
        assert log.version("nobody") == 0
        for hunt_id in ("a", "b", "c"):
            versions = [r.version for r in log.read(hunt_id=hunt_id)]
            assert versions == list(range(1, log.version(hunt_id) + 1))

    def test_append_returns_the_events_with_increasing_positions(self, store: Store) -> None:
        one = [recorded("a", 1), recorded("b", 1)]
        two = [recorded("a", 2), recorded("a", 3), recorded("b", 2)]
        placed = append(store, one) + append(store, two)
        # The same events in the order given, each now with its position.
        assert [msgspec.structs.replace(r, position=0) for r in placed] == one + two
        positions = [r.position for r in placed]
        assert positions[0] > 0
        assert all(a < b for a, b in pairwise(positions))
        assert list(store.events.read()) == placed
        assert store.events.head() == positions[-1]

    def test_an_empty_append_changes_nothing(self, store: Store) -> None:
        append(store, history("a", 1, 2))
        assert append(store, []) == []
        assert store.events.head() == list(store.events.read())[-1].position
        assert store.events.version("a") == 2

    @pytest.mark.parametrize(
        ("version", "expected"),
        [(1, 0), (3, 2), (5, 4), (9, 8)],
        ids=["restart", "repeat-last", "skip-one", "far-ahead"],
    )
    def test_appending_at_a_wrong_version_names_both_versions(
        self, store: Store, version: int, expected: int
    ) -> None:
        append(store, history("h", 1, 3))
        with pytest.raises(VersionConflict) as raised:
            append(store, [recorded("h", version)])
        conflict = raised.value
        assert (conflict.hunt_id, conflict.actual, conflict.expected) == ("h", 3, expected)
        assert str(conflict) == f"hunt h is at version 3, the command expected {expected}"

    def test_a_new_hunt_must_start_at_version_one(self, store: Store) -> None:
        with pytest.raises(VersionConflict) as raised:
            append(store, [recorded("fresh", 2)])
        assert str(raised.value) == "hunt fresh is at version 0, the command expected 1"
        assert store.events.head() == 0
        assert store.events.hunt_ids() == []

    def test_a_batch_whose_versions_skip_inside_it_is_refused(self, store: Store) -> None:
        with pytest.raises(VersionConflict) as raised:
            append(store, [recorded("h", 1), recorded("h", 3)])
        assert raised.value.hunt_id == "h"
        assert store.events.head() == 0
        assert list(store.events.read()) == []

    def test_a_conflict_writes_nothing_from_its_batch(self, store: Store) -> None:
        placed = append(store, [*history("a", 1, 3), *history("b", 1, 1)])
        batch = [recorded("a", 4), recorded("b", 2), recorded("c", 1), recorded("b", 4)]
        with pytest.raises(VersionConflict) as raised:
            append(store, batch)
        assert (raised.value.hunt_id, raised.value.actual, raised.value.expected) == ("b", 2, 3)
        assert list(store.events.read()) == placed
        assert store.events.head() == placed[-1].position
        assert (store.events.version("a"), store.events.version("b")) == (3, 1)
        assert store.events.version("c") == 0
        assert sorted(store.events.hunt_ids()) == ["a", "b"]

    def test_a_refused_append_writes_nothing_even_if_the_caller_commits(self, store: Store) -> None:
        placed = append(store, history("a", 1, 2))
        with store.transaction() as uow:
            with pytest.raises(VersionConflict):
                uow.events.append([recorded("a", 3), recorded("z", 1), recorded("a", 3)])
            uow.events.append([recorded("a", 3)])  # the right version still goes in
        assert [r.version for r in store.events.read()] == [1, 2, 3]
        assert list(store.events.read())[:2] == placed
        assert store.events.version("z") == 0

    def test_read_filters_by_position_hunt_and_limit(self, store: Store) -> None:
        append(store, [recorded("a", 1), recorded("b", 1), recorded("c", 1)])
        append(store, [recorded("b", 2), recorded("a", 2), recorded("b", 3)])
        append(store, [recorded("a", 3), recorded("c", 2)])
        log = store.events
        everything = list(log.read())
        assert len(everything) == 8
        positions = [r.position for r in everything]
        for after in [0, *positions]:
            assert list(log.read(after=after)) == [r for r in everything if r.position > after]
            for hunt_id in ("a", "b", "c", "nobody"):
                wanted = [r for r in everything if r.position > after and r.hunt_id == hunt_id]
                assert list(log.read(after=after, hunt_id=hunt_id)) == wanted
                for limit in (1, 2, 100):
                    got = list(log.read(after=after, hunt_id=hunt_id, limit=limit))
                    assert got == wanted[:limit]
            for limit in (1, 3):
                got = list(log.read(after, None, limit))
                assert got == [r for r in everything if r.position > after][:limit]

    def test_hunt_ids_names_every_hunt_once(self, store: Store) -> None:
        append(store, [recorded("b", 1), recorded("a", 1), recorded("b", 2)])
        append(store, [recorded("a", 2), recorded("c", 1)])
        ids = store.events.hunt_ids()
        assert sorted(ids) == ["a", "b", "c"]
        assert len(ids) == 3

    def test_events_of_every_type_round_trip_exactly(self, store: Store) -> None:
        events = [
            recorded("harbour-night", version, event, time=version * 1_000_003)
            for version, event in enumerate(every_event(), start=1)
        ]
        placed = append(store, events)
        assert [msgspec.structs.replace(r, position=0) for r in placed] == events
        read = list(store.events.read())
        assert read == placed
        assert [type(r.event) for r in read] == [type(e.event) for e in events]
        assert list(store.events.read(hunt_id="harbour-night")) == placed

    def test_reads_see_a_commit_made_while_an_earlier_read_is_unfinished(
        self, store: Store
    ) -> None:
        append(store, history("h", 1, self.large_read))
        unfinished = store.events.read()
        first = next(unfinished)
        assert first.version == 1
        append(store, [recorded("h", self.large_read + 1, AnnouncementMade("late"))])
        assert store.events.version("h") == self.large_read + 1
        assert store.events.head() == list(store.events.read(hunt_id="h"))[-1].position
        assert sum(1 for _ in unfinished) >= self.large_read - 1
