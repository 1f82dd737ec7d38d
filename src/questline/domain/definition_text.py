"""Hunt files as text: YAML or JSON in, a definition or located problems out.

Problems carry the line they refer to when the text is YAML or JSON that
parsed, so editors and the organizer console can mark the line. Hostile text
(nesting thousands deep, numbers of thousands of digits, impossible dates) is a
problem like any other, never an exception escaping to the caller.
"""

import json
from typing import Literal

import msgspec
import yaml

from questline.domain.definition import HuntDefinition
from questline.domain.definition_parsing import InvalidHunt, Problem, parse_definition

TextFormat = Literal["yaml", "json"]

# Deeper than any hunt needs (a hunt is about four levels deep), far from the recursion limit.
MAX_DEPTH = 64


class _HuntLoader(yaml.SafeLoader):
    """SafeLoader with a nesting limit, integers past Python's digit limit as a YAML
    error with its mark, and times left as text: the definition parser checks them
    and names the field and its line (YAML's own timestamp constructor raises a bare
    ValueError on `2026-13-45T99:00:00Z`)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"is nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, _TOO_MANY_DIGITS, node.start_mark
            ) from None


_TOO_MANY_DIGITS = "a whole number has more than 4300 digits"
_HuntLoader.add_constructor("tag:yaml.org,2002:int", _HuntLoader.construct_yaml_int)
_HuntLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class LocatedProblem(msgspec.Struct, frozen=True):
    path: str
    message: str
    line: int | None = None


class HuntFileError(ValueError):
    def __init__(self, problems: list[LocatedProblem]) -> None:
        self.problems = problems
        lines = "\n".join(
            f"  line {p.line}: {p.path}: {p.message}" if p.line else f"  {p.path}: {p.message}"
            for p in problems
        )
        super().__init__(f"the hunt definition has {len(problems)} problem(s):\n{lines}")


def load_hunt_text(text: str, fmt: TextFormat = "yaml") -> HuntDefinition:
    """Parse and validate; raise HuntFileError with every located problem."""
    try:
        document = yaml.load(text, Loader=_HuntLoader) if fmt == "yaml" else json.loads(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise HuntFileError(
            [LocatedProblem("(document)", f"is not valid YAML: {error}", line)]
        ) from None
    except json.JSONDecodeError as error:
        problem = LocatedProblem("(document)", f"is not valid JSON: {error.msg}", error.lineno)
        raise HuntFileError([problem]) from None
    except RecursionError:
        problem = LocatedProblem("(document)", f"is nested deeper than {MAX_DEPTH} levels")
        raise HuntFileError([problem]) from None
    except ValueError:  # json: an integer past Python's digit limit
        raise HuntFileError([LocatedProblem("(document)", _TOO_MANY_DIGITS)]) from None
    try:
        return parse_definition(document)
    except InvalidHunt as invalid:
        lines = _yaml_lines(text)
        raise HuntFileError([_locate(p, lines) for p in invalid.problems]) from None


def _locate(problem: Problem, lines: dict[str, int]) -> LocatedProblem:
    path = problem.path
    while path:
        if path in lines:
            return LocatedProblem(problem.path, problem.message, lines[path])
        path = _parent(path)
    return LocatedProblem(problem.path, problem.message, None)


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def _yaml_lines(text: str) -> dict[str, int]:
    """Map each value's path (as problems name it) to its 1-based line.

    JSON is YAML, so this serves both formats.
    """
    try:
        root = yaml.compose(text, Loader=_HuntLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    seen: set[int] = set()  # an alias is the same node again: walk it once, not per use

    def walk(node: yaml.Node, path: str) -> None:
        if path:
            lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = f"{path}.{key}" if path else key
                lines.setdefault(child, key_node.start_mark.line + 1)
                walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{path}[{index}]")

    if root is not None:
        walk(root, "")
    return lines


def locate_problems(text: str, problems: list[tuple[str, str]]) -> list[LocatedProblem]:
    """(path, message) problems found after parsing (a revision's, say), with the line
    of the text each refers to."""
    lines = _yaml_lines(text)
    return [_locate(Problem(path, message), lines) for path, message in problems]
