"""Random JSON, random bytes and random YAML thrown at every route of the app's route
table, as anyone, a team, an organizer or a bogus token, and at `hunt validate`:
never a 5xx, never a traceback, every refusal in the error body; the read models
still equal a replay afterwards (issue 12, "How it is checked").

The route table is the app's own (http/app.py ROUTES), so a route added later is
fuzzed without anyone remembering to list it. A few dozen examples each in CI;
QUESTLINE_PROPERTY_EXAMPLES searches harder."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import msgspec
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from typer.testing import CliRunner

from questline.adapters.clocks import ManualClock
from questline.cli.app import app
from questline.engine.observed_verify import verify_and_record
from questline.http.abuse_limits import AbuseSettings
from questline.http.app import ROUTES
from questline.http.embedded import build_embedded_node
from tests.api.conftest import JPEG, PNG, WEBP
from tests.hunt_builders import STARTS, spec_document
from tests.properties.budget import examples

ORGANIZER_TOKEN = "qlo_organizer-token-for-the-fuzzer"
HUNT = "harbour-night"


@dataclass
class World:
    client: TestClient
    headers: dict[str, dict[str, str]]
    known: dict[str, list[str]]  # path parameter -> values that exist


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    node = build_embedded_node(
        tmp_path_factory.mktemp("fuzz") / "q.db",
        clock=ManualClock(STARTS),
        organizer_token=ORGANIZER_TOKEN,
        reconcile_interval=None,
        # The abuse limits would turn most examples into 429s: off, to reach deeper.
        abuse=AbuseSettings(0, 0, 0),
    )
    org = {"Authorization": f"Bearer {ORGANIZER_TOKEN}"}
    with TestClient(node.app, raise_server_exceptions=False) as client:
        assert client.post("/api/hunts", json=spec_document(), headers=org).status_code == 201
        team = client.post(f"/api/hunts/{HUNT}/teams", json={"name": "Fuzzers"}).json()
        team_headers = {"Authorization": f"Bearer {team['token']}"}
        photo = client.post(
            f"/api/hunts/{HUNT}/submissions",
            data={"clue": "selfie"},
            files={"photo": ("p.png", PNG, "image/png")},
            headers=team_headers,
        )
        assert photo.status_code == 200, photo.text
        image = client.post(
            f"/api/hunts/{HUNT}/images", content=PNG, headers={**org, "Content-Type": "image/png"}
        )
        assert image.status_code == 201, image.text
        yield World(
            client,
            {
                "anyone": {},
                "organizer": org,
                "team": team_headers,
                "bogus": {"Authorization": "Bearer x"},
            },
            {
                "hunt": [HUNT],
                "team": [team["team_id"]],
                "id": [photo.json()["review_id"]],
                "clue": ["lighthouse", "selfie", "dock"],
                "hint": ["look-up"],
                "digest": [image.json()["digest"]],
            },
        )
    assert verify_and_record(node.store) == [], "the read models drifted from the log"
    node.close()


def _routes() -> list[tuple[str, str]]:
    table: list[tuple[str, str]] = []
    for route in ROUTES:
        if isinstance(route, Route):
            table.extend((method, route.path) for method in sorted(route.methods or {"GET"}))
        elif isinstance(route, Mount):
            table.append(("GET", route.path + "/{path}"))
    return table


ROUTE_TABLE = _routes()
# Routes that read a body come up twice as often: bodies are where parsers break.
WEIGHTED_ROUTES = ROUTE_TABLE + [route for route in ROUTE_TABLE if route[0] == "POST"]
CALLERS = ["organizer", "team", "team", "anyone", "anyone", "bogus"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "name",
        "clue",
        "answer",
        "code",
        "lat",
        "lon",
        "points",
        "reason",
        "text",
        "approve",
        "team_id",
        "hunt",
        "clues",
    ]
)
# JSON objects with the fields routes look for, so examples get past "unknown field".
OBJECTS = st.dictionaries(FIELDS, JSON, max_size=4)


HOSTILE_YAML = st.sampled_from(
    ["[" * 5000, "- " * 3000 + "x", "a: 2026-13-45T99:00:00Z", "a: " + "9" * 5000, "&a [*a, *a]"]
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(
        st.sampled_from(
            [
                "json",
                "object",
                "mangled",
                "raw string",
                "deep",
                "long number",
                "bytes",
                "yaml",
                "hunt",
                "image",
            ]
        )
    )
    if kind == "json":
        return msgspec.json.encode(draw(JSON)), "application/json"
    if kind == "object":
        return msgspec.json.encode(draw(OBJECTS)), "application/json"
    if kind == "mangled":  # good JSON with one byte changed: often inside a string
        encoded = msgspec.json.encode(draw(OBJECTS))
        at = draw(st.integers(0, len(encoded) - 1))
        byte = draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"[", b"9", b"\\"]))
        return encoded[:at] + byte + encoded[at + 1 :], "application/json"
    if kind in ("raw string", "long number"):  # a field holding bytes or digits no parser expects
        name = draw(FIELDS).encode()
        if kind == "raw string":
            return b'{"' + name + b'": "' + draw(
                st.binary(min_size=1, max_size=20)
            ) + b'"}', "application/json"
        digits = b"9" * draw(st.integers(19, 5000))
        return b'{"' + name + b'": ' + draw(
            st.sampled_from([b"", b"-"])
        ) + digits + b"}", "application/json"
    if kind == "deep":
        depth = draw(st.integers(100, 5000))
        return draw(st.sampled_from([b"[", b'{"a":'])) * depth, draw(
            st.sampled_from(["application/json", "application/yaml"])
        )
    if kind == "bytes":
        return draw(st.binary(max_size=200)), draw(
            st.sampled_from(
                [
                    "application/json",
                    "application/json",
                    "application/yaml",
                    "multipart/form-data; boundary=x",
                    "text/plain",
                ]
            )
        )
    if kind == "image":  # an image's signature and then anything, declared as any image
        head = draw(st.sampled_from([PNG[:8], JPEG[:3], WEBP[:12], b""]))
        return head + draw(st.binary(max_size=200)), draw(
            st.sampled_from(["image/png", "image/jpeg", "image/webp", "image/svg+xml"])
        )
    if kind == "yaml":
        text = draw(st.text(max_size=200) | HOSTILE_YAML)
        return text.encode("utf-8", "surrogatepass"), "application/yaml"
    document = spec_document()  # a hunt with one part replaced by random JSON
    section = draw(st.sampled_from(["hunt", "clues"]))
    document[section] = draw(JSON)
    return yaml.safe_dump(document).encode(), "application/yaml"


def _path(template: str, draw: st.DrawFn, world: World) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        choices = world.known.get(name, ["x"])
        if draw(st.integers(0, 4)):  # mostly what exists, to get past 404
            return draw(st.sampled_from(choices))
        return draw(st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12))

    return re.sub(r"\{([^}]+)\}", lambda m: quote(fill(m), safe=""), template)


@given(data=st.data())
@examples(150)
def test_no_route_answers_5xx_or_a_traceback(world: World, data: st.DataObject) -> None:
    method, template = data.draw(st.sampled_from(WEIGHTED_ROUTES), "route")
    path = _path(template, data.draw, world)
    body, content_type = data.draw(bodies(), "body")
    headers = {
        **world.headers[data.draw(st.sampled_from(CALLERS), "caller")],
        "Content-Type": content_type,
    }
    if data.draw(st.booleans()):
        headers["Idempotency-Key"] = data.draw(
            st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
        )
    params = data.draw(
        st.dictionaries(st.sampled_from(["limit", "offset", "after"]), st.text(max_size=6))
    )
    if template.endswith("/stream"):
        with world.client.stream(method, path, params=params, headers=headers) as response:
            status, text = (
                response.status_code,
                "" if response.status_code == 200 else response.read().decode(),
            )
    else:
        response = world.client.request(method, path, params=params, content=body, headers=headers)
        status, text = response.status_code, response.text
    assert status < 500, (method, path, status, text[:300])
    assert "Traceback" not in text
    if status >= 400 and method != "HEAD":
        error = msgspec.json.decode(text)["error"]
        assert set(error) == {"code", "message", "details"}, text[:300]


runner = CliRunner()


@given(
    text=st.text(max_size=400) | JSON.map(yaml.safe_dump) | HOSTILE_YAML,
    raw=st.binary(max_size=100),
)
@examples(40)
def test_hunt_validate_reports_problems_never_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, text: str, raw: bytes
) -> None:
    folder = tmp_path_factory.mktemp("validate")
    for name, content in (("h.yaml", text.encode("utf-8", "surrogatepass")), ("h.json", raw)):
        path = Path(folder) / name
        path.write_bytes(content)
        result = runner.invoke(app, ["hunt", "validate", str(path)])
        assert result.exit_code in (0, 1), (content[:200], result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            content[:200],
            repr(result.exception),
        )
