"""Where the Cassandra adapter finds its nodes and keyspace: plain values, read from
a cluster file by the entry points (cluster/config.py) and handed in."""

import msgspec


class CassandraSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    contact_points: tuple[str, ...] = ("127.0.0.1",)
    port: int = 9042
    keyspace: str = "questline"
    replication_factor: int = 1
    local_dc: str = "datacenter1"
