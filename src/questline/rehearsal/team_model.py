"""The simulated teams: how fast, how many puzzles at once, how readily they guess,
ask for hints, take good photos, arrive late or give up. Drawn per team from the
seed, so the field has the spread of a real one (docs/rehearsal.md describes it).
"""

import math
import random
from dataclasses import dataclass

from questline.domain.definition import HuntDefinition

ADJECTIVES = ("Brave", "Swift", "Clever", "Lucky", "Quiet", "Bold", "Merry", "Sly", "Keen", "Wild")
ANIMALS = ("Otters", "Foxes", "Gulls", "Badgers", "Herons", "Seals", "Owls", "Hares", "Crabs")

PACE_SPREAD = 0.45  # sigma of the log of a team's pace: one team in six is 1.6x slower
PUZZLE_SPREAD = 0.5  # sigma of the log of one team's time on one clue around its pace
GUESS_EVERY_MINUTES = 6.0  # a typical team's wrong guesses while working on a clue
PENALTY_CAUTION = 2.5  # with a wrong-answer penalty, teams guess this much less often
HINT_TAKERS = 0.6  # the share of teams that ask for hints when stuck
QUITTERS = 0.08  # the share of teams that stop playing part-way
STUCK_MINUTES = 45.0  # a typical team's patience on one clue before it tries another


@dataclass(frozen=True, slots=True)
class TeamTraits:
    name: str
    division: str | None
    pace: float  # multiplies every clue's expected minutes (1.0: a typical team)
    parallel: int  # clues worked on at once
    guess_every: float  # mean minutes between wrong guesses on a clue
    hint_patience: float | None  # ask for a hint after this many times the expected time
    stuck_after: float  # minutes on one clue before putting it aside for another open one
    photo_quality: float  # the chance a judge approves one of its photos
    arrives_after: float  # minutes after the start before it begins
    quits_after: float | None  # minutes after the start when it stops playing, if it does


def draw_teams(definition: HuntDefinition, count: int, rng: random.Random) -> list[TeamTraits]:
    return [draw_team(definition, index, rng) for index in range(count)]


def draw_team(definition: HuntDefinition, index: int, rng: random.Random) -> TeamTraits:
    """The traits of the field's team number `index` (its name follows from the number)."""
    divisions = [division.id for division in definition.divisions]
    length = (definition.ends_at - definition.starts_at) / 60_000_000
    caution = PENALTY_CAUTION if definition.wrong_answer_penalty > 0 else 1.0
    return TeamTraits(
        name=team_name(index),
        division=divisions[rng.randrange(len(divisions))] if divisions else None,
        pace=math.exp(rng.gauss(0.0, PACE_SPREAD)),
        parallel=rng.choices((1, 2, 3), weights=(3, 5, 2))[0],
        guess_every=GUESS_EVERY_MINUTES * caution * math.exp(rng.gauss(0.0, 0.4)),
        hint_patience=rng.uniform(1.0, 2.0) if rng.random() < HINT_TAKERS else None,
        stuck_after=STUCK_MINUTES * math.exp(rng.gauss(0.0, 0.3)),
        photo_quality=rng.uniform(0.7, 0.95),
        arrives_after=min(rng.expovariate(1 / 3.0), 20.0),
        quits_after=rng.uniform(0.25, 0.75) * length if rng.random() < QUITTERS else None,
    )


def team_name(index: int) -> str:
    """Distinct for every index: "Brave Otters", ..., then "Brave Otters 2", ..."""
    pairs = len(ADJECTIVES) * len(ANIMALS)
    name = (
        f"{ADJECTIVES[index % len(ADJECTIVES)]} {ANIMALS[index // len(ADJECTIVES) % len(ANIMALS)]}"
    )
    return name if index < pairs else f"{name} {index // pairs + 1}"


def puzzle_minutes(expected: float, traits: TeamTraits, rng: random.Random) -> float:
    """How long this team takes on a clue a typical team takes `expected` minutes on."""
    return expected * traits.pace * math.exp(rng.gauss(0.0, PUZZLE_SPREAD))
