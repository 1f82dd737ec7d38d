"""`questline cluster up|status|down` and `questline dlq list|retry`."""

import json
from pathlib import Path
from typing import Annotated

import typer

from questline.cli.common import err, fail

cluster_app = typer.Typer(no_args_is_help=True, help="A whole cluster on this machine.")
dlq_app = typer.Typer(no_args_is_help=True, help="The dead-letter topic.")

DirOption = Annotated[
    Path, typer.Option("--dir", help="Folder for the servers, logs, pids and config.")
]


@cluster_app.command("up")
def cluster_up(
    directory: DirOption = Path(".questline-cluster"),
    workers: Annotated[int, typer.Option(help="Partition workers.", min=1)] = 2,
    api_nodes: Annotated[int, typer.Option(help="API nodes (ports from --api-port).", min=1)] = 1,
    projectors: Annotated[int, typer.Option(help="Projectors.", min=1)] = 1,
    brokers: Annotated[int, typer.Option(help="Kafka brokers: 1, or 3 (RF 3).")] = 1,
    cassandra_nodes: Annotated[int, typer.Option(help="Cassandra nodes: 1, or 3 (RF 3).")] = 1,
    partitions: Annotated[int, typer.Option(help="Partitions of commands/events.", min=1)] = 6,
    api_port: Annotated[int, typer.Option(help="The first API node's port.")] = 8080,
) -> None:
    """Start Kafka, Cassandra, workers, a projector and API nodes in the background."""
    from questline.cluster.local_cluster import up

    if brokers not in (1, 3) or cassandra_nodes not in (1, 3):
        raise fail("--brokers and --cassandra-nodes take 1 or 3", 2)
    try:
        config_path, specs = up(
            directory,
            brokers=brokers,
            cassandra_nodes=cassandra_nodes,
            workers=workers,
            projectors=projectors,
            api_nodes=api_nodes,
            partitions=partitions,
            api_port=api_port,
        )
    except RuntimeError as error:
        raise fail(str(error)) from None
    typer.echo(f"cluster config: {config_path}")
    for spec in specs:
        typer.echo(f"started {spec.name}: logs in {directory / 'logs' / (spec.name + '.log')}")
    from questline.cluster.local_cluster import organizer_token

    for i in range(api_nodes):
        typer.echo(f"API node {i + 1}: http://127.0.0.1:{api_port + i}")
    typer.echo(
        f"metrics: workers on :{api_port + 100}..., projectors on :{api_port + 200}... (/metrics)"
    )
    token = organizer_token(directory)
    typer.echo(f"organizer token: {token} (also in {directory / 'organizer-token'})")
    typer.echo(
        f"play the demo against it: questline demo --target http://127.0.0.1:{api_port} "
        f"--organizer-token {token}"
    )
    typer.echo(f"`questline cluster status --dir {directory}` shows it; `down` stops it")


@cluster_app.command("status")
def cluster_status_command(
    directory: DirOption = Path(".questline-cluster"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Processes, partitions owned and lag."""
    from questline.cluster.local_cluster import alive, config_of, process_pids
    from questline.cluster.status import cluster_status

    processes = {name: alive(pid) for name, pid in process_pids(directory).items()}
    try:
        status = cluster_status(config_of(directory))
    except Exception as error:
        raise fail(f"the cluster cannot be asked: {error}") from None
    report = {"processes": processes, **status}
    if as_json:
        typer.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    for name, up_ in processes.items():
        typer.echo(f"{name:14} {'running' if up_ else 'STOPPED'}")
    for member, partitions in sorted(report["workers"].items()):  # type: ignore[attr-defined]
        typer.echo(f"worker {member}: partitions {partitions}")
    typer.echo(f"command lag by partition: {report['command_lag']}")


@cluster_app.command("down")
def cluster_down(
    directory: DirOption = Path(".questline-cluster"),
    purge: Annotated[bool, typer.Option(help="Also delete data and logs.")] = False,
) -> None:
    """Stop the processes, then the servers."""
    from questline.cluster.local_cluster import down

    down(directory, purge=purge)
    err.print("cluster stopped")


ConfigOption = Annotated[Path, typer.Option("--cluster", help="The cluster config file.")]


@dlq_app.command("list")
def dlq_list(cluster: ConfigOption) -> None:
    """Every dead letter: where it came from and why."""
    from questline.adapters.kafka.dead_letter_queue import list_dead_letters
    from questline.cli.cluster_commands import load_cluster_config

    letters = list_dead_letters(load_cluster_config(cluster).kafka)
    for letter in letters:
        typer.echo(
            f"#{letter.offset} {letter.source_topic}[{letter.source_partition}]@"
            f"{letter.source_offset} ({letter.stage}): {letter.error}"
        )
    err.print(f"{len(letters)} dead letter(s)")


@dlq_app.command("retry")
def dlq_retry(cluster: ConfigOption) -> None:
    """Send dead commands not yet retried back to their partitions."""
    from questline.adapters.kafka.dead_letter_queue import retry_dead_commands
    from questline.cli.cluster_commands import load_cluster_config

    retried = retry_dead_commands(load_cluster_config(cluster).kafka)
    typer.echo(f"retried {len(retried)} dead command(s)")
