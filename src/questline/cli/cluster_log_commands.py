"""`export --cluster` and `import --cluster`: a cluster's event log to a file and back."""

import sys
from pathlib import Path

import typer

from questline.adapters.kafka.errors import KafkaUnavailable
from questline.cli.cluster_commands import load_cluster_config, open_topics
from questline.cli.common import err, fail, progress_bar


def export_cluster_command(config_path: Path, hunt: str | None, out: Path | None) -> None:
    from questline.adapters.kafka.log_export import export_log

    config = load_cluster_config(config_path)
    # The file appears only once complete: a failed export leaves no half backup behind.
    partial = out.with_name(out.name + ".partial") if out is not None else None
    try:
        sink = partial.open("wb") if partial is not None else sys.stdout.buffer
    except OSError as error:
        raise fail(f"cannot write {partial}: {error}") from None
    try:
        with progress_bar("export messages") as progress:
            counts = export_log(config.kafka, sink, hunt, progress)
    except KafkaUnavailable as error:
        if partial is not None:
            sink.close()
            partial.unlink(missing_ok=True)
        raise fail(f"cannot read the events topic {config.kafka.events_topic}: {error}") from None
    if partial is not None and out is not None:
        sink.close()
        partial.replace(out)
    err.print(
        f"exported {counts.events} events and {counts.records} command records "
        f"from {counts.partitions} partition(s) of {config.kafka.events_topic}"
    )


def import_cluster_command(config_path: Path, file: Path) -> None:
    from questline.adapters.event_lines import BadEventLine
    from questline.adapters.kafka.log_import import ImportRefused, check_fresh, import_log
    from questline.adapters.log_file import LogFileCheck
    from questline.cli.export_file import read_export
    from questline.domain.events import RecordedEvent
    from questline.domain.hash_chain import follow

    config = load_cluster_config(config_path)
    numbered = read_export(file)
    check = LogFileCheck()
    try:
        for number, entry in numbered:
            if isinstance(entry, RecordedEvent):
                check.check(number, entry)
    except BadEventLine as error:
        raise fail(f"{file} {error}; nothing was imported") from None
    entries = [entry for _, entry in numbered]
    try:
        followed = iter(follow([e for e in entries if isinstance(e, RecordedEvent)]))
    except ValueError as broken:
        raise fail(f"{file}: {broken}; nothing was imported") from None
    entries = [next(followed) if isinstance(e, RecordedEvent) else e for e in entries]
    try:
        created = open_topics(config, config_path)
        check_fresh(config.kafka, events_topic_created=config.kafka.events_topic in created)
        with progress_bar("import") as progress:
            counts = import_log(config.kafka, entries, progress)
    except ImportRefused as error:
        raise fail(f"{error}; nothing was imported") from None
    except KafkaUnavailable as error:
        raise fail(f"cannot reach Kafka at {config.kafka.bootstrap_servers}: {error}") from None
    typer.echo(
        f"imported {counts.events} events of {counts.hunts} hunt(s) and {counts.records} "
        f"command records into {config.kafka.events_topic}; projectors build the read "
        f"models from them: then `questline verify --cluster {config_path}`"
    )
