"""Simulated teams: they register, then play the open clues with realistic
mistakes (typos, half answers, check-ins a street away), unlock hints, send
photos and back off when rate limited. Each call to `next_action` is one request."""

import asyncio
import contextlib
import math
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from questline.domain.definition import (
    Clue,
    CodeAnswer,
    GeoAnswer,
    HuntDefinition,
    PhotoAnswer,
    TextAnswer,
)
from questline.loadgen.open_loop import Action
from questline.loadgen.sample_images import solid_png

WRONG_WORDS = ("lamp", "clock", "tower", "door", "river", "boat", "chimney", "window")


@dataclass
class SimulatedTeam:
    team_id: str
    token: str
    skill: float  # chance of a right answer on a try
    solved: set[str] = field(default_factory=set)
    locked: set[str] = field(default_factory=set)
    waiting_photo: set[str] = field(default_factory=set)
    hints: set[tuple[str, str]] = field(default_factory=set)
    resting_until: dict[str, float] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text + "x"
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # swap two letters


def _offset(lat: float, lon: float, metres: float, rng: random.Random) -> tuple[float, float]:
    bearing = rng.uniform(0, 2 * math.pi)
    d_lat = metres * math.cos(bearing) / 111_320
    d_lon = metres * math.sin(bearing) / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    return lat + d_lat, lon + d_lon


def _vary_case(text: str, rng: random.Random) -> str:
    styles = (str.lower, str.upper, str.title, lambda s: f"  {s}! ")
    return rng.choice(styles)(text)


class Players:
    def __init__(
        self,
        client: httpx.AsyncClient,
        hunt: HuntDefinition,
        *,
        seed: int = 7,
    ) -> None:
        self.client = client
        self.hunt = hunt
        self.rng = random.Random(seed)
        self.teams: list[SimulatedTeam] = []

    async def register(self, count: int, prefix: str = "Team") -> None:
        names = [f"{prefix} {adjective} {animal}" for adjective, animal in _names(count, self.rng)]
        for name in names:
            body = await self._register_as(name)
            skill = min(0.9, max(0.1, self.rng.gauss(0.35, 0.15)))
            self.teams.append(SimulatedTeam(body["team_id"], body["token"], skill))

    async def _register_as(self, name: str) -> dict[str, str]:
        """Register under `name`, or `name 2`, `name 3`... when an earlier run against
        the same server (same seed, same names) took it: 409."""
        for attempt in range(1, 100):
            candidate = name if attempt == 1 else f"{name} {attempt}"
            response = await self.client.post(
                f"/api/hunts/{self.hunt.id}/teams", json={"name": candidate}
            )
            while response.status_code == 429:  # a server's registration limit: wait it out
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                response = await self.client.post(
                    f"/api/hunts/{self.hunt.id}/teams", json={"name": candidate}
                )
            if response.status_code != 409:
                response.raise_for_status()
                body: dict[str, str] = response.json()
                return body
        raise RuntimeError(f"every variant of the team name {name!r} is taken")

    def _open_clues(self, team: SimulatedTeam, now: float) -> list[Clue]:
        clues = []
        for clue in self.hunt.clues:
            if clue.id in team.solved or clue.id in team.locked or clue.id in team.waiting_photo:
                continue
            if team.resting_until.get(clue.id, 0.0) > now:
                continue
            requires = clue.requires
            if requires is None or sum(r in team.solved for r in requires.of) >= requires.count:
                clues.append(clue)
        return clues

    def next_action(self) -> Action | None:
        if not self.teams:
            return None
        team = self.rng.choice(self.teams)
        now = asyncio.get_running_loop().time()
        clues = self._open_clues(team, now)
        if not clues:
            return None
        clue = self.rng.choice(clues)
        unlocked = {h for c, h in team.hints if c == clue.id}
        locked_hints = [h for h in clue.hints if h.id not in unlocked]
        if locked_hints and self.rng.random() < 0.08:
            return lambda: self._hint(team, clue, locked_hints[0].id)
        right = self.rng.random() < team.skill
        return lambda: self._submit(team, clue, right)

    async def _hint(self, team: SimulatedTeam, clue: Clue, hint_id: str) -> str:
        url = f"/api/hunts/{self.hunt.id}/clues/{clue.id}/hints/{hint_id}"
        response = await self._post_retrying(url, team.headers)
        if response.status_code == 200:
            team.hints.add((clue.id, hint_id))
        return str(response.status_code)

    async def _submit(self, team: SimulatedTeam, clue: Clue, right: bool) -> str:
        url = f"/api/hunts/{self.hunt.id}/submissions"
        answer = clue.answer
        if isinstance(answer, PhotoAnswer):
            image = solid_png((self.rng.randrange(256), self.rng.randrange(256), 80))
            response = await self._post_retrying(
                url,
                team.headers,
                files={"photo": ("team.png", image, "image/png")},
                data={"clue": clue.id},
            )
        else:
            response = await self._post_retrying(url, team.headers, json=self._given(clue, right))
        status = response.status_code
        if status == 200:
            result = response.json()["result"]
            if result in ("correct", "already_solved"):
                team.solved.add(clue.id)
            elif result == "pending_review":
                team.waiting_photo.add(clue.id)
            return f"200 {result}"
        if status == 429:
            wait = float(response.headers.get("Retry-After", "5"))
            team.resting_until[clue.id] = asyncio.get_running_loop().time() + wait
        elif status == 409:
            code = response.json()["error"]["code"]
            if code == "clue_locked":
                team.locked.add(clue.id)
            elif code == "photo_pending":
                team.waiting_photo.add(clue.id)
        return str(status)

    def _given(self, clue: Clue, right: bool) -> dict[str, Any]:
        answer = clue.answer
        rng = self.rng
        if isinstance(answer, TextAnswer):
            accepted = answer.accept[0] if answer.accept else "answer"
            if right:
                return {
                    "clue": clue.id,
                    "answer": _vary_case(rng.choice(answer.accept or (accepted,)), rng),
                }
            if answer.keep_going and rng.random() < 0.25:
                return {"clue": clue.id, "answer": rng.choice(answer.keep_going)}
            wrong = _typo(accepted, rng) if rng.random() < 0.5 else rng.choice(WRONG_WORDS)
            return {"clue": clue.id, "answer": wrong}
        if isinstance(answer, GeoAnswer):
            metres = rng.uniform(0, answer.radius_m * 0.8) if right else rng.uniform(80, 600)
            lat, lon = _offset(answer.lat, answer.lon, metres, rng)
            return {"clue": clue.id, "lat": lat, "lon": lon}
        if isinstance(answer, CodeAnswer):
            code = rng.choice(answer.codes)
            return {"clue": clue.id, "code": f" {code} " if right else _typo(code, rng)}
        raise ValueError(clue.kind)

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


def _names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    adjectives = (
        "Brave",
        "Swift",
        "Clever",
        "Lucky",
        "Quiet",
        "Bold",
        "Merry",
        "Sly",
        "Keen",
        "Wild",
    )
    animals = (
        "Otters",
        "Foxes",
        "Gulls",
        "Badgers",
        "Herons",
        "Seals",
        "Owls",
        "Hares",
        "Lynxes",
        "Crabs",
    )
    pairs = [(a, b) for a in adjectives for b in animals]
    rng.shuffle(pairs)
    out = []
    for index in range(count):
        a, b = pairs[index % len(pairs)]
        out.append((a, b if index < len(pairs) else f"{b} {index // len(pairs) + 1}"))
    return out


async def judge_photos(
    client: httpx.AsyncClient,
    hunt_id: str,
    organizer_headers: dict[str, str],
    teams_by_id: dict[str, SimulatedTeam],
    rng: random.Random,
    stop: asyncio.Event,
    every: float = 2.0,
) -> None:
    """A simulated organizer approving most photos and rejecting some, with a reason."""
    while not stop.is_set():
        response = await client.get(f"/api/hunts/{hunt_id}/reviews", headers=organizer_headers)
        if response.status_code == 200:
            for item in response.json():
                approve = rng.random() < 0.8
                body = {"approve": approve, "reason": "" if approve else "The horse is not in it."}
                outcome = await client.post(
                    f"/api/hunts/{hunt_id}/reviews/{item['id']}",
                    json=body,
                    headers=organizer_headers,
                )
                team = teams_by_id.get(item["team_id"])
                if team is not None and outcome.status_code == 200:
                    team.waiting_photo.discard(item["clue"])
                    if approve:
                        team.solved.add(item["clue"])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
