"""Apache Cassandra 5.0 nodes, one JVM each, on 127.0.0.1, .2, .3 (same ports on each).

Layout under the directory given: ``node-<i>/`` with ``conf/`` (the rendered cassandra.yaml
and logback.xml), the data directories, ``logs/server.log`` and ``server.pid``. Nodes start one
after another: Cassandra refuses concurrent joins, and the seed (node 1) must be up first.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from string import Template
from typing import Any

from questline.servers.maven import fetch_jars
from questline.servers.process import (
    JvmNode,
    LogWatcher,
    java_home,
    port_open,
    resource_text,
    stop_all,
    wait_for,
)

DEFAULT_NATIVE_PORT = 9042
DEFAULT_STORAGE_PORT = 7000
READY_LINE = "Startup complete"  # CassandraDaemon, after the CQL listener is up
MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon"
DOWN_TIMEOUT_S = 60.0
SUBDIRS = ("conf", "data", "commitlog", "saved_caches", "hints", "cdc_raw", "triggers", "tmp")


def jvm_options() -> list[str]:
    """The Java 17 flags of ``resources/cassandra-jvm17.options``."""
    lines = (
        line.split("#", 1)[0].strip()
        for line in resource_text("cassandra-jvm17.options").splitlines()
    )
    return [line for line in lines if line]


def initial_token(index: int, nodes: int) -> int:
    """Evenly spaced Murmur3 tokens for a ring of one token per node (index is 0-based)."""
    return -(2**63) + index * (2**64 // nodes)


class CassandraNode(JvmNode):
    """One Cassandra daemon."""

    def __init__(self, cluster: CassandraCluster, index: int, host: str) -> None:
        super().__init__(f"cassandra-{index + 1}", cluster.directory / f"node-{index + 1}")
        self.cluster = cluster
        self.index = index
        self.host = host

    @property
    def conf_dir(self) -> Path:
        return self.node_dir / "conf"

    def listen_addresses(self) -> list[tuple[str, int]]:
        return [(self.host, self.cluster.native_port), (self.host, self.cluster.storage_port)]

    def render_config(self) -> str:
        c = self.cluster
        return Template(resource_text("cassandra.yaml.template")).substitute(
            cluster_name=c.cluster_name,
            initial_token=initial_token(self.index, len(c.nodes)),
            host=self.host,
            storage_port=c.storage_port,
            native_port=c.native_port,
            seeds=f"{c.nodes[0].host}:{c.storage_port}",
            node_dir=self.node_dir,
        )

    def prepare(self) -> None:
        for sub in SUBDIRS:
            (self.node_dir / sub).mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "cassandra.yaml").write_text(self.render_config())
        (self.conf_dir / "logback.xml").write_text(resource_text("cassandra-logback.xml"))

    def command(self) -> list[str]:
        lib = self.cluster.lib
        jamm = sorted(lib.glob("jamm-*.jar"))
        heap = self.cluster.heap_mb
        return [
            str(java_home() / "bin" / "java"),
            f"-Xms{heap}m",
            f"-Xmx{heap}m",
            *jvm_options(),
            # The official launcher loads jamm as an agent to measure object sizes;
            # without it Cassandra falls back to Unsafe, so it is optional.
            *([f"-javaagent:{jamm[0]}"] if jamm else []),
            # Without this CassandraDaemon closes stdout/stderr, and with them our log.
            "-Dcassandra-foreground=yes",
            f"-Dcassandra.config=file://{self.conf_dir / 'cassandra.yaml'}",
            f"-Dcassandra.storagedir={self.node_dir / 'data'}",
            f"-Dcassandra.logdir={self.node_dir / 'logs'}",
            f"-Dlogback.configurationFile={self.conf_dir / 'logback.xml'}",
            f"-Dcassandra.triggers_dir={self.node_dir / 'triggers'}",
            # Do not sit out the gossip-settle wait on a loopback cluster we check ourselves.
            "-Dcassandra.skip_wait_for_gossip_to_settle=0",
            # JNA and others unpack native libraries here, not in a maybe-noexec /tmp.
            f"-Djava.io.tmpdir={self.node_dir / 'tmp'}",
            *(["-Dcassandra.unsafesystem=true"] if self.cluster.disposable else []),
            "-cp",
            f"{self.conf_dir}:{lib}/*",
            MAIN_CLASS,
        ]

    def is_ready(self, log: LogWatcher) -> bool:
        return log.contains(READY_LINE) and port_open(self.host, self.cluster.native_port)

    def sees_up(self, others: list[CassandraNode], since: int) -> bool:
        """True if this node's gossip logged every other node UP after byte ``since``."""
        text = LogWatcher(self.log_path, since).text()
        return all(f"/{o.host}:{self.cluster.storage_port} is now UP" in text for o in others)


class CassandraCluster:
    """N Cassandra nodes, one per loopback address, sharing the same ports."""

    def __init__(
        self,
        directory: Path,
        nodes: int = 1,
        *,
        hosts: list[str] | None = None,
        native_port: int = DEFAULT_NATIVE_PORT,
        storage_port: int = DEFAULT_STORAGE_PORT,
        heap_mb: int = 768,
        cluster_name: str = "questline",
        lib: Path | None = None,
        disposable: bool = False,
    ) -> None:
        """`disposable`: a node for tests, whose system tables need not survive a crash;
        schema changes then skip flushing them (`cassandra.unsafesystem`), several
        times faster, which matters when every test makes its own keyspace."""
        if hosts is None:
            hosts = [f"127.0.0.{i}" for i in range(1, nodes + 1)]
        if len(hosts) != nodes or nodes < 1:
            raise ValueError("give one distinct host address per Cassandra node")
        self.directory = directory.resolve()
        self.native_port = native_port
        self.storage_port = storage_port
        self.heap_mb = heap_mb
        self.cluster_name = cluster_name
        self.disposable = disposable
        self._lib = lib
        self.nodes = [CassandraNode(self, i, host) for i, host in enumerate(hosts)]

    @property
    def contact_points(self) -> list[str]:
        return [n.host for n in self.nodes]

    @property
    def lib(self) -> Path:
        if self._lib is None:
            self._lib = fetch_jars("cassandra")
        return self._lib

    def node(self, number: int) -> CassandraNode:
        """Node by 1-based number."""
        return self.nodes[number - 1]

    def start(self, timeout_per_node: float = 120.0) -> None:
        """Start the nodes one by one, each ready (CQL port open) and gossiping with the others.

        On failure every node is stopped again and ServerStartError quotes the log.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            for node in self.nodes:
                self.start_node(node.index + 1, timeout_per_node)
        except BaseException:
            self.stop()
            raise

    def wait_gossip(self, node: CassandraNode, offsets: dict[str, int], timeout: float) -> None:
        """Wait until the node sees every other running node UP, and they see it.

        ``offsets`` are the other nodes' log sizes at the launch, so an UP line from before a
        restart does not count.
        """
        others = [o for o in self.nodes if o is not node and o.running()]
        if not others:
            return
        wait_for(
            lambda: (
                node.sees_up(others, node.log_offset)
                and all(o.sees_up([node], offsets.get(o.name, 0)) for o in others)
            ),
            timeout,
            f"{node.name} and {', '.join(o.name for o in others)} to see each other UP",
        )

    def start_node(self, number: int, timeout: float = 120.0) -> None:
        """(Re)start one node, wait until it is ready and gossiping with the running ones."""
        node = self.node(number)
        offsets = {o.name: o.log_size() for o in self.nodes if o is not node}
        node.launch()
        node.wait_ready(timeout)
        self.wait_gossip(node, offsets, timeout)

    def stop(self, timeout: float = 60.0) -> None:
        stop_all(self.nodes, timeout)

    def stop_node(self, number: int, timeout: float = 60.0, *, wait_down: bool = True) -> None:
        """Stop one node (SIGTERM, then SIGKILL); see :meth:`kill_node` for ``wait_down``."""
        self._take_down(number, lambda: self.node(number).stop(timeout), wait_down)

    def kill_node(self, number: int, *, wait_down: bool = True) -> None:
        """kill -9 one node.

        With ``wait_down`` return only once every other running node's gossip has marked it
        DOWN (about 10 s after a kill): until then coordinators still send it requests, and
        LWTs at SERIAL can time out waiting for it.
        """
        self._take_down(number, self.node(number).kill, wait_down)

    def _take_down(self, number: int, action: Callable[[], None], wait_down: bool) -> None:
        node = self.node(number)
        others = [o for o in self.nodes if o is not node and o.running()]
        offsets = {o.name: o.log_size() for o in others}
        action()
        if not wait_down or not others:
            return
        mark = f"/{node.host}:{self.storage_port} is now DOWN"
        wait_for(
            lambda: all(LogWatcher(o.log_path, offsets[o.name]).contains(mark) for o in others),
            DOWN_TIMEOUT_S,
            f"the other nodes to see {node.name} DOWN",
        )

    def restart_node(self, number: int, timeout: float = 120.0) -> None:
        self.stop_node(number, timeout)
        self.start_node(number, timeout)

    def running(self) -> bool:
        return all(n.running() for n in self.nodes)

    def describe(self) -> dict[str, Any]:
        return {
            "nodes": len(self.nodes),
            "hosts": self.contact_points,
            "native_port": self.native_port,
            "storage_port": self.storage_port,
            "heap_mb": self.heap_mb,
            "cluster_name": self.cluster_name,
        }

    @classmethod
    def from_description(cls, directory: Path, desc: dict[str, Any]) -> CassandraCluster:
        hosts = [str(h) for h in desc["hosts"]]
        return cls(
            directory,
            len(hosts),
            hosts=hosts,
            native_port=int(desc["native_port"]),
            storage_port=int(desc["storage_port"]),
            heap_mb=int(desc["heap_mb"]),
            cluster_name=str(desc["cluster_name"]),
        )
