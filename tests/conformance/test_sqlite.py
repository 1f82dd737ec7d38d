"""The conformance suites on the embedded backend: one SQLite file per test."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from questline.adapters.clocks import SystemClock
from questline.adapters.sqlite.partition_log import SqlitePartitionLog
from questline.adapters.sqlite.partition_snapshot_store import SqlitePartitionSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.engine.group_commit import GroupCommitter
from questline.engine.hunt_engine import HuntEngine
from questline.ports import CommandBus, PartitionSnapshotStore, Store
from tests.conformance.command_bus_cases import CommandBusConformance
from tests.conformance.command_log_cases import (
    CommandLogConformance,
    ForgetBeforeConformance,
    TransactionConformance,
)
from tests.conformance.event_log_cases import EventLogConformance
from tests.conformance.partition_log_cases import OpenLog, PartitionLogConformance
from tests.conformance.partition_snapshot_store_cases import PartitionSnapshotStoreConformance
from tests.conformance.read_model_store_cases import ReadModelStoreConformance
from tests.conformance.token_store_cases import TokenStoreConformance


class SqliteBackend:
    def make_store(self, workdir: Path) -> Store:
        return SqliteStore(workdir / "questline.db")


class TestSqliteEventLog(SqliteBackend, EventLogConformance):
    pass


class TestSqliteReadModelStore(SqliteBackend, ReadModelStoreConformance):
    pass


class TestSqliteTokenStore(SqliteBackend, TokenStoreConformance):
    pass


class TestSqliteCommandLog(SqliteBackend, CommandLogConformance, ForgetBeforeConformance):
    pass


class TestSqliteTransactions(SqliteBackend, TransactionConformance):
    pass


class TestSqlitePartitionLog(PartitionLogConformance):
    @pytest.fixture
    def open_log(self, tmp_path: Path) -> Iterator[OpenLog]:
        opened: list[SqlitePartitionLog] = []

        def open_log() -> SqlitePartitionLog:
            opened.append(SqlitePartitionLog(tmp_path / "partition.db", partition=3))
            return opened[-1]

        yield open_log
        for log in opened:
            log.close()


class TestSqlitePartitionSnapshotStore(PartitionSnapshotStoreConformance):
    @pytest.fixture
    def snapshots(self, tmp_path: Path) -> Iterator[PartitionSnapshotStore]:
        store = SqlitePartitionSnapshotStore(tmp_path / "snapshots.db")
        yield store
        store.close()


class TestGroupCommitBus(CommandBusConformance):
    @pytest.fixture
    def bus(self, tmp_path: Path) -> Iterator[CommandBus]:
        store = SqliteStore(tmp_path / "questline.db")
        engine = HuntEngine(store, SystemClock())
        engine.recover()
        committer = GroupCommitter(engine)
        committer.start()
        yield committer
        committer.stop()
        store.close()
