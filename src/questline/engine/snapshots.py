"""Snapshots of one hunt: its decision state and its projections' state, at a log
position, encoded with msgspec (MessagePack) through explicit to/from functions.

The in-memory states are dataclasses with sets, deques and private score
sheets; they are turned into plain structs here field by field, so nothing is
pickled and a snapshot never depends on how Python lays objects out.

Every snapshot records `SHAPE`, a digest of the field names of every class it
copies. When someone reshapes one of them, old snapshots stop matching and are
discarded (recovery replays the log instead): never misread.
"""

import dataclasses
import hashlib
from collections import deque
from dataclasses import dataclass

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.hunt_state import HuntState, PendingReview, TeamState, new_state
from questline.domain.projections import hunt_catalog, leaderboard
from questline.domain.projections.audit_feed import AuditFeedProjection
from questline.domain.projections.clue_stats import ClueStatsProjection
from questline.domain.projections.hunt_catalog import HuntCatalogProjection
from questline.domain.projections.leaderboard import LeaderboardProjection
from questline.domain.projections.projector import Projector
from questline.domain.projections.reviews import ReviewsProjection
from questline.domain.projections.rows import ClueStatsRow, HuntRow, ReviewRow, TeamRow
from questline.domain.projections.team_progress import TeamProgressProjection
from questline.domain.score_sheet import ScoreSheet
from questline.domain.team_names import fold_team_name
from questline.domain.timestamps import Micros
from questline.ports import SnapshotRecord

FORMAT = 1


class SnapshotError(Exception):
    """A stored snapshot cannot be used; the message says why."""


# -- the encoded shapes -------------------------------------------------------------


class ScoresData(msgspec.Struct, frozen=True):
    base: dict[str, int]
    dynamic_solved: dict[str, list[str]]
    solvers: dict[str, list[str]]


class TeamData(msgspec.Struct, frozen=True):
    team_id: str
    name: str
    order: int
    token_hash: str
    solved: dict[str, int]
    wrong: dict[str, int]
    recent_wrong: dict[str, list[int]]
    hints: list[tuple[str, str]]
    pending_photos: dict[str, str]
    last_scoring_version: int | None


class ReviewData(msgspec.Struct, frozen=True):
    review_id: str
    team_id: str
    clue_id: str
    photo_id: str
    submitted_at: Micros


class DeciderData(msgspec.Struct, frozen=True):
    definition: HuntDefinition
    version: int
    last_time: Micros
    paused: bool
    teams: list[TeamData]
    reviews: list[ReviewData]
    reviewed: list[str]
    photos_submitted: int
    scores: ScoresData


class EntryData(msgspec.Struct, frozen=True):
    team_id: str
    name: str
    order: int
    solved: int
    last_scoring_version: int


class BoardData(msgspec.Struct, frozen=True):
    scores: ScoresData
    entries: list[EntryData]


class BoardsData(msgspec.Struct, frozen=True):
    live: BoardData
    frozen: BoardData | None
    freeze_at: Micros | None
    frozen_final: bool


class ProjectionsData(msgspec.Struct, frozen=True):
    catalog: HuntRow | None
    teams: list[TeamRow]
    team_count: int
    boards: BoardsData | None
    clue_stats: list[ClueStatsRow]
    reviews: list[ReviewRow]


class SnapshotBody(msgspec.Struct, frozen=True):
    shape: str
    hunt_id: str
    version: int
    decider: DeciderData
    projections: ProjectionsData


def _fields(cls: type) -> list[str]:
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    if isinstance(cls, type) and issubclass(cls, msgspec.Struct):
        return list(cls.__struct_fields__)
    return sorted(getattr(cls, "__slots__", ()))


def _shape() -> str:
    classes: list[type] = [
        HuntState,
        TeamState,
        PendingReview,
        ScoreSheet,
        HuntDefinition,
        hunt_catalog._Hunt,
        leaderboard._Entry,
        leaderboard._Board,
        leaderboard._HuntBoards,
        HuntRow,
        TeamRow,
        ClueStatsRow,
        ReviewRow,
        SnapshotBody,
        DeciderData,
        ProjectionsData,
    ]
    text = ";".join(f"{cls.__qualname__}:{','.join(_fields(cls))}" for cls in classes)
    projections = ",".join(type(p).__name__ for p in Projector().projections)
    return hashlib.sha256(f"{text}|{projections}".encode()).hexdigest()[:16]


SHAPE = _shape()

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(SnapshotBody)


# -- decider state ---------------------------------------------------------------------


def _scores_to(sheet: ScoreSheet) -> ScoresData:
    return ScoresData(
        dict(sheet._base),
        {team: list(clues) for team, clues in sheet._dynamic_solved.items()},
        {clue: list(teams) for clue, teams in sheet.solvers.items()},
    )


def _scores_from(data: ScoresData, definition: HuntDefinition) -> ScoreSheet:
    sheet = ScoreSheet(definition)
    if set(data.solvers) != set(sheet.solvers):
        raise SnapshotError("the score sheet names other clues than the hunt definition")
    sheet._base = dict(data.base)
    sheet._dynamic_solved = {team: list(clues) for team, clues in data.dynamic_solved.items()}
    sheet.solvers = {clue: list(teams) for clue, teams in data.solvers.items()}
    return sheet


def decider_to(state: HuntState) -> DeciderData:
    return DeciderData(
        definition=state.definition,
        version=state.version,
        last_time=state.last_time,
        paused=state.paused,
        teams=[
            TeamData(
                team.team_id,
                team.name,
                team.order,
                team.token_hash,
                dict(team.solved),
                dict(team.wrong),
                {clue: list(times) for clue, times in team.recent_wrong.items()},
                sorted(team.hints),
                dict(team.pending_photos),
                team.last_scoring_version,
            )
            for team in state.teams.values()
        ],
        reviews=[
            ReviewData(r.review_id, r.team_id, r.clue_id, r.photo_id, r.submitted_at)
            for r in state.reviews.values()
        ],
        reviewed=sorted(state.reviewed),
        photos_submitted=state.photos_submitted,
        scores=_scores_to(state.scores),
    )


def decider_from(data: DeciderData) -> HuntState:
    state = new_state(data.definition)
    state.version = data.version
    state.last_time = data.last_time
    state.paused = data.paused
    window = data.definition.wrong_per_minute
    for team in data.teams:
        state.teams[team.team_id] = TeamState(
            team_id=team.team_id,
            name=team.name,
            order=team.order,
            token_hash=team.token_hash,
            solved=dict(team.solved),
            wrong=dict(team.wrong),
            recent_wrong={
                clue: deque(times, maxlen=window) for clue, times in team.recent_wrong.items()
            },
            hints={(clue, hint) for clue, hint in team.hints},
            pending_photos=dict(team.pending_photos),
            last_scoring_version=team.last_scoring_version,
        )
    # The index of folded names is derived: rebuilt in registration order, as evolve
    # builds it, with the fold of this Questline.
    state.team_names = {fold_team_name(team.name): team.team_id for team in data.teams}
    state.reviews = {
        r.review_id: PendingReview(r.review_id, r.team_id, r.clue_id, r.photo_id, r.submitted_at)
        for r in data.reviews
    }
    state.reviewed = set(data.reviewed)
    state.photos_submitted = data.photos_submitted
    state.scores = _scores_from(data.scores, data.definition)
    return state


# -- projection state -------------------------------------------------------------------


@dataclass(frozen=True)
class _Parts:
    catalog: HuntCatalogProjection
    teams: TeamProgressProjection
    boards: LeaderboardProjection
    clue_stats: ClueStatsProjection
    reviews: ReviewsProjection
    audit: AuditFeedProjection


def _parts(projector: Projector) -> _Parts:
    found: dict[type, object] = {type(p): p for p in projector.projections}
    try:
        parts = _Parts(
            found[HuntCatalogProjection],  # type: ignore[arg-type]
            found[TeamProgressProjection],  # type: ignore[arg-type]
            found[LeaderboardProjection],  # type: ignore[arg-type]
            found[ClueStatsProjection],  # type: ignore[arg-type]
            found[ReviewsProjection],  # type: ignore[arg-type]
            found[AuditFeedProjection],  # type: ignore[arg-type]
        )
    except KeyError as missing:
        raise SnapshotError(f"the projector has no {missing} to snapshot") from None
    if len(found) != 6:
        raise SnapshotError("the projector has projections snapshots do not know")
    return parts


def _board_to(board: leaderboard._Board) -> BoardData:
    return BoardData(
        _scores_to(board.scores),
        [
            EntryData(team, e.name, e.order, e.solved, e.last_scoring_version)
            for team, e in board.entries.items()
        ],
    )


def _board_from(data: BoardData, definition: HuntDefinition) -> leaderboard._Board:
    board = leaderboard._Board(_scores_from(data.scores, definition))
    for e in data.entries:
        board.entries[e.team_id] = leaderboard._Entry(
            e.name, e.order, e.solved, e.last_scoring_version
        )
    return board


def projections_to(projector: Projector, hunt_id: str) -> ProjectionsData:
    parts = _parts(projector)
    if any(key[1] == hunt_id for p in projector.projections for key in p.dirty):
        raise SnapshotError(f"hunt {hunt_id} has read-model rows not yet taken; snapshot later")
    hunt = parts.catalog._hunts.get(hunt_id)
    catalog = (
        HuntRow(
            hunt.definition,
            hunt.paused,
            hunt.version,
            hunt.last_time,
            hunt.teams,
            hunt.teams_before_freeze,
        )
        if hunt is not None
        else None
    )
    boards = parts.boards._hunts.get(hunt_id)
    return ProjectionsData(
        catalog=catalog,
        teams=[row for (h, _), row in parts.teams._teams.items() if h == hunt_id],
        team_count=parts.teams._counts.get(hunt_id, 0),
        boards=BoardsData(
            _board_to(boards.live),
            _board_to(boards.frozen) if boards.frozen is not None else None,
            boards.freeze_at,
            boards.frozen_final,
        )
        if boards is not None
        else None,
        clue_stats=[row for (h, _), row in parts.clue_stats._stats.items() if h == hunt_id],
        reviews=[row for (h, _), row in parts.reviews._reviews.items() if h == hunt_id],
    )


def projections_into(
    projector: Projector, hunt_id: str, data: ProjectionsData, definition: HuntDefinition
) -> None:
    """Put one hunt's projection state into `projector` (which holds none of it yet)."""
    parts = _parts(projector)
    if data.catalog is not None:
        c = data.catalog
        parts.catalog._hunts[hunt_id] = hunt_catalog._Hunt(
            c.definition, c.paused, c.version, c.last_time, c.teams, c.teams_before_freeze
        )
    for team in data.teams:
        parts.teams._teams[(hunt_id, team.team_id)] = team
    if data.team_count:
        parts.teams._counts[hunt_id] = data.team_count
    if data.boards is not None:
        b = data.boards
        parts.boards._hunts[hunt_id] = leaderboard._HuntBoards(
            _board_from(b.live, definition),
            _board_from(b.frozen, definition) if b.frozen is not None else None,
            b.freeze_at,
            b.frozen_final,
        )
    for stats in data.clue_stats:
        parts.clue_stats._stats[(hunt_id, stats.clue_id)] = stats
    for review in data.reviews:
        parts.reviews._reviews[(hunt_id, review.review_id)] = review


# -- records ------------------------------------------------------------------------------


def take(state: HuntState, projector: Projector, position: int, now: Micros) -> SnapshotRecord:
    """A snapshot of one hunt as it stands after the event at `position`."""
    body = _encoder.encode(
        SnapshotBody(
            SHAPE,
            state.hunt_id,
            state.version,
            decider_to(state),
            projections_to(projector, state.hunt_id),
        )
    )
    return SnapshotRecord(
        hunt_id=state.hunt_id,
        version=state.version,
        position=position,
        format=FORMAT,
        checksum=hashlib.sha256(body).hexdigest(),
        taken_at=now,
        body=body,
    )


def check_stored(stored_format: int, readable_format: int, checksum: str, body: bytes) -> None:
    """SnapshotError unless the stored bytes are of a format this Questline reads and
    match their checksum (checked before anything is decoded)."""
    if stored_format != readable_format:
        raise SnapshotError(
            f"format {stored_format}, this Questline reads format {readable_format}"
        )
    if hashlib.sha256(body).hexdigest() != checksum:
        raise SnapshotError("its checksum does not match its contents")


def open_snapshot(record: SnapshotRecord) -> SnapshotBody:
    """The decoded snapshot, or SnapshotError naming what is wrong with it."""
    check_stored(record.format, FORMAT, record.checksum, record.body)
    try:
        body = _decoder.decode(record.body)
    except msgspec.DecodeError as error:
        raise SnapshotError(f"it cannot be decoded: {error}") from None
    if body.shape != SHAPE:
        raise SnapshotError("it was written for another layout of the hunt state")
    if body.hunt_id != record.hunt_id or body.version != record.version:
        raise SnapshotError("its contents name another hunt or version than its row")
    if body.decider.version != record.version or body.decider.definition.id != record.hunt_id:
        raise SnapshotError("its decision state is not the one its row names")
    return body


def restore(body: SnapshotBody, projector: Projector) -> HuntState:
    """The hunt's decision state; its projection state goes into `projector`."""
    state = decider_from(body.decider)
    projections_into(projector, body.hunt_id, body.projections, body.decider.definition)
    return state
