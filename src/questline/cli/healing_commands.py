"""Healing verbs: `reconcile`, `snapshot`, `backup` and `restore`."""

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from questline.adapters.clocks import SystemClock
from questline.adapters.sqlite.connection import StoreError
from questline.adapters.sqlite.snapshot_store import SqliteSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.cli.common import DbOption, err, fail, open_store
from questline.engine.hunt_engine import HuntEngine
from questline.engine.reconciler import Reconciler
from questline.engine.verification import verify

ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]


def register(app: typer.Typer) -> None:
    app.command("reconcile")(reconcile_command)
    app.command("snapshot")(snapshot_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)


def _engine(db: Path) -> tuple[HuntEngine, SqliteSnapshotStore]:
    store = open_store(db, create=False)
    snapshots = SqliteSnapshotStore(db)
    engine = HuntEngine(store, SystemClock(), snapshots=snapshots)
    engine.recover()
    return engine, snapshots


def reconcile_command(
    db: Annotated[Path | None, typer.Option("--db", help="The Questline SQLite file.")] = None,
    hunt: Annotated[str | None, typer.Option("--hunt", help="Only this hunt.")] = None,
    max_shown: Annotated[int, typer.Option(help="Differences to print per hunt.")] = 20,
    cluster: Annotated[
        Path | None, typer.Option("--cluster", help="Reconcile this cluster instead.")
    ] = None,
    wait: Annotated[
        float, typer.Option(help="--cluster: seconds to wait for the projectors' heal.")
    ] = 120.0,
) -> None:
    """Compare read models with a replay of the log and rebuild any that differ.

    Each healed hunt gets a read_model_healed event in its log. A running node
    does this by itself in the background; this verb is for a stopped one. With
    --cluster it finds the differences and waits for the projectors that own
    them (the only writers of their rows) to heal them.
    """
    if cluster is not None:
        from questline.cli.cluster_commands import reconcile_cluster_command

        reconcile_cluster_command(cluster, hunt, wait, max_shown)
        return
    if db is None:
        raise fail("give --db PATH, or --cluster CONFIG", 2)
    engine, snapshots = _engine(db)
    try:
        store = engine.store
        if hunt is not None:
            hunts = [hunt]
        else:
            stored = {hunt_id for hunt_id, _, _ in store.read_models.rows("hunts")}
            hunts = sorted(set(store.events.hunt_ids()) | stored)
        reconciler = Reconciler(engine)
        for hunt_id in hunts:
            check = reconciler.check(hunt_id)
            if not check.healed:
                typer.echo(f"hunt {hunt_id}: read models equal a replay")
                continue
            typer.echo(f"hunt {hunt_id}: {check.rows} row(s) differed; rebuilt from the log")
            for difference in check.differences[:max_shown]:
                err.print(f"  {difference.describe()}", highlight=False, markup=False)
            if len(check.differences) > max_shown:
                err.print(f"  ... and {len(check.differences) - max_shown} more")
        remaining = verify(store, hunt)
    finally:
        engine.store.close()
        snapshots.close()
    stats = reconciler.stats
    typer.echo(
        f"checked {stats.hunts_checked} hunt(s): {stats.hunts_healed} healed, "
        f"{stats.rows_healed} row(s) rebuilt"
    )
    if remaining:
        raise fail(f"{len(remaining)} difference(s) remain after reconciling; run `replay`")


def snapshot_command(db: DbOption) -> None:
    """Write a snapshot of every hunt, so the next start replays little of the log."""
    engine, snapshots = _engine(db)
    try:
        written = engine.take_snapshots()
    finally:
        engine.store.close()
        snapshots.close()
    typer.echo(f"wrote {written} snapshot(s)")


def _open_existing(path: Path) -> SqliteStore:
    try:
        return SqliteStore(path, create=False)
    except StoreError as error:
        raise fail(str(error)) from None


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _check_copy(path: Path) -> tuple[int, int]:
    """(events, differences) of a copy: SQLite's integrity check, then `verify`."""
    copy = _open_existing(path)
    try:
        problems = copy.integrity_problems()
        if problems:
            raise fail(f"the copy fails SQLite's integrity check: {'; '.join(problems[:5])}")
        return copy.events.head(), len(verify(copy))
    finally:
        copy.close()


def backup_command(
    db: DbOption,
    out: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
    force: ForceOption = False,
) -> None:
    """An online, consistent copy of the database (SQLite's backup API), safe while
    a server writes to it; the copy is checked and verified before it is kept."""
    if out.exists() and not force:
        raise fail(f"{out} exists; pass --force to overwrite it")
    source = open_store(db, create=False)
    partial = out.with_name(out.name + ".partial")
    _remove_with_sidecars(partial)
    started = time.perf_counter()
    try:
        source.backup_to(partial)
    finally:
        source.close()
    copied = time.perf_counter() - started
    events, differences = _check_copy(partial)
    if differences:
        _remove_with_sidecars(partial)
        raise fail(f"the copy's read models differ from its log ({differences}); nothing kept")
    _remove_with_sidecars(out)
    os.replace(partial, out)
    typer.echo(
        f"backed up {db} to {out}: {events} events, {out.stat().st_size:,} bytes, "
        f"copied in {copied:.2f} s, verified"
    )


def restore_command(
    source: Annotated[Path, typer.Option("--from", help="A backup made by `backup`.")],
    db: DbOption,
    force: ForceOption = False,
) -> None:
    """Restore a backup into --db (refused if --db exists, unless --force), then verify.

    Stop any server using --db first."""
    if not source.exists():
        raise fail(f"{source} does not exist")
    if db.exists() and not force:
        raise fail(f"{db} exists; pass --force to replace it with {source}")
    backup = _open_existing(source)
    try:
        problems = backup.integrity_problems()
        if problems:
            raise fail(f"{source} fails SQLite's integrity check: {'; '.join(problems[:5])}")
        staged = db.with_name(db.name + ".restoring")
        _remove_with_sidecars(staged)
        backup.backup_to(staged)
    finally:
        backup.close()
    # The old file's WAL must not be applied to the restored one.
    _remove_with_sidecars(db)
    os.replace(staged, db)
    events, differences = _check_copy(db)
    if differences:
        raise fail(f"restored, but {differences} difference(s) with a replay: run `reconcile`")
    typer.echo(f"restored {source} into {db}: {events} events; read models equal a replay")
