"""Simulated teams: they register (in a division, when the hunt has divisions),
then play the clues open to them (rounds, metas and timed release as the rules
say) with realistic mistakes, answer clues in parts one part at a time, unlock
hints, send photos and back off when rate limited. Each call to `next_action` is
one request, or None when no team has anything to send (paced teams with nothing
to send now and then look at their phone: the team's view or the board).

Without a `Pace` they are a load generator: any team, any open clue, right with
the team's skill. With one they keep a real field's pace (`pace.TeamPlan`): the
demo's players, spread over the hunt, some finishing and some stalling.
"""

import asyncio
import contextlib
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from questline.domain.definition import Clue, HuntDefinition, PartsAnswer, PhotoAnswer
from questline.domain.openness import clue_open
from questline.domain.timestamps import MICROS_PER_SECOND
from questline.loadgen.answer_bodies import answer_body
from questline.loadgen.open_loop import Action
from questline.loadgen.pace import Pace, TeamPlan
from questline.loadgen.sample_images import solid_png
from questline.rehearsal.team_model import ADJECTIVES, ANIMALS, draw_team

HINT_CHANCE = 0.08  # unpaced teams: the share of actions that unlock a hint
LOOK_CHANCE = 0.1  # paced teams with nothing to send: the share that look at their phone


@dataclass
class SimulatedTeam:
    team_id: str
    token: str
    skill: float  # unpaced: the chance of a right answer on a try
    division: str | None = None
    plan: TeamPlan | None = None
    solved: set[str] = field(default_factory=set)
    parts: dict[str, set[str]] = field(default_factory=dict)  # clue -> parts solved
    locked: set[str] = field(default_factory=set)
    waiting_photo: set[str] = field(default_factory=set)
    hints: set[tuple[str, str]] = field(default_factory=set)
    resting_until: dict[str, float] = field(default_factory=dict)
    finished: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Players:
    def __init__(
        self,
        client: httpx.AsyncClient,
        hunt: HuntDefinition,
        *,
        seed: int = 7,
        pace: Pace | None = None,
    ) -> None:
        self.client = client
        self.hunt = hunt
        self.rng = random.Random(seed)
        self.pace = pace
        self.teams: list[SimulatedTeam] = []
        self.send_division = True  # until the server says it takes none

    # -- joining ------------------------------------------------------------------------

    async def register(self, count: int, prefix: str = "Team") -> None:
        if self.pace is None:
            names = [f"{prefix} {a} {b}" for a, b in _names(count, self.rng)]
            for name in names:
                divisions = self.hunt.divisions
                division = self.rng.choice(divisions).id if divisions else None
                body = await self._register_as(name, division)
                skill = min(0.9, max(0.1, self.rng.gauss(0.35, 0.15)))
                self.teams.append(SimulatedTeam(body["team_id"], body["token"], skill, division))
            return
        # The first teams are there from the start, even when the hunt began a while ago.
        now = asyncio.get_running_loop().time()
        since_start = max(0.0, time.time() - self.hunt.starts_at / MICROS_PER_SECOND)
        for _ in range(count):
            await self.add_team(prefix, joined=now - since_start)

    async def add_team(self, prefix: str = "Team", joined: float | None = None) -> SimulatedTeam:
        """One more team, with its own pace (joining now unless `joined` says when)."""
        assert self.pace is not None, "paced teams only"
        traits = draw_team(self.hunt, len(self.teams), self.rng)
        body = await self._register_as(f"{prefix} {traits.name}", traits.division)
        if joined is None:
            joined = asyncio.get_running_loop().time()
        plan = TeamPlan(traits, self.pace, self.rng, joined)
        team = SimulatedTeam(body["team_id"], body["token"], 0.0, traits.division, plan)
        self.teams.append(team)
        return team

    async def _register_as(self, name: str, division: str | None) -> dict[str, str]:
        """Register under `name`, or `name 2`, `name 3`... when an earlier run against
        the same server (same seed, same names) took it: 409. A server that does not
        take `division` yet (422 naming the field) is asked without it."""
        for attempt in range(1, 100):
            candidate = name if attempt == 1 else f"{name} {attempt}"
            body: dict[str, str] = {"name": candidate}
            if division is not None and self.send_division:
                body["division"] = division
            response = await self._post_registration(body)
            if response.status_code == 422 and "division" in body and _names_field(response):
                self.send_division = False
                response = await self._post_registration({"name": candidate})
            if response.status_code == 409:
                continue
            if response.is_error:
                raise RuntimeError(
                    f"hunt {self.hunt.id!r} refused to register {candidate!r}: "
                    f"{response.status_code} {_message(response)}"
                )
            registered: dict[str, str] = response.json()
            return registered
        raise RuntimeError(f"every variant of the team name {name!r} is taken")

    async def _post_registration(self, body: dict[str, str]) -> httpx.Response:
        url = f"/api/hunts/{self.hunt.id}/teams"
        response = await self.client.post(url, json=body)
        while response.status_code == 429:  # a server's registration limit: wait it out
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
            response = await self.client.post(url, json=body)
        return response

    # -- playing ------------------------------------------------------------------------

    def all_done(self) -> bool:
        """Every team finished the hunt or stopped playing."""
        now = asyncio.get_running_loop().time()
        return all(t.finished or (t.plan is not None and t.plan.stopped(now)) for t in self.teams)

    def _available(self, team: SimulatedTeam, now: float) -> list[Clue]:
        wall = int(time.time() * MICROS_PER_SECOND)
        clues = []
        for clue in self.hunt.clues:
            if clue.id in team.solved or clue.id in team.locked or clue.id in team.waiting_photo:
                continue
            if team.resting_until.get(clue.id, 0.0) > now:
                continue
            if clue_open(self.hunt, clue, team.solved, wall):
                clues.append(clue)
        return clues

    def next_action(self) -> Action | None:
        now = asyncio.get_running_loop().time()
        playing = [
            t for t in self.teams if not t.finished and (t.plan is None or not t.plan.stopped(now))
        ]
        if not playing:
            return None
        team = self.rng.choice(playing)
        clues = self._available(team, now)
        if not clues:
            return None
        if team.plan is not None:
            move = team.plan.next_move(clues, self.hunt.finish, now)
            if move is None:
                if team.plan.arrived(now) and self.rng.random() < LOOK_CHANCE:
                    return lambda: self._look(team)
                return None
            if move.kind == "hint" and move.hint_id is not None:
                hint_id = move.hint_id
                return lambda: self._hint(team, move.clue, hint_id)
            return lambda: self._submit(team, move.clue, move.kind == "right", move.part)
        clue = self.rng.choice(clues)
        unlocked = {h for c, h in team.hints if c == clue.id}
        locked_hints = [h for h in clue.hints if h.id not in unlocked]
        if locked_hints and self.rng.random() < HINT_CHANCE:
            return lambda: self._hint(team, clue, locked_hints[0].id)
        part = self._open_part(team, clue)
        right = self.rng.random() < team.skill
        return lambda: self._submit(team, clue, right, part)

    def _open_part(self, team: SimulatedTeam, clue: Clue) -> str | None:
        if not isinstance(clue.answer, PartsAnswer):
            return None
        done = team.parts.get(clue.id, set())
        left = [part.id for part in clue.answer.parts if part.id not in done]
        return self.rng.choice(left) if left else clue.answer.parts[0].id

    async def _look(self, team: SimulatedTeam) -> str:
        """A player glances at the phone: the team's clues, or now and then the board."""
        if self.rng.random() < 0.7:
            url = f"/api/hunts/{self.hunt.id}"
        else:
            url = f"/api/hunts/{self.hunt.id}/leaderboard?limit=20"
        response = await self.client.get(url, headers=team.headers)
        return f"{response.status_code} look"

    async def _hint(self, team: SimulatedTeam, clue: Clue, hint_id: str) -> str:
        url = f"/api/hunts/{self.hunt.id}/clues/{clue.id}/hints/{hint_id}"
        response = await self._post_retrying(url, team.headers)
        if response.status_code == 200:
            team.hints.add((clue.id, hint_id))
            if team.plan is not None:
                team.plan.hint_taken(clue.id, hint_id, asyncio.get_running_loop().time())
        return str(response.status_code)

    async def _submit(self, team: SimulatedTeam, clue: Clue, right: bool, part: str | None) -> str:
        url = f"/api/hunts/{self.hunt.id}/submissions"
        if isinstance(clue.answer, PhotoAnswer):
            image = solid_png((self.rng.randrange(256), self.rng.randrange(256), 80))
            response = await self._post_retrying(
                url,
                team.headers,
                files={"photo": ("team.png", image, "image/png")},
                data={"clue": clue.id},
            )
        else:
            body = answer_body(clue, right, self.rng, part)
            response = await self._post_retrying(url, team.headers, json=body)
        status = response.status_code
        if status == 200:
            result = response.json()["result"]
            if result in ("correct", "already_solved"):
                self._solved(team, clue, part)
            elif result == "pending_review":
                team.waiting_photo.add(clue.id)
                if team.plan is not None:
                    team.plan.dropped(clue.id, asyncio.get_running_loop().time())
            return f"200 {result}"
        if status == 429:
            wait = float(response.headers.get("Retry-After", "5"))
            team.resting_until[clue.id] = asyncio.get_running_loop().time() + wait
        elif status == 409:
            code = response.json()["error"]["code"]
            if code == "clue_locked":
                team.locked.add(clue.id)
                if team.plan is not None:
                    team.plan.dropped(clue.id, asyncio.get_running_loop().time())
            elif code == "photo_pending":
                team.waiting_photo.add(clue.id)
        return str(status)

    def _solved(self, team: SimulatedTeam, clue: Clue, part: str | None) -> None:
        answer = clue.answer
        if isinstance(answer, PartsAnswer) and part is not None:
            done = team.parts.setdefault(clue.id, set())
            done.add(part)
            if team.plan is not None:
                team.plan.part_solved(clue.id, part)
            if len(done) < len(answer.parts):
                return
        self.clue_solved(team, clue.id)

    def clue_solved(self, team: SimulatedTeam, clue_id: str) -> None:
        team.solved.add(clue_id)
        team.waiting_photo.discard(clue_id)
        if team.plan is not None:
            team.plan.clue_solved(clue_id, asyncio.get_running_loop().time())
        finish = self.hunt.finish
        if clue_id == finish or (finish is None and len(team.solved) == len(self.hunt.clues)):
            team.finished = True

    def photo_rejected(self, team: SimulatedTeam, clue_id: str) -> None:
        team.waiting_photo.discard(clue_id)
        if team.plan is not None:
            team.plan.photo_rejected(clue_id)

    async def _post_retrying(
        self, url: str, headers: dict[str, str], **kwargs: Any
    ) -> httpx.Response:
        """POST with an Idempotency-Key, retried with the same key when shed (503)."""
        keyed = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        response = await self.client.post(url, headers=keyed, **kwargs)
        for _ in range(3):
            if response.status_code != 503:
                break
            await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
            response = await self.client.post(url, headers=keyed, **kwargs)
        return response


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


def _names_field(response: httpx.Response) -> bool:
    """A 422 that names `division` among the fields the server does not take."""
    try:
        details = response.json()["error"].get("details") or {}
    except (ValueError, KeyError, AttributeError):
        return False
    return "division" in (details.get("fields") or [])


def _names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    pairs = [(a, b) for a in ADJECTIVES for b in ANIMALS]
    rng.shuffle(pairs)
    out = []
    for index in range(count):
        a, b = pairs[index % len(pairs)]
        out.append((a, b if index < len(pairs) else f"{b} {index // len(pairs) + 1}"))
    return out


async def judge_photos(
    players: Players,
    organizer_headers: dict[str, str],
    rng: random.Random,
    stop: asyncio.Event,
    every: float = 2.0,
) -> None:
    """A simulated organizer approving most photos and rejecting some, with a reason
    (paced teams' photos by their quality)."""
    hunt_id = players.hunt.id
    client = players.client
    teams_by_id = {team.team_id: team for team in players.teams}
    while not stop.is_set():
        response = await client.get(f"/api/hunts/{hunt_id}/reviews", headers=organizer_headers)
        if response.status_code == 200:
            for item in response.json():
                team = teams_by_id.get(item["team_id"])
                if team is None:  # joined since the last look
                    teams_by_id = {t.team_id: t for t in players.teams}
                    team = teams_by_id.get(item["team_id"])
                quality = team.plan.traits.photo_quality if team and team.plan else 0.8
                approve = rng.random() < quality
                body = {
                    "approve": approve,
                    "reason": "" if approve else "The photo does not show what the clue asks for.",
                }
                outcome = await client.post(
                    f"/api/hunts/{hunt_id}/reviews/{item['id']}",
                    json=body,
                    headers=organizer_headers,
                )
                if team is not None and outcome.status_code == 200:
                    if approve:
                        players.clue_solved(team, item["clue"])
                    else:
                        players.photo_rejected(team, item["clue"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
