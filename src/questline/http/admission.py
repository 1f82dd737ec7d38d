"""Admission control at the edge: overload is refused at once, never turned into waiting.

Every request but the probes, /metrics and the operator routes belongs to a budget:
reads (GET and HEAD: boards, streams, pages) or writes (everything else), each with an
adaptive concurrency limit (adaptive_limit.py) found by the latency its requests get,
so a submission storm fills the writes' budget and the big screen still reads. A write
arriving while a queue stands before the event loop (CoDel, queue_delay.py) is refused
too; reads are not, they are cheap. A refused request gets 503 with `Retry-After` and
the error body, before its body is read or its token looked at. Under uvicorn the
server's protocol (limited_protocol.py) decides as soon as a request's head is parsed
and writes the refusal itself, without an ASGI task; the app's gate gives the place back
when the answer starts (and decides itself under any other server). Refusals are
counted (`questline_http_admission_refused_total`), not logged one by one: one line
says when shedding starts and one when it ends. docs/operations.md says why a
limit on work in flight and not on a queue's length."""

import time
from dataclasses import dataclass

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questline.http.adaptive_limit import AdaptiveLimit
from questline.http.queue_delay import QueueDelay
from questline.http.server_limits import ADMITTED_KEY, ARRIVED_KEY
from questline.observability import metrics
from questline.observability.logs import get_logger

log = get_logger("questline.http")

# Never refused: probes (a load balancer must see the node alive), the scrape, operators.
_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
_EXEMPT_PREFIX = "/api/ops/"
_READS = frozenset({"GET", "HEAD"})
_QUIET_S = 1.0  # shedding is over after this long without a refusal
# A queue of fewer is not a queue: slow starts with so little in flight are the
# machine's noise (another process, the GIL), not overload, and are never refused.
_QUEUE_AT_LEAST = 4


@dataclass(frozen=True, slots=True)
class AdmissionSettings:
    enabled: bool = True
    # The latency admitted requests should get; each budget's limit shrinks past it.
    target_ms: float = 75.0
    # CoDel on the event loop (writes only): the wait that counts, over a whole interval.
    queue_delay_target_ms: float = 5.0
    queue_delay_interval_ms: float = 100.0
    writes_initial: int = 100
    writes_max: int = 1000
    reads_initial: int = 128
    reads_max: int = 2000
    minimum: int = 4
    retry_after_s: int = 1


class Budget:
    """One budget's limit and its refusal counters, bound once."""

    __slots__ = ("limit", "name", "refused_delay", "refused_limit")

    def __init__(self, name: str, limit: AdaptiveLimit) -> None:
        self.name = name
        self.limit = limit
        self.refused_limit = metrics.ADMISSION_REFUSED.labels(name, "limit")
        self.refused_delay = metrics.ADMISSION_REFUSED.labels(name, "queue_delay")


class Admission:
    """The state of one app's admission control (its budgets and the loop's queue)."""

    def __init__(self, settings: AdmissionSettings | None = None) -> None:
        self.configure(settings or AdmissionSettings())

    def configure(self, s: AdmissionSettings) -> None:
        """Start over with these settings (serve's options, before the app serves)."""
        self.settings = s
        target = s.target_ms / 1000

        def limit(initial: int, maximum: int) -> AdaptiveLimit:
            return AdaptiveLimit(
                initial=initial, minimum=s.minimum, maximum=maximum, target_s=target
            )

        self.reads = Budget("reads", limit(s.reads_initial, s.reads_max))
        self.writes = Budget("writes", limit(s.writes_initial, s.writes_max))
        self.loop = QueueDelay(s.queue_delay_target_ms / 1000, s.queue_delay_interval_ms / 1000)
        body = msgspec.json.encode(
            {
                "error": {
                    "code": "overloaded",
                    "message": "the server is at capacity; retry after the Retry-After "
                    "seconds (with the same Idempotency-Key)",
                    "details": {"retry_after": s.retry_after_s},
                }
            }
        )
        self.refusal_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(s.retry_after_s).encode()),
        ]
        self.refusal_body = body
        # The whole answer, for a server that writes it itself.
        self.refusal = (
            b"HTTP/1.1 503 Service Unavailable\r\n"
            + b"".join(name + b": " + value + b"\r\n" for name, value in self.refusal_headers)
            + b"\r\n"
            + body
        )
        self.shedding = False
        self.last_refusal = 0.0
        self.refused_since_start = 0

    def budget_for(self, method: str, path: str) -> Budget | None:
        """The budget a request belongs to (None: never refused)."""
        if not self.settings.enabled or path in _EXEMPT or path.startswith(_EXEMPT_PREFIX):
            return None
        return self.reads if method in _READS else self.writes

    def admit(self, budget: Budget, now: float) -> bool:
        """Take a place in the budget (True), or count the refusal (False)."""
        if (
            budget is self.writes
            and self.loop.congested(now)
            and self.reads.limit.in_flight + self.writes.limit.in_flight >= _QUEUE_AT_LEAST
        ):
            self.refused(budget, "queue_delay", now)
            return False
        if not budget.limit.acquire():
            self.refused(budget, "limit", now)
            return False
        return True

    def refresh_metrics(self) -> None:
        for budget in (self.reads, self.writes):
            metrics.ADMISSION_LIMIT.labels(budget.name).set(int(budget.limit.limit))
            metrics.ADMISSION_IN_FLIGHT.labels(budget.name).set(budget.limit.in_flight)

    def refused(self, budget: Budget, reason: str, now: float) -> None:
        (budget.refused_limit if reason == "limit" else budget.refused_delay).inc()
        self.last_refusal = now
        self.refused_since_start += 1
        if not self.shedding:
            self.shedding = True
            self.refused_since_start = 1
            log.warning(
                "shedding load",
                **{
                    "event.action": "shedding-started",
                    "questline.budget": budget.name,
                    "questline.reason": reason,
                    "questline.limit": int(budget.limit.limit),
                },
            )

    def check_quiet(self, now: float) -> None:
        if now - self.last_refusal > _QUIET_S:
            self.shedding = False
            log.info(
                "shedding ended",
                **{
                    "event.action": "shedding-ended",
                    "questline.refused": self.refused_since_start,
                    "questline.limit.reads": int(self.reads.limit.limit),
                    "questline.limit.writes": int(self.writes.limit.limit),
                },
            )


class AdmissionGate:
    """The ASGI middleware: the outermost of the app's, so a refusal costs the least."""

    def __init__(self, app: ASGIApp, admission: Admission) -> None:
        self.app = app
        self.admission = admission

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admission = self.admission
        now = time.monotonic()
        state = scope.get("state")
        budget: Budget | None = state.get(ADMITTED_KEY) if state is not None else None
        arrived: float = state.get(ARRIVED_KEY, now) if state is not None else now
        if budget is None:  # the server did not decide: decide here
            budget = admission.budget_for(scope["method"], scope["path"])
            if budget is None:
                await self.app(scope, receive, send)
                return
            admission.loop.observe(now - arrived, now)
            if not admission.admit(budget, now):
                await self._refuse(send)
                return
        else:
            admission.loop.observe(now - arrived, now)
        limit = budget.limit
        held = True

        async def timed_send(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False  # a stream holds its place until it starts, not while it runs
                started = time.monotonic()
                limit.release(started - arrived, started)
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            if held:
                ended = time.monotonic()
                limit.release(ended - arrived, ended)
            if admission.shedding:
                admission.check_quiet(time.monotonic())

    async def _refuse(self, send: Send) -> None:
        admission = self.admission
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": admission.refusal_headers,
            }
        )
        await send({"type": "http.response.body", "body": admission.refusal_body})
