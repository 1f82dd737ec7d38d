"""What a projector holds in memory for a hunt is exactly what a replay writes
for it, table by table (the audit feed, append-only, aside): the cluster
reconciler compares the store against it."""

from hypothesis import given

from questline.domain.projections.projector import Projector
from questline.engine.batch_decider import BatchDecider
from questline.engine.memory_rows import rows_in_memory
from questline.engine.verification import fold_rows
from questline.ports import CommandRecord
from tests.properties.budget import ENGINE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import create_envelope, envelope


def nothing_known(_: object) -> dict[str, CommandRecord]:
    return {}


@ENGINE
@given(scenarios(max_steps=30))
def test_rows_in_memory_equal_a_replay_of_the_hunt(scenario: Scenario) -> None:
    decider = BatchDecider()
    events = decider.decide_batch(
        [create_envelope(scenario.definition)], scenario.times[0], nothing_known
    ).events
    for index, command in enumerate(scenario.commands):
        events += decider.decide_batch(
            [envelope(index + 1, command)], scenario.times[index], nothing_known
        ).events
    projector = Projector()
    projector.apply_all(events)
    projector.take_changes()
    replayed, _ = fold_rows(events)
    hunt_id = scenario.definition.id
    expected = {key: row for key, row in replayed.items() if key[0] != "audit" and row is not None}
    assert rows_in_memory(projector, hunt_id) == expected
