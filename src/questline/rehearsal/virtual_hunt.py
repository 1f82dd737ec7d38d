"""One hunt decided by the real rules (`decide`, then `evolve` for each event), at
times the simulation passes in: the engine's core without its store or clock.

Nothing is written anywhere; the events are folded into the state and handed to
the caller, which is all a rehearsal needs of them.
"""

import time
from collections import Counter

from questline.domain.commands import Command
from questline.domain.decide import Accepted, decide
from questline.domain.definition import HuntDefinition
from questline.domain.events import Event, HuntCreated, RecordedEvent
from questline.domain.hunt_state import HuntState, evolve
from questline.domain.rejections import Rejection
from questline.domain.replies import Reply
from questline.domain.timestamps import MICROS_PER_SECOND, Micros

CREATED_BEFORE_START = 3600 * MICROS_PER_SECOND


class VirtualHunt:
    def __init__(self, definition: HuntDefinition) -> None:
        created = RecordedEvent(
            definition.id,
            1,
            definition.starts_at - CREATED_BEFORE_START,
            "rehearsal-0",
            HuntCreated(definition),
        )
        self.state: HuntState = evolve(None, created)
        self.commands = 0
        self.refusals: Counter[str] = Counter()
        self.rules_seconds = 0.0  # wall time spent deciding and folding (for the benchmark)

    def run(self, command: Command, now: Micros) -> tuple[Reply | Rejection, list[Event]]:
        """Decide the command at `now`; fold what it decided. Returns the reply (or the
        refusal) and the events."""
        started = time.perf_counter()
        self.commands += 1
        decision = decide(self.state, command, now)
        if isinstance(decision, Rejection):
            self.refusals[decision.code] += 1
            self.rules_seconds += time.perf_counter() - started
            return decision, []
        assert isinstance(decision, Accepted)
        state = self.state
        for event in decision.events:
            recorded = RecordedEvent(
                state.hunt_id,
                state.version + 1,
                max(now, state.last_time),
                f"rehearsal-{self.commands}",
                event,
            )
            evolve(state, recorded)
        self.rules_seconds += time.perf_counter() - started
        return decision.reply, decision.events
