"""`questline bench SUITE [--quick]`: benchmarks against peers (code in questline.bench)."""

from pathlib import Path
from typing import Annotated

import typer

from questline.bench.runner import SUITES

SUITE_NAMES = (*SUITES, "all")


def bench(
    suite: Annotated[str, typer.Argument(help=f"One of: {', '.join(SUITE_NAMES)}.")],
    quick: Annotated[
        bool, typer.Option("--quick", help="The short form (under a minute).")
    ] = False,
    root: Annotated[
        Path, typer.Option("--root", help="Where bench/results and docs/benchmarks are.")
    ] = Path("."),
) -> None:
    """Run a benchmark suite and its peer; write JSON, a plot and docs/benchmarks.md."""
    from questline.bench.runner import run_suite

    if suite not in SUITE_NAMES:
        typer.echo(f"unknown suite {suite!r}; choose one of {', '.join(SUITE_NAMES)}", err=True)
        raise typer.Exit(2)
    for name in SUITES if suite == "all" else (suite,):
        result = run_suite(name, quick, root.resolve())
        typer.echo(f"{name}: wrote {result}")
