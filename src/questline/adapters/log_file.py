"""The export file: the event log as JSON lines (`event_lines`), and optionally the
command records among them, so retries of old commands still find their first answer.

A record line is `{"record": {command_id, hunt_id, fingerprint, reply, decided_at}}`;
every other line is an event line. Both shapes import into either shape of Questline.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import msgspec

from questline.adapters.event_lines import BadEventLine, decode_line
from questline.domain.events import RecordedEvent
from questline.domain.hunt_state import HuntState, evolve
from questline.ports import CommandRecord


class RecordLine(msgspec.Struct, frozen=True):
    record: CommandRecord


Entry = RecordedEvent | CommandRecord

_encoder = msgspec.json.Encoder()
_record_decoder = msgspec.json.Decoder(RecordLine)
_RECORD_START = re.compile(rb'^\s*\{\s*"record"\s*:')


def encode_record_line(record: CommandRecord) -> bytes:
    return _encoder.encode(RecordLine(record))


def decode_entry(raw: bytes, line_number: int) -> Entry:
    """One non-blank line of an export file; BadEventLine names the line."""
    if _RECORD_START.match(raw):
        try:
            return _record_decoder.decode(raw).record
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise BadEventLine(line_number, f"a bad command record: {error}") from None
    return decode_line(raw, line_number)


def read_entries(lines: Iterable[bytes]) -> Iterator[tuple[int, Entry]]:
    """(line number, entry) for every non-blank line."""
    for number, raw in enumerate(lines, 1):
        if raw.strip():
            yield number, decode_entry(raw, number)


@dataclass
class LogFileCheck:
    """Checks that a file's events make whole hunts: each hunt's versions run 1, 2, 3...
    with no gap, and every event folds into its hunt's state. A cluster's workers
    would otherwise meet the bad event only when they restore a partition."""

    states: dict[str, HuntState] = field(default_factory=dict)

    def check(self, line_number: int, recorded: RecordedEvent) -> None:
        hunt_id = recorded.hunt_id
        state = self.states.get(hunt_id)
        expected = state.version + 1 if state is not None else 1
        if recorded.version != expected:
            raise BadEventLine(
                line_number,
                f"hunt {hunt_id} version {recorded.version} does not follow version "
                f"{expected - 1} (each hunt's events must run 1, 2, 3... in file order)",
            )
        try:
            self.states[hunt_id] = evolve(state, recorded)
        except Exception as error:  # any failure to fold is bad input, named by its line
            raise BadEventLine(
                line_number,
                f"{recorded.type} cannot apply to hunt {hunt_id} at version "
                f"{recorded.version - 1}: {error!r}",
            ) from None
