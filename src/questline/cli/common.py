"""What the CLI verbs share: opening a store with a clear error, progress bars."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from questline.adapters.sqlite.connection import Durability, StoreError
from questline.adapters.sqlite.store import SqliteStore

err = Console(stderr=True)

DbOption = Annotated[Path, typer.Option("--db", help="The Questline SQLite file.")]
DurabilityOption = Annotated[
    str,
    typer.Option(
        "--durability",
        help="normal: survives a killed process; full: also survives power loss.",
    ),
]


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def open_store(db: Path, *, create: bool, durability: str = "normal") -> SqliteStore:
    if durability not in ("normal", "full"):
        raise fail(f"--durability must be normal or full, not {durability!r}", 2)
    mode: Durability = "full" if durability == "full" else "normal"
    try:
        return SqliteStore(db, mode, create=create)
    except StoreError as error:
        raise fail(str(error)) from None


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar showing events done and events per second."""
    with Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None, rate="")

        def update(done: int, total: int) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f"{done / elapsed:,.0f} events/s" if elapsed > 0 else ""
            bar.update(task, completed=done, total=max(total, done), rate=rate)

        yield update
