"""Reading an export file for `import` (either shape): every entry with its line
number, or a failure naming the bad line."""

from pathlib import Path

from questline.adapters.event_lines import BadEventLine
from questline.adapters.log_file import Entry, read_entries
from questline.cli.common import fail


def read_export(file: Path) -> list[tuple[int, Entry]]:
    """(line number, entry) for every entry of an export file, or a clear failure
    naming the bad line."""
    try:
        raw_lines = file.read_bytes().splitlines()
    except OSError as error:
        raise fail(f"cannot read {file}: {error}") from None
    try:
        return list(read_entries(raw_lines))
    except BadEventLine as error:
        raise fail(f"{file} {error}; nothing was imported") from None
