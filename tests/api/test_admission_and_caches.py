"""The pieces of admission control and of the read cache, each on its own: the adaptive
limit finds the concurrency by latency, CoDel tells a standing queue from a burst, the
app's gate refuses when the server left the decision to it, retries spread out, and
the cache never keeps what a newer event has changed."""

import math
import random
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.store import SqliteStore
from questline.domain.commands import AdjustScore, CreateHunt, IssueToken, PauseHunt, RegisterTeam
from questline.domain.projections.rows import HuntRow
from questline.engine.hunt_engine import HuntEngine
from questline.http.adaptive_limit import AdaptiveLimit
from questline.http.admission import Admission, AdmissionSettings
from questline.http.embedded import build_embedded_node
from questline.http.queue_delay import QueueDelay
from questline.http.read_cache import EMBEDDED_MAX_AGE_S, MAX_AGE_S, ReadCache
from questline.loadgen.backoff import retry_delay
from questline.ports import CommandEnvelope, Outcome
from tests.api.conftest import HUNT, ORGANIZER_TOKEN, assert_error
from tests.hunt_builders import STARTS, spec_hunt

# -- the adaptive limit -------------------------------------------------------------------


def _window(limit: AdaptiveLimit, latency: float, now: float, requests: int = 20) -> None:
    """One window of `requests` at once, each answered after `latency`."""
    for _ in range(requests):
        assert limit.acquire()
    for _ in range(requests):
        limit.release(latency, now)


def test_the_limit_grows_while_answers_are_fast_and_the_limit_is_reached() -> None:
    limit = AdaptiveLimit(initial=20, minimum=4, maximum=1000, target_s=0.05)
    now = 0.0
    for _ in range(5):
        now += 0.2
        _window(limit, 0.01, now, requests=math.ceil(limit.limit))  # every place taken
    assert limit.limit > 30
    grown = limit.limit
    for _ in range(5):
        now += 0.2
        _window(limit, 0.01, now, requests=4)  # fast, but far from the limit
    assert limit.limit == grown


def test_the_limit_shrinks_when_answers_get_slow_but_not_below_its_minimum() -> None:
    limit = AdaptiveLimit(initial=100, minimum=4, maximum=1000, target_s=0.05)
    now = 0.0
    _window(limit, 0.01, now)  # answers are quick unloaded: the threshold is the target
    for _ in range(4):  # (a window's first answer closes the one before)
        now += 0.1
        _window(limit, 0.2, now, requests=math.ceil(limit.limit))  # in use, and slow
    assert limit.limit < 100 * 0.9**2 + 1
    for _ in range(100):  # 10 s: the quick window is still the recent floor
        now += 0.1
        _window(limit, 0.2, now, requests=math.ceil(limit.limit))
    assert limit.limit == 4


def test_slow_answers_far_below_the_limit_leave_it_alone() -> None:
    """A quiet node on a noisy machine: slow answers with a tenth of the limit in use
    are not the limit's doing; shrinking would end up refusing ordinary traffic."""
    limit = AdaptiveLimit(initial=100, minimum=4, maximum=1000, target_s=0.05)
    now = 0.0
    _window(limit, 0.01, now)
    for _ in range(100):
        now += 0.1
        _window(limit, 0.2, now, requests=10)
    assert limit.limit == 100


def test_a_full_budget_refuses_and_a_released_place_admits_again() -> None:
    limit = AdaptiveLimit(initial=2, minimum=2, maximum=2, target_s=0.05)
    assert limit.acquire() and limit.acquire()
    assert not limit.acquire()
    limit.release(0.01, 1.0)
    assert limit.acquire()


def test_a_backend_slow_even_unloaded_keeps_a_threshold_above_its_own_latency() -> None:
    """A cluster's round trip of 200 ms is not congestion: the threshold follows twice
    the quickest window, and the limit does not collapse."""
    limit = AdaptiveLimit(initial=50, minimum=4, maximum=1000, target_s=0.05)
    now = 0.0
    for _ in range(50):
        now += 0.2
        _window(limit, 0.2, now)
    assert limit.threshold_s == pytest.approx(0.4)
    assert limit.limit > 4


# -- CoDel on the event loop ----------------------------------------------------------------


def test_a_burst_over_the_target_is_not_a_queue_a_whole_interval_of_it_is() -> None:
    delay = QueueDelay(target_s=0.005, interval_s=0.1)
    delay.observe(0.02, 1.0)
    delay.observe(0.02, 1.05)
    assert not delay.congested(1.05)
    delay.observe(0.003, 1.06)  # one got through quickly: no standing queue
    delay.observe(0.02, 1.07)
    delay.observe(0.02, 1.2)
    assert delay.congested(1.2)
    delay.observe(0.001, 1.21)
    assert not delay.congested(1.21)


def test_a_queue_nobody_measured_for_an_interval_is_taken_to_be_gone() -> None:
    delay = QueueDelay(target_s=0.005, interval_s=0.1)
    delay.observe(0.02, 1.0)
    delay.observe(0.02, 1.2)
    assert delay.congested(1.25)
    assert not delay.congested(1.31)


def test_a_standing_queue_refuses_writes_only_when_requests_are_in_flight() -> None:
    """Slow starts with one request at a time are a busy machine, not a queue: the
    suites' and a quiet hunt's traffic is never refused for them."""
    admission = Admission()
    admission.loop.observe(0.02, 1.0)
    admission.loop.observe(0.02, 1.2)
    assert admission.loop.congested(1.2)
    writes = admission.writes
    assert admission.admit(writes, 1.2)  # alone in flight: admitted
    for _ in range(3):
        assert admission.reads.limit.acquire()
    assert not admission.admit(writes, 1.2)  # four in flight and a queue: refused
    assert admission.admit(admission.reads, 1.2)  # reads are not refused for the queue


# -- the app's gate, when the server leaves the decision to it -------------------------------


def test_the_gate_refuses_writes_past_the_budget_and_lets_reads_and_probes_through(
    tmp_path: Path,
) -> None:
    node = build_embedded_node(
        tmp_path / "q.db",
        clock=ManualClock(STARTS),
        organizer_token=ORGANIZER_TOKEN,
        reconcile_interval=None,
        admission=AdmissionSettings(writes_initial=1, writes_max=1, minimum=1),
    )
    try:
        with TestClient(node.app) as client:
            writes = node.app.state.admission.writes.limit
            assert writes.acquire()  # the one place is taken (a write under way)
            refused = client.post(f"/api/hunts/{HUNT}/teams", json={"name": "Late"})
            assert_error(refused, 503, "overloaded")
            assert refused.headers["Retry-After"] == "1"
            assert client.get("/api/hunts").status_code == 200
            assert client.get("/healthz").status_code == 200
            writes.release(0.001, 0.0)
            assert_error(client.post(f"/api/hunts/{HUNT}/teams", json={"name": "On time"}), 404)
    finally:
        node.close()


# -- retries spread out ---------------------------------------------------------------------


def test_a_retry_waits_between_once_and_twice_what_the_server_asked() -> None:
    rng = random.Random(3)
    waits = [retry_delay("2", rng) for _ in range(200)]
    assert all(2 <= w <= 4 for w in waits)
    assert max(waits) - min(waits) > 1  # spread, not all at once
    assert 1 <= retry_delay(None, rng) <= 2
    assert 1 <= retry_delay("soon", rng) <= 2


# -- the read cache -------------------------------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path) -> HuntEngine:
    engine = HuntEngine(SqliteStore(tmp_path / "q.db", "normal"), ManualClock(STARTS))
    engine.execute([CommandEnvelope("c-1", CreateHunt(HUNT, spec_hunt()))])
    return engine


def _run(engine: HuntEngine, cache: ReadCache, command: object, command_id: str) -> None:
    outcomes = engine.execute([CommandEnvelope(command_id, command)])  # type: ignore[arg-type]
    cache.on_batch(outcomes, engine.last_changes)


def test_a_hunt_row_is_kept_until_an_event_of_its_hunt_brings_the_new_one(
    engine: HuntEngine,
) -> None:
    store = engine.store
    cache = ReadCache(store)  # type: ignore[arg-type]
    cache.listener()
    first = cache.hunt(HUNT)
    assert isinstance(first, HuntRow) and not first.paused
    assert cache.hunt(HUNT) is first and cache.hits == 1
    _run(engine, cache, PauseHunt(HUNT), "c-2")
    paused = cache.hunt(HUNT)
    assert paused is not None and paused.paused and paused.version == first.version + 1


def test_a_row_read_before_a_newer_event_is_not_kept(engine: HuntEngine) -> None:
    """The race: a request reads the row, the writer commits and tells the cache, then
    the request offers what it read. The stale row is served once, never kept."""
    store = engine.store
    stale = store.read_models.get("hunts", HUNT, HUNT)  # type: ignore[attr-defined]
    cache = ReadCache(store)  # type: ignore[arg-type]
    cache.listener()
    _run(engine, cache, PauseHunt(HUNT), "c-2")
    cache._hunts.clear()  # as if the entry had expired
    cache._keep_hunt(HUNT, stale)
    assert HUNT not in cache._hunts
    fresh = cache.hunt(HUNT)
    assert fresh is not None and fresh.paused


def test_a_revoked_token_is_dropped_and_never_kept_again(engine: HuntEngine) -> None:
    store = engine.store
    cache = ReadCache(store)  # type: ignore[arg-type]
    cache.listener()
    _run(engine, cache, RegisterTeam(HUNT, "Otters", "digest-old"), "c-2")
    found = cache.token("digest-old")
    assert found is not None and found[0] == "team"
    team_id = found[2]
    _run(engine, cache, IssueToken(HUNT, team_id, "digest-new", revoke_others=True), "c-3")
    assert cache.token("digest-old") is None
    assert cache.token("digest-new") == ("team", HUNT, team_id)
    # A store behind the events (an API node's projector) still says the old one works:
    cache._keep_token("digest-old", ("team", HUNT, team_id))
    assert "digest-old" not in cache._tokens


def test_without_a_listener_nothing_is_kept(engine: HuntEngine) -> None:
    cache = ReadCache(engine.store)  # type: ignore[arg-type]
    assert cache.hunt(HUNT) is not None and cache.hunt(HUNT) is not None
    assert cache.hits == 0 and cache.misses == 2


def test_a_command_answered_here_cuts_old_tokens_off_before_the_tail_brings_it(
    engine: HuntEngine,
) -> None:
    """An API node: the tail that feeds the cache may come after the caller is
    answered. What the node answered is forgotten now."""
    cache = ReadCache(engine.store)  # type: ignore[arg-type]
    cache.listener()  # fed by a tail that has not brought these events yet
    _run_unseen(engine, RegisterTeam(HUNT, "Otters", "digest-old"), "c-2")
    found = cache.token("digest-old")
    assert found is not None
    row = cache.hunt(HUNT)
    assert row is not None and not row.paused
    team_id = found[2]
    outcome = _run_unseen(
        engine, IssueToken(HUNT, team_id, "digest-new", revoke_others=True), "c-3"
    )
    assert cache.token("digest-old") == found  # not told yet: the cached entry
    cache.answered(outcome.events)
    assert cache.token("digest-old") is None
    paused = _run_unseen(engine, PauseHunt(HUNT), "c-4")
    cache.answered(paused.events)
    fresh = cache.hunt(HUNT)
    assert fresh is not None and fresh.paused


def _run_unseen(engine: HuntEngine, command: object, command_id: str) -> Outcome:
    (outcome,) = engine.execute([CommandEnvelope(command_id, command)])  # type: ignore[arg-type]
    return outcome


def test_a_token_a_command_issued_works_before_the_read_side_has_it(
    engine: HuntEngine, tmp_path: Path
) -> None:
    """An API node answers before its projector writes: the registration's own events
    make its token work, and a revocation seen first is not undone by a late event or
    by a read side that has the registration and not yet the revocation."""
    behind = HuntEngine(SqliteStore(tmp_path / "behind.db", "normal"), ManualClock(STARTS))
    behind.execute([CommandEnvelope("c-1", CreateHunt(HUNT, spec_hunt()))])
    cache = ReadCache(behind.store)  # type: ignore[arg-type]
    cache.listener()
    registered = _run_unseen(engine, RegisterTeam(HUNT, "Otters", "digest-old"), "c-2")
    assert cache.token("digest-old") is None  # the read side does not have it
    cache.answered(registered.events)
    found = cache.token("digest-old")
    assert found is not None and found[:2] == ("team", HUNT)
    issued = _run_unseen(
        engine, IssueToken(HUNT, found[2], "digest-new", revoke_others=True), "c-3"
    )
    cache.answered(issued.events)
    cache.on_batch([registered], {})  # the tail brings the registration late
    assert cache.token("digest-old") is None
    assert cache.token("digest-new") == found
    _run_unseen(behind, RegisterTeam(HUNT, "Otters", "digest-old"), "c-2")
    assert behind.store.read_models.team_by_token("digest-old") == found[1:]
    assert cache.token("digest-old") is None


def test_an_event_that_moves_only_the_head_keeps_the_row_as_the_store_writes_it(
    engine: HuntEngine,
) -> None:
    """Play moves a hunt row's version and time only: the cached row follows, and the
    next request reads no store (an API node's Cassandra). A pause drops it."""
    cache = ReadCache(engine.store)  # type: ignore[arg-type]
    cache.listener()
    registered = _run_unseen(engine, RegisterTeam(HUNT, "Otters", "digest"), "c-2")
    cache.answered(registered.events)
    assert cache.hunt(HUNT) is not None and cache.misses == 1
    team_id = registered.events[0].event.team_id  # type: ignore[attr-defined]
    adjusted = _run_unseen(engine, AdjustScore(HUNT, team_id, 5, "kind"), "c-3")
    cache.answered(adjusted.events)
    kept = cache.hunt(HUNT)
    assert cache.misses == 1 and cache.hits == 1
    assert kept == engine.store.read_models.get("hunts", HUNT, HUNT)
    paused = _run_unseen(engine, PauseHunt(HUNT), "c-4")
    cache.answered(paused.events)
    fresh = cache.hunt(HUNT)
    assert cache.misses == 2 and fresh is not None and fresh.paused


def test_entries_live_the_cache_age_of_their_node(engine: HuntEngine, tmp_path: Path) -> None:
    """The backstop age: past it, what was kept is looked up again. A node on a SQLite
    file is told every committed batch and keeps entries far longer than an API node."""
    expired = ReadCache(engine.store, max_age_s=0.0)  # type: ignore[arg-type]
    expired.listener()
    kept = ReadCache(engine.store)  # type: ignore[arg-type]
    kept.listener()
    for cache in (expired, kept):
        assert cache.hunt(HUNT) is not None and cache.hunt(HUNT) is not None
    assert (expired.hits, expired.misses) == (0, 2)
    assert (kept.hits, kept.misses) == (1, 1)
    node = build_embedded_node(tmp_path / "q.db", reconcile_interval=None)
    try:
        assert node.services.cache.max_age_s == EMBEDDED_MAX_AGE_S > MAX_AGE_S
    finally:
        node.store.close()
