"""A projector: a member of the projectors' consumer group over the events topic.

For each partition it owns it claims a new epoch in Cassandra, folds the
partition from its start (rows up to the checkpoint are already stored, so it
only rebuilds its memory there), then writes the rows each batch changed,
the event archive and the command records, and moves the checkpoint —
which only the holder of the current epoch can do.
"""

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field

import msgspec
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    Message,
    Producer,
    TopicPartition,
)

from questline.adapters.cassandra.read_model_store import Fenced
from questline.adapters.cassandra.store import CassandraStore
from questline.adapters.kafka.messages import (
    KIND,
    KIND_COMMAND,
    decode_event,
    decode_record,
    header,
    offset_of,
    partition_of_message,
)
from questline.cluster.config import ClusterConfig
from questline.cluster.dead_letters import dead_letter
from questline.cluster.group_member import group_consumer
from questline.domain.events import RecordedEvent
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import LeaderboardRow
from questline.observability.cluster import ProjectorObserver
from questline.ports import CommandRecord

log = logging.getLogger(__name__)


@dataclass
class PartitionProjection:
    partition: int
    epoch: int
    checkpoint: int
    projector: Projector = field(default_factory=Projector)
    previous_ranks: dict[tuple[str, str, str], LeaderboardRow] = field(default_factory=dict)
    position: int = -1
    read_to: int = -1


class ClusterProjector:
    def __init__(self, config: ClusterConfig, store: CassandraStore, name: str) -> None:
        self.config = config
        self.store = store
        self.name = name
        self.partitions: dict[int, PartitionProjection] = {}
        self.events_applied = 0
        self.dead_letters = 0
        kafka = config.kafka
        self.observer = ProjectorObserver(name, kafka.events_topic)
        self.consumer = group_consumer(config, "projectors", name, **{"enable.partition.eof": True})
        self.dead_letter_producer = Producer(
            {"bootstrap.servers": kafka.bootstrap_servers, "enable.idempotence": True}
        )

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            epoch, stored_to = self.store.read_models.claim(tp.partition)
            checkpoint = stored_to - 1  # the last offset whose rows are stored (-1: none)
            self.partitions[tp.partition] = PartitionProjection(tp.partition, epoch, checkpoint)
            tp.offset = OFFSET_BEGINNING  # memory is rebuilt from the start
            self.observer.assigned(tp.partition, epoch=epoch, checkpoint=checkpoint)
        consumer.incremental_assign(partitions)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self.partitions.pop(tp.partition, None)
            self.observer.revoked(tp.partition)
        consumer.incremental_unassign(partitions)

    def run(self, stop: threading.Event) -> None:
        self.consumer.subscribe(
            [self.config.kafka.events_topic],
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_revoke,
        )
        try:
            while not stop.is_set():
                messages = self.consumer.consume(num_messages=2000, timeout=0.01)
                if messages:
                    self._process(messages)
                self.observer.tick(self.consumer, self.partitions)
        finally:
            self.consumer.close()
            self.dead_letter_producer.flush(10)
            self.observer.release_all()

    def _process(self, messages: list[Message]) -> None:
        by_partition: dict[int, list[Message]] = defaultdict(list)
        for message in messages:
            error = message.error()
            if error is None:
                by_partition[partition_of_message(message)].append(message)
            elif error.code() == KafkaError._PARTITION_EOF:
                self._reached_end(partition_of_message(message), offset_of(message))
        for partition, batch in by_partition.items():
            state = self.partitions.get(partition)
            if state is None:
                continue
            stored = [m for m in batch if offset_of(m) <= state.checkpoint]
            fresh = batch[len(stored) :]
            try:
                if stored:  # still rebuilding memory up to what is stored
                    self._project(state, stored)
                if fresh:
                    self._project(state, fresh)
            except Fenced as fenced:
                log.warning("projector %s: %s", self.name, fenced)
                self.partitions.pop(partition, None)
                self.observer.revoked(partition, "fenced")

    def _project(self, state: PartitionProjection, batch: list[Message]) -> None:
        fresh_events: list[RecordedEvent] = []
        records: list[CommandRecord] = []
        last = state.position
        for message in batch:
            offset = offset_of(message)
            last = offset
            value = message.value() or b""
            try:
                if header(message.headers(), KIND) == KIND_COMMAND:
                    record = decode_record(value)
                    if offset > state.checkpoint:
                        records.append(record)
                    continue
                recorded = decode_event(value, offset)
                state.projector.apply(recorded)
            except (ValueError, msgspec.MsgspecError, KeyError) as error:
                if offset > state.checkpoint:  # dead-letter it once, not on every rebuild
                    dead_letter(
                        self.dead_letter_producer,
                        self.config.kafka,
                        message,
                        repr(error),
                        "project",
                    )
                    self.dead_letters += 1
                    self.observer.dead_letter("project", state.partition, offset, repr(error))
                continue
            self.events_applied += 1
            if offset > state.checkpoint:
                fresh_events.append(recorded)
        state.position = last
        changes = state.projector.take_changes()
        if last <= state.checkpoint:
            # Still rebuilding memory: remember what is stored so ranks are replaced right.
            for (table, hunt_id, key), row in changes.items():
                if isinstance(row, LeaderboardRow):
                    state.previous_ranks[(table, hunt_id, key)] = row
            return
        self.store.events.archive(fresh_events)
        self.store.commands.remember(records)
        self.store.read_models.write(
            state.partition, state.epoch, changes, last + 1, state.previous_ranks
        )
        state.checkpoint = last
        self.observer.projected(
            state.partition, offset_of(batch[0]), last, fresh_events, len(records)
        )

    def _reached_end(self, partition: int, end: int) -> None:
        state = self.partitions.get(partition)
        if state is not None and state.read_to != end and state.position >= state.checkpoint:
            self.store.read_models.mark_read_to(partition, end)
            state.read_to = end

    def lag(self) -> dict[int, int]:
        """Events not yet projected, per owned partition."""
        lags = {}
        for partition, state in self.partitions.items():
            tp = TopicPartition(self.config.kafka.events_topic, partition)
            _, high = self.consumer.get_watermark_offsets(tp, timeout=5, cached=True)
            lags[partition] = max(high - 1 - state.checkpoint, 0)
        return lags
