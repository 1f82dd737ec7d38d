"""A deterministic simulation of the embedded engine, driven by a seed.

Everything random comes from `random.Random(seed)`: the hunt, the commands, the
clock, the batches, and the faults:
- crashes at a chosen step of a batch (before the append, after the append,
  while projecting, before the command records, before the commit, after the
  commit but before the reply), injected by `FaultyStore`, a wrapper around the
  REAL SqliteStore that raises at the chosen call; the crashed engine is thrown
  away like a dead process and a new one recovers from the file;
- duplicated and reordered deliveries (the same command ids sent again, batches
  shuffled);
- a stale writer: a second engine on the same file writes while the first
  still holds old state;
- snapshots taken, and sometimes corrupted, so recoveries use or discard them.

`run_seed(seed)` then checks: every acknowledged command is in the log exactly
once and a retry got its first reply; the log is exactly what one sequential
writer would have decided (so no stale decision was written); the read models
equal a replay; a fresh recovery rebuilds the state a fold of the log gives.
Any failure names its seed and replays exactly from it.
"""

import hashlib
import random
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.snapshot_store import SqliteSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.domain.commands import (
    AdjustScore,
    Command,
    CreateHunt,
    GeoGiven,
    PauseHunt,
    RegisterTeam,
    ResumeHunt,
    Submit,
    TextGiven,
    UnlockHint,
)
from questline.domain.decide import decide
from questline.domain.definition import GeoAnswer, TextAnswer
from questline.domain.hunt_state import HuntState, evolve
from questline.domain.rejections import Rejection
from questline.domain.replies import Reply
from questline.domain.timestamps import MICROS_PER_SECOND
from questline.engine.hunt_engine import HuntEngine
from questline.engine.verification import verify
from questline.loadgen.workload import workload_hunt
from questline.ports import CommandEnvelope
from tests.properties.model import dump_state

POINTS = (
    "before_append",
    "after_append",
    "during_projection",
    "before_remember",
    "before_commit",
    "after_commit",
)
STARTS = 1_796_148_000_000_000
HUNT = "sim"
SHM = Path("/dev/shm")


class InjectedCrash(Exception):
    """The simulated process dies here."""


@dataclass
class Injector:
    armed: str | None = None
    fired: list[str] = field(default_factory=list)

    def hit(self, point: str) -> None:
        if self.armed == point:
            self.armed = None  # one shot: the process is dead after it
            self.fired.append(point)
            raise InjectedCrash(point)


class _FaultyLog:
    def __init__(self, real: Any, injector: Injector) -> None:
        self._real, self._injector = real, injector

    def append(self, events: Any) -> Any:
        if events:
            self._injector.hit("before_append")
        placed = self._real.append(events)
        if placed:
            self._injector.hit("after_append")
        return placed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _FaultyReadModels:
    def __init__(self, real: Any, injector: Injector) -> None:
        self._real, self._injector = real, injector

    def apply_changes(self, changes: Any, checkpoint: int) -> bool:
        self._injector.hit("during_projection")
        return bool(self._real.apply_changes(changes, checkpoint))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _FaultyCommands:
    def __init__(self, real: Any, injector: Injector) -> None:
        self._real, self._injector = real, injector

    def remember(self, records: Any) -> None:
        if records:
            self._injector.hit("before_remember")
        self._real.remember(records)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _FaultyUnitOfWork:
    def __init__(self, real: SqliteStore, injector: Injector) -> None:
        self.events = _FaultyLog(real.events, injector)
        self.commands = _FaultyCommands(real.commands, injector)
        self.read_models = _FaultyReadModels(real.read_models, injector)


class FaultyStore:
    """The real SqliteStore, raising InjectedCrash at the armed point of a write."""

    def __init__(self, real: SqliteStore, injector: Injector) -> None:
        self.real = real
        self.injector = injector
        self.events = real.events
        self.commands = real.commands
        self.read_models = real.read_models
        self.tokens = real.tokens

    @contextmanager
    def transaction(self) -> Iterator[_FaultyUnitOfWork]:
        with self.real.transaction():
            yield _FaultyUnitOfWork(self.real, self.injector)
            self.injector.hit("before_commit")
        self.injector.hit("after_commit")

    def close(self) -> None:
        self.real.close()


# -- the simulated world ------------------------------------------------------------


@dataclass
class SeedResult:
    seed: int
    steps: int = 0
    commands_sent: int = 0
    deliveries: int = 0
    acknowledged: int = 0
    crashes: int = 0
    restarts: int = 0
    stale_conflicts: int = 0
    snapshots_discarded: int = 0
    events: int = 0
    crash_points: list[str] = field(default_factory=list)


def _fingerprint(command: Command) -> str:
    return hashlib.sha256(msgspec.json.encode(command)).hexdigest()[:16]


class World:
    def __init__(self, seed: int, directory: Path) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.path = directory / f"sim-{seed}.db"
        self.clock = ManualClock(STARTS - 60 * MICROS_PER_SECOND)
        self.injector = Injector()
        self.result = SeedResult(seed)
        self.definition = workload_hunt(HUNT, STARTS, clues=self.rng.choice((3, 4, 5)))
        self.definition = msgspec.structs.replace(
            self.definition, wrong_per_minute=self.rng.choice((2, 1000))
        )
        self.teams = self.rng.randint(2, 4)
        self.commands: dict[str, Command] = {}
        self.sent: list[str] = []
        self.acks: dict[str, Reply] = {}
        self._next = 0
        self._open_engine()

    # -- engines ----------------------------------------------------------------

    def _new_engine(self, injector: Injector | None) -> HuntEngine:
        real = SqliteStore(self.path)
        store: Any = FaultyStore(real, injector) if injector is not None else real
        engine = HuntEngine(store, self.clock, snapshots=SqliteSnapshotStore(self.path))
        engine.recover()
        self.result.snapshots_discarded += len(engine.last_recovery.snapshots_discarded)
        return engine

    def _open_engine(self) -> None:
        self.engine = self._new_engine(self.injector)

    def _close(self, engine: HuntEngine) -> None:
        store = engine.store
        (store.real if isinstance(store, FaultyStore) else store).close()
        assert isinstance(engine.snapshots, SqliteSnapshotStore)
        engine.snapshots.close()

    def restart(self) -> None:
        """The process dies (or is restarted): memory is gone, the file stays."""
        self._close(self.engine)
        self.injector.armed = None
        self.result.restarts += 1
        self._open_engine()

    # -- commands -------------------------------------------------------------------

    def _new_command(self) -> str:
        n = self._next
        self._next += 1
        command: Command
        if n == 0:
            command = CreateHunt(HUNT, self.definition)
        elif n <= self.teams:
            command = RegisterTeam(HUNT, f"team {n}", f"hash-{n}")
        else:
            command = self._play_command()
        command_id = f"s{self.seed}-c{n}"
        self.commands[command_id] = command
        self.result.commands_sent += 1
        return command_id

    def _play_command(self) -> Command:
        rng = self.rng
        team = f"t-{rng.randint(1, self.teams + 1)}"  # now and then a team that is not there
        clue = rng.choice(self.definition.clues)
        roll = rng.random()
        if roll < 0.08:
            return UnlockHint(HUNT, team, clue.id, "h")
        if roll < 0.12:
            return AdjustScore(HUNT, team, rng.choice((-5, 5, 10)), "drill")
        if roll < 0.14:
            return PauseHunt(HUNT)
        if roll < 0.17:
            return ResumeHunt(HUNT)
        right = rng.random() < 0.4
        answer = clue.answer
        if isinstance(answer, GeoAnswer):
            lat = answer.lat if right else answer.lat + 0.01
            return Submit(HUNT, team, clue.id, GeoGiven(lat, answer.lon))
        assert isinstance(answer, TextAnswer)
        text = answer.accept[0] if right else rng.choice(("nope", answer.keep_going[0]))
        return Submit(HUNT, team, clue.id, TextGiven(text))

    def _envelope(self, command_id: str) -> CommandEnvelope:
        command = self.commands[command_id]
        return CommandEnvelope(command_id, command, _fingerprint(command))

    def deliver(self, ids: list[str], engine: HuntEngine | None = None) -> None:
        engine = engine or self.engine
        self.result.deliveries += len(ids)
        try:
            outcomes = engine.execute([self._envelope(i) for i in ids])
        except InjectedCrash as crash:
            self.result.crashes += 1
            self.result.crash_points.append(str(crash))
            self.restart()  # nobody got an answer; the process is gone
            return
        for outcome in outcomes:
            if outcome.reply is None:
                assert outcome.rejection is not None
                continue
            first = self.acks.setdefault(outcome.command_id, outcome.reply)
            assert first == outcome.reply, (
                f"command {outcome.command_id} answered {outcome.reply} on a retry,"
                f" {first} the first time"
            )

    # -- steps ------------------------------------------------------------------------

    def step(self) -> None:
        rng = self.rng
        self.result.steps += 1
        self.clock.advance(rng.randint(0, 40) * MICROS_PER_SECOND)
        roll = rng.random()
        if self._next <= self.teams:  # create the hunt and register the teams first
            ids = [self._new_command() for _ in range(rng.randint(1, 2))]
            self.sent += ids
            self.deliver(ids)
        elif roll < 0.40:  # new commands, in a batch, sometimes reordered
            ids = [self._new_command() for _ in range(rng.randint(1, 4))]
            self.sent += ids
            if rng.random() < 0.5:
                rng.shuffle(ids)
            self.deliver(ids)
        elif roll < 0.60:  # duplicates: old ids again, maybe with a new one, maybe twice
            ids = rng.sample(self.sent, min(len(self.sent), rng.randint(1, 3)))
            if rng.random() < 0.5:
                fresh = self._new_command()
                self.sent.append(fresh)
                ids.append(fresh)
            if rng.random() < 0.3:
                ids.append(ids[0])
            rng.shuffle(ids)
            self.deliver(ids)
        elif roll < 0.78:  # a crash at a chosen step of the next batch
            self.injector.armed = rng.choice(POINTS)
            ids = [self._new_command() for _ in range(rng.randint(1, 3))]
            self.sent += ids
            self.deliver(ids)
            self.injector.armed = None
        elif roll < 0.86:  # a stale writer: another engine writes behind this one's back
            self.stale_writer()
        elif roll < 0.93:
            self.engine.take_snapshots()
        elif roll < 0.97:
            self.corrupt_snapshot()
            self.restart()
        else:
            self.restart()

    def stale_writer(self) -> None:
        other = self._new_engine(None)
        try:
            ids = [self._new_command() for _ in range(self.rng.randint(1, 3))]
            self.sent += ids
            self.deliver(ids, other)
        finally:
            self._close(other)
        before = len(list(self.engine.store.events.read()))
        version = self.engine.states[HUNT].version if HUNT in self.engine.states else 0
        ids = [self._new_command() for _ in range(self.rng.randint(1, 2))]
        self.sent += ids
        self.deliver(ids)  # this engine is stale now: it must notice, reload, decide again
        if version < before:
            self.result.stale_conflicts += 1

    def corrupt_snapshot(self) -> None:
        with sqlite3.connect(self.path) as db:
            how = self.rng.choice(("checksum", "body", "version"))
            if how == "checksum":
                db.execute("UPDATE snapshots SET checksum = 'bad'")
            elif how == "body":
                db.execute("UPDATE snapshots SET body = CAST(substr(body, 2) AS BLOB)")
            else:
                db.execute("UPDATE snapshots SET version = version + 1")

    # -- the checks -------------------------------------------------------------------

    def check(self) -> None:
        self.restart()  # a last recovery from the file alone
        engine = self.engine
        store = engine.store
        log = list(store.events.read())
        self.result.events = len(log)
        assert [r.version for r in log] == list(range(1, len(log) + 1)), "versions not contiguous"
        groups: dict[str, int] = {}
        state: HuntState | None = None
        index = 0
        while index < len(log):
            command_id = log[index].command_id
            end = index
            while end < len(log) and log[end].command_id == command_id:
                end += 1
            group = log[index:end]
            groups[command_id] = groups.get(command_id, 0) + 1
            assert groups[command_id] == 1, f"command {command_id} was decided twice"
            command = self.commands[command_id]
            decision = decide(state, command, group[0].time)
            assert not isinstance(decision, Rejection), (
                f"the log holds events of {command_id}, which a sequential writer refuses:"
                f" {decision}"
            )
            assert list(decision.events) == [r.event for r in group], (
                f"{command_id} was decided on stale state: the log holds"
                f" {[r.event for r in group]}, a sequential writer decides {decision.events}"
            )
            for recorded in group:
                state = evolve(state, recorded)
            index = end
        acked = list(self.acks)
        records = store.commands.find(acked)
        for command_id in acked:
            record = records.get(command_id)
            assert record is not None, f"acknowledged command {command_id} is not recorded"
            assert record.reply == self.acks[command_id], f"{command_id}: another reply stored"
        self.result.acknowledged = len(acked)
        differences = verify(store)
        assert differences == [], [d.describe() for d in differences[:5]]
        if state is not None:
            assert dump_state(engine.states[HUNT]) == dump_state(state), "recovered state differs"
        self._close(engine)


def run_seed(seed: int, directory: Path | None = None) -> SeedResult:
    """Play one seed and check it; AssertionError names the seed."""
    with tempfile.TemporaryDirectory(dir=SHM if SHM.is_dir() else None) as tmp:
        world = World(seed, directory or Path(tmp))
        steps = world.rng.randint(6, 12)
        try:
            for _ in range(steps):
                world.step()
            world.check()
        except AssertionError as error:
            raise AssertionError(f"seed {seed}: {error}") from error
        return world.result


def run_seeds(seeds: range) -> list[SeedResult | str]:
    """Results, or for a failed seed its message (worker processes send these back)."""
    out: list[SeedResult | str] = []
    for seed in seeds:
        try:
            out.append(run_seed(seed))
        except Exception as error:
            out.append(f"seed {seed}: {type(error).__name__}: {error}")
    return out
