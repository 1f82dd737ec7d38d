"""Keyspace and tables of the cluster's Cassandra side."""

import logging
import threading
import time

from cassandra.cluster import Session

from questline.adapters.cassandra.unavailable import UNAVAILABLE

log = logging.getLogger(__name__)

SCHEMA_DEADLINE_S = 120.0
SCHEMA_REQUEST_TIMEOUT_S = 30.0


def keyspace_cql(keyspace: str, replication_factor: int) -> str:
    return (
        f"CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = "
        f"{{'class': 'SimpleStrategy', 'replication_factor': {replication_factor}}}"
    )


TABLES = [
    # Every read-model row as JSON, by hunt and read model.
    """CREATE TABLE IF NOT EXISTS rm_rows (
        hunt_id text, tbl text, key text, row blob,
        PRIMARY KEY ((hunt_id, tbl), key))""",
    # The leaderboards in rank order: reading the top N reads N rows.
    # board: live or frozen, or live/<division> and frozen/<division> for a division's
    # own ranking; finish_order first, so finished teams lead under ranking: finish.
    """CREATE TABLE IF NOT EXISTS rm_rank (
        hunt_id text, board text, finish_order bigint, neg_score bigint, last_version bigint,
        reg_order int, team_id text, name text, score bigint, solved int, finished_at bigint,
        division text,
        PRIMARY KEY ((hunt_id, board), finish_order, neg_score, last_version, reg_order,
        team_id))""",
    """CREATE TABLE IF NOT EXISTS team_tokens (
        token_hash text PRIMARY KEY, hunt_id text, team_id text)""",
    """CREATE TABLE IF NOT EXISTS hunt_index (
        bucket int, hunt_id text, PRIMARY KEY (bucket, hunt_id))""",
    # The event archive, by hunt (log order) and by team.
    """CREATE TABLE IF NOT EXISTS events_by_hunt (
        hunt_id text, position bigint, version bigint, type text, line blob,
        PRIMARY KEY (hunt_id, position))""",
    """CREATE TABLE IF NOT EXISTS events_by_team (
        hunt_id text, team_id text, position bigint, version bigint, type text, line blob,
        PRIMARY KEY ((hunt_id, team_id), position))""",
    # First answers to command ids, for retries that outlive a worker's memory.
    """CREATE TABLE IF NOT EXISTS command_records (
        command_id text PRIMARY KEY, hunt_id text, record blob)
        WITH default_time_to_live = 172800""",
    # Where each events partition's read models stand, and who may move them.
    # ts_base: cell timestamps of the partition's rows are ts_base + position; a heal
    # moves it past the wall clock so its rows beat hand edits and later batches beat it.
    """CREATE TABLE IF NOT EXISTS projection_offsets (
        partition int PRIMARY KEY, offset bigint, epoch bigint, next_offset bigint,
        ts_base bigint)""",
    # Partition snapshots: the body in chunks (a mutation must stay well under half a
    # commit-log segment), listed in the index only once every chunk is written.
    """CREATE TABLE IF NOT EXISTS snapshot_index (
        partition int, offset bigint, format int, checksum text, taken_at bigint,
        chunks int, size bigint,
        PRIMARY KEY (partition, offset)) WITH CLUSTERING ORDER BY (offset DESC)""",
    """CREATE TABLE IF NOT EXISTS snapshot_chunks (
        partition int, offset bigint, chunk int, data blob,
        PRIMARY KEY ((partition, offset), chunk))""",
    """CREATE TABLE IF NOT EXISTS api_tokens (
        token_hash text PRIMARY KEY, role text, created_at bigint)""",
]


def create_schema(session: Session, keyspace: str, replication_factor: int) -> None:
    _create(session, keyspace_cql(keyspace, replication_factor))
    session.set_keyspace(keyspace)
    if replication_factor > 1:
        # Several nodes must agree on each change: one at a time (the driver waits
        # for agreement after each), or a busy node falls behind and times out.
        for statement in TABLES:
            _create(session, statement)
        return
    # One node: sent together, it applies them one by one anyway, without a round
    # trip and a schema-agreement wait between each two.
    futures = [(statement, session.execute_async(statement)) for statement in TABLES]
    for statement, future in futures:
        try:
            future.result()
        except UNAVAILABLE:
            _create(session, statement)


def _create(session: Session, statement: str) -> None:
    """Every statement here is `IF NOT EXISTS`: when a busy node does not answer in
    time it is sent again, until SCHEMA_DEADLINE_S."""
    give_up = time.monotonic() + SCHEMA_DEADLINE_S
    pause = threading.Event()
    while True:
        try:
            session.execute(statement, timeout=SCHEMA_REQUEST_TIMEOUT_S)
            return
        except UNAVAILABLE as error:
            if time.monotonic() > give_up:
                raise
            log.warning("creating the schema: no answer in time (%r); sending it again", error)
            pause.wait(1.0)  # let a busy node catch up before asking again
