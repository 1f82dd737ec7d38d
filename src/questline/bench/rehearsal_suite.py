"""rehearsal: `questline hunt simulate` on both example hunts (4 hours each) with
hundreds of simulated teams. Goal (issue 17): 500 teams over 4 hours in under 60 s.
There is no peer that rehearses a hunt; the yardstick is the hunt's own length
(how many times faster than real time) and the rules' share of the time (how much
of it is `decide` and `evolve`, the rest being the simulated teams' bookkeeping)."""

from pathlib import Path
from typing import Any

from questline.bench.common import Result, Stopwatch, bar_plot, goal, scaled
from questline.cli.example_commands import example_paths
from questline.domain.definition_text import load_hunt_text
from questline.rehearsal.report import build_report
from questline.rehearsal.simulation import Settings, simulate

HUNTS = ("harbour-night", "puzzle-night")
GOAL_TEAMS = 500
GOAL_SECONDS = 60.0


def _rehearse(name: str, teams: int) -> Result:
    definition = load_hunt_text(example_paths()[name].read_text(encoding="utf-8"))
    with Stopwatch() as watch:
        rehearsal = simulate(definition, Settings(teams, seed=1, judges=2))
        build_report(rehearsal)
    in_rules = rehearsal.rules_seconds
    hunt_seconds = (definition.ends_at - definition.starts_at) / 1_000_000
    return {
        "hunt": name,
        "teams": teams,
        "hunt_hours": round(hunt_seconds / 3600, 2),
        "seconds": round(watch.wall, 2),
        "cpu_seconds": round(watch.cpu, 2),
        "commands": rehearsal.commands,
        "events": rehearsal.events,
        "commands_per_second": round(rehearsal.commands / watch.wall) if watch.wall else None,
        "times_faster_than_real_time": round(hunt_seconds / watch.wall) if watch.wall else None,
        "rules_share": round(in_rules / watch.wall, 2) if watch.wall else None,
    }


def run(quick: bool) -> tuple[Result, Any]:
    sizes = [scaled(GOAL_TEAMS)] if quick else [scaled(100), scaled(GOAL_TEAMS), scaled(2000)]
    runs = [_rehearse(name, teams) for name in HUNTS for teams in sizes]
    at_goal = [r for r in runs if r["teams"] == GOAL_TEAMS]
    goals = [
        goal(
            f"hunt simulate {r['hunt']}: {GOAL_TEAMS} teams over {r['hunt_hours']:g} hours",
            r["seconds"] < GOAL_SECONDS,
            f"{r['seconds']} s",
            f"< {GOAL_SECONDS:g} s",
        )
        for r in at_goal
    ]
    body: Result = {"runs": runs, "goals": goals}
    labels = [f"{r['hunt']}, {r['teams']:,} teams" for r in runs]
    return body, (labels, [r["seconds"] for r in runs])


def plot(target: Path, data: Any) -> None:
    labels, values = data
    bar_plot(target, "rehearsal: seconds to simulate a 4-hour hunt", labels, values, "seconds")
