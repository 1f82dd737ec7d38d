"""`questline demo`: the one command a newcomer runs first."""

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer


def demo(
    teams: Annotated[int, typer.Option(help="Simulated teams.", min=1, max=100_000)] = 40,
    rate: Annotated[float, typer.Option(help="Requests per second (open loop).", min=0.1)] = 25.0,
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8080,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    db: Annotated[
        Path | None, typer.Option(help="Database file (default: a new temp file).")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: until Ctrl-C).")
    ] = None,
    freeze_after: Annotated[
        float, typer.Option(help="Minutes from now until the public board freezes.")
    ] = 30.0,
    seed: Annotated[int, typer.Option(help="Seed of the simulated players.")] = 7,
    target: Annotated[
        str | None, typer.Option(help="Play against this running server (e.g. a cluster API node).")
    ] = None,
    organizer_token: Annotated[
        str | None, typer.Option(help="Organizer token of the --target server.")
    ] = None,
) -> None:
    """Serve a sample city hunt and let simulated teams play it, with a live leaderboard."""
    from questline.demo.run import DemoSettings, run_demo

    run_demo(
        DemoSettings(
            teams=teams,
            rate=rate,
            host=host,
            port=port,
            db=db,
            duration=duration,
            seed=seed,
            freeze_after=timedelta(minutes=freeze_after),
            target=target,
            organizer_token=organizer_token,
        )
    )
