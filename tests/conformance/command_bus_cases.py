"""What every CommandBus must do (ports.py): the embedded group commit and the API
node's Kafka bus answer the same way. A subclass provides `bus`: a started bus in
front of a fresh engine (a partition worker, for Kafka)."""

import threading
import time
import uuid
from concurrent.futures import Future

import pytest

from questline.adapters.clocks import SystemClock
from questline.domain.commands import CreateHunt, RegisterTeam
from questline.domain.events import TeamRegistered
from questline.domain.replies import HuntReply, TeamReply
from questline.loadgen.workload import workload_hunt
from questline.ports import CommandBus, CommandEnvelope, EngineStopped, Outcome

ANSWER_WITHIN_S = 30.0


def answered(future: "Future[Outcome]") -> Outcome:
    return future.result(timeout=ANSWER_WITHIN_S)


def new_hunt(bus: CommandBus) -> str:
    hunt_id = f"bus-{uuid.uuid4().hex[:8]}"
    started = SystemClock().now() - 3_600_000_000  # open for an hour already
    outcome = answered(
        bus.submit(
            CommandEnvelope(
                f"create-{hunt_id}", CreateHunt(hunt_id, workload_hunt(hunt_id, started))
            )
        )
    )
    assert outcome.reply == HuntReply(hunt_id), outcome
    return hunt_id


class CommandBusConformance:
    def test_a_command_is_answered_once_its_events_are_durable(self, bus: CommandBus) -> None:
        hunt_id = new_hunt(bus)
        outcome = answered(
            bus.submit(CommandEnvelope(f"reg-{hunt_id}", RegisterTeam(hunt_id, "Otters", "h1")))
        )
        assert outcome.accepted and isinstance(outcome.reply, TeamReply)
        [event] = outcome.events
        assert isinstance(event.event, TeamRegistered)
        assert (event.hunt_id, event.version, event.command_id) == (hunt_id, 2, f"reg-{hunt_id}")

    def test_a_retry_gets_the_first_answer_and_changes_nothing(self, bus: CommandBus) -> None:
        hunt_id = new_hunt(bus)
        envelope = CommandEnvelope(
            f"reg-{hunt_id}", RegisterTeam(hunt_id, "Otters", "h1"), fingerprint="same"
        )
        first = answered(bus.submit(envelope))
        again = answered(bus.submit(envelope))
        assert again.replayed and again.reply == first.reply and again.events == ()
        other = CommandEnvelope(
            envelope.command_id, RegisterTeam(hunt_id, "Badgers", "h2"), fingerprint="other"
        )
        refused = answered(bus.submit(other))
        assert refused.rejection is not None and refused.rejection.status == 422

    def test_a_refusal_is_answered_too(self, bus: CommandBus) -> None:
        hunt_id = new_hunt(bus)
        outcome = answered(
            bus.submit(
                CommandEnvelope(f"again-{hunt_id}", CreateHunt(hunt_id, workload_hunt(hunt_id, 0)))
            )
        )
        assert not outcome.accepted and outcome.rejection is not None
        assert outcome.rejection.status == 409

    def test_nothing_is_left_waiting_once_answered(self, bus: CommandBus) -> None:
        new_hunt(bus)
        give_up = time.monotonic() + ANSWER_WITHIN_S
        pause = threading.Event()
        while bus.depth and time.monotonic() < give_up:
            pause.wait(0.05)
        assert bus.depth == 0

    def test_a_stopped_bus_takes_no_commands(self, bus: CommandBus) -> None:
        bus.stop()
        assert not bus.running
        with pytest.raises(EngineStopped):
            bus.submit(CommandEnvelope("late", CreateHunt("late", workload_hunt("late", 0))))
