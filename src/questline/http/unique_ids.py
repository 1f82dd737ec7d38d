"""Ids for requests and commands that came without one: unique, not secret.

uuid4 reads os.urandom per id, a system call that lets go of the GIL: under load the
event loop then waits for the engine's writer thread to hand it back (up to the switch
interval, 5 ms) twice per submission. These ids are a random per-process prefix (drawn
again in a forked child) and a counter: as unique as uuid4 in practice (64 random bits
per process start), at no system call."""

import itertools
import os
import secrets


class _Ids:
    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        self.prefix = secrets.token_hex(8)
        self.counter = itertools.count()

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):016x}"


_IDS = _Ids()
os.register_at_fork(after_in_child=_IDS.renew)


def new_id() -> str:
    """32 hex characters, as uuid4().hex, never repeated by this process."""
    return _IDS.next()
