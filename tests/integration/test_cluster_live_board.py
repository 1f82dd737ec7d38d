"""Leaderboard deltas on a cluster API node's live stream, on the real servers: an SSE
client reads, after a solve, the same `leaderboard` event the embedded node sends —
the changed rows, including an earlier solver whose dynamic points fell — and the
rows agree with the leaderboard the API serves once the projector caught up."""

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from starlette.testclient import TestClient
from tests.api.conftest import SseReader
from tests.integration.cluster_support import ORGANIZER, Members, eventually, fresh_config

from questline.cluster.api_node import build_api_node
from questline.demo.sample_hunt import city_hunt_yaml
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ORG = {"Authorization": f"Bearer {ORGANIZER}"}
HUNT = "live-board"
BRIDGE = {"clue": "old-bridge", "lat": 59.9127, "lon": 10.7461}
ROW_FIELDS = {
    *("team_id", "name", "score", "solved", "last_scoring_version", "order"),
    *("finished_at", "division"),
}


@pytest.fixture
def client(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[TestClient]:
    config = fresh_config(kafka_cluster, cassandra_cluster)
    members = Members(config)
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        with TestClient(node.app) as test_client:
            yield test_client
    finally:
        node.close()
        members.close()


def _register(client: TestClient, name: str) -> tuple[str, dict[str, str]]:
    response = client.post(f"/api/hunts/{HUNT}/teams", json={"name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["team_id"], {"Authorization": f"Bearer {body['token']}"}


def _is_board(event: dict[str, Any]) -> bool:
    return event.get("event") == "leaderboard"


def _solved_bridge(team_id: str, event: dict[str, Any]) -> bool:
    """A board delta in which the team has solved its second clue."""
    if not _is_board(event):
        return False
    return any(row["team_id"] == team_id and row["solved"] == 2 for row in event["data"]["rows"])


def test_a_solve_sends_the_changed_leaderboard_rows_on_the_stream(client: TestClient) -> None:
    created = client.post(
        "/api/hunts",
        content=city_hunt_yaml(hunt_id=HUNT),
        headers={**ORG, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    first_id, first = _register(client, "Otters")
    second_id, second = _register(client, "Foxes")
    eventually(
        lambda: client.get(f"/api/hunts/{HUNT}", headers=second).status_code == 200,
        "team tokens to reach Cassandra",
    )
    # Before anybody watches: the node builds the board from the hunt's history later.
    for team in (first, second):
        town_hall = {"clue": "town-hall", "answer": "weather vane"}
        response = client.post(f"/api/hunts/{HUNT}/submissions", json=town_hall, headers=team)
        assert response.json()["result"] == "correct", response.text
    solved = client.post(f"/api/hunts/{HUNT}/submissions", json=BRIDGE, headers=first)
    assert solved.json()["result"] == "correct", solved.text
    with client.stream("GET", f"/api/hunts/{HUNT}/stream") as response:
        assert response.status_code == 200
        reader = SseReader(response)
        try:
            # The second solver of a dynamic clue lowers the first solver's points too.
            again = client.post(f"/api/hunts/{HUNT}/submissions", json=BRIDGE, headers=second)
            assert again.json()["result"] == "correct", again.text
            # The node's tail may still be delivering the earlier solves (in order,
            # each its own delta): wait for the delta of this one, the bridge.
            delta = reader.until(partial(_solved_bridge, second_id), timeout=30)[-1]
        finally:
            reader.close()
    assert delta["id"].isdigit()
    rows = {row["team_id"]: row for row in delta["data"]["rows"]}
    assert set(rows) == {first_id, second_id}
    assert all(set(row) == ROW_FIELDS for row in rows.values())
    assert rows[second_id]["score"] == again.json()["score"]
    assert rows[first_id]["score"] < solved.json()["score"]
    assert rows[first_id]["solved"] == rows[second_id]["solved"] == 2

    def board_agrees() -> bool:
        teams = client.get(f"/api/hunts/{HUNT}/leaderboard").json()["teams"]
        served = {t["team_id"]: (t["name"], t["score"], t["solved"]) for t in teams}
        sent = {t: (r["name"], r["score"], r["solved"]) for t, r in rows.items()}
        return served == sent

    eventually(board_agrees, "the served leaderboard to show the rows the stream sent")
