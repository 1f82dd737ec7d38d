"""Validate a raw hunt document (parsed YAML or JSON) into a HuntDefinition.

Every problem is collected, each with the path of the value it is about, so
an organizer fixes a file in one pass instead of one error at a time.
"""

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import msgspec

from questline.domain.definition import (
    AnswerSpec,
    Clue,
    CodeAnswer,
    DynamicPoints,
    GeoAnswer,
    Hint,
    HuntDefinition,
    PhotoAnswer,
    Requires,
    TextAnswer,
)
from questline.domain.text_normalization import MAX_ANSWER_CODE_POINTS, normalize_answer
from questline.domain.timestamps import Micros, from_datetime, parse_rfc3339

ID_PATTERN = re.compile(r"[a-z0-9-]{1,64}")
MAX_TITLE = 200
MAX_TEXT = 10_000


class Problem(msgspec.Struct, frozen=True):
    path: str
    message: str


class InvalidHunt(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  {p.path}: {p.message}" for p in self.problems)
        super().__init__(f"the hunt definition has {len(self.problems)} problem(s):\n{lines}")


_HUNT_KEYS = {
    "id",
    "title",
    "starts_at",
    "ends_at",
    "freeze_at",
    "team_size",
    "scoring",
    "attempts",
}
_CLUE_KEYS = {"id", "title", "text", "points", "answer", "hints", "requires", "max_attempts"}
_ANSWER_KEYS = {
    "text": {"kind", "accept", "accept_regex", "keep_going"},
    "geo": {"kind", "lat", "lon", "radius_m"},
    "code": {"kind", "codes"},
    "photo": {"kind"},
}


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def mapping(self, value: object, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, f"must be a mapping, got {_describe(value)}")
        return None

    def unknown_keys(self, value: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in value:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.add(_join(path, str(key)), f"unknown key (known keys: {known})")

    def string(
        self, value: object, path: str, *, max_len: int, allow_empty: bool = False
    ) -> str | None:
        if not isinstance(value, str):
            self.add(path, f"must be a string, got {_describe(value)}")
            return None
        if not allow_empty and not value.strip():
            self.add(path, "must not be empty")
            return None
        if len(value) > max_len:
            self.add(path, f"is {len(value)} characters long; at most {max_len} are allowed")
            return None
        return value

    def integer(self, value: object, path: str, *, minimum: int | None = None) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"must be a whole number, got {_describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.add(path, f"must be at least {minimum}, got {value}")
            return None
        return value

    def number(self, value: object, path: str, low: float, high: float) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, f"must be a number, got {_describe(value)}")
            return None
        try:
            number = float(value)
        except OverflowError:  # an int of hundreds of digits
            number = math.inf
        if not math.isfinite(number) or not low <= number <= high:
            self.add(path, f"must be between {low:g} and {high:g}, got {value}")
            return None
        return number

    def time(self, value: object, path: str) -> Micros | None:
        if isinstance(value, datetime):
            return from_datetime(value)
        if isinstance(value, date):
            self.add(path, "must be a date and time (RFC 3339, e.g. 2026-12-01T18:00:00Z)")
            return None
        if not isinstance(value, str):
            self.add(path, f"must be an RFC 3339 time, got {_describe(value)}")
            return None
        try:
            return parse_rfc3339(value)
        except ValueError as error:
            self.add(path, f"is not an RFC 3339 time with an offset: {error}")
            return None

    def identifier(self, value: object, path: str) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            self.add(path, f"must match [a-z0-9-]{{1,64}}, got {_describe(value)}")
            return None
        return value

    def string_list(
        self,
        value: object,
        path: str,
        *,
        check: Callable[[str, str], bool] | None = None,
    ) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.add(path, f"must be a list of strings, got {_describe(value)}")
            return None
        items: list[str] = []
        ok = True
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            text = self.string(item, item_path, max_len=MAX_ANSWER_CODE_POINTS)
            if text is None or (check is not None and not check(text, item_path)):
                ok = False
                continue
            items.append(text)
        return tuple(items) if ok else None


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parse_definition(document: object) -> HuntDefinition:
    """Return the definition, or raise InvalidHunt listing every problem."""
    out = _Collector()
    root = out.mapping(document, "(document)")
    if root is None:
        raise InvalidHunt(out.problems)
    out.unknown_keys(root, {"hunt", "clues"}, "")
    hunt_raw = out.mapping(root.get("hunt"), "hunt") if "hunt" in root else None
    if "hunt" not in root:
        out.add("hunt", "is missing")
    header = _parse_header(out, hunt_raw) if hunt_raw is not None else None
    clues = _parse_clues(out, root.get("clues")) if "clues" in root else None
    if "clues" not in root:
        out.add("clues", "is missing: a hunt needs at least one clue")
    if out.problems or header is None or clues is None:
        raise InvalidHunt(out.problems)
    return msgspec.structs.replace(header, clues=tuple(clues))


def _parse_header(out: _Collector, raw: Mapping[str, Any]) -> HuntDefinition | None:
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
                team_size_max = out.integer(team_size["max"], "hunt.team_size.max", minimum=1)
    bonus: tuple[int, ...] = ()
    if "scoring" in raw:
        scoring = out.mapping(raw["scoring"], "hunt.scoring")
        if scoring is not None:
            out.unknown_keys(scoring, {"first_solve_bonus"}, "hunt.scoring")
            bonus = _parse_bonus(out, scoring.get("first_solve_bonus", []))
    wrong_per_minute = 10
    if "attempts" in raw:
        attempts = out.mapping(raw["attempts"], "hunt.attempts")
        if attempts is not None:
            out.unknown_keys(attempts, {"wrong_per_minute"}, "hunt.attempts")
            if "wrong_per_minute" in attempts:
                parsed = out.integer(
                    attempts["wrong_per_minute"], "hunt.attempts.wrong_per_minute", minimum=1
                )
                wrong_per_minute = parsed if parsed is not None else wrong_per_minute
    if len(out.problems) > before or None in (hunt_id, title, starts_at, ends_at):
        return None
    assert hunt_id is not None and title is not None
    assert starts_at is not None and ends_at is not None
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
    )


def _parse_bonus(out: _Collector, raw: object) -> tuple[int, ...]:
    path = "hunt.scoring.first_solve_bonus"
    if not isinstance(raw, list):
        out.add(path, f"must be a list of whole numbers, got {_describe(raw)}")
        return ()
    values = [out.integer(item, f"{path}[{i}]", minimum=0) for i, item in enumerate(raw)]
    return tuple(v for v in values if v is not None)


def _parse_clues(out: _Collector, raw: object) -> list[Clue] | None:
    if not isinstance(raw, list) or not raw:
        out.add("clues", f"must be a non-empty list of clues, got {_describe(raw)}")
        return None
    clues: list[Clue] = []
    graph: list[_Node] = []
    seen: dict[str, int] = {}
    ok = True
    for index, item in enumerate(raw):
        path = f"clues[{index}]"
        clue, node = _parse_clue(out, item, path)
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
    _check_requires_graph(out, graph)
    return clues if ok else None


class _Node(msgspec.Struct, frozen=True):
    """A clue as the requires graph sees it, known even when other fields are bad."""

    id: str
    index: int
    requires: Requires | None


def _parse_clue(out: _Collector, raw: object, path: str) -> tuple[Clue | None, _Node | None]:
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
    points = _parse_points(out, clue_raw.get("points"), f"{path}.points")
    answer = None
    if "answer" in clue_raw:
        answer = _parse_answer(out, clue_raw["answer"], f"{path}.answer")
    else:
        out.add(f"{path}.answer", "is missing")
    hints = _parse_hints(out, clue_raw.get("hints", []), f"{path}.hints")
    requires = (
        _parse_requires(out, clue_raw["requires"], f"{path}.requires")
        if "requires" in clue_raw and clue_raw["requires"] is not None
        else None
    )
    max_attempts = (
        out.integer(clue_raw["max_attempts"], f"{path}.max_attempts", minimum=1)
        if clue_raw.get("max_attempts") is not None
        else None
    )
    # A clue whose requires is broken (already reported) still exists for the others.
    node = _Node(clue_id, int(path[6:-1]), requires) if clue_id is not None else None
    if len(out.problems) > before:
        return None, node
    assert clue_id is not None and title is not None and text is not None
    assert points is not None and answer is not None and hints is not None
    clue = Clue(
        id=clue_id,
        title=title,
        text=text,
        points=points,
        answer=answer,
        hints=hints,
        requires=requires,
        max_attempts=max_attempts,
    )
    return clue, node


def _parse_points(out: _Collector, raw: object, path: str) -> int | DynamicPoints | None:
    if raw is None:
        out.add(path, "is missing: give a whole number or {dynamic: {...}}")
        return None
    if not isinstance(raw, Mapping):
        return out.integer(raw, path, minimum=0)
    out.unknown_keys(raw, {"dynamic"}, path)
    dyn = out.mapping(raw.get("dynamic"), f"{path}.dynamic")
    if dyn is None:
        return None
    dpath = f"{path}.dynamic"
    out.unknown_keys(dyn, {"initial", "minimum", "decay", "function"}, dpath)
    before = len(out.problems)
    initial = out.integer(dyn.get("initial"), f"{dpath}.initial", minimum=0)
    minimum = out.integer(dyn.get("minimum"), f"{dpath}.minimum", minimum=0)
    decay = out.integer(dyn.get("decay"), f"{dpath}.decay", minimum=1)
    function = dyn.get("function", "linear")
    if function not in ("linear", "logarithmic"):
        out.add(f"{dpath}.function", f"must be linear or logarithmic, got {_describe(function)}")
    if initial is not None and minimum is not None and minimum > initial:
        out.add(f"{dpath}.minimum", f"must not be larger than initial ({minimum} > {initial})")
    if len(out.problems) > before:
        return None
    assert initial is not None and minimum is not None and decay is not None
    return DynamicPoints(initial=initial, minimum=minimum, decay=decay, function=function)


def _parse_answer(out: _Collector, raw: object, path: str) -> AnswerSpec | None:
    answer = out.mapping(raw, path)
    if answer is None:
        return None
    kind = answer.get("kind")
    if kind not in _ANSWER_KEYS:
        out.add(f"{path}.kind", f"must be one of text, geo, code, photo; got {_describe(kind)}")
        return None
    out.unknown_keys(answer, _ANSWER_KEYS[kind], path)
    before = len(out.problems)
    if kind == "text":
        return _parse_text_answer(out, answer, path, before)
    if kind == "geo":
        lat = out.number(answer.get("lat"), f"{path}.lat", -90.0, 90.0)
        lon = out.number(answer.get("lon"), f"{path}.lon", -180.0, 180.0)
        radius = out.number(answer.get("radius_m"), f"{path}.radius_m", 0.0, 20_037_508.0)
        if radius is not None and radius <= 0:
            out.add(f"{path}.radius_m", "must be more than 0")
        if len(out.problems) > before:
            return None
        assert lat is not None and lon is not None and radius is not None
        return GeoAnswer(lat=lat, lon=lon, radius_m=radius)
    if kind == "code":
        # Stored codes are trimmed like given ones (prepare() does it), so padding is fine.
        codes = out.string_list(answer.get("codes"), f"{path}.codes")
        if codes is not None and not codes:
            out.add(f"{path}.codes", "must list at least one code")
        if len(out.problems) > before or codes is None:
            return None
        return CodeAnswer(codes=codes)
    return PhotoAnswer()


def _parse_text_answer(
    out: _Collector, answer: Mapping[str, Any], path: str, before: int
) -> TextAnswer | None:
    def normalizes(text: str, item_path: str) -> bool:
        if not normalize_answer(text):
            out.add(
                item_path, "normalizes to nothing (no letters or digits), so it can never match"
            )
            return False
        return True

    def compiles(pattern: str, item_path: str) -> bool:
        try:
            re.compile(pattern)
        except re.error as error:
            out.add(item_path, f"is not a valid regular expression: {error}")
            return False
        return True

    accept = (
        out.string_list(answer["accept"], f"{path}.accept", check=normalizes)
        if "accept" in answer
        else ()
    )
    regexes = (
        out.string_list(answer["accept_regex"], f"{path}.accept_regex", check=compiles)
        if "accept_regex" in answer
        else ()
    )
    keep_going = (
        out.string_list(answer["keep_going"], f"{path}.keep_going", check=normalizes)
        if "keep_going" in answer
        else ()
    )
    if accept == () and regexes == ():
        out.add(f"{path}.accept", "a text answer needs at least one accept or accept_regex entry")
    if len(out.problems) > before or accept is None or regexes is None or keep_going is None:
        return None
    return TextAnswer(accept=accept, accept_regex=regexes, keep_going=keep_going)


def _parse_hints(out: _Collector, raw: object, path: str) -> tuple[Hint, ...] | None:
    if not isinstance(raw, list):
        out.add(path, f"must be a list of hints, got {_describe(raw)}")
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
        cost = out.integer(hint.get("cost", 0), f"{hpath}.cost", minimum=0)
        if hint_id is not None and hint_id in seen:
            out.add(f"{hpath}.id", f"duplicate hint id {hint_id!r} in this clue")
            continue
        if hint_id is not None and text is not None and cost is not None:
            seen.add(hint_id)
            hints.append(Hint(id=hint_id, text=text, cost=cost))
    return tuple(hints) if len(out.problems) == before else None


def _parse_requires(out: _Collector, raw: object, path: str) -> Requires | None:
    if isinstance(raw, list):
        of = _requires_ids(out, raw, path)
        return Requires(of=of, count=len(of)) if of is not None else None
    spec = out.mapping(raw, path)
    if spec is None:
        return None
    out.unknown_keys(spec, {"any", "of"}, path)
    of = _requires_ids(out, spec.get("of"), f"{path}.of")
    count = out.integer(spec.get("any"), f"{path}.any", minimum=1)
    if of is None or count is None:
        return None
    if count > len(of):
        out.add(f"{path}.any", f"asks for {count} of a list of {len(of)}: no team could open it")
        return None
    return Requires(of=of, count=count)


def _requires_ids(out: _Collector, raw: object, path: str) -> tuple[str, ...] | None:
    if not isinstance(raw, list) or not raw:
        out.add(path, f"must be a non-empty list of clue ids, got {_describe(raw)}")
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


def _check_requires_graph(out: _Collector, all_nodes: list[_Node]) -> None:
    known = {node.id for node in all_nodes}
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
    index = {node.id: node.index for node in nodes}
    cycles = _cycles(nodes)
    for cycle in cycles:
        out.add(f"clues[{index[cycle[0]]}].requires", "is part of a cycle: " + " -> ".join(cycle))
    in_cycle = {clue_id for cycle in cycles for clue_id in cycle}
    openable = _openable(nodes)
    for node in nodes:
        if node.id not in openable and node.id not in in_cycle:
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


def _openable(nodes: list[_Node]) -> set[str]:
    """The clues some team could open: a fixpoint from the ones open at the start."""
    openable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for node in nodes:
            if node.id in openable:
                continue
            req = node.requires
            if req is None or sum(1 for r in req.of if r in openable) >= req.count:
                openable.add(node.id)
                changed = True
    return openable
