"""Backend-neutral things to store: events of every type, rows of every table,
command records with every reply type, and a base class giving tests a store."""

from collections.abc import Iterator, Sequence
from pathlib import Path

import msgspec
import pytest

from questline.domain.definition import Clue, HuntDefinition, TextAnswer
from questline.domain.events import (
    EVENT_TYPES,
    AnnouncementMade,
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    HuntCreated,
    HuntPaused,
    HuntResumed,
    HuntRevised,
    KeptGoing,
    PartSolved,
    PhotoRejected,
    PhotoSubmitted,
    ReadModelHealed,
    RecordedEvent,
    ScoreAdjusted,
    TeamMessaged,
    TeamRegistered,
    TokenIssued,
)
from questline.domain.projections.rows import (
    NO_SCORING_EVENT,
    AdjustmentNote,
    AnnouncementRow,
    AuditRow,
    Changes,
    ClueStatsRow,
    HuntRow,
    LeaderboardRow,
    MessageNote,
    ReviewNote,
    ReviewRow,
    RevisionRow,
    TeamRow,
)
from questline.domain.replies import (
    AdjustmentReply,
    HintReply,
    HuntReply,
    Reply,
    ReviewReply,
    SubmissionReply,
    TeamReply,
)
from questline.ports import CommandRecord, Store
from tests.hunt_builders import STARTS, spec_hunt


class BackendCase:
    """Each test gets a fresh, empty store of the backend a subclass names."""

    def make_store(self, workdir: Path) -> Store:
        raise NotImplementedError("a backend's test class says how to open its store")

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = self.make_store(tmp_path)
        try:
            yield store
        finally:
            store.close()


def rich_definition(hunt_id: str = "harbour-night") -> HuntDefinition:
    """The spec's example hunt, plus a clue with regexes and awkward text and numbers."""
    base = spec_hunt(id=hunt_id)
    odd = Clue(
        id="odd",
        title='Ünïcødé «quotes» "and" \\ back\nslashes \u0000 nul',
        text="😀 " * 3,
        points=0,
        answer=TextAnswer(accept=("Café",), accept_regex=(r"k[a-z]+r\d*",), keep_going=("ca",)),
    )
    return msgspec.structs.replace(base, clues=(*base.clues, odd))


def every_event(hunt_id: str = "harbour-night") -> list[Event]:
    """One event of each type (a HuntCreated first), with awkward values."""
    events: list[Event] = [
        HuntCreated(rich_definition(hunt_id)),
        HuntRevised(rich_definition(hunt_id), 2, ("hunt title: 'a' -> 'b'",)),
        TeamRegistered("t-1", "Øtters 🦦", "sha256:" + "a" * 64, "open"),
        TokenIssued("t-1", "sha256:" + "b" * 64, revoke_others=True),
        ClueSolved("t-1", "lighthouse", 100, 50, 1, answer="Keeper", client_time=7),
        ClueSolved("t-1", "selfie", 150, 0, 1, review_id="p-1"),
        ClueSolved("t-1", "crate", 200, 0, 2, counts_at=3, counts_at_time=9, refund=5),
        PartSolved("t-1", "riddle", "first", 30, "Ælf", counts_at=2, refund=1),
        AnswerWrong("t-1", "dock-9", lat=59.5, lon=-10.25, penalty=5),
        AnswerWrong("t-1", "riddle", "second", "nope ✗", client_time=-1),
        KeptGoing("t-1", "lighthouse", client_time=2**50),
        PhotoSubmitted("p-2", "t-1", "selfie", "photo-9", "sha256:00ff", "image/webp", "ffee00", 3),
        PhotoRejected("p-2", "t-1", "selfie", 'blurry, "sorry"\n', 5),
        HintUnlocked("t-1", "lighthouse", "look-up", 20),
        ScoreAdjusted("t-1", -(2**40), "penalty"),
        HuntPaused(),
        HuntResumed(),
        AnnouncementMade("Half time! 半分"),
        TeamMessaged("t-1", "Come to the desk ☕"),
        ReadModelHealed("leaderboard", 3),
    ]
    assert {type(e) for e in events} == set(EVENT_TYPES.values())
    return events


def recorded(
    hunt_id: str, version: int, event: Event | None = None, *, time: int | None = None
) -> RecordedEvent:
    """An event as the engine hands it to the log (no position yet)."""
    if event is None:
        event = HuntCreated(rich_definition(hunt_id)) if version == 1 else AnnouncementMade("hi")
    return RecordedEvent(
        hunt_id=hunt_id,
        version=version,
        time=STARTS + version if time is None else time,
        command_id=f"cmd-{hunt_id}-{version}",
        event=event,
        correlation_id=f"corr-{version}",
    )


def history(hunt_id: str, first: int, last: int) -> list[RecordedEvent]:
    return [recorded(hunt_id, v) for v in range(first, last + 1)]


def append(store: Store, events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    with store.transaction() as uow:
        return uow.events.append(events)


# -- read-model rows -------------------------------------------------------------------


def board_row(
    team: str, score: int, last: int = NO_SCORING_EVENT, order: int = 1, solved: int = 0
) -> LeaderboardRow:
    return LeaderboardRow(team, f"Team {team}", score, solved, last, order)


def finished_row(
    team: str, score: int, finished: int, division: str | None = None
) -> LeaderboardRow:
    return LeaderboardRow(
        team, f"Team {team}", score, 1, finished, 1, finished, STARTS + finished, division
    )


def team_row(team: str, token: str, order: int = 1) -> TeamRow:
    return TeamRow(
        team_id=team,
        name=f"Team {team} ✓",
        order=order,
        token_hash=token,
        registered_at=STARTS,
        solved={"lighthouse": 3, "selfie": 9},
        wrong={"dock-9": 2},
        hints=[("lighthouse", "look-up")],
        pending={"crate": "p-4"},
        hint_costs=20,
        adjustments=-5,
        penalties=6,
        division="open ✓",
        tokens=[token, token + "-second"],
        parts={"riddle": ["one", "two"]},
        kept_open=["crate"],
        reviews=[ReviewNote("selfie", False, 'blurry, "sorry"', STARTS + 5)],
        adjustment_notes=[AdjustmentNote(-5, "late ⏰", STARTS + 6)],
        messages=[MessageNote("Come to the desk ☕", STARTS + 7)],
    )


def rows_of_every_table(hunt_id: str, salt: str = "") -> Changes:
    """One row (two for reviews) in every table of one hunt."""
    return {
        ("hunts", hunt_id, hunt_id): HuntRow(
            rich_definition(hunt_id), True, 42, STARTS, 3, 2, 4, {"open": 3}, {"open": 2}
        ),
        ("teams", hunt_id, "t-1"): team_row("t-1", f"token-{hunt_id}{salt}"),
        ("leaderboard_live", hunt_id, "t-1"): board_row("t-1", 130 + len(salt), 7),
        ("leaderboard_frozen", hunt_id, "t-1"): finished_row("t-1", 80 + len(salt), 5, "open"),
        ("clue_stats", hunt_id, "lighthouse"): ClueStatsRow(
            "lighthouse", 2, 5 + len(salt), 1, 1, 0, [(3, "t-1"), (8, "t-2")]
        ),
        ("reviews", hunt_id, "p-1"): ReviewRow(
            "p-1", "t-1", "selfie", "photo-1", STARTS, "waiting"
        ),
        ("reviews", hunt_id, "p-2"): ReviewRow(
            "p-2", "t-1", "selfie", "photo-2", STARTS, "rejected", "blurry" + salt, STARTS + 9
        ),
        ("audit", hunt_id, f"{7:012d}"): AuditRow(7, STARTS, "hunt_paused", None, "paused" + salt),
        ("revisions", hunt_id, f"{2:012d}"): RevisionRow(2, STARTS, ("hunt title: 'a' -> 'b'",)),
        ("announcements", hunt_id, f"{9:012d}"): AnnouncementRow(9, STARTS, "Half time 半" + salt),
    }


# -- command records -------------------------------------------------------------------------


def every_reply() -> list[Reply]:
    return [
        HuntReply("harbour-night"),
        TeamReply("t-1"),
        SubmissionReply("correct", 100, 50, 150),
        SubmissionReply("pending_review", 0, 0, 150, "p-3"),
        HintReply("look-up", "Look up. ☝", 20, 130),
        AdjustmentReply("t-1", -7),
        ReviewReply("p-3", True, "t-1", "selfie", 300),
    ]


def command_record(command_id: str, decided_at: int, reply: Reply | None = None) -> CommandRecord:
    return CommandRecord(
        command_id=command_id,
        hunt_id="harbour-night",
        fingerprint=f"fp-{command_id}",
        reply=reply if reply is not None else TeamReply("t-1"),
        decided_at=decided_at,
    )
