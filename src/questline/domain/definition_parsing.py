"""Validate a raw hunt document (parsed YAML or JSON) into a HuntDefinition.

Every problem is collected, each with the path of the value it is about, so
an organizer fixes a file in one pass instead of one error at a time.
"""

from collections.abc import Mapping
from typing import Any

import msgspec

from questline.domain.answer_parsing import parse_answer
from questline.domain.definition import (
    Clue,
    Division,
    DynamicPoints,
    Hint,
    HuntDefinition,
    PartsAnswer,
    Requires,
    Round,
)
from questline.domain.limits import MAX_COUNT, MAX_POINTS
from questline.domain.parse_collector import (
    MAX_TEXT,
    MAX_TITLE,
    Collector,
    InvalidHunt,
    Problem,
    describe,
)
from questline.domain.structure_parsing import parse_divisions, parse_release, parse_rounds

_HUNT_KEYS = {
    "id",
    "title",
    "starts_at",
    "ends_at",
    "freeze_at",
    "team_size",
    "scoring",
    "attempts",
    "listed",
    "ranking",
    "finish",
    "divisions",
}
_CLUE_KEYS = {
    "id",
    "title",
    "text",
    "points",
    "answer",
    "hints",
    "requires",
    "max_attempts",
    "round",
    "meta",
    "opens_at",
    "opens_after",
    "hidden",
    "expected_minutes",
}
MAX_EXPECTED_MINUTES = 100_000

__all__ = ["InvalidHunt", "Problem", "parse_definition"]


def parse_definition(document: object) -> HuntDefinition:
    """Return the definition, or raise InvalidHunt listing every problem."""
    out = Collector()
    root = out.mapping(document, "(document)")
    if root is None:
        raise InvalidHunt(out.problems)
    out.unknown_keys(root, {"hunt", "clues", "rounds"}, "")
    hunt_raw = out.mapping(root.get("hunt"), "hunt") if "hunt" in root else None
    if "hunt" not in root:
        out.add("hunt", "is missing")
    header = _parse_header(out, hunt_raw) if hunt_raw is not None else None
    rounds: tuple[Round, ...] | None = ()
    if root.get("rounds") is not None:
        rounds = parse_rounds(out, root["rounds"], _parse_requires)
    clues = _parse_clues(out, root.get("clues"), rounds or ()) if "clues" in root else None
    if "clues" not in root:
        out.add("clues", "is missing: a hunt needs at least one clue")
    if out.problems or header is None or clues is None or rounds is None:
        raise InvalidHunt(out.problems)
    definition = msgspec.structs.replace(header, clues=tuple(clues), rounds=rounds)
    _check_structure(out, definition)
    if out.problems:
        raise InvalidHunt(out.problems)
    return definition


def _check_structure(out: Collector, definition: HuntDefinition) -> None:
    """What only the whole definition shows: the final clue, metas, times past the end."""
    ids = [clue.id for clue in definition.clues]
    if definition.finish is not None and definition.finish not in ids:
        out.add("hunt.finish", f"names no clue of this hunt ({definition.finish!r})")
    if definition.ranking == "finish" and definition.finish is None:
        out.add("hunt.ranking", "ranking: finish needs hunt.finish, the clue that finishes")
    for index, clue in enumerate(definition.clues):
        path = f"clues[{index}]"
        if clue.meta and clue.round is None:
            out.add(f"{path}.meta", f"clue {clue.id!r} is a meta but is part of no round")
        if clue.release is not None and clue.release.time(definition.starts_at) >= (
            definition.ends_at
        ):
            out.add(f"{path}.opens_at", f"clue {clue.id!r} would open after the hunt ends")
    metas: dict[str, str] = {}
    for clue in definition.clues:
        if clue.meta and clue.round is not None:
            if clue.round in metas:
                out.add(
                    f"clues[{ids.index(clue.id)}].meta",
                    f"round {clue.round!r} already has a meta ({metas[clue.round]!r})",
                )
            metas.setdefault(clue.round, clue.id)
    for index, round_ in enumerate(definition.rounds):
        if round_.release is not None and round_.release.time(definition.starts_at) >= (
            definition.ends_at
        ):
            out.add(f"rounds[{index}].opens_at", f"round {round_.id!r} would open after the end")


def _parse_header(out: Collector, raw: Mapping[str, Any]) -> HuntDefinition | None:
    out.unknown_keys(raw, _HUNT_KEYS, "hunt")
    before = len(out.problems)
    hunt_id = out.identifier(raw.get("id"), "hunt.id")
    title = out.string(raw.get("title"), "hunt.title", max_len=MAX_TITLE)
    starts_at = out.time(raw.get("starts_at"), "hunt.starts_at")
    ends_at = out.time(raw.get("ends_at"), "hunt.ends_at")
    freeze_raw = raw.get("freeze_at")  # optional: absent or null means no freeze
    freeze_at = out.time(freeze_raw, "hunt.freeze_at") if freeze_raw is not None else None
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        out.add("hunt.ends_at", "must be after hunt.starts_at")
    if (
        freeze_at is not None
        and starts_at is not None
        and ends_at is not None
        and not starts_at <= freeze_at < ends_at
    ):
        out.add("hunt.freeze_at", "must be at or after starts_at and before ends_at")
    team_size_max: int | None = None
    if "team_size" in raw:
        team_size = out.mapping(raw["team_size"], "hunt.team_size")
        if team_size is not None:
            out.unknown_keys(team_size, {"max"}, "hunt.team_size")
            if "max" in team_size:
                team_size_max = out.integer(
                    team_size["max"], "hunt.team_size.max", minimum=1, maximum=MAX_COUNT
                )
    bonus: tuple[int, ...] = ()
    penalty = 0
    if "scoring" in raw:
        scoring = out.mapping(raw["scoring"], "hunt.scoring")
        if scoring is not None:
            out.unknown_keys(scoring, {"first_solve_bonus", "wrong_answer_penalty"}, "hunt.scoring")
            bonus = _parse_bonus(out, scoring.get("first_solve_bonus", []))
            penalty = (
                out.integer(
                    scoring.get("wrong_answer_penalty", 0),
                    "hunt.scoring.wrong_answer_penalty",
                    minimum=0,
                    maximum=MAX_POINTS,
                )
                or 0
            )
    wrong_per_minute = 10
    if "attempts" in raw:
        attempts = out.mapping(raw["attempts"], "hunt.attempts")
        if attempts is not None:
            out.unknown_keys(attempts, {"wrong_per_minute"}, "hunt.attempts")
            if "wrong_per_minute" in attempts:
                parsed = out.integer(
                    attempts["wrong_per_minute"],
                    "hunt.attempts.wrong_per_minute",
                    minimum=1,
                    maximum=MAX_COUNT,
                )
                wrong_per_minute = parsed if parsed is not None else wrong_per_minute
    listed = out.boolean(raw.get("listed", False), "hunt.listed")
    ranking = raw.get("ranking", "score")
    if ranking not in ("score", "finish"):
        out.add("hunt.ranking", f"must be score or finish, got {describe(ranking)}")
    finish = out.identifier(raw["finish"], "hunt.finish") if raw.get("finish") else None
    divisions: tuple[Division, ...] | None = ()
    if raw.get("divisions") is not None:
        divisions = parse_divisions(out, raw["divisions"])
    if len(out.problems) > before or None in (hunt_id, title, starts_at, ends_at):
        return None
    assert hunt_id is not None and title is not None and listed is not None
    assert starts_at is not None and ends_at is not None and divisions is not None
    return HuntDefinition(
        id=hunt_id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        freeze_at=freeze_at,
        clues=(),
        team_size_max=team_size_max,
        first_solve_bonus=bonus,
        wrong_per_minute=wrong_per_minute,
        wrong_answer_penalty=penalty,
        listed=listed,
        ranking=ranking,
        finish=finish,
        divisions=divisions,
    )


def _parse_bonus(out: Collector, raw: object) -> tuple[int, ...]:
    path = "hunt.scoring.first_solve_bonus"
    if not isinstance(raw, list):
        out.add(path, f"must be a list of whole numbers, got {describe(raw)}")
        return ()
    values = [
        out.integer(item, f"{path}[{i}]", minimum=0, maximum=MAX_POINTS)
        for i, item in enumerate(raw)
    ]
    return tuple(v for v in values if v is not None)


def _parse_clues(out: Collector, raw: object, rounds: tuple[Round, ...]) -> list[Clue] | None:
    if not isinstance(raw, list) or not raw:
        out.add("clues", f"must be a non-empty list of clues, got {describe(raw)}")
        return None
    clues: list[Clue] = []
    graph: list[_Node] = []
    seen: dict[str, int] = {}
    ok = True
    for index, item in enumerate(raw):
        path = f"clues[{index}]"
        clue, node = _parse_clue(out, item, path, {r.id for r in rounds})
        if node is not None:
            if node.id in seen:
                out.add(
                    f"{path}.id", f"duplicate clue id {node.id!r} (also clues[{seen[node.id]}])"
                )
                ok = False
            else:
                seen[node.id] = index
                graph.append(node)
        if clue is None:
            ok = False
        else:
            clues.append(clue)
    _check_requires_graph(out, graph, rounds)
    return clues if ok else None


class _Node(msgspec.Struct, frozen=True):
    """A clue as the requires graph sees it, known even when other fields are bad."""

    id: str
    index: int
    requires: Requires | None
    round: str | None = None


def _parse_clue(
    out: Collector, raw: object, path: str, round_ids: set[str]
) -> tuple[Clue | None, _Node | None]:
    clue_raw = out.mapping(raw, path)
    if clue_raw is None:
        return None, None
    before = len(out.problems)
    out.unknown_keys(clue_raw, _CLUE_KEYS, path)
    clue_id = out.identifier(clue_raw.get("id"), f"{path}.id")
    title = (
        out.string(clue_raw["title"], f"{path}.title", max_len=MAX_TITLE)
        if "title" in clue_raw
        else clue_id
    )
    text = (
        out.string(clue_raw["text"], f"{path}.text", max_len=MAX_TEXT, allow_empty=True)
        if "text" in clue_raw
        else ""
    )
    answer = None
    if "answer" in clue_raw:
        answer = parse_answer(out, clue_raw["answer"], f"{path}.answer", clue_id)
    else:
        out.add(f"{path}.answer", "is missing")
    in_parts = _answer_kind(clue_raw) == "parts"
    points: int | DynamicPoints | None
    if in_parts and clue_raw.get("points") is not None:
        out.add(f"{path}.points", "a clue in parts has no points of its own: give each part points")
        points = None
    elif in_parts:
        points = sum(p.points for p in answer.parts) if isinstance(answer, PartsAnswer) else 0
    else:
        points = _parse_points(out, clue_raw.get("points"), f"{path}.points")
    round_id = out.identifier(clue_raw["round"], f"{path}.round") if "round" in clue_raw else None
    if round_id is not None and round_id not in round_ids:
        out.add(f"{path}.round", f"names no round of this hunt ({round_id!r})")
    meta = out.boolean(clue_raw.get("meta", False), f"{path}.meta")
    hidden = out.boolean(clue_raw.get("hidden", False), f"{path}.hidden")
    release = parse_release(out, clue_raw, path)
    expected = (
        out.integer(
            clue_raw["expected_minutes"],
            f"{path}.expected_minutes",
            minimum=1,
            maximum=MAX_EXPECTED_MINUTES,
        )
        if clue_raw.get("expected_minutes") is not None
        else None
    )
    hints = _parse_hints(out, clue_raw.get("hints", []), f"{path}.hints")
    requires = (
        _parse_requires(out, clue_raw["requires"], f"{path}.requires")
        if "requires" in clue_raw and clue_raw["requires"] is not None
        else None
    )
    max_attempts = (
        out.integer(clue_raw["max_attempts"], f"{path}.max_attempts", minimum=1, maximum=MAX_COUNT)
        if clue_raw.get("max_attempts") is not None
        else None
    )
    # A clue whose requires is broken (already reported) still exists for the others.
    node = _Node(clue_id, int(path[6:-1]), requires, round_id) if clue_id is not None else None
    if len(out.problems) > before:
        return None, node
    assert clue_id is not None and title is not None and text is not None
    assert points is not None and answer is not None and hints is not None
    assert meta is not None and hidden is not None
    clue = Clue(
        id=clue_id,
        title=title,
        text=text,
        points=points,
        answer=answer,
        hints=hints,
        requires=requires,
        max_attempts=max_attempts,
        round=round_id,
        meta=meta,
        release=release,
        hidden=hidden,
        expected_minutes=expected,
    )
    return clue, node


def _answer_kind(clue_raw: Mapping[str, Any]) -> object:
    answer = clue_raw.get("answer")
    return answer.get("kind") if isinstance(answer, Mapping) else None


def _parse_points(out: Collector, raw: object, path: str) -> int | DynamicPoints | None:
    if raw is None:
        out.add(path, "is missing: give a whole number or {dynamic: {...}}")
        return None
    if not isinstance(raw, Mapping):
        return out.integer(raw, path, minimum=0, maximum=MAX_POINTS)
    out.unknown_keys(raw, {"dynamic"}, path)
    dyn = out.mapping(raw.get("dynamic"), f"{path}.dynamic")
    if dyn is None:
        return None
    dpath = f"{path}.dynamic"
    out.unknown_keys(dyn, {"initial", "minimum", "decay", "function"}, dpath)
    before = len(out.problems)
    initial = out.integer(dyn.get("initial"), f"{dpath}.initial", minimum=0, maximum=MAX_POINTS)
    minimum = out.integer(dyn.get("minimum"), f"{dpath}.minimum", minimum=0, maximum=MAX_POINTS)
    decay = out.integer(dyn.get("decay"), f"{dpath}.decay", minimum=1, maximum=MAX_POINTS)
    function = dyn.get("function", "linear")
    if function not in ("linear", "logarithmic"):
        out.add(f"{dpath}.function", f"must be linear or logarithmic, got {describe(function)}")
    if initial is not None and minimum is not None and minimum > initial:
        out.add(f"{dpath}.minimum", f"must not be larger than initial ({minimum} > {initial})")
    if len(out.problems) > before:
        return None
    assert initial is not None and minimum is not None and decay is not None
    return DynamicPoints(initial=initial, minimum=minimum, decay=decay, function=function)


def _parse_hints(out: Collector, raw: object, path: str) -> tuple[Hint, ...] | None:
    if not isinstance(raw, list):
        out.add(path, f"must be a list of hints, got {describe(raw)}")
        return None
    hints: list[Hint] = []
    seen: set[str] = set()
    before = len(out.problems)
    for index, item in enumerate(raw):
        hpath = f"{path}[{index}]"
        hint = out.mapping(item, hpath)
        if hint is None:
            continue
        out.unknown_keys(hint, {"id", "text", "cost"}, hpath)
        hint_id = out.identifier(hint.get("id"), f"{hpath}.id")
        text = out.string(hint.get("text"), f"{hpath}.text", max_len=MAX_TEXT)
        cost = out.integer(hint.get("cost", 0), f"{hpath}.cost", minimum=0, maximum=MAX_POINTS)
        if hint_id is not None and hint_id in seen:
            out.add(f"{hpath}.id", f"duplicate hint id {hint_id!r} in this clue")
            continue
        if hint_id is not None and text is not None and cost is not None:
            seen.add(hint_id)
            hints.append(Hint(id=hint_id, text=text, cost=cost))
    return tuple(hints) if len(out.problems) == before else None


def _parse_requires(out: Collector, raw: object, path: str) -> Requires | None:
    if isinstance(raw, list):
        of = _requires_ids(out, raw, path)
        return Requires(of=of, count=len(of)) if of is not None else None
    spec = out.mapping(raw, path)
    if spec is None:
        return None
    out.unknown_keys(spec, {"any", "of"}, path)
    of = _requires_ids(out, spec.get("of"), f"{path}.of")
    count = out.integer(spec.get("any"), f"{path}.any", minimum=1, maximum=MAX_COUNT)
    if of is None or count is None:
        return None
    if count > len(of):
        out.add(f"{path}.any", f"asks for {count} of a list of {len(of)}: no team could open it")
        return None
    return Requires(of=of, count=count)


def _requires_ids(out: Collector, raw: object, path: str) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or not raw:
        out.add(path, f"must be a non-empty list of clue ids, got {describe(raw)}")
        return None
    ids: list[str] = []
    for index, item in enumerate(raw):
        clue_id = out.identifier(item, f"{path}[{index}]")
        if clue_id is None:
            return None
        if clue_id in ids:
            out.add(f"{path}[{index}]", f"{clue_id!r} is listed twice")
            return None
        ids.append(clue_id)
    return tuple(ids)


def _check_requires_graph(
    out: Collector, all_nodes: list[_Node], rounds: tuple[Round, ...] = ()
) -> None:
    known = {node.id for node in all_nodes}
    gates: dict[str, Requires] = {}
    for index, round_ in enumerate(rounds):
        unknown = [r for r in round_.requires.of if r not in known] if round_.requires else []
        for required in unknown:
            out.add(f"rounds[{index}].requires", f"names unknown clue {required!r}")
        if round_.requires is not None and not unknown:
            gates[round_.id] = round_.requires
    nodes: list[_Node] = []  # the graph checked further, without the clues reported here
    for node in all_nodes:
        node_ok = True
        for required in node.requires.of if node.requires is not None else ():
            if required == node.id:
                out.add(f"clues[{node.index}].requires", f"clue {node.id!r} requires itself")
                node_ok = False
            elif required not in known:
                out.add(f"clues[{node.index}].requires", f"names unknown clue {required!r}")
                node_ok = False
        nodes.append(node if node_ok else msgspec.structs.replace(node, requires=None))
    where = {node.id: node.index for node in nodes}
    cycles = _cycles(nodes)
    for cycle in cycles:
        out.add(f"clues[{where[cycle[0]]}].requires", "is part of a cycle: " + " -> ".join(cycle))
    in_cycle = {clue_id for cycle in cycles for clue_id in cycle}
    openable = _openable(nodes, gates)
    shut_rounds = {
        round_.id
        for round_ in rounds
        if round_.id in gates
        and sum(1 for r in gates[round_.id].of if r in openable) < gates[round_.id].count
    }
    for index, round_ in enumerate(rounds):
        if round_.id in shut_rounds:
            out.add(
                f"rounds[{index}].requires",
                f"round {round_.id!r} can never open: too few of the clues it requires can be"
                " solved (a round cannot require its own clues)",
            )
    for node in nodes:
        if node.id not in openable and node.id not in in_cycle and node.round not in shut_rounds:
            out.add(
                f"clues[{node.index}].requires",
                f"clue {node.id!r} can never be opened: too few of its requirements can be",
            )


def _cycles(nodes: list[_Node]) -> list[list[str]]:
    """Each cycle once, found by depth-first search over `requires` edges."""
    edges = {n.id: list(n.requires.of) if n.requires else [] for n in nodes}
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(edges, white)
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        color[node] = grey
        stack.append(node)
        for nxt in edges[node]:
            if color[nxt] == grey:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif color[nxt] == white:
                visit(nxt)
        stack.pop()
        color[node] = black

    for node in edges:
        if color[node] == white:
            visit(node)
    return cycles


def _openable(nodes: list[_Node], gates: dict[str, Requires]) -> set[str]:
    """The clues some team could open: a fixpoint from the ones open at the start (a
    clue's round gate must be met too; times always come, so they do not matter)."""
    openable: set[str] = set()

    def met(req: Requires | None) -> bool:
        return req is None or sum(1 for r in req.of if r in openable) >= req.count

    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node.id in openable:
                continue
            gate = gates.get(node.round) if node.round is not None else None
            if met(node.requires) and met(gate):
                openable.add(node.id)
                changed = True
    return openable
