"""ECS lines written directly, for the lines logged once per request or per event.

structlog's processor chain, the ECS formatter (the standard json module) and
`logging` cost a hundred microseconds and more per line: more than deciding a command.
The lines of the hot paths (the access log, `event-committed`) know their fields, so
they are nested and encoded here with msgspec and written to the JSON handler under its
lock: the same line, the same stream, the same redaction (sensitive keys masked, text
scrubbed of tokens), a tenth of the cost. Without a JSON handler (a terminal's console
output) `emit` says so and the caller logs the usual way."""

import logging
import os
import time
from typing import Any

import msgspec

from questline.observability import logs

_json = msgspec.json.Encoder()
LEVEL_NAMES = {
    logging.DEBUG: "debug",
    logging.INFO: "info",
    logging.WARNING: "warning",
    logging.ERROR: "error",
    logging.CRITICAL: "critical",
}


class Clock:
    """The ECS timestamp; its seconds are formatted once a second."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def stamp(self, now: float) -> str:
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((now - second) * 1000):03d}Z"


clock = Clock()


def emit(logger: str, level: int, message: str, fields: dict[str, Any]) -> bool:
    """Write one ECS line with these dotted fields (None values left out); False when
    there is no JSON handler to write to (log it the usual way then)."""
    target = logs.json_target()
    if target is None:
        return False
    line: dict[str, Any] = {
        "@timestamp": clock.stamp(time.time()),
        "log.level": LEVEL_NAMES.get(level, "info"),
        "message": logs.scrub_text(message),
        "ecs.version": "1.6.0",
        "log": {"logger": logger},
        "process": {"pid": os.getpid()},
        "service": {"name": target.service},
    }
    for key, given in fields.items():
        if given is None:
            continue
        value = (
            logs.REDACTED
            if logs.is_sensitive(key)
            else logs.scrub_text(given)
            if isinstance(given, str)
            else given
        )
        parts = key.split(".")
        node = line
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    text = _json.encode(line).decode() + "\n"
    write(target, text)
    return True


def write(target: logs.JsonTarget, text: str) -> None:
    handler = target.handler
    handler.acquire()
    try:
        handler.stream.write(text)
        handler.flush()
    finally:
        handler.release()
