"""The engine: command handling, group commit, idempotency, recovery, verification."""
