"""Verbs over the event log: replay, verify, export, import."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from questline.adapters.clocks import SystemClock
from questline.cli.common import DbOption, err, fail, open_store, progress_bar
from questline.engine.event_lines import BadEventLine, decode_line, encode_line
from questline.engine.hunt_engine import HuntEngine
from questline.engine.verification import replay, verify
from questline.ports import VersionConflict

HuntOption = Annotated[str | None, typer.Option("--hunt", help="Only this hunt.")]


def register(app: typer.Typer) -> None:
    app.command("replay")(replay_command)
    app.command("verify")(verify_command)
    app.command("export")(export_command)
    app.command("import")(import_command)


def replay_command(db: DbOption) -> None:
    """Rebuild every read model from the log, showing progress and events/s."""
    store = open_store(db, create=False)
    try:
        with progress_bar("replay") as progress:
            rows = replay(store, progress)
    finally:
        store.close()
    typer.echo(f"rebuilt {rows} read-model rows from the log")


def verify_command(
    db: Annotated[Path | None, typer.Option("--db", help="The Questline SQLite file.")] = None,
    hunt: HuntOption = None,
    max_shown: Annotated[int, typer.Option(help="Differences to print at most.")] = 50,
    cluster: Annotated[
        Path | None, typer.Option("--cluster", help="Verify this cluster instead.")
    ] = None,
) -> None:
    """Replay the log in memory and compare with the stored read models.

    Exit 0 when they are equal; else 1 with each difference.
    """
    if cluster is not None:
        from questline.cli.cluster_commands import verify_cluster_command

        verify_cluster_command(cluster)
        return
    if db is None:
        raise fail("give --db PATH, or --cluster CONFIG", 2)
    store = open_store(db, create=False)
    try:
        problems = store.integrity_problems()
        if problems:
            raise fail(f"{db} fails SQLite's integrity check: {'; '.join(problems[:5])}")
        with progress_bar("verify") as progress:
            differences = verify(store, hunt, progress)
    finally:
        store.close()
    if not differences:
        typer.echo("read models equal a replay of the log: no drift")
        return
    for difference in differences[:max_shown]:
        err.print(difference.describe(), highlight=False, markup=False, soft_wrap=True)
    if len(differences) > max_shown:
        err.print(f"... and {len(differences) - max_shown} more")
    raise fail(
        f"{len(differences)} difference(s) between the read models and a replay; "
        "`questline replay` rebuilds them from the log"
    )


def export_command(
    db: DbOption,
    hunt: HuntOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default stdout).")
    ] = None,
) -> None:
    """Write events as JSON lines, in log order."""
    store = open_store(db, create=False)
    sink = out.open("wb") if out is not None else sys.stdout.buffer
    count = 0
    try:
        for recorded in store.events.read(hunt_id=hunt):
            sink.write(encode_line(recorded) + b"\n")
            count += 1
    finally:
        if out is not None:
            sink.close()
        store.close()
    err.print(f"exported {count} events")


def import_command(
    db: DbOption, file: Annotated[Path, typer.Argument(help="JSON lines from `export`.")]
) -> None:
    """Append exported events to a log: all of them, or none if any line is bad."""
    try:
        raw_lines = file.read_bytes().splitlines()
    except OSError as error:
        raise fail(f"cannot read {file}: {error}") from None
    try:
        events = [
            decode_line(raw, number) for number, raw in enumerate(raw_lines, 1) if raw.strip()
        ]
    except BadEventLine as error:
        raise fail(f"{file} {error}; nothing was imported") from None
    store = open_store(db, create=True)
    try:
        try:
            with store.transaction() as uow:
                uow.events.append(events)
        except VersionConflict as conflict:
            raise fail(
                f"{conflict}: the database already holds events of hunt {conflict.hunt_id} "
                "that the file does not continue; nothing was imported"
            ) from None
        HuntEngine(store, SystemClock()).recover()
    finally:
        store.close()
    typer.echo(f"imported {len(events)} events into {db}")
