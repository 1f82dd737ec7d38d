"""Fair-play flags found incrementally equal those a plain scan of the whole log finds,
written here from log-features.md's wording alone (every pair compared with every
other), on random logs of wrong answers, solves, check-ins and photos."""

from itertools import combinations, pairwise

from hypothesis import given
from hypothesis import strategies as st

from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    Event,
    HuntCreated,
    PhotoSubmitted,
    RecordedEvent,
)
from questline.domain.fair_play import FairPlay
from questline.domain.geo import haversine_m
from questline.domain.text_normalization import normalize_answer
from tests.hunt_builders import STARTS, spec_hunt
from tests.properties.budget import PURE

SECOND = 1_000_000
TEAMS = ("t-1", "t-2", "t-3")
CLUES = ("lighthouse", "dock-9", "crate", "selfie")  # crate takes codes
ANSWERS = ("harbour master", "Harbour-Master!", "tower", "the old mill", "mill")
PLACES = ((59.9139, 10.7522), (59.92, 10.76), (60.39, 5.32), (59.9139, 10.7523))
# 1, 6, 7 and 8 bits from the first: near, just near, just not, not.
HASHES = (0x0F0F0F0F0F0F0F0F, 0x0F0F0F0F0F0F0F0E, 0x0F0F0F0F0F0F0F30, 0x0F0F0F0F0F0F0F70)


@st.composite
def facts(draw: st.DrawFn) -> Event:
    team = draw(st.sampled_from(TEAMS))
    clue = draw(st.sampled_from(CLUES))
    kind = draw(st.sampled_from(["wrong", "wrong", "solve", "solve", "solve", "geo", "photo"]))
    if kind == "wrong":
        return AnswerWrong(team, clue, answer=draw(st.sampled_from(ANSWERS)))
    if kind == "solve":
        return ClueSolved(team, draw(st.sampled_from(CLUES[:3])), 10, 0, 1)
    if kind == "geo":
        lat, lon = draw(st.sampled_from(PLACES))
        if draw(st.booleans()):
            return AnswerWrong(team, "dock-9", lat=lat, lon=lon)
        return ClueSolved(team, "dock-9", 10, 0, 1, lat=lat, lon=lon)
    digest = draw(st.sampled_from(["sha256:aa", "sha256:bb", "sha256:cc"]))
    dhash = draw(st.sampled_from(HASHES))
    return PhotoSubmitted("p", team, "selfie", digest, digest, "image/png", f"{dhash:016x}")


@st.composite
def logs(draw: st.DrawFn) -> list[RecordedEvent]:
    events = draw(st.lists(facts(), min_size=10, max_size=50))
    steps = draw(
        st.lists(
            st.sampled_from([0, 5, 10, 30, 59, 61, 700]), min_size=len(events), max_size=len(events)
        )
    )
    log = [RecordedEvent("harbour-night", 1, STARTS, "c", HuntCreated(spec_hunt()), 1)]
    now = STARTS
    for version, (event, step) in enumerate(zip(events, steps, strict=True), start=2):
        now += step * SECOND
        log.append(RecordedEvent("harbour-night", version, now, f"c{version}", event, version))
    return log


def scanned(
    log: list[RecordedEvent],
) -> set[tuple[str, tuple[str, ...], str | None, tuple[int, ...]]]:
    flags: set[tuple[str, tuple[str, ...], str | None, tuple[int, ...]]] = set()
    wrong = [
        (r, e)
        for r in log
        if isinstance(e := r.event, AnswerWrong)
        and e.answer is not None
        and e.clue_id != "crate"
        and len(normalize_answer(e.answer)) >= 6
    ]
    groups: dict[tuple[str, str], list[tuple[RecordedEvent, AnswerWrong]]] = {}
    for r, e in wrong:
        assert e.answer is not None
        groups.setdefault((e.clue_id, normalize_answer(e.answer)), []).append((r, e))
    for (clue, _), given_ in groups.items():
        if not 2 <= len({e.team_id for _, e in given_}) <= 3:
            continue
        close = {
            team
            for (ra, ea), (rb, eb) in combinations(given_, 2)
            if ea.team_id != eb.team_id and abs(ra.time - rb.time) <= 600 * SECOND
            for team in (ea.team_id, eb.team_id)
        }
        if close:
            versions = tuple(sorted(r.version for r, e in given_ if e.team_id in close))
            flags.add(("shared_wrong_answer", tuple(sorted(close)), clue, versions))
    solves = [(r, e) for r in log if isinstance(e := r.event, ClueSolved)]
    for a, b in combinations(TEAMS, 2):
        common: set[str] = set()
        versions: list[int] = []
        for clue in CLUES:
            mine = [r for r, e in solves if e.team_id == a and e.clue_id == clue]
            theirs = [r for r, e in solves if e.team_id == b and e.clue_id == clue]
            pairs = [(x, y) for x in mine for y in theirs if abs(x.time - y.time) <= 60 * SECOND]
            if pairs:
                common.add(clue)
                x, y = (
                    pairs[0]
                    if len(pairs) == 1
                    else min(pairs, key=lambda p: min(p[0].version, p[1].version))
                )
                versions += [x.version, y.version]
        if len(common) >= 3:
            flags.add(("lockstep_solves", (a, b), None, tuple(sorted(versions))))
    for team in TEAMS:
        check_ins = [
            r
            for r in log
            if isinstance(r.event, AnswerWrong | ClueSolved)
            and r.event.team_id == team
            and r.event.lat is not None
        ]
        for x, y in pairwise(check_ins):
            ex, ey = x.event, y.event
            assert isinstance(ex, AnswerWrong | ClueSolved) and isinstance(
                ey, AnswerWrong | ClueSolved
            )
            assert (
                ex.lat is not None
                and ex.lon is not None
                and ey.lat is not None
                and ey.lon is not None
            )
            km = haversine_m(ex.lat, ex.lon, ey.lat, ey.lon) / 1000
            hours = (y.time - x.time) / (3600 * SECOND)
            if km > 0 and (hours == 0 or km / hours > 150):
                flags.add(("impossible_travel", (team,), None, (x.version, y.version)))
    photos = [(r, e) for r in log if isinstance(e := r.event, PhotoSubmitted)]
    for (ra, ea), (rb, eb) in combinations(photos, 2):
        if ea.team_id == eb.team_id:
            continue
        assert ea.dhash is not None and eb.dhash is not None
        near = (int(ea.dhash, 16) ^ int(eb.dhash, 16)).bit_count() <= 6
        if ea.digest == eb.digest or near:
            teams = tuple(sorted({ea.team_id, eb.team_id}))
            flags.add(("duplicate_photo", teams, "selfie", (ra.version, rb.version)))
    return flags


@PURE
@given(logs())
def test_flags_found_incrementally_equal_a_scan_of_the_whole_log(log: list[RecordedEvent]) -> None:
    fair_play = FairPlay()
    for recorded in log:
        fair_play.apply(recorded)
    found = {(f.kind, tuple(f.teams), f.clue, tuple(f.versions)) for f in fair_play.flags()}
    assert found == scanned(log)
