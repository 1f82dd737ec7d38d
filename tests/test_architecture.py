"""The layering of design.md made executable: every import arrow of src/questline,
read with `ast` (tests/import_graph.py), points the right way; no modules import
each other in a cycle; the Kafka and Cassandra drivers are imported only by their
adapters (and by servers/ and bench/, which start or measure real servers); nothing
imports by a computed name.

The layers, lowest first (each may import itself and what is listed):
domain (nothing of Questline) < ports (domain) < observability (domain, ports) and
adapters (domain, ports, the shared `adapters/*.py`; a backend's folder never
another's) < engine (domain, ports, observability) < entry points: cli, http, web,
cluster, demo, loadgen, bench, servers, supervision (anything).

observability/ is instrumentation: metrics and structured logs every writer reports
to, so the engine may import it; it imports only the domain and the ports, and
adapters do not import it (they are handed callbacks, so a backend never depends on
how it is watched). supervision/ is the process supervisor `questline run` starts:
an entry point like the CLI that runs it."""

import ast

from tests.import_graph import (
    ALLOWED,
    Arrow,
    arrows,
    cycles,
    layer_of,
    modules,
    wrong_way,
)


def test_every_import_points_down_the_layers() -> None:
    wrong = [
        f"{a.source} (line {a.line}) imports {a.target}: {why}"
        for a in arrows()
        if (why := wrong_way(a)) is not None
    ]
    assert wrong == []


def test_no_modules_import_each_other_in_a_cycle() -> None:
    assert cycles(arrows()) == []


def test_nothing_is_imported_by_a_computed_name() -> None:
    hidden = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if called in ("__import__", "import_module"):
                hidden.append(f"{name} line {node.lineno}: {called}")
    assert hidden == []


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        layer = layer_of(name)
        assert layer is None or layer in ALLOWED


# The rules themselves, on arrows made up for the purpose: each would be caught.


def test_the_rules_catch_an_arrow_pointing_up() -> None:
    assert wrong_way(Arrow("questline.domain.decide", "questline.engine.hunt_engine", 1))
    assert wrong_way(Arrow("questline.ports", "questline.engine.batch_decider", 1))
    assert wrong_way(Arrow("questline.adapters.kafka.topics", "questline.cluster.config", 1))
    assert wrong_way(Arrow("questline.adapters.sqlite.store", "questline.engine.snapshots", 1))
    assert wrong_way(Arrow("questline.engine.hunt_engine", "questline.adapters.sqlite.store", 1))
    assert wrong_way(Arrow("questline.observability.metrics", "questline.engine.snapshots", 1))


def test_the_rules_catch_one_backend_importing_another() -> None:
    arrow = Arrow("questline.adapters.kafka.topics", "questline.adapters.cassandra.session", 1)
    assert wrong_way(arrow)
    shared = Arrow("questline.adapters.kafka.messages", "questline.adapters.event_lines", 1)
    assert wrong_way(shared) is None


def test_the_rules_catch_a_driver_outside_its_adapter() -> None:
    assert wrong_way(Arrow("questline.cluster.worker", "confluent_kafka", 1))
    assert wrong_way(Arrow("questline.adapters.kafka.topics", "cassandra", 1))
    assert wrong_way(Arrow("questline.adapters.kafka.topics", "confluent_kafka", 1)) is None
    assert wrong_way(Arrow("questline.servers.kafka", "confluent_kafka", 1)) is None


def test_entry_points_may_import_anything() -> None:
    assert wrong_way(Arrow("questline.cli.app", "questline.adapters.sqlite.store", 1)) is None
    assert wrong_way(Arrow("questline.cluster.api_node", "questline.http.app", 1)) is None


def test_a_cycle_is_found() -> None:
    made_up = [
        Arrow("questline.cli.a", "questline.cli.b", 1),
        Arrow("questline.cli.b", "questline.cli.c", 1),
        Arrow("questline.cli.c", "questline.cli.a", 1),
        Arrow("questline.cli.c", "questline.domain.events", 1),
    ]
    assert cycles(made_up) == [["questline.cli.a", "questline.cli.b", "questline.cli.c"]]
