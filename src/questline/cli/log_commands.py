"""Verbs over the event log: replay, verify, export, import (embedded or a cluster)."""

import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from questline.adapters.clocks import SystemClock
from questline.adapters.event_lines import encode_line
from questline.cli.common import DbOption, err, fail, open_store, progress_bar
from questline.cli.export_file import read_export
from questline.domain.events import RecordedEvent
from questline.domain.hash_chain import ChainBreak, follow
from questline.engine.hunt_engine import HuntEngine
from questline.engine.verification import replay, verify
from questline.ports import CommandRecord, Store, VersionConflict

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
    """Check every hunt's hash chain, replay the log in memory and compare with the
    stored read models.

    Exit 0 when the chains hold and the read models are equal; else 1 naming each
    problem (for a chain, the first version whose hash does not follow).
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
        typer.echo("every hash chain holds and the read models equal a replay of the log")
        return
    for difference in differences[:max_shown]:
        err.print(difference.describe(), highlight=False, markup=False, soft_wrap=True)
    if len(differences) > max_shown:
        err.print(f"... and {len(differences) - max_shown} more")
    breaks = sum(1 for d in differences if isinstance(d, ChainBreak))
    if breaks:
        raise fail(
            f"{breaks} hash chain(s) broken: the stored events differ from what was recorded "
            f"(and {len(differences) - breaks} read-model difference(s))"
        )
    raise fail(
        f"{len(differences)} difference(s) between the read models and a replay; "
        "`questline replay` rebuilds them from the log"
    )


ClusterOption = Annotated[
    Path | None, typer.Option("--cluster", help="A cluster config file: its Kafka log instead.")
]


def export_command(
    db: Annotated[Path | None, typer.Option("--db", help="The Questline SQLite file.")] = None,
    hunt: HuntOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default stdout).")
    ] = None,
    cluster: ClusterOption = None,
) -> None:
    """Write events as JSON lines, in log order (a cluster: also its command records)."""
    if (db is None) == (cluster is None):
        raise fail("give --db PATH, or --cluster CONFIG", 2)
    if cluster is not None:
        from questline.cli.cluster_log_commands import export_cluster_command

        export_cluster_command(cluster, hunt, out)
        return
    assert db is not None
    sink = out.open("wb") if out is not None else sys.stdout.buffer
    try:
        count = _export_embedded(db, hunt, sink)
    finally:
        if out is not None:
            sink.close()
    err.print(f"exported {count} events")


def _export_embedded(db: Path, hunt: str | None, sink: BinaryIO) -> int:
    store = open_store(db, create=False)
    count = 0
    try:
        for recorded in store.events.read(hunt_id=hunt):
            sink.write(encode_line(recorded) + b"\n")
            count += 1
    finally:
        store.close()
    return count


def _chain_heads(store: Store, events: list[RecordedEvent]) -> dict[str, str]:
    """The stored hash each imported hunt's chain continues from (hunts the file does
    not start at version 1)."""
    heads: dict[str, str] = {}
    firsts: dict[str, int] = {}
    for recorded in events:
        firsts.setdefault(recorded.hunt_id, recorded.version)
    for hunt_id, first in firsts.items():
        if first > 1:
            for stored in store.events.read(hunt_id=hunt_id):
                if stored.version == first - 1:
                    heads[hunt_id] = stored.hash
    return heads


def import_command(
    file: Annotated[Path, typer.Argument(help="JSON lines from `export`.")],
    db: Annotated[Path | None, typer.Option("--db", help="The Questline SQLite file.")] = None,
    cluster: ClusterOption = None,
) -> None:
    """Append exported events to a log: all of them, or none if any line is bad.

    --cluster rebuilds a fresh cluster's log (then run projectors and verify)."""
    if (db is None) == (cluster is None):
        raise fail("give --db PATH, or --cluster CONFIG", 2)
    if cluster is not None:
        from questline.cli.cluster_log_commands import import_cluster_command

        import_cluster_command(cluster, file)
        return
    assert db is not None
    entries = [entry for _, entry in read_export(file)]
    events = [e for e in entries if isinstance(e, RecordedEvent)]
    records = [e for e in entries if isinstance(e, CommandRecord)]
    store = open_store(db, create=True)
    try:
        try:
            events = follow(events, _chain_heads(store, events))
        except ValueError as broken:
            raise fail(f"{file}: {broken}; nothing was imported") from None
        try:
            with store.transaction() as uow:
                uow.events.append(events)
                uow.commands.remember(records)
        except VersionConflict as conflict:
            raise fail(
                f"{conflict}: the database already holds events of hunt {conflict.hunt_id} "
                "that the file does not continue; nothing was imported"
            ) from None
        HuntEngine(store, SystemClock()).recover()
    finally:
        store.close()
    typer.echo(f"imported {len(events)} events into {db}")
