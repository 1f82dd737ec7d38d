"""Logs: Elastic Common Schema JSON lines on stdout (a readable console on a terminal).

Every line, from structlog or from the standard `logging` module (uvicorn, libraries,
older modules), goes through one handler: context (the request's `trace.id`), a
timestamp, the redaction safety net, then the ECS renderer. Fields are given with
dotted ECS names (`trace.id`, `http.response.status_code`, `questline.hunt_id`) and
come out nested.
"""

import logging
import os
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal, TextIO, cast

import ecs_logging
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

_HANDLER_NAME = "questline-ecs"


def _is_sensitive(key: str) -> bool:
    lowered = key.lower()
    if lowered in _ALLOWED_KEYS:
        return False
    return lowered.rsplit(".", 1)[-1] in SENSITIVE_KEYS


def scrub_text(text: str) -> str:
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
    renderer: Processor
    if fmt == "json":
        renderer = cast(Processor, ecs_logging.StructlogFormatter())
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
    handler = logging.StreamHandler(target)
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
