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


Reply = HuntReply | TeamReply | SubmissionReply | HintReply | AdjustmentReply | ReviewReply
