"""What one connection may cost the HTTP server, set in one place: `questline serve`,
`serve --cluster` and the demo all start uvicorn through `uvicorn_config`
(http/uvicorn_setup.py).

uvicorn's httptools protocol has no cap on header size and no deadline for a head
or a body (it buffers an unfinished header line for ever); `LimitedHttpProtocol`
adds them. Bodies have their own size limits in the routes (http/services.py)."""

from dataclasses import dataclass

KiB = 1024
# Where a body deadline leaves (status, code) in the request's state for the app, which
# then sees the request end as if its client had gone (app.py counts it as a timeout).
TIMED_OUT_KEY = "questline.timed_out"
# Where the server leaves the time.monotonic() at which a request's head was whole, so
# admission control (admission.py) sees how long it waited for the event loop.
ARRIVED_KEY = "questline.arrived"
# Where the server leaves the admission budget it took a place in for a request (the
# app then only gives the place back when the answer starts).
ADMITTED_KEY = "questline.admitted"


@dataclass(frozen=True, slots=True)
class ServerLimits:
    # The request line and headers together; past it: 431 and the connection closed.
    max_head_bytes: int = 32 * KiB
    # From a request's first byte to the end of its headers; past it: 408, closed.
    head_timeout_s: float = 10.0
    # Longest wait for more of a body that has started; past it: 408, closed.
    body_idle_timeout_s: float = 20.0
    # The whole body (a 10 MB photo on a 1 Mbit/s uplink takes 80 s); past it: 408.
    body_timeout_s: float = 120.0
    # A connection with no request under way: before its first and between requests.
    keep_alive_timeout_s: int = 5
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto uvicorn believes (comma-
    # separated addresses or networks, "*" for any). The client address counted by
    # the per-address limits is what they say; from anyone else the header is ignored.
    forwarded_allow_ips: str = "127.0.0.1,::1"
