"""Hostile-input tests share the API tests' node, clock and helpers (a real embedded node
behind a TestClient); the real-server ones start uvicorn with the production limits."""

from tests.api.conftest import api, clock, db_path, hunt, node, other_team, team_a, team_b

__all__ = ["api", "clock", "db_path", "hunt", "node", "other_team", "team_a", "team_b"]
