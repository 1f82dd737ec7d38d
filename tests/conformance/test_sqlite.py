"""The conformance suites on the embedded backend: one SQLite file per test."""

from pathlib import Path

from questline.adapters.sqlite.store import SqliteStore
from questline.ports import Store
from tests.conformance.command_log_cases import CommandLogConformance, TransactionConformance
from tests.conformance.event_log_cases import EventLogConformance
from tests.conformance.read_model_store_cases import ReadModelStoreConformance


class SqliteBackend:
    def make_store(self, workdir: Path) -> Store:
        return SqliteStore(workdir / "questline.db")


class TestSqliteEventLog(SqliteBackend, EventLogConformance):
    pass


class TestSqliteReadModelStore(SqliteBackend, ReadModelStoreConformance):
    pass


class TestSqliteCommandLog(SqliteBackend, CommandLogConformance):
    pass


class TestSqliteTransactions(SqliteBackend, TransactionConformance):
    pass
