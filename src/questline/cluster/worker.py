"""A partition worker: a member of the workers' consumer group over the commands
topic. For each partition it owns it restores state (the newest partition
snapshot, then the events partition from the snapshot's offset), then decides
batches of commands, and in ONE Kafka transaction produces the events, the
command records, the replies and the consumed offsets (exactly-once; a zombie
is fenced by the group generation)."""

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence

import msgspec
from confluent_kafka import Consumer, KafkaException, Message, Producer, TopicPartition

from questline.adapters.kafka.messages import (
    KIND,
    KIND_COMMAND,
    KIND_EVENT,
    REPLY_TO,
    decode_envelope,
    encode,
    encode_event,
    header,
    offset_of,
    partition_of_message,
)
from questline.cluster.config import ClusterConfig
from questline.cluster.dead_letters import dead_letter
from questline.cluster.group_member import group_consumer
from questline.cluster.restore import restore_decider
from questline.engine.batch_decider import BatchDecider, DecidedBatch, Lookup, with_events
from questline.engine.envelopes import CommandEnvelope
from questline.engine.hunt_engine import DAY
from questline.observability.cluster import WorkerObserver
from questline.ports import Clock, CommandRecord, PartitionSnapshotStore

log = logging.getLogger(__name__)

Incoming = tuple[CommandEnvelope, bytes | None, Message]  # the command, reply-to, its message


class PartitionWorker:
    def __init__(
        self,
        config: ClusterConfig,
        worker_id: str,
        clock: Clock,
        lookup: Lookup,
        *,
        snapshots: PartitionSnapshotStore | None = None,
        max_batch: int = 1000,
    ) -> None:
        self.config = config
        self.snapshots = snapshots
        self.worker_id = worker_id
        self.clock = clock
        self.lookup = lookup
        self.max_batch = max_batch
        self.deciders: dict[int, BatchDecider] = {}
        self.commands = 0
        self.batches = 0
        self.dead_letters = 0
        kafka = config.kafka
        self.observer = WorkerObserver(worker_id, kafka.commands_topic)
        self.consumer = group_consumer(config, "workers", worker_id)
        self.producer = self._new_producer()

    def _new_producer(self) -> Producer:
        kafka = self.config.kafka
        producer = Producer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "transactional.id": f"{kafka.topic_prefix}-worker-{self.worker_id}",
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 2,
                "transaction.timeout.ms": self.config.transaction_timeout_ms,
            }
        )
        producer.init_transactions(30)
        return producer

    # -- partition ownership --------------------------------------------------

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self.deciders[tp.partition] = self._restore(tp.partition)
            self.observer.assigned(tp.partition)
        consumer.incremental_assign(partitions)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self.deciders.pop(tp.partition, None)
            self.observer.revoked(tp.partition)
        consumer.incremental_unassign(partitions)

    def _restore(self, partition: int) -> BatchDecider:
        restored = restore_decider(self.config, partition, self.snapshots, self.clock.now() - DAY)
        self.observer.restored(
            partition,
            restored.seconds,
            snapshot_offset=restored.snapshot_offset,
            replayed=restored.replayed,
        )
        return restored.decider

    @property
    def owned(self) -> list[int]:
        return sorted(self.deciders)

    # -- the loop ---------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        kafka = self.config.kafka
        self.consumer.subscribe(
            [kafka.commands_topic],
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_revoke,
        )
        try:
            while not stop.is_set():
                messages = self.consumer.consume(num_messages=self.max_batch, timeout=0.01)
                if messages:
                    self._process(messages)
                self.observer.tick(self.consumer, self.deciders)
        finally:
            self.consumer.close()  # hands the partitions back at once
            self.producer.flush(10)
            self.observer.release_all()

    def _process(self, messages: list[Message]) -> None:
        by_partition: dict[int, list[Message]] = defaultdict(list)
        for message in messages:
            if message.error() is None:
                by_partition[partition_of_message(message)].append(message)
        if not by_partition:
            return
        now = self.clock.now()
        committed: list[tuple[BatchDecider, list[CommandRecord]]] = []
        self.producer.begin_transaction()
        self.observer.begin()
        try:
            for partition, batch in by_partition.items():
                decider = self.deciders.get(partition)
                if decider is None:
                    continue  # revoked while the batch was in hand
                records = self._decide_partition(decider, partition, batch, now)
                committed.append((decider, records))
            offsets = [
                TopicPartition(self.config.kafka.commands_topic, p, offset_of(batch[-1]) + 1)
                for p, batch in by_partition.items()
                if p in self.deciders
            ]
            self.producer.send_offsets_to_transaction(
                offsets, self.consumer.consumer_group_metadata(), 30
            )
            started = time.perf_counter()
            self.producer.commit_transaction(30)
            commit_seconds = time.perf_counter() - started
        except KafkaException as error:
            self.observer.aborted()
            self._recover_after(error, list(by_partition))
            return
        self.observer.committed(commit_seconds)
        for decider, records in committed:
            decider.committed(records)
        self.batches += 1
        self.commands += sum(len(b) for b in by_partition.values())

    def _decide_partition(
        self, decider: BatchDecider, partition: int, batch: Sequence[Message], now: int
    ) -> list[CommandRecord]:
        kafka = self.config.kafka
        envelopes: list[Incoming] = []
        for message in batch:
            try:
                envelope = decode_envelope(message.value() or b"")
            except (msgspec.MsgspecError, ValueError) as error:
                dead_letter(self.producer, kafka, message, str(error), "decode command")
                self.dead_letters += 1
                self.observer.dead_letter(
                    "decode command", partition, offset_of(message), str(error)
                )
                continue
            envelopes.append((envelope, header(message.headers(), REPLY_TO), message))
        try:
            decided = decider.decide_batch([e for e, _, _ in envelopes], now, self.lookup)
        except Exception:  # a command that makes the decider raise: find it, set it aside
            decided = self._decide_one_by_one(partition, envelopes, now)
        for recorded in decided.events:
            self.producer.produce(
                kafka.events_topic,
                key=recorded.hunt_id.encode(),
                value=encode_event(recorded),
                partition=partition,
                headers=[(KIND, KIND_EVENT)],
            )
        for record in decided.records:
            self.producer.produce(
                kafka.events_topic,
                key=record.hunt_id.encode(),
                value=encode(record),
                partition=partition,
                headers=[(KIND, KIND_COMMAND)],
            )
        replies = {e.command_id: reply_to for e, reply_to, _ in envelopes}
        for outcome in with_events(decided.outcomes, decided.events):
            reply_to = replies.get(outcome.command_id)
            if reply_to is not None and reply_to.isdigit():
                self.producer.produce(
                    kafka.replies_topic,
                    key=outcome.command_id.encode(),
                    value=encode(outcome),  # its events tell the API node what to wait for
                    partition=int(reply_to),
                )
        self.observer.decided(
            partition,
            offset_of(batch[0]),
            offset_of(batch[-1]),
            len(batch),
            [e for e, _, _ in envelopes],
            decided.events,
        )
        return decided.records

    def _decide_one_by_one(
        self, partition: int, envelopes: list[Incoming], now: int
    ) -> DecidedBatch:
        # The failed batch may have changed state: start again from the log.
        fresh = self._restore(partition)
        self.deciders[partition] = fresh
        decided = DecidedBatch([])
        for envelope, _, message in envelopes:
            try:
                one = fresh.decide_batch([envelope], now, self.lookup)
            except Exception as error:
                log.exception("command %s makes the decider raise", envelope.command_id)
                dead_letter(
                    self.producer,
                    self.config.kafka,
                    message,
                    repr(error),
                    "decide",
                )
                self.dead_letters += 1
                self.observer.dead_letter("decide", partition, offset_of(message), repr(error))
                fresh = self._restore(partition)
                self.deciders[partition] = fresh
                continue
            decided.outcomes.extend(one.outcomes)
            decided.events.extend(one.events)
            decided.records.extend(one.records)
        return decided

    def _recover_after(self, error: KafkaException, partitions: list[int]) -> None:
        """A transaction failed: abort it, rebuild the partitions' state from the log and
        go back to the last committed commands."""
        log.warning("transaction failed (%s); recovering partitions %s", error, partitions)
        kafka_error = error.args[0] if error.args else None
        fatal = kafka_error is not None and (
            kafka_error.fatal() or kafka_error.txn_requires_abort() is False
        )
        try:
            self.producer.abort_transaction(30)
        except KafkaException:
            fatal = True
        if fatal:
            self.producer = self._new_producer()
        committed = self.consumer.committed(
            [TopicPartition(self.config.kafka.commands_topic, p) for p in partitions], timeout=30
        )
        for tp in committed:
            if tp.partition in self.deciders:
                self.deciders[tp.partition] = self._restore(tp.partition)
                self.consumer.seek(TopicPartition(tp.topic, tp.partition, max(tp.offset, 0)))
