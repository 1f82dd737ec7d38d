"""Where the HTTP layer sends commands: the embedded group commit, or Kafka."""

from concurrent.futures import Future
from typing import Protocol

from questline.engine.envelopes import CommandEnvelope, Outcome
from questline.engine.group_commit import BatchListener


class CommandBus(Protocol):
    listeners: list[BatchListener]

    def start(self) -> None: ...

    def stop(self) -> None: ...

    @property
    def running(self) -> bool: ...

    @property
    def depth(self) -> int:
        """Commands accepted but not yet answered (for load shedding and metrics)."""
        ...

    def submit(self, envelope: CommandEnvelope) -> Future[Outcome]:
        """Queue a command; raise Overloaded or EngineStopped instead of queueing forever."""
        ...
