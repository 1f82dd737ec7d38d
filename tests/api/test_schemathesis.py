"""Property-based checks of /openapi.json against a running node with a hunt
loaded: no response is a 5xx, and every response conforms to its schema.

Schemathesis drives the app in-process (its ASGI client runs the app's
lifespan once, which starts the engine's writer; it is shut down at the end).
Each operation gets generated requests twice over: once with the real hunt,
team, clue, hint and review ids filled in (to reach the handlers' insides),
once with everything generated (to reach the refusals).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import get_client, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from questline.adapters.clocks import ManualClock
from questline.http.embedded import build_embedded_node
from questline.http.route_table import openapi_document
from tests.api.conftest import HUNT, ORG, ORGANIZER_TOKEN, PNG
from tests.hunt_builders import BEFORE_START, STARTS, spec_document

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
TEAM_ROUTES = ("/submissions", "/hints/")


@dataclass
class Fuzzed:
    schema: Any
    team_token: str
    known: dict[str, str]


@pytest.fixture
def fuzzed(tmp_path: Path) -> Iterator[Fuzzed]:
    clock = ManualClock(BEFORE_START)
    node = build_embedded_node(
        tmp_path / "questline.db", clock=clock, organizer_token=ORGANIZER_TOKEN
    )
    try:
        with get_client(node.app) as client:  # type: ignore[arg-type]  # starts the lifespan, kept until shut down
            assert client.post("/api/hunts", json=spec_document(), headers=ORG).status_code == 201
            clock.set(STARTS)
            team = client.post(f"/api/hunts/{HUNT}/teams", json={"name": "Otters"}).json()
            other = client.post(f"/api/hunts/{HUNT}/teams", json={"name": "Badgers"}).json()
            auth = {"Authorization": f"Bearer {team['token']}"}
            client.post(
                f"/api/hunts/{HUNT}/submissions",
                json={"clue": "lighthouse", "answer": "keeper"},
                headers=auth,
            )
            photo = client.post(
                f"/api/hunts/{HUNT}/submissions",
                data={"clue": "selfie"},
                files={"photo": ("p.png", PNG, "image/png")},
                headers={"Authorization": f"Bearer {other['token']}"},
            ).json()
            png = {**ORG, "Content-Type": "image/png"}
            image = client.post(f"/api/hunts/{HUNT}/images", data=PNG, headers=png).json()
            schema = schemathesis.openapi.from_asgi("/openapi.json", node.app)
            yield Fuzzed(
                schema,
                team["token"],
                {
                    "hunt": HUNT,
                    "team": team["team_id"],
                    "clue": "lighthouse",
                    "hint": "look-up",
                    "id": photo["review_id"],
                    "digest": image["digest"],
                },
            )
    finally:
        shutdown_lifespans()
        node.store.close()


OPERATIONS = [
    (method.upper(), path)
    for path, methods in openapi_document()["paths"].items()
    for method in methods
]


def _fuzz(strategy: Any, token: str, examples: int, call_kwargs: dict[str, Any]) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"}, **call_kwargs)
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_responses_conform_and_none_is_a_server_error(
    fuzzed: Fuzzed, method: str, path: str
) -> None:
    [operation] = [
        op
        for op in (result.ok() for result in fuzzed.schema.get_all_operations())
        if op.path == path and op.method.upper() == method
    ]
    names = [p.name for p in operation.path_parameters]
    known = {name: fuzzed.known[name] for name in names if name in fuzzed.known}
    strategy = st.one_of(
        operation.as_strategy(path_parameters=known) if known else operation.as_strategy(),
        operation.as_strategy(),
    )
    token = fuzzed.team_token if any(part in path for part in TEAM_ROUTES) else ORGANIZER_TOKEN
    if path.endswith("/stream"):
        # An event stream never ends: take what arrives within a moment.
        _fuzz(strategy, token, 5, {"timeout": 0.3})
    else:
        _fuzz(strategy, token, EXAMPLES_PER_OPERATION, {})
