"""The one way Questline starts uvicorn: its protocol with the server limits, the
keep-alive deadline and the proxies it believes (`questline serve`, `serve --cluster`
and the demo)."""

from typing import Any

import uvicorn
from starlette.types import ASGIApp

from questline.http.limited_protocol import protocol_with
from questline.http.server_limits import ServerLimits


def uvicorn_config(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    limits: ServerLimits | None = None,
    loop: str = "uvloop",
    log_level: str = "warning",
    **extra: Any,
) -> uvicorn.Config:
    limits = limits or ServerLimits()
    # The app's admission control (build_app puts it in the app's state), decided by the
    # protocol as soon as a head is parsed.
    admission = getattr(getattr(app, "state", None), "admission", None)
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop=loop,
        http=protocol_with(limits, admission),
        log_level=log_level,
        timeout_keep_alive=limits.keep_alive_timeout_s,
        # Only read by uvicorn's h11 protocol; set so that one honours the cap too.
        h11_max_incomplete_event_size=limits.max_head_bytes,
        proxy_headers=True,
        forwarded_allow_ips=limits.forwarded_allow_ips,
        **extra,
    )
