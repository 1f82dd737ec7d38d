"""`questline serve` and `questline token`: run the API, make organizer tokens."""

from typing import Annotated

import typer

from questline.adapters.clocks import SystemClock
from questline.cli.common import DbOption, DurabilityOption, fail, open_store, progress_bar

token_app = typer.Typer(no_args_is_help=True, help="Make API tokens.")


def serve(
    db: DbOption,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    durability: DurabilityOption = "normal",
) -> None:
    """Serve the HTTP API on an embedded database (created if missing)."""
    import uvicorn

    from questline.http.embedded import build_embedded_node

    if durability not in ("normal", "full"):
        raise fail("--durability must be normal or full")
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
    role: Annotated[str, typer.Option(help="The token's role.")] = "organizer",
) -> None:
    """Print a new organizer token; only its digest is stored."""
    from questline.http.tokens import new_organizer_token, token_hash

    if role != "organizer":
        raise fail("only organizer tokens are made here; teams get theirs when they register", 2)
    store = open_store(db, create=True)
    try:
        token = new_organizer_token()
        with store.transaction() as uow:
            uow.tokens.add(token_hash(token), role, SystemClock().now())
    finally:
        store.close()
    typer.echo(token)
