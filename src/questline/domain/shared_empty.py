"""Shared empty containers: per-team state starts with these instead of a new dict,
list or set per field, so a team costs memory only for what it has done.

Most teams hold nothing in most of their containers (no hints, no photos, no parts),
and an empty dict costs 64 bytes, an empty set 216, an empty array 80. The shared ones refuse every
change (TypeError), so code that forgets to take its own container first fails
loudly instead of changing every team at once: before changing a container that
may be empty, its owner puts a new one of its own in its place.
"""

from array import array
from typing import Any, NoReturn, TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise TypeError("a shared empty container cannot change: take your own first")


class _EmptyDict(dict[Any, Any]):
    __slots__ = ()
    __setitem__ = __delitem__ = setdefault = update = popitem = clear = _refuse
    __ior__ = _refuse


class _EmptyList(list[Any]):
    __slots__ = ()
    __setitem__ = __delitem__ = append = extend = insert = remove = _refuse
    pop = sort = reverse = clear = __iadd__ = __imul__ = _refuse


class _EmptySet(set[Any]):
    __slots__ = ()
    add = update = remove = pop = clear = _refuse
    __ior__ = __iand__ = __isub__ = __ixor__ = _refuse
    difference_update = intersection_update = symmetric_difference_update = _refuse


class _EmptyArray(array):  # type: ignore[type-arg]
    __slots__ = ()
    __setitem__ = __delitem__ = append = extend = insert = remove = pop = _refuse
    fromlist = frombytes = byteswap = reverse = __iadd__ = __imul__ = _refuse


_DICT = _EmptyDict()
_LIST = _EmptyList()
_SET = _EmptySet()
_INTS = _EmptyArray("q")


def empty_dict() -> dict[K, V]:
    return cast(dict[K, V], _DICT)


def empty_list() -> list[T]:
    return cast(list[T], _LIST)


def empty_set() -> set[T]:
    return cast(set[T], _SET)


def empty_ints() -> "array[int]":
    """An empty array of 64-bit integers."""
    return _INTS
