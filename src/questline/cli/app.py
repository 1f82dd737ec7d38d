"""The `questline` command: one Typer app, its verbs in modules by concern."""

import faulthandler

import typer

from questline.cli import (
    bench_command,
    certificate_commands,
    cluster_commands,
    cluster_up_commands,
    demo_command,
    example_commands,
    healing_commands,
    hunt_commands,
    log_commands,
    run_commands,
    schema_commands,
    serve_commands,
    version_option,
)

app = typer.Typer(
    no_args_is_help=True,
    help="Questline: an event-sourced treasure hunt engine.",
    pretty_exceptions_enable=False,
)
app.add_typer(hunt_commands.app, name="hunt")
app.add_typer(serve_commands.token_app, name="token")
app.command("serve")(serve_commands.serve)
app.command("demo")(demo_command.demo)
app.command("bench")(bench_command.bench)
app.command("worker")(cluster_commands.worker)
app.command("projector")(cluster_commands.projector)
app.add_typer(cluster_up_commands.cluster_app, name="cluster")
app.add_typer(cluster_up_commands.dlq_app, name="dlq")
log_commands.register(app)
healing_commands.register(app)
app.add_typer(run_commands.app, name="run")
app.callback()(version_option.main_options)
app.add_typer(schema_commands.app, name="schema")
app.command("examples")(example_commands.examples)
app.add_typer(certificate_commands.app, name="certificate")


@app.command()
def version() -> None:
    """Print the version."""
    from questline import __version__

    typer.echo(__version__)


def main() -> None:
    # A crash in a C extension (librdkafka, the Cassandra driver's reactor) then leaves
    # the Python stack on stderr instead of nothing but "-11".
    faulthandler.enable()
    app()
