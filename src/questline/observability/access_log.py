"""The access log: one ECS line per request, every request, encoded directly.

Through structlog, the ECS formatter and `logging` a request's line cost more than the
rest of a no-op request (28% of the server under load, docs/benchmarks.md). Its fields
are always the same few, all ours: the line is a template with the constant parts
(ECS version, logger, service, process) encoded once, and only the time, duration,
method, status, route, path, error code and correlation id filled in. It is written to
the same handler and stream, under the handler's lock, so lines never interleave with
the others. Every request is logged, not a sample: a line costs about as much as a
Prometheus observation now, and a sampled log could not answer "what happened to my
request" (the correlation id) for the one that matters.

The path is the only field a client chooses beyond the method: it is JSON-escaped and
masked like any logged text (a token pasted into a URL). With console output (a
terminal) or no JSON handler the line goes through structlog as before."""

import logging
import os
import time
from typing import Any

from questline.observability import logs
from questline.observability.line_parts import Clock, quote, quote_once

_LOGGER = "questline.http"

_log = logs.get_logger(_LOGGER)
_std = logging.getLogger(_LOGGER)


_LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.ERROR: "error"}
_clock = Clock()


def write(
    level: int,
    *,
    method: str,
    status: int,
    path: str,
    route: str,
    code: str,
    seconds: float,
    correlation_id: str,
) -> None:
    """Log one request at `level` (logging.DEBUG, INFO or ERROR)."""
    if not _std.isEnabledFor(level):
        return
    target = logs.json_target()
    if target is None:
        _slow(level, method, status, path, route, code, seconds)
        return
    message = "request failed" if level >= logging.ERROR else "request handled"
    error = f'"error_code":{quote(code)},' if code else ""
    line = (
        f'{{"@timestamp":"{_clock.stamp(time.time())}","log.level":"{_LEVELS[level]}",'
        f'"message":"{message}","ecs.version":"1.6.0",'
        f'"event":{{"action":"http-request","duration":{int(seconds * 1e9)}}},'
        f'"http":{{"request":{{"method":"{method}"}},"response":{{"status_code":{status}}}}},'
        f'"log":{{"logger":"{_LOGGER}"}},"process":{{"pid":{os.getpid()}}},'
        f'"questline":{{{error}"route":{quote(route)}}},'
        f'"service":{{"name":{quote(target.service)}}},'
        f'"trace":{{"id":"{correlation_id}"}},'  # checked by correlation.py: [A-Za-z0-9._:-]
        f'"url":{{"path":{quote_once(logs.scrub_text(path))}}}}}\n'
    )
    target.acquire()
    try:
        target.stream.write(line)
        target.flush()
    finally:
        target.release()


def _slow(
    level: int, method: str, status: int, path: str, route: str, code: str, seconds: float
) -> None:
    fields: dict[str, Any] = {
        "event.action": "http-request",
        "event.duration": int(seconds * 1e9),
        "http.request.method": method,
        "http.response.status_code": status,
        "url.path": path,
        "questline.route": route,
    }
    if code:
        fields["questline.error_code"] = code
    if level >= logging.ERROR:
        _log.error("request failed", **fields)
    elif level >= logging.INFO:
        _log.info("request handled", **fields)
    else:
        _log.debug("request handled", **fields)
