"""`questline --version`: the installed version, for bug reports and pinning."""

from typing import Annotated

import typer

from questline import __version__


def _print_version(asked: bool) -> None:
    if asked:
        typer.echo(f"questline {__version__}")
        raise typer.Exit()


def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """Questline: an event-sourced treasure hunt engine."""
