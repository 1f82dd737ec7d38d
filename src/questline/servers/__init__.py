"""Real Apache Kafka (KRaft) and Apache Cassandra servers, run from Maven Central jars.

Nothing here uses Docker or release tarballs: :mod:`questline.servers.maven` copies each
server's jars into a cache with ``mvn dependency:copy-dependencies``, and
:mod:`questline.servers.kafka` / :mod:`questline.servers.cassandra` start them with
``java -cp`` on loopback addresses, for integration tests (one node each) and for a local
cluster (three nodes each). ``python -m questline.servers up|status|down`` drives them
from a shell.
"""

from questline.servers.process import (
    JavaNotFoundError,
    MavenNotFoundError,
    ServerError,
    ServerStartError,
)

__all__ = ["JavaNotFoundError", "MavenNotFoundError", "ServerError", "ServerStartError"]
