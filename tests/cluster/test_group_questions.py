"""Kafka group questions are asked again while the coordinator is busy, each time on a
renewed client (group_status.asked), and not when the error is not worth retrying."""

import pytest
from confluent_kafka import KafkaError, KafkaException

from questline.adapters.kafka.group_status import asked


def test_a_busy_coordinator_is_asked_again_on_a_renewed_client() -> None:
    answers = iter(
        [
            KafkaException(KafkaError(KafkaError.COORDINATOR_LOAD_IN_PROGRESS)),
            KafkaException(KafkaError(KafkaError.NOT_COORDINATOR)),
            {"worker-a": [0, 1]},
        ]
    )
    renewed = []

    def question() -> dict[str, list[int]]:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert asked(question, renew=lambda: renewed.append(1)) == {"worker-a": [0, 1]}
    assert len(renewed) == 2  # before each new try, not after the answer


def test_an_error_not_worth_retrying_is_raised_at_once() -> None:
    renewed = []

    def question() -> None:
        raise KafkaException(KafkaError(KafkaError.GROUP_AUTHORIZATION_FAILED))

    with pytest.raises(KafkaException):
        asked(question, renew=lambda: renewed.append(1))
    assert renewed == []
