"""A partition worker: the engine (engine/partition_writer.py) over the Kafka log,
one writer per commands partition this process owns in the workers' consumer group.

For each partition it is assigned, the writer opens the partition's log (which
fences any earlier owner: adapters/kafka/partition_log.py) and restores the
decision state and the window of recent command ids (the newest partition
snapshot, then the events partition after it). Then the worker loops: fetch
commands, hand each partition's share to its writer, which decides in memory and
appends events, command records, replies and the consumed offset in ONE Kafka
transaction. The partitions of one fetch are handled on threads of their own:
deciding holds the interpreter, but a transaction's commit waits for the broker
without it, so one partition's commit overlaps the next one's deciding. A fetch
is done before the next starts, so each partition's commands keep their order. A
writer that is fenced lets its partition go; one whose append failed goes back to
the last committed command.

A `restore` request on the commands partition (a snapshot audit discarded
snapshots) makes the writer restore again if its state came from one of them."""

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Literal

from questline.adapters.kafka.command_source import KafkaCommandSource
from questline.adapters.kafka.consumer_offsets import ConsumerOffsets
from questline.adapters.kafka.partition_log import KafkaPartitionLog, ProducerFactory
from questline.cluster.config import ClusterConfig
from questline.cluster.store_retry import AnsweredSnapshots, until_answered
from questline.engine.batch_decider import BatchDecider, Lookup
from questline.engine.partition_writer import PartitionWriter
from questline.observability.cluster import WorkerObserver
from questline.ports import (
    AppendFailed,
    Clock,
    CommandRecord,
    Fenced,
    IncomingCommand,
    PartitionSnapshotStore,
)

log = logging.getLogger(__name__)

WORKERS_ROLE = "workers"
# What became of one partition's share of a fetch.
Handled = Literal["appended", "fenced", "failed", "gone"]


class PartitionWorker:
    def __init__(
        self,
        config: ClusterConfig,
        worker_id: str,
        clock: Clock,
        archive: Lookup | None = None,
        *,
        snapshots: PartitionSnapshotStore | None = None,
        max_batch: int = 8000,
        producer_factory: ProducerFactory | None = None,
    ) -> None:
        """`archive`: where command records that fell out of a writer's window are
        looked up (Cassandra's command_records); `snapshots`: partition snapshots."""
        self.config = config
        self.worker_id = worker_id
        self.clock = clock
        self.snapshots = AnsweredSnapshots(snapshots) if snapshots is not None else None
        self._archive = archive
        self.max_batch = max_batch
        self.producer_factory = producer_factory
        self.writers: dict[int, PartitionWriter] = {}
        self.commands = 0
        self.batches = 0
        self._threads = ThreadPoolExecutor(8, thread_name_prefix="questline-partition")
        kafka = config.kafka
        self.observer = WorkerObserver(worker_id, kafka.commands_topic)
        self.source = KafkaCommandSource(
            kafka,
            WORKERS_ROLE,
            worker_id,
            session_timeout_ms=config.session_timeout_ms,
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
        )
        self.offsets = ConsumerOffsets(self.source.consumer, kafka.commands_topic)

    # -- partition ownership --------------------------------------------------

    def _on_assign(self, partitions: list[int]) -> None:
        """Opens the partitions side by side: each fence waits on the broker (half a
        second when it must abort a dead owner's transaction) and each restore on
        reading its log, so a worker taking over several pays for about one."""
        if len(partitions) == 1:
            self._open(partitions[0])
            return
        openings = [self._threads.submit(self._open, p) for p in partitions]
        wait(openings)  # all of them done before any failure is raised
        for opening in openings:
            opening.result()

    def _open(self, partition: int) -> None:
        started = time.perf_counter()
        writer = PartitionWriter(
            KafkaPartitionLog(
                self.config.kafka,
                partition,
                self.source,
                transaction_timeout_ms=self.config.transaction_timeout_ms,
                producer_factory=self.producer_factory,
            ),
            self.clock,
            snapshots=self.snapshots,
            archive=self.archive if self._archive is not None else None,
            window=self.config.window_size,
            observer=self.observer,
        )
        until_answered(writer.open, "open a partition and restore it")
        self.writers[partition] = writer
        self.observer.assigned(partition, open_seconds=round(time.perf_counter() - started, 3))

    def _on_revoke(self, partitions: list[int]) -> None:
        for partition in partitions:
            writer = self.writers.pop(partition, None)
            if writer is not None:
                writer.log.close()
            self.observer.revoked(partition)

    def archive(self, command_ids: Sequence[str]) -> dict[str, CommandRecord]:
        """Records of commands that fell out of a window for room (Cassandra). Not
        answering is retried for half the transaction's time, then the batch goes back
        to its last commit."""
        assert self._archive is not None
        find = self._archive
        return until_answered(
            lambda: find(command_ids),
            "command records lookup",
            deadline_s=self.config.transaction_timeout_ms / 2000,
        )

    @property
    def owned(self) -> list[int]:
        return sorted(self.writers)

    @property
    def deciders(self) -> dict[int, BatchDecider]:
        """Each owned partition's decider (its states and window), for tests."""
        return {p: w.decider for p, w in self.writers.items()}

    @property
    def restored_from(self) -> dict[int, int | None]:
        """The snapshot offset each owned partition's memory came from."""
        return {p: w.restored_from for p, w in self.writers.items()}

    # -- the loop ---------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        self.source.start()
        try:
            while not stop.is_set():
                polled = self.source.poll(self.max_batch, 0.01)
                if len(polled) == 1:
                    [(partition, commands)] = polled.items()
                    self._settle(partition, commands, self._handle(partition, commands))
                elif polled:
                    handling = {
                        p: self._threads.submit(self._handle, p, c) for p, c in polled.items()
                    }
                    for partition, future in handling.items():
                        self._settle(partition, polled[partition], future.result())
                self.observer.tick(self.offsets, self.writers)
        finally:
            # Stepping down (SIGTERM, or a failure): once the threads are done, every
            # transaction of the last fetch has committed or aborted; none is left open
            # for the next owner's fence to abort or the broker to time out.
            handed_back = self.owned
            self._threads.shutdown(wait=True)
            self.source.close()  # LeaveGroup: the partitions go to the others at once
            for writer in self.writers.values():
                writer.log.close()
            self.observer.release_all()
            self.observer.left(handed_back)

    def _handle(self, partition: int, commands: list[IncomingCommand]) -> Handled:
        """On a thread of its own: touches only the partition's writer."""
        writer = self.writers.get(partition)
        if writer is None:
            return "gone"  # revoked (or fenced) while the batch was in hand
        try:
            writer.handle(commands)
        except Fenced as fenced:
            log.warning("partition %d fenced by a newer owner (%s): let go", partition, fenced)
            return "fenced"
        except AppendFailed as failed:
            log.warning("partition %d: %s; back to its last committed command", partition, failed)
            return "failed"
        return "appended"

    def _settle(self, partition: int, commands: list[IncomingCommand], handled: Handled) -> None:
        """Back on the loop's thread: what a partition's outcome means for the group."""
        if handled == "appended":
            self.batches += 1
            self.commands += len(commands)
        elif handled == "fenced":
            self.writers.pop(partition, None)
            self.observer.revoked(partition, "fenced")
        elif handled == "failed":
            writer = self.writers.get(partition)
            if writer is not None:
                self.source.rewind(partition, writer.log.consumed())
