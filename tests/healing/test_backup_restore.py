"""`questline backup` while a node writes, and `questline restore` (which refuses
to overwrite without --force), each followed by verify."""

import threading
from pathlib import Path

from typer.testing import CliRunner

from questline.adapters.clocks import ManualClock
from questline.adapters.event_lines import encode_line
from questline.adapters.sqlite.store import SqliteStore
from questline.cli.app import app
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


def test_backup_under_load_then_restore(tmp_path: Path) -> None:
    db, backup, restored = tmp_path / "live.db", tmp_path / "backup.db", tmp_path / "restored.db"
    node = build_embedded_node(
        db, clock=ManualClock(STARTS + MINUTE), organizer_token=ORGANIZER_TOKEN
    )
    runner = CliRunner()
    with serving(node) as live, live.client() as client:
        create_spec_hunt(client)
        teams = [register(client, f"Team {n}") for n in range(5)]
        stop = threading.Event()
        written = [0]

        def load() -> None:
            with live.client() as writer:
                n = 0
                while not stop.is_set():
                    team_id, _ = teams[n % len(teams)]
                    writer.post(
                        f"/api/hunts/{HUNT}/adjustments",
                        json={"team_id": team_id, "points": 1, "reason": f"load {n}"},
                        headers={"Authorization": f"Bearer {ORGANIZER_TOKEN}"},
                    )
                    n += 1
                    written[0] = n

        loader = threading.Thread(target=load)
        loader.start()
        try:
            wait_until(lambda: written[0] >= 50, 30, "load running")
            result = runner.invoke(app, ["backup", "--db", str(db), "--out", str(backup)])
            assert result.exit_code == 0, result.output
            assert "verified" in result.output
            at_backup = written[0]
            wait_until(lambda: written[0] >= at_backup + 20, 30, "load going on after it")
        finally:
            stop.set()
            loader.join(30)
        again = runner.invoke(app, ["backup", "--db", str(db), "--out", str(backup)])
        assert again.exit_code == 1 and "--force" in again.output
        live_log = [encode_line(r) for r in node.store.events.read()]

    copy = SqliteStore(backup, create=False)
    try:
        copied = [encode_line(r) for r in copy.events.read()]
        assert verify(copy) == []
    finally:
        copy.close()
    # A consistent copy: exactly a prefix of the live log, cut between two commits.
    assert 0 < len(copied) < len(live_log)
    assert copied == live_log[: len(copied)]

    result = runner.invoke(app, ["restore", "--from", str(backup), "--db", str(restored)])
    assert result.exit_code == 0, result.output
    assert "read models equal a replay" in result.output
    refused = runner.invoke(app, ["restore", "--from", str(backup), "--db", str(db)])
    assert refused.exit_code == 1 and "--force" in refused.output
    forced = runner.invoke(app, ["restore", "--from", str(backup), "--db", str(db), "--force"])
    assert forced.exit_code == 0, forced.output
    check = runner.invoke(app, ["verify", "--db", str(db)])
    assert check.exit_code == 0, check.output
    back = SqliteStore(db, create=False)
    try:
        assert [encode_line(r) for r in back.events.read()] == copied
    finally:
        back.close()
