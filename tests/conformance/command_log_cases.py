"""What every CommandLog, and every Store's transaction, must do; subclassed per
backend (see test_sqlite.py)."""

import pytest

from questline.domain.events import AnnouncementMade
from questline.ports import Store
from tests.conformance.read_model_store_cases import stored
from tests.conformance.samples import (
    BackendCase,
    append,
    command_record,
    every_reply,
    history,
    recorded,
    rows_of_every_table,
)


class CommandLogConformance(BackendCase):
    """The archive of first answers. Retention is each backend's own (SQLite:
    `forget_before`, Cassandra: a TTL), so it is checked per backend."""

    def test_nothing_is_found_in_a_new_log(self, store: Store) -> None:
        assert store.commands.find([]) == {}
        assert store.commands.find(["c-1", "c-2"]) == {}

    def test_remembered_records_of_every_reply_type_are_found_again(self, store: Store) -> None:
        records = [
            command_record(f"c-{i}", 1_000 + i, reply) for i, reply in enumerate(every_reply())
        ]
        store.commands.remember(records)
        found = store.commands.find([r.command_id for r in records])
        assert found == {r.command_id: r for r in records}

    def test_find_returns_only_the_known_ids_once_each(self, store: Store) -> None:
        one, two = command_record("c-1", 1), command_record("c-2", 2)
        store.commands.remember([one, two])
        assert store.commands.find(["c-2", "c-9", "c-2", "c-1"]) == {"c-1": one, "c-2": two}
        assert store.commands.find(["c-9"]) == {}

    def test_the_first_record_of_an_id_is_kept(self, store: Store) -> None:
        first = command_record("c-1", 5, every_reply()[2])
        store.commands.remember([first])
        store.commands.remember([command_record("c-1", 6, every_reply()[3])])
        assert store.commands.find(["c-1"]) == {"c-1": first}

    def test_many_ids_are_found_in_one_call(self, store: Store) -> None:
        records = [command_record(f"c-{i}", i) for i in range(1_234)]
        store.commands.remember(records)
        ids = [r.command_id for r in records]
        assert store.commands.find([*ids, "missing"]) == {r.command_id: r for r in records}


class ForgetBeforeConformance(BackendCase):
    """Retention by `forget_before` (the embedded store's)."""

    def test_forget_before_drops_records_decided_strictly_earlier(self, store: Store) -> None:
        records = [command_record(f"c-{t}", t) for t in (10, 20, 30, 40)]
        with store.transaction() as uow:
            uow.commands.remember(records)
        with store.transaction() as uow:
            assert uow.commands.forget_before(30) == 2
        ids = [r.command_id for r in records]
        assert sorted(store.commands.find(ids)) == ["c-30", "c-40"]
        with store.transaction() as uow:
            assert uow.commands.forget_before(30) == 0
            assert uow.commands.forget_before(10**18) == 2
        assert store.commands.find(ids) == {}


class TransactionConformance(BackendCase):
    def test_a_transaction_that_raises_leaves_nothing_behind(self, store: Store) -> None:
        placed = append(store, history("h", 1, 2))
        with store.transaction() as uow:
            uow.read_models.apply_changes(rows_of_every_table("h"), placed[-1].position)
            uow.commands.remember([command_record("c-1", 1)])
        before = (list(store.events.read()), stored(store), store.read_models.checkpoint())

        class Boom(Exception):
            pass

        with pytest.raises(Boom), store.transaction() as uow:
            more = uow.events.append([recorded("h", 3), recorded("g", 1)])
            uow.commands.remember([command_record("c-2", 2)])
            uow.read_models.apply_changes(
                rows_of_every_table("h", salt="-lost") | dict.fromkeys(rows_of_every_table("g")),
                more[-1].position,
            )
            uow.read_models.replace_hunt("h", {})
            uow.commands.forget_before(10**18)
            raise Boom
        assert (list(store.events.read()), stored(store), store.read_models.checkpoint()) == before
        assert store.events.version("h") == 2
        assert store.events.version("g") == 0
        assert sorted(store.events.hunt_ids()) == ["h"]
        assert sorted(store.commands.find(["c-1", "c-2"])) == ["c-1"]
        # And the store still takes the next transaction at the versions it really has.
        append(store, [recorded("h", 3, AnnouncementMade("after"))])
        assert store.events.version("h") == 3

    def test_a_transaction_commits_everything_together(self, store: Store) -> None:
        with store.transaction() as uow:
            placed = uow.events.append(history("h", 1, 3))
            uow.commands.remember([command_record("c-1", 1)])
            uow.read_models.apply_changes(rows_of_every_table("h"), placed[-1].position)
        assert list(store.events.read()) == placed
        assert sorted(store.commands.find(["c-1"])) == ["c-1"]
        assert stored(store) == rows_of_every_table("h")
        assert store.read_models.checkpoint() == placed[-1].position
