"""`questline schema ...`: the published schemas, printed for systems downstream."""

from typing import Annotated

import msgspec
import typer

from questline.cli.common import fail

app = typer.Typer(no_args_is_help=True, help="Print the schemas of what Questline writes.")


@app.command()
def events(
    root: Annotated[
        str | None,
        typer.Option(
            help="Root the document at one of its $defs instead of the event line, "
            "e.g. ExportLine or EventsTopicMessage."
        ),
    ] = None,
) -> None:
    """The JSON Schema (draft 2020-12) of the export/import lines and the events topic:
    every event type at every schema version a consumer may meet."""
    from questline.event_schema import events_schema, schema_rooted_at

    try:
        document = events_schema() if root is None else schema_rooted_at(root)
    except KeyError as error:
        raise fail(str(error.args[0]), 2) from None
    typer.echo(msgspec.json.format(msgspec.json.encode(document), indent=2).decode())
