"""`questline certificate check FILE`: does a published certificate of a hunt's results
hold for the log? The log is replayed up to the certificate's version and its hash
chain followed (domain/certificate.py); exit 0 when it holds, 1 naming what differs."""

from pathlib import Path
from typing import Annotated

import typer

from questline.cli.common import err, fail, open_store
from questline.domain.certificate import Certificate, check_certificate, decode_certificate
from questline.domain.events import RecordedEvent

app = typer.Typer(no_args_is_help=True, help="The certificate of a hunt's results.")


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="The certificate (GET .../certificate).")],
    db: Annotated[Path | None, typer.Option("--db", help="The Questline SQLite file.")] = None,
    cluster: Annotated[
        Path | None, typer.Option("--cluster", help="A cluster config file: its Kafka log.")
    ] = None,
) -> None:
    """Exit 0 when the final standings are what a replay up to the certificate's version
    gives and its hash is the log's hash there; otherwise 1, saying which."""
    if (db is None) == (cluster is None):
        raise fail("give --db PATH, or --cluster CONFIG", 2)
    try:
        claimed = decode_certificate(file.read_bytes())
    except OSError as error:
        raise fail(f"cannot read {file}: {error.strerror or error}") from None
    except ValueError as error:
        raise fail(f"{file}: {error}") from None
    if db is not None:
        store = open_store(db, create=False)
        try:
            problems = check_certificate(claimed, store.events.read(hunt_id=claimed.hunt))
        finally:
            store.close()
    else:
        assert cluster is not None
        problems = check_certificate(claimed, _cluster_events(cluster, claimed))
    if problems:
        for problem in problems:
            err.print(f"[bold red]does not hold:[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    typer.echo(
        f"the certificate holds: hunt {claimed.hunt}, version {claimed.version}, "
        f"hash {claimed.hash}, {len(claimed.final)} team(s)"
    )


def _cluster_events(config_path: Path, claimed: Certificate) -> list[RecordedEvent]:
    """The hunt's events from its partition of the cluster's events topic, up to the
    certificate's version (read as `export --cluster` reads them)."""
    from questline.adapters.kafka.partition_reader import read_partition
    from questline.cli.cluster_commands import load_cluster_config
    from questline.ports import partition_of

    config = load_cluster_config(config_path)
    events: list[RecordedEvent] = []

    def keep(recorded: RecordedEvent) -> None:
        if recorded.hunt_id == claimed.hunt and recorded.version <= claimed.version:
            events.append(recorded)

    try:
        read_partition(config.kafka, partition_of(claimed.hunt, config.kafka.partitions), keep)
    except Exception as error:  # Kafka unreachable, a deadline passed: say so, no traceback
        raise fail(f"cannot read the events topic {config.kafka.events_topic}: {error}") from None
    events.sort(key=lambda e: e.version)
    return events
