"""The layout of a Questline SQLite file."""

APPLICATION_ID = 0x51554C4E  # "QULN": marks a file as ours
SCHEMA_VERSION = 3  # 3: events.hash, leaderboard finish order and division

DDL = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    hunt_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    schema INTEGER NOT NULL,
    time INTEGER NOT NULL,
    command_id TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (hunt_id, version)
);
CREATE TABLE IF NOT EXISTS commands (
    command_id TEXT PRIMARY KEY,
    hunt_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    reply TEXT NOT NULL,
    decided_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS commands_by_time ON commands (decided_at);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_hunts (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_teams (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, token_hash TEXT NOT NULL,
    name TEXT NOT NULL, reg_order INTEGER NOT NULL, registered_at INTEGER NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_team_tokens (
    token_hash TEXT PRIMARY KEY, hunt_id TEXT NOT NULL, key TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_team_tokens_by_team ON rm_team_tokens (hunt_id, key);
CREATE TABLE IF NOT EXISTS rm_team_progress (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, progress TEXT NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_leaderboard (
    board TEXT NOT NULL, hunt_id TEXT NOT NULL, key TEXT NOT NULL,
    name TEXT NOT NULL, score INTEGER NOT NULL, solved INTEGER NOT NULL,
    last_scoring_version INTEGER NOT NULL, reg_order INTEGER NOT NULL,
    finish_order INTEGER NOT NULL, finished_at INTEGER, division TEXT,
    PRIMARY KEY (board, hunt_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_leaderboard_by_rank ON rm_leaderboard
    (board, hunt_id, finish_order, score DESC, last_scoring_version, reg_order);
CREATE INDEX IF NOT EXISTS rm_leaderboard_by_division_rank ON rm_leaderboard
    (board, hunt_id, division, finish_order, score DESC, last_scoring_version, reg_order);
CREATE TABLE IF NOT EXISTS rm_clue_stats (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_reviews (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_audit (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_revisions (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_announcements (
    hunt_id TEXT NOT NULL, key TEXT NOT NULL, row TEXT NOT NULL,
    PRIMARY KEY (hunt_id, key)
) WITHOUT ROWID;
"""

# Each hunt's latest snapshot (adapters/sqlite/snapshot_store.py).
SNAPSHOTS_DDL = """
CREATE TABLE IF NOT EXISTS snapshots (
    hunt_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    format INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    body BLOB NOT NULL
);
"""
DDL += SNAPSHOTS_DDL
