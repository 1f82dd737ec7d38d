"""Failures that are one command's fault, not the store's.

A value the store cannot hold fails the transaction of the whole batch it came in:
one solve of a clue worth 2^62 points ("Python int too large to convert to SQLite
INTEGER") once made every unrelated command of its batch fail with 503. Errors of
these kinds are about the data, so the writer looks for the command at fault and
refuses it alone (the embedded engine after a trial run of the batch, a cluster
worker by the message that failed to encode or produce). Errors of the store itself
(disk full, I/O, a lock, a fence) are not listed: they fail the batch and every
caller is told, as before.
"""

import msgspec

UNWRITABLE_ERRORS: tuple[type[Exception], ...] = (
    OverflowError,  # an integer past what the store or the encoding holds
    ValueError,  # text that cannot be encoded (UnicodeEncodeError), a bad value
    TypeError,  # a value of a type the store cannot bind
    msgspec.EncodeError,
)


def reason_of(error: BaseException) -> str:
    """The error, short, for the refusal a client reads."""
    return f"{type(error).__name__}: {error}"[:300]
