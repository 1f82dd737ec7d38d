"""A synthetic, realistic command mix for benchmarks and large tests: many hunts,
many teams, mostly wrong answers, some hints, a few dynamic clues.

Deterministic for a seed, so two runs (or two engines) see the same commands.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass

from questline.domain.commands import (
    AdjustScore,
    Command,
    CreateHunt,
    GeoGiven,
    RegisterTeam,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.definition import (
    Clue,
    Division,
    DynamicPoints,
    GeoAnswer,
    Hint,
    HuntDefinition,
    Ranking,
    Requires,
    TextAnswer,
)
from questline.domain.timestamps import MICROS_PER_SECOND, Micros

HOUR = 3600 * MICROS_PER_SECOND


def workload_hunt(
    hunt_id: str,
    starts_at: Micros,
    clues: int = 8,
    ranking: Ranking = "score",
    divisions: tuple[str, ...] = (),
) -> HuntDefinition:
    """The mix's hunt; with `ranking: finish`, its last clue is the final one."""
    made: list[Clue] = []
    for index in range(clues):
        clue_id = f"c{index}"
        points: int | DynamicPoints = 100 + 10 * index
        if index % 4 == 3:  # a few dynamic clues
            points = DynamicPoints(500, 100, 20, "logarithmic" if index % 8 == 3 else "linear")
        requires = Requires((f"c{index - 1}",), 1) if index % 3 == 2 else None
        answer = (
            GeoAnswer(59.9 + index / 1000, 10.7, 30.0)
            if index % 5 == 4
            else TextAnswer(accept=(f"answer {index}",), keep_going=(f"answer{index} part",))
        )
        made.append(
            Clue(
                id=clue_id,
                title=f"Clue {index}",
                text="",
                points=points,
                answer=answer,
                hints=(Hint("h", "A hint.", 10 + index),),
                requires=requires,
            )
        )
    return HuntDefinition(
        id=hunt_id,
        title=f"Workload {hunt_id}",
        starts_at=starts_at,
        ends_at=starts_at + 24 * HOUR,
        clues=tuple(made),
        first_solve_bonus=(30, 20, 10),
        wrong_per_minute=1_000_000,  # the mix is about throughput, not rate limits
        ranking=ranking,
        finish=made[-1].id if ranking == "finish" else None,
        divisions=tuple(Division(d, d.title()) for d in divisions),
    )


@dataclass
class Workload:
    hunts: int = 20
    teams: int = 10_000
    seed: int = 1
    starts_at: Micros = 1_796_148_000_000_000  # 2026-12-01T18:00:00Z
    ranking: Ranking = "score"
    divisions: tuple[str, ...] = ()  # teams join them in turn
    # Clues per hunt: a team that has solved them all makes few events more, so a long
    # log of few teams wants more of them.
    clues: int = 8

    def hunt_ids(self) -> list[str]:
        return [f"w-{index:03d}" for index in range(self.hunts)]

    def setup(self) -> Iterator[Command]:
        """Create the hunts and register every team (round-robin over hunts)."""
        for hunt_id in self.hunt_ids():
            definition = workload_hunt(
                hunt_id,
                self.starts_at,
                self.clues,
                ranking=self.ranking,
                divisions=self.divisions,
            )
            yield CreateHunt(hunt_id, definition)
        hunt_ids = self.hunt_ids()
        divisions = self.divisions
        for index in range(self.teams):
            division = divisions[index // self.hunts % len(divisions)] if divisions else None
            yield RegisterTeam(
                hunt_ids[index % self.hunts], f"team {index}", f"hash-{index}", division
            )

    def play(self, count: int) -> Iterator[Command]:
        """`count` play commands: ~80% wrong answers, ~10% right, ~5% hints, the rest
        keep-going answers, check-ins and an adjustment now and then."""
        rng = random.Random(self.seed)
        hunt_ids = self.hunt_ids()
        per_hunt = max(self.teams // self.hunts, 1)
        definition = workload_hunt("x", self.starts_at, self.clues)
        for _ in range(count):
            hunt_index = rng.randrange(self.hunts)
            team_number = rng.randrange(per_hunt)
            team_id = f"t-{team_number + 1}"
            hunt_id = hunt_ids[hunt_index]
            clue = definition.clues[rng.randrange(len(definition.clues))]
            roll = rng.random()
            if roll < 0.05:
                yield UnlockHint(hunt_id, team_id, clue.id, "h")
                continue
            if roll < 0.051:
                yield AdjustScore(hunt_id, team_id, rng.choice((-5, 5, 10)), "workload adjustment")
                continue
            right = roll > 0.90
            answer = clue.answer
            if isinstance(answer, GeoAnswer):
                lat = answer.lat if right else answer.lat + 0.01
                yield Submit(hunt_id, team_id, clue.id, GeoGiven(lat, answer.lon))
            elif isinstance(answer, TextAnswer):
                if right:
                    text = answer.accept[0]
                elif roll < 0.12:
                    text = answer.keep_going[0]
                else:
                    text = f"wrong {rng.randrange(1000)}"
                yield Submit(hunt_id, team_id, clue.id, TextGiven(text))
