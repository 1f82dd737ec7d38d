"""Questline's import graph, read from the source with `ast`, and the layers its
arrows must respect (design.md, "Layers"). tests/test_architecture.py checks the
rules; scripts/draw-architecture draws the same graph for docs/architecture.md.

Layers, lowest first; a module may import its own layer and the layers below it,
never above (the exceptions are named):

- domain: the rules. Imports nothing of Questline but the domain.
- ports (`questline.ports`): what the engine needs from the world. Imports the domain.
- observability: metrics and structured logs, which every writer reports to. Sits
  beside the adapters, above the ports: imports the domain, the ports and itself.
  Adapters do not import it (they are handed callbacks); the engine and the entry
  points do.
- adapters: SQLite, Kafka, Cassandra, files. Import the domain, the ports and the
  adapters package's own shared modules (`questline.adapters.*` outside a backend's
  folder); one backend's folder never imports another's (kafka never cassandra).
- engine: deciding, recovering, snapshotting, group commit. Imports the domain, the
  ports and observability; never an adapter (adapters are handed in).
- entry points: cli, http, web, cluster (process wiring), demo, loadgen, bench,
  servers (starting real Kafka and Cassandra), supervision (the process supervisor
  the CLI runs), rehearsal (a simulated hunt on an in-memory engine), event_schema
  (the JSON Schema of the log's lines), examples and the package's `__main__`. May
  import anything, each other included.

Across all layers: no import cycles between modules, and the drivers are imported
only where they belong: `confluent_kafka` under adapters/kafka, `cassandra` under
adapters/cassandra, both also under servers/ and bench/ (which start or measure
real servers).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"

LAYERS = ("domain", "ports", "observability", "adapters", "engine", "entry points")
ENTRY_POINTS = (
    "cli",
    "http",
    "web",
    "cluster",
    "demo",
    "loadgen",
    "bench",
    "servers",
    "supervision",
    "rehearsal",
    "event_schema",
    "examples",
    "__main__",
)
# What each layer may import, besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "ports": frozenset({"domain"}),
    "observability": frozenset({"domain", "ports"}),
    "adapters": frozenset({"domain", "ports"}),
    "engine": frozenset({"domain", "ports", "observability"}),
    "entry points": frozenset(LAYERS),
}
# Third-party drivers, and the packages allowed to import each.
DRIVERS: dict[str, tuple[str, ...]] = {
    "confluent_kafka": ("questline.adapters.kafka", "questline.servers", "questline.bench"),
    "cassandra": ("questline.adapters.cassandra", "questline.servers", "questline.bench"),
}
BACKENDS = ("questline.adapters.sqlite", "questline.adapters.kafka", "questline.adapters.cassandra")


@dataclass(frozen=True)
class Arrow:
    source: str  # the importing module
    target: str  # the imported module (a Questline module, or a driver's top package)
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((SOURCE / "questline").rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str:
    """The module an import names: `from questline.x import y` may import the module
    `questline.x.y` or a name defined in `questline.x`."""
    return name if name in known else name.rsplit(".", 1)[0]


def arrows() -> list[Arrow]:
    """Every import of a Questline module or a driver, wherever it stands in the file
    (inside functions too: an import is an arrow however late it runs)."""
    known = modules()
    found: list[Arrow] = []
    for source, path in known.items():
        package = source if path.name == "__init__.py" else source.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] if base else []
                if base and not base.startswith("questline"):
                    targets = [base]
            for target in targets:
                top = target.split(".")[0]
                if top == "questline":
                    found.append(Arrow(source, _resolve(target, known), node.lineno))
                elif top in DRIVERS:
                    found.append(Arrow(source, top, node.lineno))
    return found


def layer_of(module: str) -> str | None:
    """The layer a Questline module belongs to; None for the package itself."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    first = parts[1]
    if first in ("domain", "ports", "observability", "adapters", "engine"):
        return first
    if first in ENTRY_POINTS:
        return "entry points"
    raise ValueError(f"{module} is in no layer: add its package to tests/import_graph.py")


def backend_of(module: str) -> str | None:
    return next((b for b in BACKENDS if module == b or module.startswith(b + ".")), None)


def wrong_way(arrow: Arrow) -> str | None:
    """Why an arrow breaks the layering, or None."""
    if arrow.target in DRIVERS:
        allowed = DRIVERS[arrow.target]
        if not any(arrow.source == p or arrow.source.startswith(p + ".") for p in allowed):
            return f"{arrow.target} is imported only under {', '.join(allowed)}"
        return None
    source, target = layer_of(arrow.source), layer_of(arrow.target)
    if source is None or target is None or source == target:
        if source == target == "adapters":
            mine, theirs = backend_of(arrow.source), backend_of(arrow.target)
            if theirs is not None and mine != theirs:
                return f"one backend ({mine or 'shared'}) imports another ({theirs})"
        return None
    if target not in ALLOWED[source]:
        return f"{source} may not import {target}"
    return None


def cycles(found: list[Arrow]) -> list[list[str]]:
    """Every strongly connected group of modules larger than one (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for arrow in found:
        if arrow.target.startswith("questline") and arrow.target != arrow.source:
            graph.setdefault(arrow.source, set()).add(arrow.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups
