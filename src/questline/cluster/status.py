"""What a cluster is doing: which worker owns which partitions, and how far behind
the workers (commands) are."""

from questline.adapters.kafka.group_status import KafkaGroups, high_watermarks
from questline.cluster.config import ClusterConfig


def cluster_status(config: ClusterConfig) -> dict[str, object]:
    kafka = config.kafka
    groups = KafkaGroups(kafka)
    workers_group = f"{kafka.topic_prefix}-workers"
    commands_high = high_watermarks(kafka, kafka.commands_topic)
    committed = groups.committed(workers_group, kafka.commands_topic)
    command_lag = {
        p: max(high - max(committed.get(p, 0), 0), 0) for p, high in commands_high.items()
    }
    return {
        "workers": groups.members(workers_group),
        "projectors": groups.members(f"{kafka.topic_prefix}-projectors"),
        "command_lag": command_lag,
    }
