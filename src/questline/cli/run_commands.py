"""`questline run --config FILE`: start and supervise a node's processes;
`questline run status --config FILE`: show what the supervisor reports."""

import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from questline.cli.common import fail

app = typer.Typer(
    invoke_without_command=True,
    help="Start and supervise the processes of a node (see `questline run --help`).",
)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="The node's process list (YAML or TOML).")
]


def _load(path: Path):  # type: ignore[no-untyped-def]
    from questline.supervision.config import ConfigError, load_run_config

    try:
        return load_run_config(path)
    except ConfigError as error:
        raise fail(str(error)) from None


@app.callback()
def run(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Start every process in --config; restart crashed or stuck ones with backoff,
    open a circuit on repeated crashes, and stop them all gracefully on SIGTERM."""
    if ctx.invoked_subcommand is not None:
        return
    if config is None:
        raise fail("give --config FILE", 2)
    from questline.supervision.config import status_path
    from questline.supervision.supervisor import Supervisor

    loaded = _load(config)
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    Supervisor(loaded, status_path(loaded, config)).run(stop)


@app.command("status")
def status(config: Annotated[Path, typer.Option("--config", help="The node's config.")]) -> None:
    """Print each process's state; exit 1 if a circuit is open or nothing supervises."""
    from questline.supervision.config import status_path
    from questline.supervision.supervisor import read_status

    path = status_path(_load(config), config)
    if not path.exists():
        raise fail(f"no status at {path}: is `questline run --config {config}` running?")
    report = read_status(path)
    pid = report.get("supervisor_pid")
    alive = bool(report.get("running")) and isinstance(pid, int) and _alive(pid)
    age = time.time() - float(report.get("updated_at", 0.0))  # type: ignore[arg-type]
    typer.echo(
        f"supervisor pid {pid}: {'running' if alive else 'NOT running'}"
        f" (status written {age:.0f} s ago)"
    )
    problems = 0 if alive else 1
    processes = report.get("processes", [])
    assert isinstance(processes, list)
    for p in processes:
        line = (
            f"  {p['name']:<16} {p['state']:<13} pid {p['pid'] or '-':<8}"
            f" starts {p['starts']}  restarts {p['restarts']}  stuck-kills {p['killed_stuck']}"
        )
        if p["last_reason"]:
            line += f"  last: {p['last_reason']}"
        typer.echo(line)
        if p["alert"]:
            problems += 1
            typer.echo(f"    ALERT: {p['alert']}")
    if problems:
        raise typer.Exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
