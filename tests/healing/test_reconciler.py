"""Continuous reconciliation on a running node: a read-model row changed by hand
with sqlite3 is found and healed by the background reconciler on its own."""

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from questline.adapters.clocks import ManualClock
from questline.engine.verification import verify
from questline.http.embedded import build_embedded_node
from tests.healing.live import (
    HUNT,
    ORGANIZER_TOKEN,
    create_spec_hunt,
    register,
    serving,
    wait_until,
)
from tests.hunt_builders import MINUTE, STARTS


def stored_score(db: Path, team_id: str) -> int:
    with sqlite3.connect(db) as connection:
        row = connection.execute(
            "SELECT score FROM rm_leaderboard WHERE board = 'live' AND hunt_id = ? AND key = ?",
            (HUNT, team_id),
        ).fetchone()
    return int(row[0])


def healed_rows(exposition: str) -> dict[str, float]:
    """questline_read_model_rows_healed_total by table, from a /metrics page."""
    return {
        sample.labels["table"]: sample.value
        for family in text_string_to_metric_families(exposition)
        if family.name == "questline_read_model_rows_healed"
        for sample in family.samples
        if sample.name.endswith("_total")
    }


class _Lines(logging.Handler):
    """The reconciler's own log lines, caught at its logger: caplog sees them only
    through the root logger, whose level and handlers other tests' servers reset."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def reconciler_lines() -> Iterator[_Lines]:
    lines = _Lines()
    logger = logging.getLogger("questline.engine.reconciler")
    logger.addHandler(lines)
    yield lines
    logger.removeHandler(lines)


def test_a_row_changed_by_hand_is_healed_by_the_running_node(
    tmp_path: Path, reconciler_lines: _Lines
) -> None:
    db = tmp_path / "live.db"
    node = build_embedded_node(
        db,
        clock=ManualClock(STARTS + MINUTE),
        organizer_token=ORGANIZER_TOKEN,
        reconcile_interval=0.2,
    )
    reconciler = node.reconciler
    assert reconciler is not None
    with serving(node) as live, live.client() as client:
        create_spec_hunt(client)
        team_id, token = register(client, "Otters")
        register(client, "Owls")
        solved = client.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "lighthouse", "answer": "keeper"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert solved.status_code == 200, solved.text
        right = stored_score(db, team_id)
        wait_until(lambda: reconciler.stats.rounds >= 2, 30, "two clean reconciler rounds")
        assert reconciler.stats.hunts_healed == 0
        healed_before = healed_rows(client.get("/metrics").text)

        with sqlite3.connect(db) as connection:  # drift, by hand, behind the node's back
            connection.execute(
                "UPDATE rm_leaderboard SET score = score + 1000"
                " WHERE board = 'live' AND hunt_id = ? AND key = ?",
                (HUNT, team_id),
            )
            connection.execute(
                # The progress row is a JSON array; adjustments is its last field.
                "UPDATE rm_team_progress SET progress = json_set(progress, '$[6]', 77)"
                " WHERE hunt_id = ? AND key = ?",
                (HUNT, team_id),
            )
        assert stored_score(db, team_id) == right + 1000

        wait_until(lambda: stored_score(db, team_id) == right, 60, "the drifted row healed")
        board = client.get(f"/api/hunts/{HUNT}/leaderboard").json()
        assert [row["score"] for row in board["teams"] if row["team_id"] == team_id] == [right]
        wait_until(lambda: reconciler.stats.hunts_healed >= 1, 10, "the heal counted")
        stats = reconciler.stats
        assert stats.rows_healed == 2
        assert stats.healed_by_table == {"leaderboard_live": 1, "teams": 1}
        assert stats.last_healed == f"{HUNT}: leaderboard_live, teams"
        assert any("reconciler healed hunt harbour-night" in x for x in reconciler_lines.lines)
        healed_after = healed_rows(client.get("/metrics").text)
        grown = {t: n - healed_before.get(t, 0) for t, n in healed_after.items()}
        assert {t: n for t, n in grown.items() if n} == {
            "leaderboard_live": 1,
            "teams": 1,
        }
        healed = [
            e.event for e in node.store.events.read(hunt_id=HUNT) if e.type == "read_model_healed"
        ]
        assert sorted((e.projection, e.differences) for e in healed) == [  # type: ignore[union-attr]
            ("leaderboard_live", 1),
            ("teams", 1),
        ]
        # The node kept serving, and its read models equal a replay, heal events included.
        again = client.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "lighthouse", "answer": "keeper"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert again.status_code == 200
        assert verify(node.store) == []


def test_reconcile_on_demand_reports_and_heals(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from questline.cli.app import app

    db = tmp_path / "stopped.db"
    node = build_embedded_node(
        db, clock=ManualClock(STARTS + MINUTE), organizer_token=ORGANIZER_TOKEN
    )
    with serving(node) as live, live.client() as client:
        create_spec_hunt(client)
        team_id, _ = register(client, "Otters")
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM rm_teams WHERE key = ?", (team_id,))
        connection.execute(
            "INSERT INTO rm_audit (hunt_id, key, row) VALUES (?, 'bogus', ?)",
            (HUNT, '{"version":0,"time":0,"type":"x","team_id":null,"summary":"not from the log"}'),
        )
    runner = CliRunner()
    assert runner.invoke(app, ["verify", "--db", str(db)]).exit_code == 1
    result = runner.invoke(app, ["reconcile", "--db", str(db), "--hunt", HUNT])
    assert result.exit_code == 0, result.output
    assert f"hunt {HUNT}: 2 row(s) differed; rebuilt from the log" in result.output
    assert "1 healed, 2 row(s) rebuilt" in result.output
    assert runner.invoke(app, ["verify", "--db", str(db)]).exit_code == 0
    clean = runner.invoke(app, ["reconcile", "--db", str(db)])
    assert clean.exit_code == 0 and "0 healed" in clean.output
