"""Continuous reconciliation in the cluster: rows changed by hand in Cassandra
(cqlsh-style, stamped with the current time) are found and healed by the
projector's reconciler on its own, counted in metrics, logged, and recorded as
read_model_healed events in the hunt's log; later batches still land on top."""

import json
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from prometheus_client import REGISTRY
from starlette.testclient import TestClient
from tests.integration.cluster_support import (
    ORGANIZER,
    Members,
    eventually,
    fresh_config,
    write_config_file,
)
from typer.testing import CliRunner

from questline.adapters.cassandra.store import CassandraStore
from questline.cli.app import app
from questline.cluster.api_node import build_api_node
from questline.cluster.config import ClusterConfig
from questline.cluster.projector import ClusterProjector
from questline.cluster.verification import projection_lag, verify_cluster
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.projections.rows import LeaderboardRow, TeamRow
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = pytest.mark.integration

ORGANIZER_AUTH = {"Authorization": f"Bearer {ORGANIZER}"}


@pytest.fixture
def running(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster
) -> Iterator[tuple[ClusterConfig, CassandraStore, ClusterProjector, TestClient]]:
    config = msgspec.structs.replace(
        fresh_config(kafka_cluster, cassandra_cluster), reconcile_interval_s=0.2
    )
    members = Members(config)
    node = build_api_node(config, organizer_token=ORGANIZER)
    try:
        with TestClient(node.app) as client:
            yield config, members.store, members.projectors[0], client
    finally:
        members.close()
        node.close()


def create_city_hunt(client: TestClient) -> str:
    created = client.post(
        "/api/hunts",
        content=city_hunt_yaml(),
        headers={**ORGANIZER_AUTH, "Content-Type": "application/yaml"},
    )
    assert created.status_code == 201, created.text
    hunt: str = created.json()["id"]
    return hunt


def healed_rows(table: str) -> float:
    sample = REGISTRY.get_sample_value("questline_read_model_rows_healed_total", {"table": table})
    return sample or 0.0


def test_rows_changed_by_hand_in_cassandra_are_healed_by_the_running_projector(
    running: tuple[ClusterConfig, CassandraStore, ClusterProjector, TestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    config, store, projector, client = running
    hunt = create_city_hunt(client)
    teams = [
        client.post(f"/api/hunts/{hunt}/teams", json={"name": name}).json()
        for name in ("Otters", "Owls")
    ]
    team_id = teams[0]["team_id"]
    auth = [{"Authorization": f"Bearer {t['token']}"} for t in teams]
    eventually(
        lambda: client.get(f"/api/hunts/{hunt}", headers=auth[1]).status_code == 200,
        "team tokens to reach Cassandra",
    )
    solved = client.post(
        f"/api/hunts/{hunt}/submissions",
        json={"clue": "town-hall", "answer": "Weather Vane!"},
        headers=auth[0],
    )
    assert solved.json()["score"] == 150

    def caught_up() -> bool:
        return all(lag == 0 for lag in projection_lag(config, store).values())

    eventually(caught_up, "the projector to catch up")
    reconciler = projector.reconciler
    assert reconciler is not None
    eventually(lambda: reconciler.stats.hunts_checked >= 2, "two clean reconciler checks")
    assert reconciler.stats.hunts_healed == 0
    right_board = store.read_models.get("leaderboard_live", hunt, team_id)
    right_team = store.read_models.get("teams", hunt, team_id)
    assert isinstance(right_board, LeaderboardRow) and isinstance(right_team, TeamRow)

    # Drift, by hand, behind the cluster's back (cqlsh stamps the current time). The two
    # writes are not atomic: held between them, the reconciler sees both or neither.
    drifted_board = {**msgspec.to_builtins(right_board), "score": right_board.score + 1000}
    drifted_team = {**msgspec.to_builtins(right_team), "adjustments": 77}
    before = {t: healed_rows(t) for t in ("leaderboard_live", "teams")}
    with reconciler.held():
        for table, row in (("leaderboard_live", drifted_board), ("teams", drifted_team)):
            store.session.execute(
                "UPDATE rm_rows SET row = %s WHERE hunt_id = %s AND tbl = %s AND key = %s",
                (json.dumps(row).encode(), hunt, table, team_id),
            )
        drifted = store.read_models.get("leaderboard_live", hunt, team_id)
        assert isinstance(drifted, LeaderboardRow) and drifted.score == right_board.score + 1000

    with caplog.at_level("WARNING"):
        eventually(
            lambda: (
                store.read_models.get("leaderboard_live", hunt, team_id) == right_board
                and store.read_models.get("teams", hunt, team_id) == right_team
            ),
            "the reconciler to heal both rows",
        )
        # The rows are written before the heal is counted and logged: wait for that too.
        eventually(lambda: reconciler.stats.hunts_healed >= 1, "the heal counted")
    assert (reconciler.stats.hunts_healed, reconciler.stats.rows_healed) == (1, 2)
    assert reconciler.stats.last_healed == f"{hunt}: leaderboard_live, teams"
    assert {t: healed_rows(t) - before[t] for t in before} == {"leaderboard_live": 1, "teams": 1}
    assert f"reconciler healed hunt {hunt}" in caplog.text

    def healed_events() -> list[tuple[str, int]]:
        events = client.get(f"/api/hunts/{hunt}/events", headers=ORGANIZER_AUTH).json()["events"]
        return sorted(
            (e["payload"]["projection"], e["payload"]["differences"])
            for e in events
            if e["type"] == "read_model_healed"
        )

    eventually(
        lambda: healed_events() == [("leaderboard_live", 1), ("teams", 1)],
        "the heals recorded as read_model_healed events in the hunt's log",
    )
    # Later batches are stamped past the heal: a new solve lands on top of it.
    again = client.post(
        f"/api/hunts/{hunt}/submissions",
        json={"clue": "town-hall", "answer": "weathervane"},
        headers=auth[1],
    )
    assert again.json()["score"] == 125
    eventually(caught_up, "the projector to catch up after the heal")
    board = client.get(f"/api/hunts/{hunt}/leaderboard").json()["teams"]
    assert [(t["name"], t["score"]) for t in board] == [("Otters", 150), ("Owls", 125)]
    assert verify_cluster(config, store) == []


def test_reconcile_on_demand_names_the_drift_and_waits_for_the_owner_to_heal_it(
    running: tuple[ClusterConfig, CassandraStore, ClusterProjector, TestClient],
    tmp_path: Path,
) -> None:
    config, store, projector, client = running
    hunt = create_city_hunt(client)
    team = client.post(f"/api/hunts/{hunt}/teams", json={"name": "Otters"}).json()
    eventually(
        lambda: (
            all(lag == 0 for lag in projection_lag(config, store).values())
            and isinstance(store.read_models.get("teams", hunt, team["team_id"]), TeamRow)
        ),
        "the team's row in Cassandra",
    )
    right = store.read_models.get("teams", hunt, team["team_id"])
    assert isinstance(right, TeamRow)
    config_file = write_config_file(config, tmp_path / "cluster.yaml")
    reconciler = projector.reconciler
    assert reconciler is not None
    command = ["reconcile", "--cluster", str(config_file), "--hunt", hunt]
    with reconciler.held():  # the owner does not heal while the verb looks
        store.session.execute(
            "UPDATE rm_rows SET row = %s WHERE hunt_id = %s AND tbl = 'teams' AND key = %s",
            (
                json.dumps({**msgspec.to_builtins(right), "adjustments": 5}).encode(),
                hunt,
                right.team_id,
            ),
        )
        held = CliRunner().invoke(app, [*command, "--wait", "1"])
    assert held.exit_code == 1, held.output
    assert f"hunt {hunt}: 1 difference(s)" in held.output
    assert "adjustments" in held.output
    assert "1 difference(s) remain after 1 s" in held.output

    healed = CliRunner().invoke(app, [*command, "--wait", "60"])
    assert healed.exit_code == 0, healed.output  # 0 only once nothing differs
    assert store.read_models.get("teams", hunt, right.team_id) == right
