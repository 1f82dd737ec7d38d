"""Apache Cassandra: snapshots, read models and the event archive (cassandra-driver)."""
