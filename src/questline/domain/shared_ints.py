"""One int object per registration order, shared by every fold that keeps one.

The decision state, the live and frozen boards and the teams read model each keep a
team's registration order, each computing it as `len(...) + 1`: above 256 every
such int is an object of its own (32 bytes), so a team paid for three or four equal
ints. `shared_int` hands out one object per value instead. The table holds each
value once, up to the most teams any hunt has had; it changes no result, only which
object holds it.
"""

_SHARED: dict[int, int] = {}


def shared_int(value: int) -> int:
    """An int equal to `value`, the same object for every caller (setdefault is one
    step under the GIL, so threads folding side by side agree on it)."""
    return _SHARED.setdefault(value, value)
