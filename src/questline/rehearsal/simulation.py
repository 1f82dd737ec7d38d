"""The rehearsal's loop: simulated teams play a hunt through the real rules on a
virtual clock, one moment at a time, in time order.

Each team arrives, picks up as many open clues as it works on at once, and for
each spends the time its pace and the clue's difficulty give, guessing wrong (or
half right) now and then, asking for hints when stuck, putting a clue aside for
another open one when stuck too long (and coming back to it), then typing the
right answer; photos go to the judges' desk and may come back rejected. Every guess,
answer, hint and review is a command decided by `decide` and folded by `evolve`,
so attempt caps, rate limits, timed release, rounds, metas, parts, penalties and
divisions all act exactly as they will on the day. One seeded random stream,
used in one order: the same seed gives the same rehearsal.
"""

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from questline.domain.commands import (
    Command,
    Given,
    PhotoGiven,
    RegisterTeam,
    ReviewPhoto,
    Submit,
    UnlockHint,
)
from questline.domain.definition import Clue, HuntDefinition, PartsAnswer
from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    KeptGoing,
    PartSolved,
    PhotoRejected,
)
from questline.domain.hunt_state import TeamState
from questline.domain.openness import clue_open, opens_at
from questline.domain.rejections import Rejection
from questline.domain.replies import Reply, SubmissionReply, TeamReply
from questline.domain.timestamps import MICROS_PER_SECOND, Micros, to_rfc3339
from questline.rehearsal.answers import half_answer, right_answers, wrong_given
from questline.rehearsal.difficulty import expected_minutes
from questline.rehearsal.observations import BoardRow, IdleStretch, Observations
from questline.rehearsal.review_desk import Photo, ReviewDesk
from questline.rehearsal.team_model import TeamTraits, draw_teams, puzzle_minutes
from questline.rehearsal.virtual_hunt import VirtualHunt

MINUTE = 60 * MICROS_PER_SECOND
HINT_SPEEDUP = 0.5  # a hint halves what is left of a team's work on the clue
RETAKE_SHARE = 0.3  # a rejected photo is retaken in this share of the clue's time
HALF_ANSWERS = 0.3  # the share of guesses that are a clue's keep-going answers
GUESS_FACTOR = {"text": 1.0, "parts": 1.0, "code": 0.3, "geo": 0.3, "photo": 0.0}
REJECTION_REASON = "The photo does not show what the clue asks for."

# What happens next, in time order; at equal times, in the order it was planned.
ARRIVE, QUIT, RELEASE, SAMPLE, FREEZE, GUESS, ANSWER, HINT, MOVE_ON, REVIEWED = range(10)

Progress = Callable[[Micros, Micros], None]  # (virtual time played, hunt length)


@dataclass(frozen=True)
class Settings:
    teams: int
    seed: int
    judges: int = 2


@dataclass(slots=True)
class Work:
    """A team at work on one clue: when it will have each answer (one per part)."""

    clue: Clue
    expected: float  # minutes a typical team takes
    due: list[tuple[str, Micros]]  # (part id, or "" for the clue; when it has it), in order
    generation: int = 0  # moments planned under an older generation no longer apply


@dataclass(slots=True)
class SimTeam:
    index: int
    traits: TeamTraits
    team_id: str
    priority: dict[str, float]
    working: dict[str, Work] = field(default_factory=dict)
    waiting_photo: set[str] = field(default_factory=set)
    retake: set[str] = field(default_factory=set)
    aside: dict[str, list[tuple[str, Micros]]] = field(default_factory=dict)  # work left
    locked: set[str] = field(default_factory=set)
    playing: bool = False
    done: bool = False  # finished, or stopped playing
    idle_since: Micros | None = None
    idle_cause: str = ""
    held_since: Micros = 0
    held_by: frozenset[str] = frozenset()  # the gating clues it is stuck at


@dataclass
class Rehearsal:
    """A played rehearsal: what it saw and what the rules decided."""

    definition: HuntDefinition
    settings: Settings
    observations: Observations
    photos: list[tuple[Micros, Micros]]  # (submitted, review duration), for what-ifs
    waits: list[tuple[Micros, Micros]]  # (submitted, wait for a judge, or so far at the end)
    unreviewed: int  # photos still waiting for a judge when the hunt ended
    commands: int
    events: int
    refusals: dict[str, int]
    rules_seconds: float  # wall time in decide and evolve: measured, so never in the report


def simulate(
    definition: HuntDefinition, settings: Settings, progress: Progress | None = None
) -> Rehearsal:
    return _Simulation(definition, settings).run(progress)


class _Simulation:
    def __init__(self, definition: HuntDefinition, settings: Settings) -> None:
        self.definition = definition
        self.settings = settings
        self.rng = random.Random(settings.seed)
        self.hunt = VirtualHunt(definition)
        self.desk = ReviewDesk(settings.judges)
        self.seen = Observations()
        self.now: Micros = definition.starts_at
        self.queue: list[tuple[Micros, int, int, int, str, int]] = []
        self.planned = 0
        self.in_review: dict[int, Photo] = {}
        self.photos_sent = 0
        self.clues = {clue.id: clue for clue in definition.clues}
        self.expected = {clue.id: float(expected_minutes(clue)[0]) for clue in definition.clues}
        self.gates = _gates(definition)
        self.answers: dict[str, dict[str, Given]] = {}
        for clue in definition.clues:
            found = right_answers(clue)
            if found is not None:
                self.answers[clue.id] = found
            elif clue.kind != "photo":
                self.seen.unanswerable.append(clue.id)
        self.teams = self._register(draw_teams(definition, settings.teams, self.rng))

    # -- setting up --------------------------------------------------------------------

    def _register(self, drawn: list[TeamTraits]) -> list[SimTeam]:
        teams = []
        at = self.definition.starts_at - 30 * MINUTE
        for index, traits in enumerate(drawn):
            command = RegisterTeam(
                self.definition.id, traits.name, f"rehearsal-{index}", traits.division
            )
            reply, _ = self.hunt.run(command, at)
            if not isinstance(reply, TeamReply):
                raise ValueError(f"a simulated team could not register: {reply}")
            priority = {clue.id: self.rng.random() for clue in self.definition.clues}
            teams.append(SimTeam(index, traits, reply.team_id, priority))
            self.seen.teams.append(traits.name)
        return teams

    def _plan(self, at: Micros, kind: int, who: int = -1, clue: str = "", gen: int = 0) -> None:
        self.planned += 1
        heapq.heappush(self.queue, (at, self.planned, kind, who, clue, gen))

    def _plan_hunt(self) -> None:
        d = self.definition
        for team in self.teams:
            self._plan(d.starts_at + int(team.traits.arrives_after * MINUTE), ARRIVE, team.index)
            if team.traits.quits_after is not None:
                self._plan(d.starts_at + int(team.traits.quits_after * MINUTE), QUIT, team.index)
        releases = {opens_at(d, clue) for clue in d.clues} - {None}
        for at in sorted(t for t in releases if t is not None and d.starts_at < t < d.ends_at):
            self._plan(at, RELEASE)
        for at in range(d.starts_at, d.ends_at, MINUTE):
            self._plan(at, SAMPLE)
        if d.freeze_at is not None:
            self._plan(d.freeze_at, FREEZE)

    # -- the loop -----------------------------------------------------------------------

    def run(self, progress: Progress | None) -> Rehearsal:
        d = self.definition
        self._plan_hunt()
        length = d.ends_at - d.starts_at
        while self.queue:
            at, _, kind, who, clue_id, gen = heapq.heappop(self.queue)
            if at >= d.ends_at:
                break
            self.now = at
            if kind == SAMPLE:
                self.seen.queue.append((at, len(self.desk.waiting)))
                if progress is not None:
                    progress(at - d.starts_at, length)
            elif kind == ARRIVE:
                self.teams[who].playing = True
                self._refill(self.teams[who])
            elif kind == QUIT:
                self._stop(self.teams[who], finished=False)
            elif kind == RELEASE:
                for team in self.teams:
                    self._refill(team)
            elif kind == FREEZE:
                self._take_board()
            elif kind == REVIEWED:
                self._reviewed(who)
            else:
                team = self.teams[who]
                work = team.working.get(clue_id)
                if work is None or work.generation != gen:
                    continue  # replanned, solved, or the team stopped
                if kind == GUESS:
                    self._guess(team, work)
                elif kind == ANSWER:
                    self._answer(team, work)
                elif kind == HINT:
                    self._hint(team, work)
                elif kind == MOVE_ON:
                    self._move_on(team, work)
        self.now = d.ends_at
        for team in self.teams:
            self._end_idle(team)
            self._hold(team, frozenset())
        if d.freeze_at is None:
            self._take_board()
        if progress is not None:
            progress(length, length)
        return Rehearsal(
            d,
            self.settings,
            self.seen,
            sorted(self.desk.arrivals),
            sorted(
                self.desk.waits
                + [(p.submitted, d.ends_at - p.submitted) for p in self.desk.waiting]
            ),
            len(self.desk.waiting),
            self.hunt.commands,
            self.hunt.state.version,
            dict(sorted(self.hunt.refusals.items())),
            self.hunt.rules_seconds,
        )

    def _run(self, command: Command) -> tuple[Reply | Rejection, list[Event]]:
        return self.hunt.run(command, self.now)

    def _state(self, team: SimTeam) -> TeamState:
        return self.hunt.state.teams[team.team_id]

    # -- choosing what to work on -------------------------------------------------------

    def _refill(self, team: SimTeam) -> None:
        """Note every clue now open for the team; start on as many as it has hands for,
        new ones before those it put aside."""
        if not team.playing or team.done:
            return
        d = self.definition
        state = self._state(team)
        candidates: list[Clue] = []
        closed: set[str] = set()
        for clue in d.clues:
            cid = clue.id
            if cid in state.solved or cid in team.working or cid in team.waiting_photo:
                continue
            if not clue_open(d, clue, state.solved, self.now, state.kept_open):
                closed.add(cid)
                continue
            self.seen.reach(cid, team.index, self.now)
            if cid not in team.locked and (cid in self.answers or clue.kind == "photo"):
                candidates.append(clue)
        candidates.sort(
            key=lambda c: (c.id in team.aside, c.meta or c.id == d.finish, team.priority[c.id])
        )
        for clue in candidates[: max(0, team.traits.parallel - len(team.working))]:
            self._start(team, clue)
        held_by: frozenset[str] = frozenset()
        if not any(c.id not in team.aside and c.id not in team.working for c in candidates):
            # Nothing new to start: the gates it is working on hold it back.
            held_by = frozenset(c for c in team.working if self.gates[c] & closed)
        self._hold(team, held_by)
        if team.working:
            self._end_idle(team)
        else:
            cause = self._why_idle(team)
            if team.idle_since is not None and cause != team.idle_cause:
                self._end_idle(team)  # a new reason is a new stretch
            if team.idle_since is None:
                team.idle_since = self.now
                team.idle_cause = cause

    def _why_idle(self, team: SimTeam) -> str:
        d = self.definition
        if team.waiting_photo:
            return f"waiting for a photo review ({', '.join(sorted(team.waiting_photo))})"
        solved = self._state(team).solved
        upcoming = sorted(
            (when, clue.round or "", clue.id)
            for clue in d.clues
            if clue.id not in solved and (when := opens_at(d, clue)) is not None and when > self.now
        )
        if upcoming:
            when, round_id, clue_id = upcoming[0]
            what = f"round {round_id}" if round_id else f"clue {clue_id}"
            return f"waiting for {what} to open at {to_rfc3339(when)[11:16]}"
        if team.locked:
            return f"locked out of {', '.join(sorted(team.locked))} (attempts used up)"
        return "no open clue left to work on"

    def _hold(self, team: SimTeam, held_by: frozenset[str]) -> None:
        """Charge the time since the last change to the clues that held the team back."""
        if held_by == team.held_by:
            return
        for clue_id in team.held_by:
            self.seen.hold(clue_id, team.index, self.now - team.held_since)
        team.held_by = held_by
        team.held_since = self.now

    def _end_idle(self, team: SimTeam) -> None:
        if team.idle_since is not None:
            if self.now > team.idle_since:
                stretch = IdleStretch(team.index, team.idle_since, self.now, team.idle_cause)
                self.seen.idle.append(stretch)
            team.idle_since = None

    def _stop(self, team: SimTeam, *, finished: bool) -> None:
        if team.done:
            return
        self._end_idle(team)
        self._hold(team, frozenset())
        team.done = True
        team.working.clear()
        (self.seen.finished if finished else self.seen.quit)[team.index] = self.now

    # -- working on a clue --------------------------------------------------------------

    def _start(self, team: SimTeam, clue: Clue) -> None:
        expected = self.expected[clue.id]
        share = RETAKE_SHARE if clue.id in team.retake else 1.0
        total = puzzle_minutes(expected * share, team.traits, self.rng) * MINUTE
        left = team.aside.pop(clue.id, None)
        if left is not None:  # back to a clue it put aside: the work left is as it was
            due = [(part, self.now + remaining) for part, remaining in left]
        elif isinstance(clue.answer, PartsAnswer):
            done = set(self._state(team).parts.get(clue.id, {}))
            parts = [part.id for part in clue.answer.parts if part.id not in done]
            self.rng.shuffle(parts)
            cuts = [*sorted(self.rng.random() for _ in parts[1:]), 1.0]
            due = [
                (part, self.now + int(total * cut)) for part, cut in zip(parts, cuts, strict=True)
            ]
        else:
            due = [("", self.now + int(total))]
        work = Work(clue, expected, due)
        team.working[clue.id] = work
        self.seen.start(clue.id, team.index, self.now)
        self._plan_work(team, work)
        if clue.hints and team.traits.hint_patience is not None:
            wait = expected * team.traits.hint_patience * MINUTE
            self._plan(self.now + int(wait), HINT, team.index, clue.id, work.generation)
        self._plan_move_on(team, work)

    def _plan_move_on(self, team: SimTeam, work: Work) -> None:
        at = self.now + int(team.traits.stuck_after * MINUTE)
        if at < work.due[-1][1]:
            self._plan(at, MOVE_ON, team.index, work.clue.id, work.generation)

    def _move_on(self, team: SimTeam, work: Work) -> None:
        """Stuck for long: put the clue aside if another open clue is waiting to be
        started (it comes back to this one when it has hands free)."""
        d = self.definition
        state = self._state(team)
        waiting = any(
            clue.id not in state.solved
            and clue.id not in team.working
            and clue.id not in team.waiting_photo
            and clue.id not in team.locked
            and clue.id not in team.aside
            and (clue.id in self.answers or clue.kind == "photo")
            and clue_open(d, clue, state.solved, self.now, state.kept_open)
            for clue in d.clues
        )
        if not waiting:
            self._plan_move_on(team, work)
            return
        team.aside[work.clue.id] = [(part, max(0, at - self.now)) for part, at in work.due]
        team.working.pop(work.clue.id)
        self._refill(team)

    def _plan_work(self, team: SimTeam, work: Work) -> None:
        self._plan(max(self.now, work.due[0][1]), ANSWER, team.index, work.clue.id, work.generation)
        self._plan_guess(team, work)

    def _plan_guess(self, team: SimTeam, work: Work) -> None:
        factor = GUESS_FACTOR[work.clue.kind]
        if factor == 0.0:
            return
        at = self.now + int(self.rng.expovariate(1.0 / (team.traits.guess_every / factor)) * MINUTE)
        if at < work.due[-1][1]:
            self._plan(at, GUESS, team.index, work.clue.id, work.generation)

    def _guess(self, team: SimTeam, work: Work) -> None:
        clue = work.clue
        limit = clue.max_attempts
        if limit is not None and self._state(team).wrong(clue.id) >= limit - 1:
            return  # one attempt left: a careful team guesses no more
        part = work.due[0][0] or None
        given = half_answer(clue, part, self.rng) if self.rng.random() < HALF_ANSWERS else None
        _, events = self._run(
            Submit(
                self.definition.id,
                team.team_id,
                clue.id,
                given or wrong_given(clue, part, self.rng),
            )
        )
        self._took(team, events)
        if clue.id in team.working:
            self._plan_guess(team, work)

    def _answer(self, team: SimTeam, work: Work) -> None:
        clue = work.clue
        if clue.kind == "photo":
            self._send_photo(team, work)
            return
        part, _ = work.due[0]
        given = self.answers[clue.id][part]
        reply, events = self._run(Submit(self.definition.id, team.team_id, clue.id, given))
        if isinstance(reply, Rejection):
            if reply.code == "rate_limited" and reply.details is not None:
                wait = int(reply.details.get("retry_after", 1)) * MICROS_PER_SECOND
                self._plan(self.now + wait, ANSWER, team.index, clue.id, work.generation)
                return
            team.working.pop(clue.id, None)
            if reply.code == "clue_locked":
                team.locked.add(clue.id)
            self._refill(team)
            return
        self._took(team, events)
        if clue.id in team.working:  # a part solved, more to come
            work.due.pop(0)
            if work.due:
                self._plan(
                    max(self.now, work.due[0][1]), ANSWER, team.index, clue.id, work.generation
                )

    def _hint(self, team: SimTeam, work: Work) -> None:
        clue = work.clue
        taken = self._state(team).hints
        left = [hint for hint in clue.hints if (clue.id, hint.id) not in taken]
        if not left or team.traits.hint_patience is None:
            return
        reply, events = self._run(UnlockHint(self.definition.id, team.team_id, clue.id, left[0].id))
        if isinstance(reply, Rejection):
            return
        self._took(team, events)
        now = self.now
        work.due = [
            (part, now + int((at - now) * HINT_SPEEDUP)) if at > now else (part, at)
            for part, at in work.due
        ]
        work.generation += 1
        self._plan_work(team, work)
        self._plan_move_on(team, work)
        if len(left) > 1:
            wait = work.expected * team.traits.hint_patience * HINT_SPEEDUP * MINUTE
            self._plan(now + int(wait), HINT, team.index, clue.id, work.generation)

    def _took(self, team: SimTeam, events: list[Event]) -> None:
        """Note what the rules decided; a solved clue frees the team's hands."""
        for event in events:
            if isinstance(event, AnswerWrong):
                self.seen.wrong[event.clue_id] += 1
            elif isinstance(event, KeptGoing):
                self.seen.half[event.clue_id] += 1
            elif isinstance(event, HintUnlocked):
                self.seen.hints[event.clue_id] += 1
            elif isinstance(event, PartSolved):
                pass
            elif isinstance(event, ClueSolved):
                self._solved(team, event.clue_id)

    def _solved(self, team: SimTeam, clue_id: str) -> None:
        self.seen.solve(clue_id, team.index, self.now)
        team.working.pop(clue_id, None)
        team.waiting_photo.discard(clue_id)
        d = self.definition
        solved = self._state(team).solved
        if clue_id == d.finish or (d.finish is None and len(solved) == len(d.clues)):
            self._stop(team, finished=True)
        else:
            self._refill(team)

    # -- photos and judges --------------------------------------------------------------

    def _send_photo(self, team: SimTeam, work: Work) -> None:
        clue = work.clue
        self.photos_sent += 1
        photo_id = f"rehearsal-photo-{self.photos_sent}"
        given = PhotoGiven(photo_id, f"sha256:{self.photos_sent:064x}", "image/jpeg", 250_000)
        reply, _ = self._run(Submit(self.definition.id, team.team_id, clue.id, given))
        team.working.pop(clue.id, None)
        if isinstance(reply, SubmissionReply) and reply.review_id is not None:
            team.waiting_photo.add(clue.id)
            photo = Photo(
                reply.review_id, team.index, clue.id, self.now, ReviewDesk.review_time(self.rng)
            )
            self._judge(self.desk.arrive(photo, self.now))
        elif isinstance(reply, Rejection) and reply.code == "clue_locked":
            team.locked.add(clue.id)
        self._refill(team)

    def _judge(self, started: tuple[int, Photo] | None) -> None:
        if started is not None:
            judge, photo = started
            self.in_review[judge] = photo
            self._plan(self.now + photo.duration, REVIEWED, judge)

    def _reviewed(self, judge: int) -> None:
        photo = self.in_review.pop(judge)
        team = self.teams[photo.team]
        approve = self.rng.random() < team.traits.photo_quality
        reason = "" if approve else REJECTION_REASON
        _, events = self._run(ReviewPhoto(self.definition.id, photo.review_id, approve, reason))
        team.waiting_photo.discard(photo.clue_id)
        for event in events:
            if isinstance(event, PhotoRejected):
                self.seen.wrong[photo.clue_id] += 1
                team.retake.add(photo.clue_id)
                limit = self.clues[photo.clue_id].max_attempts
                if limit is not None and self._state(team).wrong(photo.clue_id) >= limit:
                    team.locked.add(photo.clue_id)
        self._took(team, events)
        if not approve:
            self._refill(team)
        self._judge(self.desk.finished(judge, self.now))

    def _take_board(self) -> None:
        standings = self.hunt.state.standings
        names = {team.team_id: team.index for team in self.teams}
        rows = []
        for rank, team_id in enumerate(standings.ranked(), 1):
            entry = standings.entries[team_id]
            rows.append(
                BoardRow(
                    rank,
                    self.seen.teams[names[team_id]],
                    entry.division,
                    standings.score(team_id),
                    entry.solved,
                    entry.finished_at,
                )
            )
        self.seen.board = rows
        self.seen.board_at = self.now


def _gates(definition: HuntDefinition) -> dict[str, set[str]]:
    """Clue -> the clues its solve counts towards opening (their own `requires`, or
    their round's)."""
    gates: dict[str, set[str]] = {clue.id: set() for clue in definition.clues}
    for clue in definition.clues:
        needs = list(clue.requires.of) if clue.requires is not None else []
        round_ = definition.round(clue.round) if clue.round is not None else None
        if round_ is not None and round_.requires is not None:
            needs += round_.requires.of
        for need in needs:
            if need in gates:
                gates[need].add(clue.id)
    return gates
