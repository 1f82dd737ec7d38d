"""`until_answered`: a store that does not answer is tried again; anything else is not."""

import threading

import pytest
from cassandra import OperationTimedOut, Unavailable
from cassandra.cluster import NoHostAvailable

from questline.cluster.store_retry import until_answered
from questline.observability import metrics


def _retries(operation: str) -> float:
    return metrics.STORE_RETRIES.labels(operation)._value.get()


def test_a_store_that_answers_late_is_tried_until_it_answers() -> None:
    failures = [OperationTimedOut("no answer"), NoHostAvailable("all down", {})]

    def call() -> str:
        if failures:
            raise failures.pop(0)
        return "answered"

    before = _retries("late")
    assert until_answered(call, "late") == "answered"
    assert _retries("late") == before + 2


def test_an_error_that_is_not_the_store_being_away_is_raised_at_once() -> None:
    calls = []

    def call() -> None:
        calls.append(1)
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        until_answered(call, "bug")
    assert len(calls) == 1


def test_past_its_deadline_the_last_error_is_raised() -> None:
    def call() -> None:
        raise Unavailable("2 replicas required, 1 alive")

    with pytest.raises(Unavailable):
        until_answered(call, "away", deadline_s=0.0)


def test_a_stop_ends_the_tries() -> None:
    stop = threading.Event()
    calls = []

    def call() -> None:
        calls.append(1)
        stop.set()  # the process is asked to stop while the store is away
        raise OperationTimedOut("no answer")

    with pytest.raises(OperationTimedOut):
        until_answered(call, "stopping", stop=stop)
    assert len(calls) == 1
