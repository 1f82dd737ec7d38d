"""The index of wrong answers that rejudging reads: one team's answer is a tuple, a
second team turns it into a dict, and either way each team keeps its earliest."""

from questline.domain.attempt_index import AttemptIndex

UNIT = ("lighthouse", "")


def test_a_team_keeps_its_earliest_attempt_with_an_answer() -> None:
    index = AttemptIndex()
    index.remember(UNIT, "keeper", "t1", (5, 50, 0))
    index.remember(UNIT, "keeper", "t1", (9, 90, 10))
    assert list(index.answers(UNIT)) == [("keeper", "t1", (5, 50, 0))]


def test_a_second_team_with_the_same_answer_is_kept_beside_the_first() -> None:
    index = AttemptIndex()
    index.remember(UNIT, "keeper", "t1", (5, 50, 0))
    index.remember(UNIT, "keeper", "t2", (7, 70, 10))
    index.remember(UNIT, "keeper", "t1", (8, 80, 0))
    index.remember(UNIT, "keeper", "t3", (9, 90, 0))
    index.remember(UNIT, "keeper", "t2", (11, 110, 0))
    assert list(index.answers(UNIT)) == [
        ("keeper", "t1", (5, 50, 0)),
        ("keeper", "t2", (7, 70, 10)),
        ("keeper", "t3", (9, 90, 0)),
    ]


def test_units_and_answers_come_back_in_the_order_first_seen() -> None:
    index = AttemptIndex()
    index.remember(("a", ""), "x", "t1", (1, 10, 0))
    index.remember(("b", "p1"), "y", "t2", (2, 20, 0))
    index.remember(("a", ""), "z", "t2", (3, 30, 0))
    index.remember(("a", ""), "x", "t3", (4, 40, 0))
    assert list(index.units()) == [("a", ""), ("b", "p1")]
    assert list(index) == [
        (("a", ""), "x", "t1", (1, 10, 0)),
        (("a", ""), "x", "t3", (4, 40, 0)),
        (("a", ""), "z", "t2", (3, 30, 0)),
        (("b", "p1"), "y", "t2", (2, 20, 0)),
    ]
    assert list(index.answers(("c", ""))) == []
