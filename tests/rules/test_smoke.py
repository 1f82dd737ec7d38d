from questline.domain.replies import SubmissionReply
from tests.hunt_builders import PureHunt, spec_hunt


def test_a_team_solves_the_first_clue_and_earns_points_and_bonus() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    reply = hunt.solve_lighthouse(team)
    assert reply == SubmissionReply("correct", 100, 50, 150)
