"""`questline hunt simulate FILE --teams N --seed S [--judges J] [--out DIR]` and the
puzzle-hunt example: the command writes report.html with its charts, prints the
summary, and gives the same files for the same seed in another process (where
Python hashes strings differently)."""

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from questline.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def simulate(out: Path, *extra: str) -> tuple[int, str]:
    args = ["hunt", "simulate", str(EXAMPLES / "harbour-night.yaml"), "--teams", "25"]
    result = runner.invoke(app, [*args, "--seed", "3", "--out", str(out), *extra])
    return result.exit_code, result.output


def test_simulate_writes_the_report_and_prints_the_summary(tmp_path: Path) -> None:
    code, output = simulate(tmp_path / "report", "--judges", "1")
    assert code == 0, output
    assert "Rehearsal of Harbour Night Hunt (harbour-night): 25 teams, seed 3, 1 judge" in output
    assert "clues no simulated team reached: none" in output
    assert "clues that hold most teams back:" in output
    assert "teams out of open clues for 20 min or more:" in output
    assert "review queue (1 judge, " in output
    page = (tmp_path / "report" / "report.html").read_text()
    for heading in ("Solves over time", "Finish times", "The leaderboard at the freeze (21:30)"):
        assert heading in page
    assert page.count("<svg") == 4  # solves, finishes, the board, the review queue
    for chart in ("solves.svg", "finishes.svg", "board.svg", "review-queue.svg", "report.json"):
        assert (tmp_path / "report" / chart).exists()


def test_the_same_seed_gives_the_same_files_in_another_process(tmp_path: Path) -> None:
    hunt = str(EXAMPLES / "puzzle-night.yaml")
    command = [sys.executable, "-m", "questline", "hunt", "simulate", hunt, "--teams", "30"]

    def run(out: Path, hash_seed: str) -> None:
        subprocess.run(
            [*command, "--seed", "9", "--out", str(out)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )

    run(tmp_path / "a", "1")
    run(tmp_path / "b", "2")
    for name in ("report.json", "report.html", "review-queue.svg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_hunt_with_problems_is_not_simulated(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["hunt", "simulate", str(EXAMPLES / "broken.yaml"), "--out", str(tmp_path / "r")]
    )
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output
    assert not (tmp_path / "r").exists()


def test_the_puzzle_hunt_example_validates() -> None:
    result = runner.invoke(app, ["hunt", "validate", str(EXAMPLES / "puzzle-night.yaml")])
    assert result.exit_code == 0, result.output
    assert "hunt 'puzzle-night' is valid (15 clues)" in result.output
