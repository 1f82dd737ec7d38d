"""A worker or projector the broker will not have in its group (a session timeout
below the brokers' minimum) stops with what to change, instead of polling forever
owning nothing."""

import pytest
from confluent_kafka import KafkaError

from questline.adapters.kafka.group_member import GroupRefused, check_membership


def test_a_refused_session_timeout_names_both_settings_to_change() -> None:
    error = KafkaError(KafkaError.INVALID_SESSION_TIMEOUT, "JoinGroup failed")
    with pytest.raises(GroupRefused) as refused:
        check_membership(error, 3000)
    message = str(refused.value)
    assert "3000 ms" in message
    assert "group.min.session.timeout.ms" in message and "session_timeout_ms" in message


def test_other_consumer_errors_are_left_to_the_client_to_retry() -> None:
    check_membership(KafkaError(KafkaError._TRANSPORT, "broker down"), 3000)
    check_membership(KafkaError(KafkaError.REBALANCE_IN_PROGRESS, "rebalance"), 3000)
