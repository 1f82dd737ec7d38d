"""The driver errors that mean "Cassandra did not answer now", not "the request is
wrong": a replica down or slow, a connection lost. Retrying later can succeed."""

from cassandra import CoordinationFailure, OperationTimedOut, Timeout, Unavailable
from cassandra.cluster import NoHostAvailable
from cassandra.connection import ConnectionException

UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationTimedOut,
    Timeout,  # ReadTimeout, WriteTimeout, CAS timeouts: too few replicas answered in time
    Unavailable,
    CoordinationFailure,
    NoHostAvailable,
    ConnectionException,
)
