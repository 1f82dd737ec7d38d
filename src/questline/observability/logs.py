"""Logs: Elastic Common Schema JSON lines on stdout (a readable console on a terminal).

Every line, from structlog or from the standard `logging` module (uvicorn, libraries,
older modules), goes through one handler: context (the request's `trace.id`), a
timestamp, the redaction safety net, then the ECS renderer. Fields are given with
dotted ECS names (`trace.id`, `http.response.status_code`, `questline.hunt_id`) and
come out nested.
"""

import functools
import logging
import os
import re
import sys
import time
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, Literal, TextIO

import msgspec
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

SERVICE_ENV = "QUESTLINE_SERVICE_NAME"
LEVEL_ENV = "QUESTLINE_LOG_LEVEL"
FORMAT_ENV = "QUESTLINE_LOG_FORMAT"  # json | console (default: console on a terminal)

LogFormat = Literal["json", "console"]

REDACTED = "[REDACTED]"
# Keys whose values are secrets wherever they appear (compared without case; for a
# dotted key, its last part): answers, codes, tokens, their digests, credentials.
SENSITIVE_KEYS = frozenset(
    {
        "answer",
        "answers",
        "accept",
        "accept_regex",
        "keep_going",
        "code",
        "codes",
        "given",
        "token",
        "tokens",
        "token_hash",
        "authorization",
        "cookie",
        "password",
        "secret",
        "idempotency_key",
        "idempotency-key",
    }
)
# Keys that look sensitive by name but carry none: error and status codes.
_ALLOWED_KEYS = frozenset({"error.code", "questline.error_code", "status_code"})
_SECRET_TEXT = (
    (re.compile(r"\bql[otp]_[A-Za-z0-9_\-]{4,}"), REDACTED),  # organizer, team, operator tokens
    (re.compile(r"(?i)\b(bearer)\s+[^\s\"',;]+"), r"\1 " + REDACTED),
    (
        re.compile(r"(?i)(\b(?:answer|code|token|token_hash)[\"']?\s*[:=]\s*)[\"']?[^\s\"',}]+"),
        r"\1" + REDACTED,
    ),
)

# Text none of the patterns above can match is left alone without trying each: most
# values (ids, types, names) are such text, and the line per event is on the hot path.
_MAYBE_SECRET = re.compile(r"(?i)ql[ot]_|bearer|answer|code|token")

_HANDLER_NAME = "questline-ecs"


@functools.lru_cache(maxsize=4096)  # keys come from a small set: each is judged once
def _is_sensitive(key: str) -> bool:
    lowered = key.lower()
    if lowered in _ALLOWED_KEYS:
        return False
    return lowered.rsplit(".", 1)[-1] in SENSITIVE_KEYS


def scrub_text(text: str) -> str:
    if _MAYBE_SECRET.search(text) is None:
        return text
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if isinstance(key, str) and _is_sensitive(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(item) for item in value]
    return value


def redact(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """The safety net: whatever a caller logs, no answer, code, token or digest leaves.
    Values under sensitive keys are replaced; tokens and `answer: ...` in text are masked."""
    for key in list(event_dict):
        if key.startswith("_"):
            continue
        if _is_sensitive(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def _service(service_name: str) -> Processor:
    def add(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service.name", service_name)
        event_dict.setdefault("process.pid", os.getpid())
        return event_dict

    return add


def _logger_name(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    record = event_dict.get("_record")
    name = record.name if isinstance(record, logging.LogRecord) else getattr(logger, "name", None)
    if name:
        event_dict.setdefault("log.logger", name)
    return event_dict


def _stringify_message(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    event_dict["event"] = str(event_dict.get("event", ""))
    return event_dict


class _ConsoleFields:
    """For the console: dotted names flat (`trace.id=...`), the timestamp short."""

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
        event_dict.pop("service.name", None)
        event_dict.pop("process.pid", None)
        return event_dict


class _StdoutStream:
    """Writes to whatever sys.stdout is at the time (pytest capture, rich's Live proxy)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


ECS_VERSION = "1.6.0"
_json = msgspec.json.Encoder(enc_hook=repr, order="sorted")


class EcsJson:
    """The ECS JSON renderer: the line `ecs_logging.StructlogFormatter` writes
    (`@timestamp`, `log.level` and `message` first, then every other field nested
    by its dotted name, keys sorted), built several times faster: a worker writes
    one line per committed event, and formatting them was most of its time."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def _timestamp(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._prefix}.{int((now - second) * 1000):03d}Z"

    def __call__(self, logger: WrappedLogger, method_name: str, event_dict: EventDict) -> str:
        message = str(event_dict.pop("event", ""))
        stamp = event_dict.pop("@timestamp", None)
        nested: dict[str, Any] = {}
        for key, value in event_dict.items():
            _put(nested, key, value)
        log_part = nested.get("log")
        level = method_name.lower()
        if isinstance(log_part, dict):
            level = str(log_part.pop("level", level))
            if not log_part:
                del nested["log"]
        if "exception" in nested:
            trace = nested.pop("exception")
            error = nested.setdefault("error", {})
            if isinstance(error, dict):
                error["stack_trace"] = trace
        nested.setdefault("ecs.version", ECS_VERSION)  # flat, as ecs_logging writes it
        head = _json.encode(
            {"@timestamp": stamp or self._timestamp(), "log.level": level, "message": message}
        )
        rest = _json.encode(nested)
        return (head[:-1] + b"," + rest[1:]).decode() if nested else head.decode()


def _put(into: dict[str, Any], key: str, value: Any) -> None:
    """Set a dotted key as nested dictionaries (`trace.id` -> {"trace": {"id": ...}})."""
    parts = key.split(".")
    for part in parts[:-1]:
        inner = into.get(part)
        if not isinstance(inner, dict):
            inner = {} if inner is None else {"value": inner}
            into[part] = inner
        into = inner
    last = parts[-1]
    if isinstance(value, dict):
        target = into.setdefault(last, {})
        if isinstance(target, dict):
            for inner_key, inner_value in value.items():
                _put(target, str(inner_key), inner_value)
            return
    into[last] = value


def _shared_processors(service_name: str) -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        _logger_name,
        _service(service_name),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        _stringify_message,
        redact,
    ]


class _EcsHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one handler; it knows its renderer (JSON only) for `write_lines`."""

    def __init__(self, stream: TextIO, service: str, renderer: EcsJson | None) -> None:
        super().__init__(stream)
        self.service = service
        self.renderer = renderer


def json_target() -> "_EcsHandler | None":
    """The handler of this process's ECS JSON lines, for a writer that encodes its own
    line (access_log.py) and writes it under the handler's lock; None when logs are not
    ours alone in JSON (a console, a test's capture): then log the usual way."""
    handlers = logging.getLogger().handlers
    if len(handlers) != 1 or not isinstance(handlers[0], _EcsHandler):
        return None
    handler = handlers[0]
    return handler if handler.renderer is not None else None


def write_lines(logger_name: str, lines: Sequence[tuple[str, dict[str, Any]]]) -> bool:
    """Write many INFO lines (message, fields) at once: each exactly the line `log.info`
    writes (the same context, names, redaction and renderer), in one write and one
    flush. Only when this process logs ECS JSON through our handler alone; False when
    it does not (a console, a test's capture): then log them one by one. A worker
    writes a line per committed event, and the logging machinery around each line
    cost more than deciding the command."""
    handler = json_target()
    if handler is None or not logging.getLogger(logger_name).isEnabledFor(logging.INFO):
        return False
    renderer = handler.renderer
    assert renderer is not None  # json_target's promise
    if not lines:
        return True
    context = structlog.contextvars.get_contextvars()
    pid = os.getpid()
    rendered = []
    for message, values in lines:
        event: dict[str, Any] = {**values, "event": message}
        for key, value in context.items():
            event.setdefault(key, value)
        event.setdefault("log.logger", logger_name)
        event.setdefault("service.name", handler.service)
        event.setdefault("process.pid", pid)
        rendered.append(renderer(None, "info", redact(None, "info", event)))
    text = "\n".join(rendered) + "\n"
    handler.acquire()
    try:
        handler.stream.write(text)
        handler.flush()
    finally:
        handler.release()
    return True


def configure_logging(
    *,
    service_name: str | None = None,
    level: str | int | None = None,
    fmt: LogFormat | None = None,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every log line (structlog and standard logging) through one ECS handler.

    Replaces only the handler this function installed before; other handlers (pytest's
    capture, say) stay. Returns the handler."""
    service = service_name or os.environ.get(SERVICE_ENV) or "questline"
    level = level if level is not None else os.environ.get(LEVEL_ENV, "INFO").upper()
    target: TextIO = stream if stream is not None else _StdoutStream()  # type: ignore[assignment]
    if fmt is None:
        chosen = os.environ.get(FORMAT_ENV, "").lower()
        if chosen in ("json", "console"):
            fmt = "json" if chosen == "json" else "console"
        else:
            fmt = "console" if stream is None and sys.stdout.isatty() else "json"
    shared = _shared_processors(service)
    renderer: EcsJson | None = None
    if fmt == "json":
        renderer = EcsJson()
        final: list[Processor] = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            renderer,
        ]
    else:
        final = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _ConsoleFields(),
            structlog.processors.TimeStamper(fmt="%H:%M:%S.%f", utc=False),
            structlog.dev.ConsoleRenderer(colors=stream is None and sys.stdout.isatty()),
        ]
    formatter = structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=final)
    handler = _EcsHandler(target, service, renderer)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler


def ensure_logging() -> None:
    """Configure logging once per process, unless someone configured it already."""
    if not any(h.get_name() == _HANDLER_NAME for h in logging.getLogger().handlers):
        configure_logging()


def adopt_uvicorn_loggers() -> None:
    """uvicorn gives its loggers their own text handlers: let their lines go through ours."""
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


def bind_correlation(correlation_id: str) -> Any:
    """Every line logged from here on in this context carries the correlation id."""
    return structlog.contextvars.bind_contextvars(**{"trace.id": correlation_id})


def reset_correlation(tokens: Any) -> None:
    structlog.contextvars.reset_contextvars(**tokens)


def fields(values: MutableMapping[str, Any]) -> dict[str, Any]:
    """Drop empty values, so lines carry only the fields that apply."""
    return {key: value for key, value in values.items() if value not in (None, "")}
