"""`verify --cluster`: fold every events partition from Kafka, checking each hunt's
hash chain on the way, and compare the rows with Cassandra's, including the rank
index behind the leaderboards."""

from collections.abc import Callable

from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.log_ends import LogEnds
from questline.adapters.kafka.partition_reader import read_partition
from questline.cluster.config import ClusterConfig
from questline.domain.events import RecordedEvent
from questline.domain.hash_chain import ChainChecker
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import TABLES, Changes, LeaderboardRow, Table
from questline.engine.verification import Difference, Finding, compare_rows

Progress = Callable[[int, int], None]


def projection_lag(config: ClusterConfig, store: CassandraStore) -> dict[int, int]:
    """Events written to each partition but not yet projected."""
    ends = LogEnds(config.kafka, timeout_s=10, purpose="verify")
    try:
        return {
            partition: max(high - store.read_models.read_to(partition), 0)
            for partition, high in ends.events().items()
        }
    finally:
        ends.close()


def expected_rows(
    config: ClusterConfig, progress: Progress | None = None, chains: ChainChecker | None = None
) -> Changes:
    """The rows a replay of every partition makes; `chains` checks the hash chains."""
    rows: Changes = {}
    for partition in range(config.kafka.partitions):
        projector = Projector()

        def apply(recorded: RecordedEvent, projector: Projector = projector) -> None:
            if chains is not None:
                chains.check(recorded)
            projector.apply(recorded)

        read_partition(config.kafka, partition, apply)
        rows.update(projector.take_changes())
        if progress is not None:
            progress(partition + 1, config.kafka.partitions)
    return rows


def verify_cluster(
    config: ClusterConfig, store: CassandraStore, progress: Progress | None = None
) -> list[Finding]:
    """Every broken chain (its first bad version), then every differing row."""
    chains = ChainChecker()
    expected = expected_rows(config, progress, chains)
    hunts = sorted({hunt for (_, hunt, _) in expected} | set(store.read_models.hunt_ids()))
    differences: list[Finding] = [chains.breaks[h] for h in sorted(chains.breaks)]
    for table in TABLES:
        wanted = {(h, k): row for (t, h, k), row in expected.items() if t == table}
        for hunt in hunts:
            for _, key, stored in store.read_models.rows(table, hunt):
                differences.extend(
                    compare_rows(table, hunt, key, stored, wanted.pop((hunt, key), None))
                )
        for (hunt, key), replayed in sorted(wanted.items()):
            differences.extend(compare_rows(table, hunt, key, None, replayed))
    for hunt in hunts:
        for table, board in (("leaderboard_live", "live"), ("leaderboard_frozen", "frozen")):
            differences.extend(_rank_index(store, expected, hunt, table, board))
    return differences


def _rank_index(
    store: CassandraStore, expected: Changes, hunt: str, table: Table, board: str
) -> list[Difference]:
    """The rank index must hold exactly one entry per team, in the board's order."""
    wanted = sorted(
        (
            row
            for (t, h, _), row in expected.items()
            if t == table and h == hunt and isinstance(row, LeaderboardRow)
        ),
        key=LeaderboardRow.sort_key,
    )
    stored = store.read_models.leaderboard(
        hunt, "live" if board == "live" else "frozen", len(wanted) + 1000, 0
    )
    if [r.team_id for r in stored] == [r.team_id for r in wanted] and stored == wanted:
        return []
    return [
        Difference(
            table,
            hunt,
            "(rank index)",
            "order",
            [r.team_id for r in stored],
            [r.team_id for r in wanted],
        )
    ]
