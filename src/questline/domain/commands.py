"""Commands: what a caller asks of a hunt. Each names its hunt.

Commands (like events, envelopes, outcomes and command records) are frozen
values that cannot form reference cycles, so they opt out of the cycle
collector (`gc=False`): the engine makes and keeps many of them, and tracked
they made the collector's full passes a fifth of the engine's time.
"""

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.timestamps import Micros


class TextGiven(msgspec.Struct, frozen=True, tag="text", tag_field="kind"):
    answer: str


class GeoGiven(msgspec.Struct, frozen=True, tag="geo", tag_field="kind"):
    lat: float
    lon: float


class CodeGiven(msgspec.Struct, frozen=True, tag="code", tag_field="kind"):
    code: str


class PhotoGiven(msgspec.Struct, frozen=True, tag="photo", tag_field="kind"):
    photo_id: str
    digest: str
    content_type: str
    size: int
    dhash: str | None = None  # 64-bit difference hash (hex), for near-duplicate flags


class PartGiven(msgspec.Struct, frozen=True, tag="parts", tag_field="kind"):
    """An answer to one part of a clue in parts."""

    part: str
    answer: str


# One given kind per clue kind (definition.AnswerSpec), with the same tags.
Given = TextGiven | GeoGiven | CodeGiven | PhotoGiven | PartGiven


class CreateHunt(msgspec.Struct, frozen=True, gc=False, tag="create_hunt"):
    hunt_id: str
    definition: HuntDefinition


class ReviseHunt(msgspec.Struct, frozen=True, gc=False, tag="revise_hunt"):
    """Put a new definition in force (hunt-day.md "Errata"). `expected_revision`: refuse
    unless the hunt is at it; `dry_run`: answer as a revision would, change nothing;
    `rejudge`: check recorded wrong answers again under the new definition."""

    hunt_id: str
    definition: HuntDefinition
    expected_revision: int | None = None
    dry_run: bool = False
    rejudge: bool = False


class RegisterTeam(msgspec.Struct, frozen=True, gc=False, tag="register_team"):
    hunt_id: str
    name: str
    token_hash: str
    division: str | None = None


class IssueToken(msgspec.Struct, frozen=True, gc=False, tag="issue_token"):
    hunt_id: str
    team_id: str
    token_hash: str
    revoke_others: bool = False


class MessageTeam(msgspec.Struct, frozen=True, gc=False, tag="message_team"):
    hunt_id: str
    team_id: str
    text: str


class Submit(msgspec.Struct, frozen=True, gc=False, tag="submit"):
    hunt_id: str
    team_id: str
    clue_id: str
    given: Given
    client_time: Micros | None = None  # when the phone made it: kept, never judged by


class UnlockHint(msgspec.Struct, frozen=True, gc=False, tag="unlock_hint"):
    hunt_id: str
    team_id: str
    clue_id: str
    hint_id: str


class ReviewPhoto(msgspec.Struct, frozen=True, gc=False, tag="review_photo"):
    hunt_id: str
    review_id: str
    approve: bool
    reason: str = ""


class AdjustScore(msgspec.Struct, frozen=True, gc=False, tag="adjust_score"):
    hunt_id: str
    team_id: str
    points: int
    reason: str


class PauseHunt(msgspec.Struct, frozen=True, gc=False, tag="pause_hunt"):
    hunt_id: str


class ResumeHunt(msgspec.Struct, frozen=True, gc=False, tag="resume_hunt"):
    hunt_id: str


class Announce(msgspec.Struct, frozen=True, gc=False, tag="announce"):
    hunt_id: str
    text: str


class RecordHeal(msgspec.Struct, frozen=True, tag="record_heal"):
    """Sent by a cluster reconciler (never by clients) so the heal it made is in the
    hunt's log like every other fact."""

    hunt_id: str
    projection: str
    differences: int


Command = (
    CreateHunt
    | ReviseHunt
    | RegisterTeam
    | IssueToken
    | MessageTeam
    | Submit
    | UnlockHint
    | ReviewPhoto
    | AdjustScore
    | PauseHunt
    | ResumeHunt
    | Announce
    | RecordHeal
)
