"""Small helpers the rule tests share: boards from the read models, hand-made hunts,
and forcing a fact into a hunt's history to reach states `decide` never makes."""

import copy
import math
from collections.abc import Iterable
from typing import Any

import msgspec

from questline.domain.events import Event, RecordedEvent
from questline.domain.hash_chain import with_hash
from questline.domain.hunt_state import evolve
from questline.domain.projections.rows import LeaderboardRow
from questline.domain.rejections import Rejection
from tests.hunt_builders import PureHunt, hunt_from, spec_document

EARTH_RADIUS_M = 6_371_008.8  # the spec's radius, kept apart from the code under test


def document(*clues: dict[str, Any], **hunt: Any) -> dict[str, Any]:
    """A hunt document with the spec example's header (overridable) and the given clues."""
    doc = copy.deepcopy(spec_document())
    doc["hunt"].update(hunt)
    doc["hunt"] = {k: v for k, v in doc["hunt"].items() if v is not None}
    doc["clues"] = [copy.deepcopy(c) for c in clues]
    return doc


def text_clue(clue_id: str, *accept: str, points: Any = 100, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"kind": "text", "accept": list(accept) or [clue_id]}
    for key in ("accept_regex", "keep_going"):
        if key in extra:
            answer[key] = extra.pop(key)
    return {"id": clue_id, "points": points, "answer": answer, **extra}


def play(*clues: dict[str, Any], **hunt: Any) -> PureHunt:
    return PureHunt(hunt_from(document(*clues, **hunt)))


def dynamic(initial: int, minimum: int, decay: int, function: str) -> dict[str, Any]:
    return {
        "dynamic": {"initial": initial, "minimum": minimum, "decay": decay, "function": function}
    }


def refused(result: object, code: str, status: int) -> Rejection:
    assert isinstance(result, Rejection), f"expected a {code} refusal, got {result!r}"
    assert (result.code, result.status) == (code, status), result
    return result


def force(hunt: PureHunt, event: Event) -> None:
    """Fold a fact into the hunt as if it had been decided now.

    Some refusal pairs can never both apply through `decide` (a solved clue is
    never locked afterwards, for example), yet the order between them is a rule;
    tests reach such states by forcing the facts in.
    """
    recorded = with_hash(
        hunt.state.last_hash,
        RecordedEvent(
            hunt.hunt_id,
            hunt.state.version + 1,
            hunt.now,
            "forced",
            event,
            position=len(hunt.log) + 1,
        ),
    )
    hunt.state = evolve(hunt.state, recorded)
    hunt.log.append(recorded)


def board(hunt: PureHunt, table: str = "leaderboard_live") -> list[LeaderboardRow]:
    """The rows of one leaderboard table of the hunt, in rank order (rank = index + 1)."""
    rows = [
        row
        for (tbl, hunt_id, _), row in hunt.rows().items()
        if tbl == table and hunt_id == hunt.hunt_id
    ]
    assert all(isinstance(row, LeaderboardRow) for row in rows)
    ranked = sorted(rows, key=lambda row: row.sort_key())  # type: ignore[union-attr]
    return ranked  # type: ignore[return-value]


def order(rows: Iterable[LeaderboardRow]) -> list[str]:
    return [row.team_id for row in rows]


def versions(hunt: PureHunt) -> int:
    """The hunt version of the newest event in the log (the harness's count, not the state's)."""
    return len(hunt.log)


def spec_ranking(teams: dict[str, tuple[int, int | None, int]]) -> list[str]:
    """The spec's order from (score, version of own last scoring event or None, registration)."""

    def key(team: str) -> tuple[int, int, float, int]:
        score, last, registered = teams[team]
        return (-score, 0 if last is not None else 1, last or 0, registered)

    return sorted(teams, key=key)


def destination(
    lat: float, lon: float, distance_m: float, bearing_deg: float
) -> tuple[float, float]:
    """The point `distance_m` away along a great circle on the spec's sphere."""
    delta = distance_m / EARTH_RADIUS_M
    theta = math.radians(bearing_deg)
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(
        math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    )
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lambda2)


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def encoded(value: object) -> bytes:
    return msgspec.json.encode(value)
