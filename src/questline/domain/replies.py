"""What an accepted command answers. Stored with the command id, so a retry
gets exactly the first answer back."""

import msgspec


class HuntReply(msgspec.Struct, frozen=True, tag="hunt"):
    hunt_id: str


class TeamReply(msgspec.Struct, frozen=True, tag="team"):
    team_id: str


class SubmissionReply(msgspec.Struct, frozen=True, tag="submission"):
    result: str
    points: int
    bonus: int
    score: int
    review_id: str | None = None
    distance_m: float | None = None  # a missed check-in: how far from the point it was


class HintReply(msgspec.Struct, frozen=True, tag="hint"):
    hint_id: str
    text: str
    cost: int
    score: int


class AdjustmentReply(msgspec.Struct, frozen=True, tag="adjustment"):
    team_id: str
    score: int


class ReviewReply(msgspec.Struct, frozen=True, tag="review"):
    review_id: str
    approved: bool
    team_id: str
    clue_id: str
    score: int


class BoardChange(msgspec.Struct, frozen=True):
    team_id: str
    name: str
    rank_before: int
    rank_after: int
    score_before: int
    score_after: int


class Rejudged(msgspec.Struct, frozen=True):
    team_id: str
    clue: str
    version: int  # the version of the attempt the solve counts at


class RevisionReply(msgspec.Struct, frozen=True, tag="revision"):
    revision: int
    changes: tuple[str, ...]
    board: tuple[BoardChange, ...]
    rejudged: tuple[Rejudged, ...]


Reply = (
    HuntReply
    | TeamReply
    | SubmissionReply
    | HintReply
    | AdjustmentReply
    | ReviewReply
    | RevisionReply
)
