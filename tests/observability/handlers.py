"""Logging set up as a production process has it, inside a test."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def only_our_handler() -> Iterator[None]:
    """pytest's capture handlers set aside: the direct way needs ours alone."""
    root = logging.getLogger()
    kept, level = list(root.handlers), root.level
    for handler in kept:
        root.removeHandler(handler)
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in kept:
            root.addHandler(handler)
        root.setLevel(level)
