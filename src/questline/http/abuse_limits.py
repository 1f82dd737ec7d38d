"""Limits on what one client address may make the node do: register teams (a flood
fills the public board and every stream) and present tokens that are not valid (a
guessing run). Each is a token bucket per key, refilled evenly over a minute; the
clock is the node's, so tests set it by hand.

Kept per node, in memory: behind a load balancer with N API nodes an address gets N
times the limit. Behind a proxy, the address is the proxy's unless uvicorn trusts
it to say who the client is (`serve --forwarded-allow-ips`, see docs/security.md)."""

import ipaddress
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import Scope

from questline.domain.timestamps import MICROS_PER_SECOND
from questline.http.errors import ApiError
from questline.ports import Clock

MINUTE = 60 * MICROS_PER_SECOND
# Keys remembered at most; past that the longest untouched go (they are the fullest).
MAX_KEYS = 100_000


@dataclass(frozen=True, slots=True)
class AbuseSettings:
    """Per minute; 0 switches a limit off. A whole venue may sit behind one address."""

    registrations_per_address: int = 60  # in one hunt
    registrations_per_hunt: int = 1200  # from all addresses together
    token_failures_per_address: int = 20


class RateLimit:
    """At most `per_minute` events per key in any minute, in bursts up to that many."""

    def __init__(self, per_minute: int, clock: Clock, max_keys: int = MAX_KEYS) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, int]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def _level(self, key: str, now: int) -> float:
        tokens, when = self._buckets.get(key, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - when) * self.per_minute / MINUTE)

    def _seconds_until_one(self, level: float) -> int:
        return max(1, math.ceil((1.0 - level) * MINUTE / self.per_minute / MICROS_PER_SECOND))

    def wait(self, key: str) -> int:
        """Whole seconds (at least 1) until `key` may act again; 0 if it may now."""
        if self.per_minute <= 0:
            return 0
        with self._lock:
            level = self._level(key, self._clock.now())
        return 0 if level >= 1.0 else self._seconds_until_one(level)

    def take(self, key: str) -> int:
        """Count one event for `key` if it may act now (0); else the seconds to wait."""
        if self.per_minute <= 0:
            return 0
        with self._lock:
            now = self._clock.now()
            level = self._level(key, now)
            if level < 1.0:
                return self._seconds_until_one(level)
            self._buckets[key] = (level - 1.0, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        return 0

    def give_back(self, key: str) -> None:
        """Undo one `take` (an event that turned out not to count)."""
        if self.per_minute <= 0:
            return
        with self._lock:
            now = self._clock.now()
            self._buckets[key] = (min(float(self.per_minute), self._level(key, now) + 1.0), now)


class AbuseLimits:
    def __init__(self, settings: AbuseSettings, clock: Clock) -> None:
        self.settings = settings
        self.registrations_by_address = RateLimit(settings.registrations_per_address, clock)
        self.registrations_by_hunt = RateLimit(settings.registrations_per_hunt, clock)
        self.token_failures = RateLimit(settings.token_failures_per_address, clock)


def client_key(scope: Scope) -> str:
    """The client's address (set from X-Forwarded-For by uvicorn when the peer is a
    trusted proxy); an IPv6 address counts by its /64, which one subscriber owns whole."""
    client = scope.get("client")
    host = str(client[0]) if client else "unknown"
    if ":" not in host:  # IPv4 (or a test client's name): as it is, without parsing
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        mapped = address.ipv4_mapped
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def admit_registration(request: Request, hunt_id: str) -> Callable[[], None]:
    """Count a registration, or refuse it with 429 and Retry-After: per address in the
    hunt, then per hunt. Checked last, after the input is known to be good. Returns
    what gives the count back, for a registration the server failed (5xx)."""
    limits: AbuseLimits = request.app.state.services.abuse
    by_address = f"{hunt_id}\x00{client_key(request.scope)}"
    waiting = limits.registrations_by_address.wait(by_address) or limits.registrations_by_hunt.wait(
        hunt_id
    )
    if not waiting:
        waiting = limits.registrations_by_address.take(by_address)
        waiting = waiting or limits.registrations_by_hunt.take(hunt_id)
    if waiting:
        raise ApiError(
            429,
            "too_many_registrations",
            f"too many teams registered from here (or in this hunt) in the last minute; "
            f"wait {waiting} s",
            {"retry_after": waiting},
            {"Retry-After": str(waiting)},
        )

    def refund() -> None:
        limits.registrations_by_address.give_back(by_address)
        limits.registrations_by_hunt.give_back(hunt_id)

    return refund
