"""`questline hunt ...`: check and load hunt definitions."""

import uuid
from pathlib import Path
from typing import Annotated

import typer

from questline.adapters.clocks import SystemClock
from questline.cli.common import DbOption, err, fail, open_store
from questline.domain.commands import CreateHunt
from questline.domain.definition import HuntDefinition
from questline.domain.definition_text import HuntFileError, TextFormat, load_hunt_text
from questline.engine.hunt_engine import HuntEngine
from questline.ports import CommandEnvelope

app = typer.Typer(no_args_is_help=True, help="Check and load hunt definitions.")

FileArgument = Annotated[Path, typer.Argument(help="A hunt file, YAML or JSON.")]


def read_hunt_file(path: Path) -> HuntDefinition:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {path}: {error}") from None
    fmt: TextFormat = "json" if path.suffix.lower() == ".json" else "yaml"
    try:
        return load_hunt_text(text, fmt)
    except HuntFileError as error:
        for problem in error.problems:
            where = f"{path}:{problem.line}" if problem.line else str(path)
            err.print(
                f"{where}: {problem.path}: {problem.message}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        raise fail(f"{path} has {len(error.problems)} problem(s); nothing was loaded") from None


@app.command()
def validate(file: FileArgument) -> None:
    """Exit 0 when the hunt is valid; else 1, listing every problem with its line."""
    definition = read_hunt_file(file)
    typer.echo(f"{file}: hunt {definition.id!r} is valid ({len(definition.clues)} clues)")


@app.command()
def load(file: FileArgument, db: DbOption) -> None:
    """Validate a hunt and create it in the database."""
    definition = read_hunt_file(file)
    store = open_store(db, create=True)
    try:
        engine = HuntEngine(store, SystemClock())
        engine.recover()
        command = CreateHunt(definition.id, definition)
        outcome = engine.execute([CommandEnvelope(uuid.uuid4().hex, command)])[0]
    finally:
        store.close()
    if outcome.rejection is not None:
        raise fail(outcome.rejection.message)
    typer.echo(f"loaded hunt {definition.id!r} ({len(definition.clues)} clues) into {db}")
