"""The conformance suites on the embedded backend: one SQLite file per test."""

from pathlib import Path

import pytest

from questline.adapters.sqlite.store import SqliteStore
from questline.ports import Store
from tests.conformance.command_log_cases import CommandLogConformance, TransactionConformance
from tests.conformance.event_log_cases import EventLogConformance
from tests.conformance.read_model_store_cases import ReadModelStoreConformance


class SqliteBackend:
    def make_store(self, workdir: Path) -> Store:
        return SqliteStore(workdir / "questline.db")


class TestSqliteEventLog(SqliteBackend, EventLogConformance):
    @pytest.mark.xfail(
        strict=True,
        reason="BUG: SqliteEventLog.read keeps its cursor open between fetchmany pages, so an "
        "unfinished read pins the thread's reader connection to an old WAL snapshot: head(), "
        "version(), read() and the read models on that thread miss later commits",
    )
    def test_reads_see_a_commit_made_while_an_earlier_read_is_unfinished(
        self, store: Store
    ) -> None:
        super().test_reads_see_a_commit_made_while_an_earlier_read_is_unfinished(store)


class TestSqliteReadModelStore(SqliteBackend, ReadModelStoreConformance):
    pass


class TestSqliteCommandLog(SqliteBackend, CommandLogConformance):
    pass


class TestSqliteTransactions(SqliteBackend, TransactionConformance):
    pass
