"""Timed release across a worker failover: a clue opens while the worker that owns its
hunt's partition has been killed with SIGKILL and another takes the partition over.
Openness comes from the definition and the decided time, never from something
written at the opening: before the time every team is refused with the opening
time; after it every team's answer is accepted, decided at or after the opening."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.drills.test_timed_release_drill import rfc3339, timed_hunt, wait_until
from tests.integration.cluster_support import (
    ORGANIZER,
    WORKERS_ROLE,
    drill_cluster,
    eventually,
)

from questline.adapters.kafka.partition_reader import read_partition
from questline.domain.events import ClueSolved, RecordedEvent
from questline.domain.timestamps import to_rfc3339
from questline.ports import partition_of
from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

HUNT = "harbour-night"
ORG = {"Authorization": f"Bearer {ORGANIZER}"}
PARTITIONS = 2
TEAMS = 4
OPENS_IN_S = 8.0


def test_a_clue_that_opens_during_a_worker_failover_opens_for_every_team(
    kafka_cluster: KafkaCluster, cassandra_cluster: CassandraCluster, tmp_path: Path
) -> None:
    with drill_cluster(
        kafka_cluster, cassandra_cluster, tmp_path, workers=2, projectors=1, partitions=PARTITIONS
    ) as c:
        client = c.client
        now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        opens_at = now + timedelta(seconds=OPENS_IN_S)
        created = client.post("/api/hunts", json=timed_hunt(opens_at, now), headers=ORG)
        assert created.status_code == 201, created.text
        teams = []
        for n in range(TEAMS):
            body = client.post(f"/api/hunts/{HUNT}/teams", json={"name": f"Team {n}"})
            assert body.status_code == 201, body.text
            teams.append({"Authorization": f"Bearer {body.json()['token']}"})
        answer = {"clue": "midnight", "answer": "twelve"}
        for headers in teams:
            refused = client.post(f"/api/hunts/{HUNT}/submissions", json=answer, headers=headers)
            assert refused.status_code == 409, refused.text
            assert rfc3339(opens_at) in refused.json()["error"]["message"]
        assert datetime.now(UTC) < opens_at, "the refusals took longer than the drill allows"

        partition = partition_of(HUNT, PARTITIONS)
        owner = next(
            name for name, owned in c.processes.owners(WORKERS_ROLE).items() if partition in owned
        )
        c.processes.kill(owner)  # not restarted: the other worker must take over
        wait_until(opens_at)  # the opening passes while the partition changes hands

        for n, headers in enumerate(teams):
            key = {**headers, "Idempotency-Key": f"midnight-{n}"}

            def accepted(key: dict[str, str] = key) -> bool:
                response = client.post(f"/api/hunts/{HUNT}/submissions", json=answer, headers=key)
                assert response.status_code in (200, 503), response.text  # 503: retry
                if response.status_code == 503:
                    return False
                result: str = response.json()["result"]
                return result == "correct"

            eventually(accepted, f"team {n}'s answer to be accepted", 90)

    solves: list[RecordedEvent] = []

    def keep(recorded: RecordedEvent) -> None:
        if recorded.hunt_id == HUNT and isinstance(recorded.event, ClueSolved):
            solves.append(recorded)

    read_partition(c.config.kafka, partition, keep)
    assert len(solves) == TEAMS  # each once, whatever the retries
    opening = int(opens_at.timestamp()) * 1_000_000
    assert all(s.time >= opening for s in solves), [to_rfc3339(s.time) for s in solves]
