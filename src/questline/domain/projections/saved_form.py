"""How projections save their state for snapshots: MessagePack of their own structs.

Each projection owns the form of its state (`dump` / `load`); this module only
holds the one encoder they share and makes their decoders.
"""

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_encoder = msgspec.msgpack.Encoder()


def encode(value: Any) -> bytes:
    return _encoder.encode(value)


def decoder(kind: type[T]) -> msgspec.msgpack.Decoder[T]:
    return msgspec.msgpack.Decoder(kind)
