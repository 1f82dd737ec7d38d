"""`questline serve` and `questline token`: run the API, make organizer tokens."""

from pathlib import Path
from typing import Annotated

import typer

from questline.adapters.clocks import SystemClock
from questline.cli.common import DbOption, DurabilityOption, fail, open_store, progress_bar
from questline.http.abuse_limits import AbuseSettings
from questline.http.admission import AdmissionSettings
from questline.http.server_limits import ServerLimits

token_app = typer.Typer(no_args_is_help=True, help="Make API tokens.")


_LIMITS = ServerLimits()  # the defaults the options show
_ABUSE = AbuseSettings()
_ADMISSION = AdmissionSettings()
OrganizerTokenOption = Annotated[
    str | None,
    typer.Option(
        "--organizer-token",
        envvar="QUESTLINE_ORGANIZER_TOKEN",
        show_default=False,
        help="An organizer token accepted besides those of `token create` (16+ characters).",
    ),
]
ForwardedAllowIpsOption = Annotated[
    str,
    typer.Option(
        "--forwarded-allow-ips",
        envvar="FORWARDED_ALLOW_IPS",
        help="Proxies trusted to name the client in X-Forwarded-For (comma-separated "
        "addresses or networks, '*' for any): the per-address limits count that client.",
    ),
]
RegistrationsOption = Annotated[
    int,
    typer.Option(
        "--registrations-per-minute",
        help="Team registrations per client address per hunt per minute (0: no limit).",
    ),
]
HuntRegistrationsOption = Annotated[
    int,
    typer.Option(
        "--hunt-registrations-per-minute",
        help="Team registrations per hunt per minute from all addresses (0: no limit).",
    ),
]
TokenFailuresOption = Annotated[
    int,
    typer.Option(
        "--token-failures-per-minute",
        help="Tokens that are not valid per client address per minute before 429 (0: no limit).",
    ),
]
AdmissionTargetOption = Annotated[
    float,
    typer.Option(
        "--admission-target-ms",
        help="Latency admitted requests should get: past it, reads and writes each admit "
        "fewer at once and refuse the rest with 503 + Retry-After (0: admit everything).",
    ),
]


def serve(
    db: Annotated[Path | None, typer.Option("--db", help="The Questline SQLite file.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    durability: DurabilityOption = "normal",
    cluster: Annotated[
        Path | None, typer.Option("--cluster", help="Serve as an API node of this cluster.")
    ] = None,
    node_index: Annotated[int, typer.Option(help="This API node's number (cluster).")] = 0,
    organizer_token: OrganizerTokenOption = None,
    forwarded_allow_ips: ForwardedAllowIpsOption = _LIMITS.forwarded_allow_ips,
    registrations_per_minute: RegistrationsOption = _ABUSE.registrations_per_address,
    hunt_registrations_per_minute: HuntRegistrationsOption = _ABUSE.registrations_per_hunt,
    token_failures_per_minute: TokenFailuresOption = _ABUSE.token_failures_per_address,
    admission_target_ms: AdmissionTargetOption = _ADMISSION.target_ms,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="HTTP processes answering on the port, over the one writer (--db only; "
            "1: a single process, no local socket between the API and the engine).",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API: on an embedded database (--db), or as a cluster API node.

    Logs go to stdout (ECS JSON lines when stdout is not a terminal); everything else
    a person reads goes to stderr. Limits: docs/security.md."""
    import uvicorn

    from questline.http.embedded import build_embedded_node
    from questline.http.tokens import WeakOrganizerToken, organizer_token_digest
    from questline.http.uvicorn_setup import uvicorn_config
    from questline.observability.logs import ensure_logging, get_logger

    try:
        organizer_token_digest(organizer_token)  # refused before anything starts
    except WeakOrganizerToken as weak:
        raise fail(str(weak), 2) from None
    limits = ServerLimits(forwarded_allow_ips=forwarded_allow_ips)
    abuse = AbuseSettings(
        registrations_per_address=registrations_per_minute,
        registrations_per_hunt=hunt_registrations_per_minute,
        token_failures_per_address=token_failures_per_minute,
    )
    admission = AdmissionSettings(
        enabled=admission_target_ms > 0, target_ms=admission_target_ms or _ADMISSION.target_ms
    )
    if cluster is not None:
        if workers > 1:
            raise fail("--workers is for --db; a cluster scales by its API nodes", 2)
        from questline.cli.cluster_commands import serve_cluster

        serve_cluster(
            cluster,
            host,
            port,
            node_index,
            organizer_token=organizer_token,
            limits=limits,
            abuse=abuse,
            admission=admission,
        )
        return
    if db is None:
        raise fail("give --db PATH (embedded) or --cluster CONFIG (cluster API node)", 2)

    if durability not in ("normal", "full"):
        raise fail("--durability must be normal or full")
    ensure_logging()
    if workers > 1:
        from questline.cli.worker_pool import serve_workers

        status = serve_workers(
            db,
            workers=workers,
            host=host,
            port=port,
            durability=durability,
            organizer_token=organizer_token or "",
            limits=limits,
            abuse=abuse,
            admission=admission,
        )
        raise typer.Exit(status)
    with progress_bar("recover") as progress:
        node = build_embedded_node(
            db,
            durability="full" if durability == "full" else "normal",
            progress=progress,
            organizer_token=organizer_token or "",
            abuse=abuse,
            admission=admission,
        )
    get_logger("questline.serve").info(
        f"Questline serving {db} on http://{host}:{port} (OpenAPI: /openapi.json)",
        **{"event.action": "serving", "url.full": f"http://{host}:{port}"},
    )
    try:
        uvicorn.Server(uvicorn_config(node.app, host=host, port=port, limits=limits)).run()
    finally:
        node.store.close()


@token_app.command("create")
def create_token(
    db: DbOption,
    role: Annotated[
        str,
        typer.Option(
            help="organizer (runs hunts) or operator (reads /ops, /api/ops/* and /metrics only)."
        ),
    ] = "organizer",
) -> None:
    """Print a new organizer or operator token; only its digest is stored."""
    from questline.http.tokens import new_operator_token, new_organizer_token, token_hash

    if role not in ("organizer", "operator"):
        raise fail(
            "--role must be organizer or operator; teams get their tokens when they register", 2
        )
    store = open_store(db, create=True)
    try:
        token = new_organizer_token() if role == "organizer" else new_operator_token()
        with store.transaction() as uow:
            uow.tokens.add(token_hash(token), role, SystemClock().now())
    finally:
        store.close()
    typer.echo(token)
