"""Commands: what a caller asks of a hunt. Each names its hunt."""

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


class CreateHunt(msgspec.Struct, frozen=True, tag="create_hunt"):
    hunt_id: str
    definition: HuntDefinition


class RegisterTeam(msgspec.Struct, frozen=True, tag="register_team"):
    hunt_id: str
    name: str
    token_hash: str


class Submit(msgspec.Struct, frozen=True, tag="submit"):
    hunt_id: str
    team_id: str
    clue_id: str
    given: Given


class UnlockHint(msgspec.Struct, frozen=True, tag="unlock_hint"):
    hunt_id: str
    team_id: str
    clue_id: str
    hint_id: str


class ReviewPhoto(msgspec.Struct, frozen=True, tag="review_photo"):
    hunt_id: str
    review_id: str
    approve: bool
    reason: str = ""


class AdjustScore(msgspec.Struct, frozen=True, tag="adjust_score"):
    hunt_id: str
    team_id: str
    points: int
    reason: str


class PauseHunt(msgspec.Struct, frozen=True, tag="pause_hunt"):
    hunt_id: str


class ResumeHunt(msgspec.Struct, frozen=True, tag="resume_hunt"):
    hunt_id: str


class Announce(msgspec.Struct, frozen=True, tag="announce"):
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
