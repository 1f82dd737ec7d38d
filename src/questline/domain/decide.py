"""`decide(state, command, now)`: the rules of the hunt format, as a pure function.

It reads the state and never changes it; the engine folds the events it
returns into the state with `evolve`. Refusal order follows the spec.
"""

import msgspec

from questline.domain import rejections as refuse
from questline.domain.answer_checking import input_problem, judge, kind_of
from questline.domain.commands import (
    AdjustScore,
    Announce,
    CodeGiven,
    Command,
    CreateHunt,
    GeoGiven,
    IssueToken,
    MessageTeam,
    PartGiven,
    PauseHunt,
    PhotoGiven,
    RecordHeal,
    RegisterTeam,
    ResumeHunt,
    ReviewPhoto,
    ReviseHunt,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.definition import Clue, PartsAnswer
from questline.domain.events import (
    AnnouncementMade,
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    HuntCreated,
    HuntPaused,
    HuntResumed,
    KeptGoing,
    PartSolved,
    PhotoRejected,
    PhotoSubmitted,
    ReadModelHealed,
    ScoreAdjusted,
    TeamMessaged,
    TeamRegistered,
    TokenIssued,
)
from questline.domain.geo import haversine_m
from questline.domain.hunt_state import HuntState, TeamState
from questline.domain.limits import points_problem
from questline.domain.openness import opens_at
from questline.domain.rejections import Rejection
from questline.domain.replies import (
    AdjustmentReply,
    HintReply,
    HuntReply,
    Reply,
    ReviewReply,
    SubmissionReply,
    TeamReply,
)
from questline.domain.revising import decide_revision
from questline.domain.team_names import fold_team_name, team_name_problem
from questline.domain.timestamps import MICROS_PER_SECOND, Micros, to_rfc3339

RATE_WINDOW = 60 * MICROS_PER_SECOND
MAX_REASON = 1000
MAX_ANNOUNCEMENT = 2000


class Accepted(msgspec.Struct, frozen=True):
    events: list[Event]
    reply: Reply
    # Whether a retry of the command gets this reply again. A dry run's answer is not
    # kept: the real revision sent later with the same key must be decided.
    kept: bool = True


Decision = Accepted | Rejection


def decide(state: HuntState | None, command: Command, now: Micros) -> Decision:
    if isinstance(command, CreateHunt):
        if state is not None:
            return refuse.hunt_exists(command.hunt_id)
        if command.definition.id != command.hunt_id:
            return refuse.invalid_input("the definition's id differs from the hunt id")
        return Accepted([HuntCreated(command.definition)], HuntReply(command.hunt_id))
    if state is None:
        return refuse.unknown_hunt(command.hunt_id)
    if isinstance(command, ReviseHunt):
        revised = decide_revision(state, command, now)
        if isinstance(revised, Rejection):
            return revised
        revision_events, reply = revised
        if command.dry_run:
            return Accepted([], reply, kept=False)
        return Accepted(revision_events, reply)
    if isinstance(command, Submit):
        return _submit(state, command, now)
    if isinstance(command, UnlockHint):
        return _unlock_hint(state, command, now)
    if isinstance(command, RegisterTeam):
        return _register(state, command, now)
    if isinstance(command, ReviewPhoto):
        return _review(state, command)
    if isinstance(command, AdjustScore):
        return _adjust(state, command)
    if isinstance(command, PauseHunt):
        events: list[Event] = [] if state.paused else [HuntPaused()]
        return Accepted(events, HuntReply(state.hunt_id))
    if isinstance(command, ResumeHunt):
        events = [HuntResumed()] if state.paused else []
        return Accepted(events, HuntReply(state.hunt_id))
    if isinstance(command, Announce):
        text = command.text.strip()
        if not text or len(text) > MAX_ANNOUNCEMENT:
            return refuse.invalid_input(f"an announcement needs 1 to {MAX_ANNOUNCEMENT} characters")
        return Accepted([AnnouncementMade(text)], HuntReply(state.hunt_id))
    if isinstance(command, RecordHeal):
        healed = ReadModelHealed(command.projection, command.differences)
        return Accepted([healed], HuntReply(state.hunt_id))
    if isinstance(command, IssueToken):
        team = _team(state, command.team_id)
        if isinstance(team, Rejection):
            return team
        issued = TokenIssued(team.team_id, command.token_hash, command.revoke_others)
        return Accepted([issued], TeamReply(team.team_id))
    if isinstance(command, MessageTeam):
        return _message(state, command)
    raise TypeError(f"unknown command {type(command).__name__}")


def _team(state: HuntState, team_id: str) -> TeamState | Rejection:
    team = state.teams.get(team_id)
    return team if team is not None else refuse.unknown_team(team_id)


def _submit(state: HuntState, command: Submit, now: Micros) -> Decision:
    # The hot path of the engine (most commands are answers): lookups are inlined.
    team = state.teams.get(command.team_id)
    if team is None:
        return refuse.unknown_team(command.team_id)
    given = command.given
    problem, normalized = input_problem(given)
    clue_id = command.clue_id
    clue = state.clues.get(clue_id)
    prepared = state.prepared[clue_id] if clue is not None else None
    if problem is None and prepared is not None and type(given) is not prepared.given_type:
        assert clue is not None
        problem = f"clue {clue.id!r} takes a {clue.kind} answer, not a {kind_of(given)} answer"
    if problem is not None:
        return refuse.invalid_input(problem)
    phase = state.phase(now)
    if phase != "live":
        return refuse.not_live(state.hunt_id, phase)
    if clue is None or prepared is None:
        return refuse.unknown_clue(clue_id)
    if isinstance(given, PartGiven) and given.part not in prepared.parts:
        return refuse.unknown_part(clue_id, given.part)
    closed = _closed(state, team, clue, now)
    if closed is not None:
        return closed
    score = state.standings.score(team.team_id)
    if clue_id in team.solved or (
        isinstance(given, PartGiven) and given.part in team.parts.get(clue_id, ())
    ):
        return Accepted([], SubmissionReply("already_solved", 0, 0, score))
    if clue.max_attempts is not None and team.wrong(clue_id) >= clue.max_attempts:
        return refuse.clue_locked(clue_id, clue.max_attempts)
    pending = team.pending_photos.get(clue_id)
    if pending is not None:
        return refuse.photo_pending(clue_id, pending)
    recent = team.recent_wrong(clue_id)
    if recent is not None and len(recent) >= state.definition.wrong_per_minute:
        retry_after = _rate_limit_wait(state, team, clue_id, now)
        if retry_after is not None:
            return refuse.rate_limited(clue_id, retry_after, state.definition.wrong_per_minute)
    verdict = judge(prepared, given, normalized)
    if verdict == "incorrect":
        return _wrong(state, team, clue, command, score)
    if verdict == "correct":
        if isinstance(given, PartGiven):
            return _part_solved(state, team, clue, given, command.client_time, score)
        solved = _solve(state, team, clue_id, review_id=None, command=command)
        return Accepted(
            [solved],
            SubmissionReply(
                "correct", solved.points, solved.bonus, score + solved.points + solved.bonus
            ),
        )
    if verdict == "keep_going":
        part = given.part if isinstance(given, PartGiven) else None
        kept = KeptGoing(team.team_id, clue_id, part, command.client_time)
        return Accepted([kept], SubmissionReply("keep_going", 0, 0, score))
    assert verdict == "pending_review" and isinstance(given, PhotoGiven)
    review_id = f"p-{state.photos_submitted + 1}"
    event = PhotoSubmitted(
        review_id,
        team.team_id,
        clue_id,
        given.photo_id,
        given.digest,
        given.content_type,
        given.dhash,
        command.client_time,
    )
    return Accepted([event], SubmissionReply("pending_review", 0, 0, score, review_id))


def _closed(state: HuntState, team: TeamState, clue: Clue, now: Micros) -> Rejection | None:
    """Why the clue is not open for the team (with its opening time if on the clock)."""
    if clue.requires is None and clue.release is None and clue.round is None:
        return None  # the common case, open from the start
    if state.is_open(team, clue, now):
        return None
    when = opens_at(state.definition, clue)
    if when is not None and now < when:
        return refuse.clue_opens_later(clue.id, to_rfc3339(when))
    return refuse.clue_not_open(clue.id)


def _given_text(given: object) -> str | None:
    if isinstance(given, TextGiven | PartGiven):
        return given.answer
    if isinstance(given, CodeGiven):
        return given.code
    return None


def _wrong(state: HuntState, team: TeamState, clue: Clue, command: Submit, score: int) -> Accepted:
    given = command.given
    penalty = state.definition.wrong_answer_penalty
    lat = given.lat if isinstance(given, GeoGiven) else None
    lon = given.lon if isinstance(given, GeoGiven) else None
    wrong = AnswerWrong(
        team.team_id,
        clue.id,
        given.part if isinstance(given, PartGiven) else None,
        _given_text(given),
        lat,
        lon,
        penalty,
        command.client_time,
    )
    distance = None
    if lat is not None and lon is not None and clue.kind == "geo":
        spec = clue.answer
        distance = round(haversine_m(lat, lon, spec.lat, spec.lon), 1)  # type: ignore[union-attr]
    reply = SubmissionReply("incorrect", -penalty, 0, score - penalty, distance_m=distance)
    return Accepted([wrong], reply)


def _part_solved(
    state: HuntState,
    team: TeamState,
    clue: Clue,
    given: PartGiven,
    client_time: Micros | None,
    score: int,
) -> Accepted:
    answer = clue.answer
    assert isinstance(answer, PartsAnswer)
    part = answer.part(given.part)
    assert part is not None
    events: list[Event] = [
        PartSolved(team.team_id, clue.id, part.id, part.points, given.answer, client_time)
    ]
    solved = team.parts.get(clue.id, {})
    bonus = 0
    if all(p.id in solved or p.id == part.id for p in answer.parts):
        completed = _solve(state, team, clue.id, review_id=None)
        # Its parts earned the points; it counts where its last part was solved.
        completed = msgspec.structs.replace(completed, points=0, counts_at=state.version + 1)
        bonus = completed.bonus
        events.append(completed)
    return Accepted(
        events, SubmissionReply("correct", part.points, bonus, score + part.points + bonus)
    )


def _solve(
    state: HuntState,
    team: TeamState,
    clue_id: str,
    review_id: str | None,
    command: Submit | None = None,
) -> ClueSolved:
    scores = state.standings.scores
    solve_number = scores.solver_count(clue_id) + 1
    bonus = scores.bonus_for(solve_number - 1)
    points = scores.value_now(clue_id, solved=False)
    if command is None:
        return ClueSolved(team.team_id, clue_id, points, bonus, solve_number, review_id)
    given = command.given
    return ClueSolved(
        team.team_id,
        clue_id,
        points,
        bonus,
        solve_number,
        review_id,
        _given_text(given),
        given.lat if isinstance(given, GeoGiven) else None,
        given.lon if isinstance(given, GeoGiven) else None,
        command.client_time,
    )


def _rate_limit_wait(state: HuntState, team: TeamState, clue_id: str, now: Micros) -> int | None:
    """Seconds to wait (rounded up, at least 1) if the team is rate limited on the clue."""
    limit = state.definition.wrong_per_minute
    recent = team.recent_wrong(clue_id)
    if recent is None or len(recent) < limit:
        return None
    in_window = [t for t in recent if t > now - RATE_WINDOW]
    if len(in_window) < limit:
        return None
    frees_at = in_window[len(in_window) - limit] + RATE_WINDOW
    wait = -(-(frees_at - now) // MICROS_PER_SECOND)
    return max(1, wait)


def _unlock_hint(state: HuntState, command: UnlockHint, now: Micros) -> Decision:
    team = _team(state, command.team_id)
    if isinstance(team, Rejection):
        return team
    phase = state.phase(now)
    if phase != "live":
        return refuse.not_live(state.hunt_id, phase)
    clue = state.clues.get(command.clue_id)
    if clue is None:
        return refuse.unknown_clue(command.clue_id)
    hint = clue.hint(command.hint_id)
    if hint is None:
        return refuse.unknown_hint(clue.id, command.hint_id)
    closed = _closed(state, team, clue, now)
    if closed is not None:
        return closed
    score = state.standings.score(team.team_id)
    if (clue.id, hint.id) in team.hints:
        return Accepted([], HintReply(hint.id, hint.text, hint.cost, score))
    event = HintUnlocked(team.team_id, clue.id, hint.id, hint.cost)
    return Accepted([event], HintReply(hint.id, hint.text, hint.cost, score - hint.cost))


def _register(state: HuntState, command: RegisterTeam, now: Micros) -> Decision:
    name, problem = team_name_problem(command.name)
    if problem is not None:
        return refuse.invalid_input(problem, field="name")
    if now >= state.definition.ends_at:
        return refuse.registration_closed(state.hunt_id)
    if fold_team_name(name) in state.team_names:
        return refuse.name_taken(name)
    divisions = [division.id for division in state.definition.divisions]
    if divisions and command.division not in divisions:
        return refuse.unknown_division(command.division, divisions)
    if not divisions and command.division is not None:
        return refuse.invalid_input("this hunt has no divisions", field="division")
    team_id = f"t-{len(state.teams) + 1}"
    registered = TeamRegistered(team_id, name, command.token_hash, command.division)
    return Accepted([registered], TeamReply(team_id))


def _review(state: HuntState, command: ReviewPhoto) -> Decision:
    review = state.reviews.get(command.review_id)
    if review is None:
        if command.review_id in state.reviewed:
            return refuse.already_reviewed(command.review_id)
        return refuse.unknown_review(command.review_id)
    reason = command.reason.strip()
    if len(reason) > MAX_REASON:
        return refuse.invalid_input(f"a reason has at most {MAX_REASON} characters")
    team = state.teams[review.team_id]
    score = state.standings.score(team.team_id)
    if command.approve:
        solved = _solve(state, team, review.clue_id, review_id=review.review_id)
        if reason:
            solved = msgspec.structs.replace(solved, reason=reason)
        reply = ReviewReply(
            review.review_id,
            True,
            team.team_id,
            review.clue_id,
            score + solved.points + solved.bonus,
        )
        return Accepted([solved], reply)
    if not reason:
        return refuse.invalid_input("a rejection needs a reason the team can act on")
    penalty = state.definition.wrong_answer_penalty
    rejected = PhotoRejected(review.review_id, team.team_id, review.clue_id, reason, penalty)
    return Accepted(
        [rejected],
        ReviewReply(review.review_id, False, team.team_id, review.clue_id, score - penalty),
    )


def _adjust(state: HuntState, command: AdjustScore) -> Decision:
    team = _team(state, command.team_id)
    if isinstance(team, Rejection):
        return team
    reason = command.reason.strip()
    if command.points == 0:
        return refuse.invalid_input(
            "an adjustment must award or deduct points (not 0)", field="points"
        )
    too_many = points_problem(command.points)
    if too_many is not None:
        return refuse.invalid_input(f"points {too_many}", field="points")
    if not reason or len(reason) > MAX_REASON:
        return refuse.invalid_input(f"an adjustment needs a reason of 1 to {MAX_REASON} characters")
    score = state.standings.score(team.team_id) + command.points
    return Accepted(
        [ScoreAdjusted(team.team_id, command.points, reason)], AdjustmentReply(team.team_id, score)
    )


def _message(state: HuntState, command: MessageTeam) -> Decision:
    team = _team(state, command.team_id)
    if isinstance(team, Rejection):
        return team
    text = command.text.strip()
    if not text or len(text) > MAX_ANNOUNCEMENT:
        return refuse.invalid_input(f"a message needs 1 to {MAX_ANNOUNCEMENT} characters")
    return Accepted([TeamMessaged(team.team_id, text)], HuntReply(state.hunt_id))
