"""A hunt's events before a version, for an API node: the Cassandra event archive
(indexed by hunt), and what the projector has not archived yet from the hunt's
events partition (read committed, from the last archived offset on)."""

from collections.abc import Callable

from questline.adapters.kafka.partition_reader import read_partition
from questline.cluster.config import ClusterConfig
from questline.domain.events import RecordedEvent
from questline.ports import EventReader, partition_of


def hunt_history(
    config: ClusterConfig, archive: EventReader
) -> Callable[[str, int], list[RecordedEvent]]:
    def history(hunt_id: str, before: int) -> list[RecordedEvent]:
        events = [e for e in archive.read(hunt_id=hunt_id) if e.version < before]
        last = events[-1] if events else None
        if (last.version if last else 0) >= before - 1:
            return events

        def keep(recorded: RecordedEvent) -> None:
            newer = recorded.version > (last.version if last else 0)
            if recorded.hunt_id == hunt_id and newer and recorded.version < before:
                events.append(recorded)

        # An event's position is its offset + 1: the next offset to read.
        start = last.position if last is not None else 0
        read_partition(
            config.kafka, partition_of(hunt_id, config.kafka.partitions), keep, start=start
        )
        return events

    return history
