"""`questline hunt ...`: check, rehearse and load hunt definitions."""

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

app = typer.Typer(no_args_is_help=True, help="Check, rehearse and load hunt definitions.")

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


@app.command()
def simulate(
    file: FileArgument,
    teams: Annotated[
        int, typer.Option("--teams", help="Simulated teams.", min=1, max=20_000)
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same rehearsal.")] = 1,
    judges: Annotated[
        int, typer.Option("--judges", help="Judges reviewing photos.", min=1, max=1000)
    ] = 2,
    out: Annotated[
        Path, typer.Option("--out", help="Where report.html (and its data and charts) go.")
    ] = Path("rehearsal"),
) -> None:
    """Rehearse the hunt: simulated teams play it through the real rules on a virtual
    clock; write OUT/report.html and print what will hurt on the day."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from questline.rehearsal.report import build_report
    from questline.rehearsal.report_page import write_report
    from questline.rehearsal.simulation import Settings, simulate
    from questline.rehearsal.summary import summary_lines

    definition = read_hunt_file(file)
    with Progress(
        TextColumn("[bold]rehearsing"),
        BarColumn(),
        TextColumn("{task.fields[clock]} of the hunt"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("rehearsing", total=1.0, clock="0 min")

        def progress(played: int, length: int) -> None:
            minutes = played // 60_000_000
            clock = f"{minutes // 60}h{minutes % 60:02d}"
            bar.update(task, completed=played / length if length else 1.0, clock=clock)

        rehearsal = simulate(definition, Settings(teams, seed, judges), progress)
    report = build_report(rehearsal)
    page = write_report(report, out)
    for line in summary_lines(report):
        typer.echo(line)
    typer.echo(f"report: {page}")
