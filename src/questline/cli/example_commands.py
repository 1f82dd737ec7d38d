"""`questline examples`: the example hunts shipped in the package, so a user who
installed a wheel has a hunt to validate, load and read without the source tree."""

from pathlib import Path
from typing import Annotated

import typer

from questline.cli.common import fail

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"


def example_paths() -> dict[str, Path]:
    """Each example hunt by name (its file name without .yaml)."""
    return {path.stem: path for path in sorted(EXAMPLES_DIR.glob("*.yaml"))}


def examples(
    name: Annotated[
        str | None, typer.Argument(help="Print this example (default: list them all).")
    ] = None,
    path: Annotated[
        bool, typer.Option("--path", help="Print its file's path, not its YAML.")
    ] = False,
) -> None:
    """List the example hunts with their files, or print one, e.g.
    `questline hunt validate "$(questline examples harbour-night --path)"`."""
    paths = example_paths()
    if name is None:
        for stem, listed in paths.items():
            typer.echo(f"{stem}\t{listed}")
        return
    file = paths.get(name)
    if file is None:
        raise fail(f"no example {name!r}; there are: {', '.join(paths)}", 2)
    typer.echo(str(file) if path else file.read_text(encoding="utf-8"), nl=path)
