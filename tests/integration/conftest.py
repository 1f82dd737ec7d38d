"""The integration tests use the session's real servers (tests/servers_fixtures.py)."""

from tests.servers_fixtures import require_server

__all__ = ["require_server"]
