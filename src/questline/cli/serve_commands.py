"""`questline serve` and `questline token`: run the API, make organizer tokens."""

import os
from pathlib import Path
from typing import Annotated

import typer

from questline.adapters.clocks import SystemClock
from questline.cli.common import DbOption, DurabilityOption, fail, open_store, progress_bar

token_app = typer.Typer(no_args_is_help=True, help="Make API tokens.")


def serve(
    db: Annotated[Path | None, typer.Option("--db", help="The Questline SQLite file.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    durability: DurabilityOption = "normal",
    cluster: Annotated[
        Path | None, typer.Option("--cluster", help="Serve as an API node of this cluster.")
    ] = None,
    node_index: Annotated[int, typer.Option(help="This API node's number (cluster).")] = 0,
) -> None:
    """Serve the HTTP API: on an embedded database (--db), or as a cluster API node."""
    import uvicorn

    from questline.http.embedded import ORGANIZER_TOKEN_ENV, build_embedded_node
    from questline.http.tokens import WeakOrganizerToken, organizer_token_digest

    if cluster is not None:
        from questline.cli.cluster_commands import serve_cluster

        serve_cluster(cluster, host, port, node_index)
        return
    if db is None:
        raise fail("give --db PATH (embedded) or --cluster CONFIG (cluster API node)", 2)

    if durability not in ("normal", "full"):
        raise fail("--durability must be normal or full")
    try:
        organizer_token_digest(os.environ.get(ORGANIZER_TOKEN_ENV))  # before anything starts
    except WeakOrganizerToken as weak:
        raise fail(str(weak), 2) from None
    with progress_bar("recover") as progress:
        node = build_embedded_node(
            db, durability="full" if durability == "full" else "normal", progress=progress
        )
    typer.echo(f"Questline serving {db} on http://{host}:{port} (OpenAPI: /openapi.json)")
    try:
        uvicorn.run(
            node.app, host=host, port=port, log_level="warning", loop="uvloop", http="httptools"
        )
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
