"""Per-team state starts with shared empty containers (shared_empty.py): reading them
is reading an empty container, and changing one fails instead of changing every team."""

import pytest

from questline.domain.shared_empty import empty_dict, empty_ints, empty_list, empty_set


def test_a_shared_empty_container_reads_as_an_empty_one() -> None:
    assert empty_dict() == {} and empty_dict().get("x") is None
    assert empty_dict().pop("x", None) is None  # taking nothing out changes nothing
    assert empty_list() == [] and empty_set() == set() and not empty_ints()
    assert empty_dict() is empty_dict()  # one, shared


@pytest.mark.parametrize(
    "change",
    [
        lambda: empty_dict().__setitem__("a", 1),
        lambda: empty_dict().setdefault("a", []),
        lambda: empty_dict().update(a=1),
        lambda: empty_list().append(1),
        lambda: empty_list().extend([1]),
        lambda: empty_set().add(1),
        lambda: empty_set().update({1}),
        lambda: empty_ints().append(1),
        lambda: empty_ints().insert(0, 1),
    ],
)
def test_changing_a_shared_empty_container_fails_and_leaves_it_empty(change: object) -> None:
    with pytest.raises(TypeError, match="shared empty container"):
        change()  # type: ignore[operator]
    assert empty_dict() == {} and empty_list() == [] and empty_set() == set()
    assert not empty_ints()
