"""Hypothesis strategies for random valid hunts and random command sequences.

A hunt is drawn as an organizer document and parsed with `parse_definition`, so
every drawn hunt is one the engine would accept from a file. `requires` only
names earlier clues, so no drawn hunt has a cycle.

A scenario is the hunt plus a list of steps. Each step moves a hand clock
(never backwards: the engine never stamps a hunt's events out of order either)
and issues one command. Commands name teams `t-1`.. and reviews `p-1`.. by the
ids the engine hands out, so most of them hit something and some miss on purpose.
"""

from dataclasses import dataclass
from typing import Any

import msgspec
from hypothesis import strategies as st

from questline.domain.commands import (
    AdjustScore,
    Announce,
    CodeGiven,
    Command,
    GeoGiven,
    Given,
    IssueToken,
    MessageTeam,
    PartGiven,
    PauseHunt,
    PhotoGiven,
    RegisterTeam,
    ResumeHunt,
    ReviewPhoto,
    ReviseHunt,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.definition import (
    Clue,
    CodeAnswer,
    DynamicPoints,
    GeoAnswer,
    HuntDefinition,
    PartsAnswer,
    TextAnswer,
)
from questline.domain.definition_parsing import parse_definition
from questline.domain.timestamps import MICROS_PER_SECOND, Micros, to_rfc3339
from tests.hunt_builders import BEFORE_START, STARTS

SECOND = MICROS_PER_SECOND
MINUTE = 60 * SECOND

ACCEPTED_TEXTS = ("Lighthouse Keeper", "Café au lait", "Ωmega 42", "keeper")
KEEP_GOING_TEXTS = ("light", "almost there")
WRONG_TEXTS = ("nope", "Lighthouse", "keeper keeper", "42")  # revisions may accept them
PLACES = ((59.9139, 10.7522), (-33.8568, 151.2153), (0.0, 0.0), (89.5, -179.5))
CODES = ("QL-7F3K-22", "ABC", "x y z")
TEAM_NAMES = ("Otters", "otters", "  Owls ", "Badgers", "Lynx", "Crows", "Ravens")
MAX_TEAMS = 6
DIVISIONS = ("students", "open")
MAX_REVIEWS = 6


@st.composite
def dynamic_points(draw: st.DrawFn) -> dict[str, Any]:
    initial = draw(st.integers(0, 600))
    return {
        "dynamic": {
            "initial": initial,
            "minimum": draw(st.integers(0, initial)),
            "decay": draw(st.integers(1, 12)),
            "function": draw(st.sampled_from(["linear", "logarithmic"])),
        }
    }


@st.composite
def answer_document(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "geo", "code", "photo", "parts"]))
    if kind == "parts":
        count = draw(st.integers(1, 3))
        return {
            "kind": "parts",
            "parts": [
                {
                    "id": f"p{i}",
                    "points": draw(st.integers(0, 120)),
                    "accept": [ACCEPTED_TEXTS[i]],
                    "keep_going": ["light"],
                }
                for i in range(count)
            ],
        }
    if kind == "text":
        answer: dict[str, Any] = {
            "kind": "text",
            "accept": draw(st.lists(st.sampled_from(ACCEPTED_TEXTS), min_size=1, unique=True)),
        }
        if draw(st.booleans()):
            answer["keep_going"] = draw(
                st.lists(st.sampled_from(KEEP_GOING_TEXTS), min_size=1, unique=True)
            )
        if draw(st.booleans()):
            answer["accept_regex"] = ["k[a-z]+r"]
        return answer
    if kind == "geo":
        lat, lon = draw(st.sampled_from(PLACES))
        return {"kind": "geo", "lat": lat, "lon": lon, "radius_m": draw(st.sampled_from([1, 30]))}
    if kind == "code":
        return {
            "kind": "code",
            "codes": draw(st.lists(st.sampled_from(CODES), min_size=1, unique=True)),
        }
    return {"kind": "photo"}


@st.composite
def clue_document(draw: st.DrawFn, index: int) -> dict[str, Any]:
    clue: dict[str, Any] = {"id": f"c{index}", "answer": draw(answer_document())}
    if clue["answer"]["kind"] != "parts":
        clue["points"] = draw(st.one_of(st.integers(0, 300), dynamic_points()))
    if draw(st.integers(0, 5)) == 0:
        clue["opens_after"] = draw(st.sampled_from(["90s", "3m"]))  # hunts last 5 min or more
    hint_count = draw(st.integers(0, 2))
    if hint_count:
        clue["hints"] = [
            {"id": f"h{i}", "text": f"hint {i} of c{index}", "cost": draw(st.integers(0, 40))}
            for i in range(hint_count)
        ]
    if index and draw(st.booleans()):
        earlier = draw(
            st.lists(st.sampled_from([f"c{i}" for i in range(index)]), min_size=1, unique=True)
        )
        if draw(st.booleans()):
            clue["requires"] = earlier
        else:
            clue["requires"] = {"any": draw(st.integers(1, len(earlier))), "of": earlier}
    if draw(st.booleans()):
        clue["max_attempts"] = draw(st.integers(1, 3))
    return clue


@st.composite
def hunt_documents(draw: st.DrawFn, hunt_id: str = "prop-hunt") -> dict[str, Any]:
    duration = draw(st.integers(5, 60)) * MINUTE
    hunt: dict[str, Any] = {
        "id": hunt_id,
        "title": "Property hunt",
        "starts_at": to_rfc3339(STARTS),
        "ends_at": to_rfc3339(STARTS + duration),
        "attempts": {"wrong_per_minute": draw(st.sampled_from([1, 1, 2, 3]))},
    }
    if draw(st.booleans()):
        hunt["freeze_at"] = to_rfc3339(
            STARTS + draw(st.integers(0, duration // SECOND - 1)) * SECOND
        )
    scoring: dict[str, Any] = {}
    if draw(st.booleans()):
        scoring["first_solve_bonus"] = draw(st.lists(st.integers(0, 60), min_size=1, max_size=3))
    if draw(st.integers(0, 2)) == 0:
        scoring["wrong_answer_penalty"] = draw(st.integers(1, 15))
    if scoring:
        hunt["scoring"] = scoring
    if draw(st.integers(0, 3)) == 0:
        hunt["divisions"] = [{"id": d, "title": d.title()} for d in DIVISIONS]
    clue_count = draw(st.integers(1, 6))
    clues = [draw(clue_document(i)) for i in range(clue_count)]
    if draw(st.booleans()):
        finish = draw(st.sampled_from(clues))
        hunt["finish"] = finish["id"]
        hunt["ranking"] = draw(st.sampled_from(["score", "finish", "finish"]))
    return {"hunt": hunt, "clues": clues}


def hunts(hunt_id: str = "prop-hunt") -> st.SearchStrategy[HuntDefinition]:
    return hunt_documents(hunt_id).map(parse_definition)


# -- time ---------------------------------------------------------------------------

Landmark = str  # "start", "freeze", "end"


class Advance(msgspec.Struct, frozen=True):
    micros: Micros


class JumpTo(msgspec.Struct, frozen=True):
    landmark: Landmark
    offset: Micros


TimeMove = Advance | JumpTo


_MOVES: tuple[TimeMove, ...] = (
    *[Advance(0)] * 3,
    Advance(1),
    *[Advance(SECOND)] * 2,
    *[Advance(10 * SECOND)] * 3,
    Advance(59 * SECOND),
    Advance(61 * SECOND),
    Advance(3 * MINUTE),
    JumpTo("start", -1),
    JumpTo("start", 0),
    JumpTo("freeze", -1),
    JumpTo("freeze", 0),
    JumpTo("freeze", 1),
)


def time_moves() -> st.SearchStrategy[TimeMove]:
    """Mostly small steps (so rate limits bite), and the edges of start and freeze."""
    return st.sampled_from(_MOVES)


def landmark_time(definition: HuntDefinition, landmark: Landmark) -> Micros:
    if landmark == "start":
        return definition.starts_at
    if landmark == "end":
        return definition.ends_at
    return definition.freeze_at if definition.freeze_at is not None else definition.starts_at


def step_times(definition: HuntDefinition, moves: list[TimeMove], start: Micros) -> list[Micros]:
    """The clock at each step; it only moves forwards."""
    now = start
    times: list[Micros] = []
    for move in moves:
        if isinstance(move, Advance):
            now += move.micros
        else:
            now = max(now, landmark_time(definition, move.landmark) + move.offset)
        times.append(now)
    return times


# -- commands -------------------------------------------------------------------------


def _right(clue: Clue, draw: st.DrawFn) -> Given:
    spec = clue.answer
    if isinstance(spec, PartsAnswer):
        part = draw(st.sampled_from(spec.parts))
        return PartGiven(part.id, draw(st.sampled_from(part.accept)))
    if isinstance(spec, TextAnswer):
        if spec.accept:
            text = draw(st.sampled_from(spec.accept))
            return TextGiven(draw(st.sampled_from([text, text.upper(), f"  {text}!! "])))
        return TextGiven("keeper")
    if isinstance(spec, GeoAnswer):
        return GeoGiven(spec.lat, spec.lon)
    if isinstance(spec, CodeAnswer):
        code = draw(st.sampled_from(spec.codes))
        return CodeGiven(draw(st.sampled_from([code, f" {code}\t"])))
    return PhotoGiven(f"photo-{draw(st.integers(0, 99))}", "sha256:ab", "image/jpeg", 1024)


def _wrong(clue: Clue, draw: st.DrawFn) -> Given:
    spec = clue.answer
    if isinstance(spec, PartsAnswer):
        part = draw(st.sampled_from(spec.parts))
        return PartGiven(part.id, draw(st.sampled_from(WRONG_TEXTS)))
    if isinstance(spec, TextAnswer):
        return TextGiven(draw(st.sampled_from(WRONG_TEXTS)))
    if isinstance(spec, GeoAnswer):
        lat = spec.lat - 1.0 if spec.lat > 0 else spec.lat + 1.0
        return GeoGiven(lat, spec.lon)
    if isinstance(spec, CodeAnswer):
        return CodeGiven(draw(st.sampled_from(["ql-7f3k-22", "WRONG", "abc"])))
    return PhotoGiven("photo-x", "sha256:cd", "image/png", 2048)


def _odd(clue: Clue, draw: st.DrawFn) -> Given:
    """Keep-going answers, invalid input and answers of the wrong kind."""
    spec = clue.answer
    if isinstance(spec, TextAnswer) and spec.keep_going and draw(st.integers(0, 2)):
        return TextGiven(draw(st.sampled_from(spec.keep_going)))
    odd: list[Given] = [
        PartGiven("p0", "light"),
        PartGiven("p9", "x"),
        TextGiven("?!"),
        TextGiven("light"),
        CodeGiven("   "),
        GeoGiven(91.0, 0.0),
        CodeGiven("ABC"),
    ]
    return draw(st.sampled_from(odd))


@st.composite
def commands(draw: st.DrawFn, definition: HuntDefinition, teams: int = MAX_TEAMS) -> Command:
    hunt_id = definition.id
    team = f"t-{draw(st.integers(1, min(teams + 1, MAX_TEAMS)))}"
    action = draw(
        st.sampled_from(
            ["register"] * 2
            + ["submit"] * 12
            + ["hint"] * 2
            + ["review"] * 2
            + ["adjust", "pause", "resume", "resume", "announce", "revise", "token", "message"]
        )
    )
    if action == "register":
        return RegisterTeam(
            hunt_id,
            draw(st.sampled_from(TEAM_NAMES)),
            f"token-{draw(st.integers(0, 9))}",
            _division(definition, draw),
        )
    if action == "revise":
        return draw(revisions(definition))
    if action == "token":
        return IssueToken(
            hunt_id, team, f"token-new-{draw(st.integers(0, 9))}", draw(st.booleans())
        )
    if action == "message":
        return MessageTeam(hunt_id, team, draw(st.sampled_from(["Come to the desk", " "])))
    if action == "submit":
        clue = draw(st.sampled_from(definition.clues))
        kind = draw(st.sampled_from(["right", "right", "wrong", "wrong", "odd"]))
        given = (_right if kind == "right" else _wrong if kind == "wrong" else _odd)(clue, draw)
        clue_id = clue.id if draw(st.integers(0, 19)) else "no-such-clue"
        return Submit(hunt_id, team, clue_id, given)
    if action == "hint":
        clue = draw(st.sampled_from(definition.clues))
        hint_ids = [h.id for h in clue.hints] or ["h0"]
        return UnlockHint(
            hunt_id, team, clue.id, draw(st.sampled_from([*hint_ids, *hint_ids, "nope"]))
        )
    if action == "review":
        review_id = f"p-{draw(st.sampled_from([1, 1, 2, 2, 3, MAX_REVIEWS]))}"
        approve = draw(st.booleans())
        reason = draw(st.sampled_from(["", "blurry", "  "])) if not approve else ""
        return ReviewPhoto(hunt_id, review_id, approve, reason)
    if action == "adjust":
        points = draw(st.sampled_from([-50, -1, 0, 5, 100]))
        return AdjustScore(hunt_id, team, points, draw(st.sampled_from(["fair play", "", "late"])))
    if action == "pause":
        return PauseHunt(hunt_id)
    if action == "resume":
        return ResumeHunt(hunt_id)
    return Announce(hunt_id, draw(st.sampled_from(["Half time!", "  ", "Ende"])))


def _division(definition: HuntDefinition, draw: st.DrawFn) -> str | None:
    ids = [d.id for d in definition.divisions]
    return draw(st.sampled_from(ids)) if ids else None


@st.composite
def revisions(draw: st.DrawFn, definition: HuntDefinition) -> ReviseHunt:
    """An erratum: wrong answers accepted now, points and bonuses changed, times moved;
    now and then one the rules refuse (a clue removed, a stale If-Match)."""
    clues = []
    for clue in definition.clues:
        answer = clue.answer
        if isinstance(answer, TextAnswer) and draw(st.booleans()):
            extra = draw(st.sampled_from(WRONG_TEXTS))
            answer = TextAnswer((*answer.accept, extra), answer.accept_regex, answer.keep_going)
        elif isinstance(answer, CodeAnswer) and draw(st.booleans()):
            answer = CodeAnswer((*answer.codes, "WRONG"))
        elif isinstance(answer, PartsAnswer) and draw(st.booleans()):
            parts = tuple(
                msgspec.structs.replace(p, accept=(*p.accept, "nope"), points=p.points + 5)
                for p in answer.parts
            )
            answer = PartsAnswer(parts)
        points: int | DynamicPoints = clue.points
        if isinstance(points, int) and not isinstance(answer, PartsAnswer) and draw(st.booleans()):
            points = draw(st.integers(0, 300))
        elif isinstance(answer, PartsAnswer):
            points = sum(p.points for p in answer.parts)
        clues.append(msgspec.structs.replace(clue, answer=answer, points=points))
    if len(clues) > 1 and draw(st.integers(0, 5)) == 0:
        clues = clues[:-1]  # refused when a team touched it, and when it is the finish
        if definition.finish == definition.clues[-1].id:
            clues.append(definition.clues[-1])
    revised = msgspec.structs.replace(
        definition,
        clues=tuple(clues),
        first_solve_bonus=draw(
            st.sampled_from([definition.first_solve_bonus, (), (30, 20, 10), (100,)])
        ),
        ends_at=definition.ends_at + draw(st.sampled_from([0, 0, 10 * MINUTE])),
    )
    return ReviseHunt(
        definition.id,
        revised,
        expected_revision=draw(st.sampled_from([None, None, 1, 2])),
        dry_run=draw(st.integers(0, 4)) == 0,
        rejudge=draw(st.booleans()),
    )


@dataclass(frozen=True)
class Scenario:
    definition: HuntDefinition
    times: list[Micros]
    commands: list[Command]


@st.composite
def scenarios(draw: st.DrawFn, max_steps: int = 40, hunt_id: str = "prop-hunt") -> Scenario:
    definition = draw(hunts(hunt_id))
    registrations = [
        RegisterTeam(definition.id, name, f"token-{name.strip()}", _division(definition, draw))
        for name in draw(
            st.lists(st.sampled_from(TEAM_NAMES[2:]), min_size=1, max_size=4, unique=True)
        )
    ]
    count = draw(st.integers(1, max_steps))
    teams = len(registrations)
    steps: list[Command] = list(registrations)
    for _ in range(count):
        last = steps[-1]
        if isinstance(last, Submit) and draw(st.integers(0, 2)) == 0:
            steps.append(last)  # a team hammering the same answer: rate limits, locks
        else:
            steps.append(draw(commands(definition, teams)))
    moves: list[TimeMove] = draw(st.lists(time_moves(), min_size=len(steps), max_size=len(steps)))
    # Now and then the hunt runs to its end (or just short of it) part way through.
    ending = draw(st.one_of(st.none(), st.integers(len(steps) // 2, len(steps) - 1)))
    if ending is not None:
        moves[ending] = JumpTo("end", draw(st.sampled_from([-1, 0, 1])))
    start = draw(st.sampled_from([BEFORE_START, STARTS - MINUTE, STARTS, STARTS, STARTS]))
    return Scenario(definition, step_times(definition, moves, start), steps)
