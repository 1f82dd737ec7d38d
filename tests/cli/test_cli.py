"""The `questline` command on real SQLite files: validate, load, verify (finding a
hand-made drift and naming its row), replay, export and import, and bad input that
gets a clear error and writes nothing."""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.store import SqliteStore
from questline.cli.app import app
from questline.engine.hunt_engine import HuntEngine
from questline.loadgen.workload import Workload
from questline.ports import CommandEnvelope

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database made by 100,000 random commands across 20 hunts."""
    path = tmp_path_factory.mktemp("big") / "big.db"
    workload = Workload(hunts=20, teams=2_000, seed=5)
    store = SqliteStore(path)
    clock = ManualClock(workload.starts_at + 1)
    engine = HuntEngine(store, clock)
    commands = [*workload.setup(), *workload.play(100_000 - 20 - 2_000)]
    assert len(commands) == 100_000
    for start in range(0, len(commands), 1000):
        clock.advance(1000)
        engine.execute(
            [
                CommandEnvelope(f"c{start + i}", command, remember=False)
                for i, command in enumerate(commands[start : start + 1000])
            ]
        )
    store.close()
    return path


def test_validate_exits_0_for_a_valid_hunt() -> None:
    code, output = run("hunt", "validate", str(EXAMPLES / "harbour-night.yaml"))
    assert code == 0
    assert "is valid" in output


def test_validate_exits_1_listing_every_problem_with_its_line() -> None:
    code, output = run("hunt", "validate", str(EXAMPLES / "broken.yaml"))
    assert code == 1
    assert "broken.yaml:2: hunt.id" in output
    assert "broken.yaml:16: clues[2].id: duplicate clue id 'a'" in output
    assert "is part of a cycle: a -> b -> a" in output
    assert "13 problem(s); nothing was loaded" in output


def test_a_broken_hunt_file_loads_nothing(tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    code, _ = run("hunt", "load", str(EXAMPLES / "broken.yaml"), "--db", str(db))
    assert code == 1
    assert not db.exists()


def test_verify_passes_on_100_000_commands_and_names_a_row_changed_by_hand(big_db: Path) -> None:
    code, output = run("verify", "--db", str(big_db))
    assert code == 0, output
    assert "every hash chain holds and the read models equal a replay" in output
    with sqlite3.connect(big_db) as db:
        hunt_id, team_id, score = db.execute(
            "SELECT hunt_id, key, score FROM rm_leaderboard WHERE board = 'live'"
            " ORDER BY hunt_id, key LIMIT 1"
        ).fetchone()
        db.execute(
            "UPDATE rm_leaderboard SET score = score + 7 WHERE board = 'live' AND hunt_id = ?"
            " AND key = ?",
            (hunt_id, team_id),
        )
    code, output = run("verify", "--db", str(big_db))
    assert code == 1
    assert (
        f"leaderboard_live row (hunt {hunt_id}, key {team_id}): score is {score + 7} in the "
        f"store, {score} by replay" in output
    )
    assert "1 difference(s)" in output
    code, output = run("replay", "--db", str(big_db))
    assert code == 0, output
    code, output = run("verify", "--db", str(big_db))
    assert code == 0, output


def test_export_and_import_round_trip_exactly(big_db: Path, tmp_path: Path) -> None:
    exported = tmp_path / "events.jsonl"
    code, _ = run("export", "--db", str(big_db), "--hunt", "w-003", "--out", str(exported))
    assert code == 0
    target = tmp_path / "copy.db"
    code, output = run("import", "--db", str(target), str(exported))
    assert code == 0, output
    again = tmp_path / "again.jsonl"
    code, _ = run("export", "--db", str(target), "--out", str(again))
    lines = [line.split(b'"hunt_id"')[1] for line in exported.read_bytes().splitlines()]
    copied = [line.split(b'"hunt_id"')[1] for line in again.read_bytes().splitlines()]
    assert copied == lines  # identical but for the global positions
    code, output = run("verify", "--db", str(target))
    assert code == 0, output


def test_a_malformed_line_on_import_imports_nothing(big_db: Path, tmp_path: Path) -> None:
    exported = tmp_path / "events.jsonl"
    run("export", "--db", str(big_db), "--hunt", "w-001", "--out", str(exported))
    lines = exported.read_bytes().splitlines()
    lines[5] = b'{"position": 6, "hunt_id": "w-001", "oops'
    exported.write_bytes(b"\n".join(lines) + b"\n")
    target = tmp_path / "target.db"
    code, output = run("import", "--db", str(target), str(exported))
    assert code == 1
    assert "line 6" in output and "nothing was imported" in output
    assert not target.exists()


def test_importing_a_hunt_twice_is_refused_naming_both_versions(
    big_db: Path, tmp_path: Path
) -> None:
    exported = tmp_path / "events.jsonl"
    run("export", "--db", str(big_db), "--hunt", "w-002", "--out", str(exported))
    target = tmp_path / "target.db"
    assert run("import", "--db", str(target), str(exported))[0] == 0
    before = digest(target)
    code, output = run("import", "--db", str(target), str(exported))
    assert code == 1
    assert "hunt w-002 is at version" in output and "the command expected 0" in output
    assert "nothing was imported" in output
    assert digest(target) == before


def test_a_database_that_is_not_ours_is_refused_and_left_alone(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    before = digest(foreign)
    code, output = run("verify", "--db", str(foreign))
    assert code == 1
    assert "not a Questline one" in output
    code, output = run("hunt", "load", str(EXAMPLES / "harbour-night.yaml"), "--db", str(foreign))
    assert code == 1
    assert digest(foreign) == before


def test_a_corrupt_database_gets_a_clear_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database at all" * 100)
    before = digest(corrupt)
    code, output = run("verify", "--db", str(corrupt))
    assert code == 1
    assert "cannot be opened as a Questline database" in output
    assert "Traceback" not in output
    assert digest(corrupt) == before


def test_a_missing_database_is_named(tmp_path: Path) -> None:
    code, output = run("verify", "--db", str(tmp_path / "nope.db"))
    assert code == 1
    assert "does not exist" in output


def test_validate_lists_a_pattern_that_needs_backtracking_with_its_line(tmp_path: Path) -> None:
    hunt_file = tmp_path / "echo.yaml"
    text = (EXAMPLES / "harbour-night.yaml").read_text()
    regex = 'accept_regex: ["(k)\\\\1eeper"]'  # YAML for the pattern (k)\1eeper
    hunt_file.write_text(text.replace('accept: ["Lighthouse Keeper", "keeper"]', regex))
    result = runner.invoke(app, ["hunt", "validate", str(hunt_file)], env={"COLUMNS": "500"})
    assert result.exit_code == 1, result.output
    assert f"{hunt_file}:20: clues[0].answer.accept_regex[0]: clue 'lighthouse'" in result.output
    assert "`(k)\\1eeper`" in result.output
