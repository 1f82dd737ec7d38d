"""A partition worker: a member of the workers' consumer group over the commands
topic. For each partition it owns it opens that partition's transactional
producer (`{prefix}-partition-{p}`: opening it fences the producer of any
earlier owner and aborts its open transaction), restores state (the newest
partition snapshot, then the events partition from the snapshot's offset),
then decides batches of commands, and in ONE Kafka transaction per partition
produces the events, the command records, the replies and the consumed offsets
(exactly-once). A zombie, an earlier owner that slept through its session,
cannot commit: its producer epoch is stale.

A `restore` request on the commands partition (a snapshot audit discarded
snapshots) makes the owner restore again if its state came from one of them:
otherwise it would go on deciding on the wrong state until its next restore."""

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)

from questline.adapters.cassandra.unavailable import UNAVAILABLE
from questline.adapters.kafka.messages import (
    REPLY_TO,
    decode_envelope,
    header,
    offset_of,
    partition_of_message,
    restore_request,
)
from questline.cluster.config import ClusterConfig
from questline.cluster.dead_letters import dead_letter
from questline.cluster.decided_messages import (
    UnwritableCommand,
    produce_decided,
    produce_refusal,
)
from questline.cluster.group_member import group_consumer
from questline.cluster.restore import restore_decider
from questline.cluster.store_retry import until_answered
from questline.domain.rejections import unwritable_command
from questline.engine.batch_decider import BatchDecider, DecidedBatch, Lookup
from questline.engine.envelopes import CommandEnvelope
from questline.engine.hunt_engine import DAY
from questline.observability import metrics
from questline.observability.cluster import WorkerObserver
from questline.ports import Clock, CommandRecord, PartitionSnapshotStore

log = logging.getLogger(__name__)

Incoming = tuple[CommandEnvelope, bytes | None, Message]  # the command, reply-to, its message

# The dead-letter stage of a command whose events or reply cannot be written.
UNWRITABLE_STAGE = "produce"


@dataclass(frozen=True, slots=True)
class Letter:
    """A message set aside in the open transaction, reported once it commits."""

    stage: str
    offset: int
    error: str


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
        producer_factory: Callable[[dict[str, Any]], Producer] = Producer,
    ) -> None:
        self.config = config
        self.snapshots = snapshots
        self.worker_id = worker_id
        self.clock = clock
        self._find_records = lookup
        self.max_batch = max_batch
        self.producer_factory = producer_factory
        self.deciders: dict[int, BatchDecider] = {}
        self.restored_from: dict[int, int | None] = {}  # each partition's snapshot offset
        self.producers: dict[int, Producer] = {}
        self.commands = 0
        self.batches = 0
        self.dead_letters = 0
        kafka = config.kafka
        self.observer = WorkerObserver(worker_id, kafka.commands_topic)
        self.consumer = group_consumer(config, "workers", worker_id)

    def _new_producer(self, partition: int) -> Producer:
        """The partition's transactional producer. Its id is the partition's, not this
        worker's: opening it bumps the epoch, which fences an earlier owner's producer
        and aborts its open transaction, so the restore after it reads to the end."""
        kafka = self.config.kafka
        producer = self.producer_factory(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "transactional.id": transactional_id(kafka.topic_prefix, partition),
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 2,
                "transaction.timeout.ms": self.config.transaction_timeout_ms,
                "message.max.bytes": kafka.max_message_bytes,
            }
        )
        producer.init_transactions(30)
        return producer

    # -- partition ownership --------------------------------------------------

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self.producers[tp.partition] = self._new_producer(tp.partition)
            self.deciders[tp.partition] = self._restore(tp.partition)
            self.observer.assigned(tp.partition)
        consumer.incremental_assign(partitions)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._drop(tp.partition)
            self.observer.revoked(tp.partition)
        consumer.incremental_unassign(partitions)

    def _drop(self, partition: int) -> None:
        self.deciders.pop(partition, None)
        self.restored_from.pop(partition, None)
        producer = self.producers.pop(partition, None)
        if producer is not None:
            producer.flush(5)  # nothing is in flight between batches; replies at most

    def _restore(self, partition: int) -> BatchDecider:
        restored = until_answered(
            lambda: restore_decider(self.config, partition, self.snapshots, self.clock.now() - DAY),
            "restore a partition's snapshot",
        )
        self.observer.restored(
            partition,
            restored.seconds,
            snapshot_offset=restored.snapshot_offset,
            replayed=restored.replayed,
        )
        self.restored_from[partition] = restored.snapshot_offset
        return restored.decider

    def _restore_if_discarded(self, partition: int, batch: Sequence[Message]) -> bool:
        """Restore again if a restore request in the batch lists the snapshot this
        worker's state of the partition came from; whether it did."""
        discarded: set[int] = set()
        for message in batch:
            discarded.update(restore_request(message) or ())
        source = self.restored_from.get(partition)
        if source is None or source not in discarded:
            return False
        log.warning(
            "worker %s: its state of partition %d came from the snapshot at offset %d, which"
            " an audit discarded; restoring again",
            self.worker_id,
            partition,
            source,
        )
        self.deciders[partition] = self._restore(partition)
        return True

    def lookup(self, command_ids: Sequence[str]) -> dict[str, CommandRecord]:
        """Command records of earlier deliveries. Cassandra not answering is retried for
        half the transaction's time, then the batch goes back to its last commit."""
        return until_answered(
            lambda: self._find_records(command_ids),
            "command records lookup",
            deadline_s=self.config.transaction_timeout_ms / 2000,
        )

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
            for producer in self.producers.values():
                producer.flush(10)
            self.observer.release_all()

    def _process(self, messages: list[Message]) -> None:
        by_partition: dict[int, list[Message]] = defaultdict(list)
        for message in messages:
            if message.error() is None:
                by_partition[partition_of_message(message)].append(message)
        now = self.clock.now()
        for partition, batch in by_partition.items():
            decider = self.deciders.get(partition)
            producer = self.producers.get(partition)
            if decider is None or producer is None:
                continue  # revoked (or fenced) while the batch was in hand
            if self._restore_if_discarded(partition, batch):  # between transactions
                decider = self.deciders[partition]
            self._commit_partition(partition, decider, producer, batch, now)

    def _commit_partition(
        self,
        partition: int,
        decider: BatchDecider,
        producer: Producer,
        batch: list[Message],
        now: int,
    ) -> None:
        producer.begin_transaction()
        self.observer.begin()
        set_aside: dict[str, str] = {}  # command id -> why it cannot be written
        try:
            while True:
                try:
                    records, letters = self._decide_partition(
                        decider, producer, partition, batch, now, set_aside
                    )
                    break
                except UnwritableCommand as bad:
                    if bad.command_id in set_aside:
                        raise  # set aside already, yet named again: not this command's fault
                    # Its messages, and those of the commands decided after it on a
                    # state that held its events, are in the open transaction: abort it,
                    # rebuild the partition's state and decide the batch again without it.
                    set_aside[bad.command_id] = bad.reason
                    producer.abort_transaction(30)
                    decider = self._restore(partition)
                    self.deciders[partition] = decider
                    producer.begin_transaction()
                    self.observer.begin()  # forget the aborted try's share
            next_offset = offset_of(batch[-1]) + 1
            offsets = [TopicPartition(self.config.kafka.commands_topic, partition, next_offset)]
            producer.send_offsets_to_transaction(
                offsets, self.consumer.consumer_group_metadata(), 30
            )
            started = time.perf_counter()
            producer.commit_transaction(30)
            commit_seconds = time.perf_counter() - started
        except KafkaException as error:
            self.observer.aborted()
            self._recover_after(error, partition, producer)
            return
        except UNAVAILABLE as error:
            self.observer.aborted()
            log.warning("the store did not answer (%r); rewinding partition %d", error, partition)
            self._rewind(partition, producer, fatal=False)
            return
        except UnwritableCommand as error:
            self.observer.aborted()
            log.error("partition %d: %s; rewinding", partition, error)
            self._rewind(partition, producer, fatal=False)
            return
        self.observer.committed(commit_seconds)
        # Counted once committed: a batch decided again after an abort letters again.
        for letter in letters:
            self.dead_letters += 1
            self.observer.dead_letter(letter.stage, partition, letter.offset, letter.error)
            if letter.stage == UNWRITABLE_STAGE:
                metrics.UNWRITABLE_COMMANDS.inc()
        # Deciding one by one (a poison command) replaces the partition's decider.
        current = self.deciders.get(partition)
        if current is not None:
            current.committed(records)
        self.batches += 1
        self.commands += len(batch)

    def _decide_partition(
        self,
        decider: BatchDecider,
        producer: Producer,
        partition: int,
        batch: Sequence[Message],
        now: int,
        set_aside: Mapping[str, str],
    ) -> tuple[list[CommandRecord], list[Letter]]:
        kafka = self.config.kafka
        letters: list[Letter] = []
        envelopes: list[Incoming] = []
        for message in batch:
            if restore_request(message) is not None:
                continue  # acted on before the transaction; its offset is committed with it
            try:
                envelope = decode_envelope(message.value() or b"")
            except (msgspec.MsgspecError, ValueError) as error:
                dead_letter(producer, kafka, message, str(error), "decode command")
                letters.append(Letter("decode command", offset_of(message), str(error)))
                continue
            reply_to = header(message.headers(), REPLY_TO)
            why = set_aside.get(envelope.command_id)
            if why is not None:
                dead_letter(producer, kafka, message, why, UNWRITABLE_STAGE)
                letters.append(Letter(UNWRITABLE_STAGE, offset_of(message), why))
                produce_refusal(
                    producer, kafka, envelope.command_id, reply_to, unwritable_command(why)
                )
                continue
            envelopes.append((envelope, reply_to, message))
        try:
            decided = decider.decide_batch([e for e, _, _ in envelopes], now, self.lookup)
        except UNAVAILABLE:
            raise  # the store, not a command: the whole batch is tried again
        except Exception:  # a command that makes the decider raise: find it, set it aside
            decided = self._decide_one_by_one(producer, partition, envelopes, now, letters)
        replies = {e.command_id: reply_to for e, reply_to, _ in envelopes}
        produce_decided(producer, kafka, partition, decided, replies)
        self.observer.decided(
            partition,
            offset_of(batch[0]),
            offset_of(batch[-1]),
            len(batch),
            [e for e, _, _ in envelopes],
            decided.events,
        )
        return decided.records, letters

    def _decide_one_by_one(
        self,
        producer: Producer,
        partition: int,
        envelopes: list[Incoming],
        now: int,
        letters: list[Letter],
    ) -> DecidedBatch:
        # The failed batch may have changed state: start again from the log.
        fresh = self._restore(partition)
        self.deciders[partition] = fresh
        decided = DecidedBatch([])
        for envelope, _, message in envelopes:
            try:
                one = fresh.decide_batch([envelope], now, self.lookup)
            except UNAVAILABLE:
                raise
            except Exception as error:
                log.exception("command %s makes the decider raise", envelope.command_id)
                dead_letter(
                    producer,
                    self.config.kafka,
                    message,
                    repr(error),
                    "decide",
                )
                letters.append(Letter("decide", offset_of(message), repr(error)))
                fresh = self._restore(partition)
                self.deciders[partition] = fresh
                continue
            decided.outcomes.extend(one.outcomes)
            decided.events.extend(one.events)
            decided.records.extend(one.records)
        return decided

    def _recover_after(self, error: KafkaException, partition: int, producer: Producer) -> None:
        """A transaction failed. Fenced: a newer owner opened the partition's producer,
        so this worker is a zombie for it and lets it go (the group will confirm).
        Otherwise: abort, rebuild the partition's state from the log and go back to
        its last committed command."""
        kafka_error = error.args[0] if error.args else None
        if kafka_error is not None and kafka_error.code() in FENCED:
            log.warning("partition %d fenced by a newer owner (%s): let go", partition, error)
            self.deciders.pop(partition, None)
            self.producers.pop(partition, None)
            self.observer.revoked(partition, "fenced")
            return
        log.warning("transaction failed (%s); recovering partition %d", error, partition)
        fatal = kafka_error is not None and (
            kafka_error.fatal() or kafka_error.txn_requires_abort() is False
        )
        self._rewind(partition, producer, fatal=fatal)

    def _rewind(self, partition: int, producer: Producer, *, fatal: bool) -> None:
        """Abort the open transaction, rebuild the partition's state from the log and go
        back to its last committed command."""
        try:
            producer.abort_transaction(30)
        except KafkaException:
            fatal = True
        if fatal:
            self.producers[partition] = self._new_producer(partition)
        [committed] = self.consumer.committed(
            [TopicPartition(self.config.kafka.commands_topic, partition)], timeout=30
        )
        self.deciders[partition] = self._restore(partition)
        self.consumer.seek(TopicPartition(committed.topic, partition, max(committed.offset, 0)))


FENCED = (KafkaError._FENCED, KafkaError.PRODUCER_FENCED, KafkaError.INVALID_PRODUCER_EPOCH)


def transactional_id(topic_prefix: str, partition: int) -> str:
    """One per commands partition, whoever owns it: the fencing token of ownership."""
    return f"{topic_prefix}-partition-{partition}"
