"""The cluster suite's own Kafka broker and Cassandra node: started from the cached
jars on free ports with their data in a folder of the run, stopped at its end."""

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from questline.servers.cassandra import CassandraCluster
from questline.servers.kafka import KafkaCluster
from questline.servers.process import free_ports


@dataclass(frozen=True)
class Servers:
    kafka: KafkaCluster
    cassandra: CassandraCluster
    start_seconds: float


@contextmanager
def running_servers(directory: Path) -> Iterator[Servers]:
    """One KRaft broker and one Cassandra node, as the test fixtures start them."""
    started = time.perf_counter()
    kafka_port, controller_port, native_port, storage_port = free_ports(4)
    kafka = KafkaCluster(directory / "kafka", 1, port=kafka_port, controller_port=controller_port)
    cassandra = CassandraCluster(
        directory / "cassandra",
        1,
        native_port=native_port,
        storage_port=storage_port,
        cluster_name="questline-bench",
    )
    with ExitStack() as stack:
        kafka.start()
        stack.callback(kafka.stop)
        cassandra.start()
        stack.callback(cassandra.stop)
        yield Servers(kafka, cassandra, time.perf_counter() - started)
