"""`questline demo`: the one command a newcomer runs first."""

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from questline.cli.common import fail


def demo(
    teams: Annotated[int, typer.Option(help="Simulated teams.", min=1, max=100_000)] = 40,
    rate: Annotated[
        float,
        typer.Option(
            help="Most requests per second (open loop; teams keep their own pace).", min=0.1
        ),
    ] = 25.0,
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8080,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    db: Annotated[
        Path | None, typer.Option(help="Database file (default: a new temp file).")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: until Ctrl-C).")
    ] = None,
    freeze_after: Annotated[
        float,
        typer.Option(
            help="Minutes into each round until the public board freezes (none past its end)."
        ),
    ] = 30.0,
    hunt: Annotated[
        str,
        typer.Option(help="The sample hunt: city-lights, harbour-night or puzzle-night."),
    ] = "city-lights",
    round_minutes: Annotated[
        float,
        typer.Option(
            help="Length of each round; the sample's timeline is compressed into it.", min=0.1
        ),
    ] = 10.0,
    seed: Annotated[int, typer.Option(help="Seed of the simulated players.")] = 7,
    target: Annotated[
        str | None, typer.Option(help="Play against this running server (e.g. a cluster API node).")
    ] = None,
    organizer_token: Annotated[
        str | None, typer.Option(help="Organizer token of the --target server.")
    ] = None,
) -> None:
    """Serve a sample hunt and let simulated teams play it at a real field's pace, round
    after round, with a live leaderboard."""
    from questline.demo.run import DemoSettings, run_demo
    from questline.demo.sample_hunt import SAMPLES

    if hunt not in SAMPLES:
        typer.echo(f"no sample hunt {hunt!r}; choose one of {', '.join(SAMPLES)}", err=True)
        raise typer.Exit(2)

    settings = DemoSettings(
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
        hunt=hunt,
        round_minutes=round_minutes,
    )
    try:
        run_demo(settings)
    except RuntimeError as error:  # a sample hunt or team the server refused: say why
        raise fail(str(error)) from None
