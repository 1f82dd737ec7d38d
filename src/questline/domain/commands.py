"""Commands: what a caller asks of a hunt. Each names its hunt.

Commands (like events, envelopes, outcomes and command records) are frozen
values that cannot form reference cycles, so they opt out of the cycle
collector (`gc=False`): the engine makes and keeps many of them, and tracked
they made the collector's full passes a fifth of the engine's time.
"""

import msgspec

from questline.domain.definition import HuntDefinition


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


Given = TextGiven | GeoGiven | CodeGiven | PhotoGiven


class CreateHunt(msgspec.Struct, frozen=True, gc=False, tag="create_hunt"):
    hunt_id: str
    definition: HuntDefinition


class RegisterTeam(msgspec.Struct, frozen=True, gc=False, tag="register_team"):
    hunt_id: str
    name: str
    token_hash: str


class Submit(msgspec.Struct, frozen=True, gc=False, tag="submit"):
    hunt_id: str
    team_id: str
    clue_id: str
    given: Given


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
    | RegisterTeam
    | Submit
    | UnlockHint
    | ReviewPhoto
    | AdjustScore
    | PauseHunt
    | ResumeHunt
    | Announce
    | RecordHeal
)
