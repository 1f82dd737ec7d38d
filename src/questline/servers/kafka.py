"""Apache Kafka 3.9 in KRaft mode: N combined broker+controller JVMs on loopback.

Layout under the directory given: ``cluster-id`` (shared by every broker, kept so a restart
reuses the formatted storage) and ``broker-<id>/{server.properties,data/,logs/server.log,
server.pid,tmp/}``. Broker ``i`` (1-based) listens on ``port + i - 1`` and its controller on
``controller_port + i - 1``.
"""

from __future__ import annotations

import base64
import subprocess
import uuid
from collections.abc import Mapping
from pathlib import Path
from string import Template
from typing import Any

from questline.servers.maven import fetch_jars
from questline.servers.process import (
    JvmNode,
    LogWatcher,
    ServerStartError,
    java_env,
    java_home,
    port_open,
    resource_text,
    stop_all,
)

DEFAULT_PORT = 9092
CONTROLLER_PORT_OFFSET = 100
READY_LINE = "Kafka Server started"  # KafkaBroker.STARTED_MESSAGE, logged by KafkaRaftServer
FORMAT_TIMEOUT_S = 120.0
KRAFT_NO_QUORUM_GRACE_S = 10.0


def new_cluster_id() -> str:
    """A KRaft cluster id: Kafka's Uuid.toString(), url-safe base64 of 16 bytes, no padding."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):  # Kafka's own generator avoids these (they look like flags)
            return text


class KafkaBroker(JvmNode):
    """One combined broker+controller."""

    def __init__(self, cluster: KafkaCluster, node_id: int) -> None:
        super().__init__(f"kafka-{node_id}", cluster.directory / f"broker-{node_id}")
        self.cluster = cluster
        self.node_id = node_id
        self.host = cluster.host
        self.port = cluster.port + node_id - 1
        self.controller_port = cluster.controller_port + node_id - 1

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.node_dir / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.node_dir / "data"

    def listen_addresses(self) -> list[tuple[str, int]]:
        return [(self.host, self.port), (self.host, self.controller_port)]

    def jvm_flags(self, heap_mb: int) -> list[str]:
        # kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS, with a much smaller heap.
        tmp = self.node_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return [
            str(java_home() / "bin" / "java"),
            f"-Xms{min(heap_mb, 128)}m",
            f"-Xmx{heap_mb}m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:MaxInlineLevel=15",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self.cluster.log4j_path}",
            f"-Dkafka.logs.dir={self.node_dir / 'logs'}",
            # snappy/zstd unpack native libraries here rather than a maybe-noexec /tmp.
            f"-Djava.io.tmpdir={tmp}",
            "-cp",
            f"{self.cluster.lib}/*",
        ]

    def render_config(self) -> str:
        c = self.cluster
        text = Template(resource_text("kafka-server.properties.template")).substitute(
            node_id=self.node_id,
            quorum_voters=c.quorum_voters,
            host=self.host,
            port=self.port,
            controller_port=self.controller_port,
            data_dir=self.data_dir,
            default_partitions=c.default_partitions,
            replication_factor=c.replication_factor,
            min_isr=c.min_isr,
            internal_partitions=c.default_partitions,
        )
        # java.util.Properties keeps the last value of a repeated key.
        return text + "".join(f"{key}={value}\n" for key, value in c.overrides.items())

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.render_config())

    def formatted(self) -> bool:
        return (self.data_dir / "meta.properties").is_file()

    def format_command(self) -> list[str]:
        # kafka-storage.sh format; a static voter set needs no --standalone.
        return [
            *self.jvm_flags(256),
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            self.cluster.cluster_id,
            "--config",
            str(self.config_path),
            "--ignore-formatted",
        ]

    def command(self) -> list[str]:
        return [*self.jvm_flags(self.cluster.heap_mb), "kafka.Kafka", str(self.config_path)]

    def is_ready(self, log: LogWatcher) -> bool:
        return log.contains(READY_LINE) and port_open(self.host, self.port)


class KafkaCluster:
    """N KRaft brokers; one for tests, three (RF 3, min ISR 2) for a local cluster."""

    def __init__(
        self,
        directory: Path,
        brokers: int = 1,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        controller_port: int | None = None,
        heap_mb: int = 512,
        overrides: Mapping[str, str] | None = None,
        lib: Path | None = None,
    ) -> None:
        """``overrides`` are extra server.properties lines; they win over the template's."""
        if brokers < 1:
            raise ValueError("a Kafka cluster needs at least one broker")
        self.directory = directory.resolve()
        self.host = host
        self.port = port
        if controller_port is None:
            controller_port = port + CONTROLLER_PORT_OFFSET
        self.controller_port = controller_port
        self.heap_mb = heap_mb
        self.overrides = dict(overrides or {})
        self._lib = lib
        self.brokers = [KafkaBroker(self, node_id) for node_id in range(1, brokers + 1)]

    # -- settings derived from the size ---------------------------------------------------
    @property
    def replication_factor(self) -> int:
        return min(3, len(self.brokers))

    @property
    def min_isr(self) -> int:
        # One broker must accept acks=all and transactions alone; three tolerate one down.
        return max(1, self.replication_factor - 1)

    @property
    def default_partitions(self) -> int:
        return len(self.brokers)

    @property
    def quorum_voters(self) -> str:
        return ",".join(f"{b.node_id}@{b.host}:{b.controller_port}" for b in self.brokers)

    @property
    def bootstrap_servers(self) -> str:
        """The ``bootstrap.servers`` value for clients."""
        return ",".join(b.bootstrap for b in self.brokers)

    @property
    def lib(self) -> Path:
        if self._lib is None:
            self._lib = fetch_jars("kafka")
        return self._lib

    @property
    def log4j_path(self) -> Path:
        return self.directory / "log4j.properties"

    @property
    def cluster_id(self) -> str:
        path = self.directory / "cluster-id"
        if not path.is_file():
            path.write_text(new_cluster_id() + "\n")
        return path.read_text().strip()

    def broker(self, node_id: int) -> KafkaBroker:
        return self.brokers[node_id - 1]

    # -- lifecycle ----------------------------------------------------------------------------
    def _format(self, brokers: list[KafkaBroker]) -> None:
        """Format the storage of new brokers, in parallel (one short JVM each)."""
        pending = [b for b in brokers if not b.formatted()]
        for broker in pending:
            broker.prepare()
        running = [
            (
                b,
                subprocess.Popen(
                    b.format_command(),
                    env=java_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                ),
            )
            for b in pending
        ]
        for broker, proc in running:
            try:
                out, _ = proc.communicate(timeout=FORMAT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate()
            if proc.returncode != 0:
                tail = "\n".join(out.decode("utf-8", "replace").splitlines()[-30:])
                raise ServerStartError(f"formatting {broker.name} failed:\n{tail}")

    def _setup(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.log4j_path.write_text(resource_text("kafka-log4j.properties"))

    def launch(self) -> None:
        """Format new storage and start every broker without waiting.

        All brokers start together: the controllers need a majority to elect a leader.
        """
        self._setup()
        self._format(self.brokers)
        for broker in self.brokers:
            broker.launch()

    def wait_ready(self, timeout_per_broker: float = 60.0) -> None:
        for broker in self.brokers:
            broker.wait_ready(timeout_per_broker)

    def start(self, timeout_per_broker: float = 60.0) -> None:
        """Start every broker and return once each logs that it started and takes connections.

        On failure the brokers are stopped again and ServerStartError quotes the log.
        """
        try:
            self.launch()
            self.wait_ready(timeout_per_broker)
        except BaseException:
            self.stop()
            raise

    def stop(self, timeout: float = 60.0) -> None:
        """Stop every broker: SIGTERM, and SIGKILL after the timeout.

        The last brokers of a cluster cannot finish a controlled shutdown once the controller
        quorum is gone, so they are killed after a short grace (their data is in the page
        cache and the next start recovers the logs).
        """
        stop_all(self.brokers, timeout, minority_grace=KRAFT_NO_QUORUM_GRACE_S)

    def running(self) -> bool:
        return all(b.running() for b in self.brokers)

    # -- one broker, for failure tests ---------------------------------------------------
    def stop_broker(self, node_id: int, timeout: float = 60.0) -> None:
        self.broker(node_id).stop(timeout)

    def kill_broker(self, node_id: int) -> None:
        """kill -9 one broker."""
        self.broker(node_id).kill()

    def start_broker(self, node_id: int, timeout: float = 60.0) -> None:
        """(Re)start one stopped or killed broker and wait until it is ready."""
        self._setup()
        broker = self.broker(node_id)
        self._format([broker])
        broker.launch()
        broker.wait_ready(timeout)

    def restart_broker(self, node_id: int, timeout: float = 60.0) -> None:
        self.stop_broker(node_id, timeout)
        self.start_broker(node_id, timeout)

    # -- description, for `status` and `down` from another process ----------------------
    def describe(self) -> dict[str, Any]:
        return {
            "brokers": len(self.brokers),
            "host": self.host,
            "port": self.port,
            "controller_port": self.controller_port,
            "heap_mb": self.heap_mb,
            "overrides": self.overrides,
            "bootstrap_servers": self.bootstrap_servers,
        }

    @classmethod
    def from_description(cls, directory: Path, desc: dict[str, Any]) -> KafkaCluster:
        return cls(
            directory,
            int(desc["brokers"]),
            host=str(desc["host"]),
            port=int(desc["port"]),
            controller_port=int(desc["controller_port"]),
            heap_mb=int(desc["heap_mb"]),
            overrides={str(k): str(v) for k, v in desc.get("overrides", {}).items()},
        )
