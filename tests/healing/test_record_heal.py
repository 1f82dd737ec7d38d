"""A cluster reconciler's heal reaches the hunt's log through the decider like any
other fact: RecordHeal becomes one read_model_healed event; a heal of an unknown
hunt is refused."""

from questline.domain.commands import RecordHeal
from questline.domain.decide import Accepted, decide
from questline.domain.events import ReadModelHealed
from questline.domain.rejections import Rejection
from tests.hunt_builders import STARTS, PureHunt, spec_hunt


def test_a_recorded_heal_becomes_a_read_model_healed_event() -> None:
    hunt = PureHunt(spec_hunt())
    decision = decide(hunt.state, RecordHeal(hunt.hunt_id, "teams", 3), STARTS)
    assert isinstance(decision, Accepted)
    assert decision.events == [ReadModelHealed("teams", 3)]


def test_a_heal_of_an_unknown_hunt_is_refused() -> None:
    decision = decide(None, RecordHeal("nowhere", "teams", 1), STARTS)
    assert isinstance(decision, Rejection) and decision.code == "unknown_hunt"
