"""The hash chain's canonical form, written the fast way (hash_chain.py: straight from
the event's struct where msgspec writes what Python's json does), equals the spec's
wording computed with nothing but `json`: any text, any float (tiny, huge, negative
zero), secrets left out, definitions with their floats."""

import json

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    Event,
    HuntCreated,
    RecordedEvent,
    TeamRegistered,
    TokenIssued,
)
from questline.domain.hash_chain import SECRET_FIELDS, canonical_event
from questline.domain.timestamps import to_rfc3339
from tests.hunt_builders import spec_hunt
from tests.properties.budget import examples

texts = st.text(max_size=20)
floats = st.one_of(
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1e-4, 9.99e-5, 1e16, 9999999999999998.0, 59.9044, -1e-7]),
)
times = st.integers(0, 4_000_000_000_000_000)


def _events() -> st.SearchStrategy[Event]:
    wrong = st.builds(
        AnswerWrong,
        team_id=texts,
        clue_id=texts,
        part_id=st.none() | texts,
        answer=st.none() | texts,
        lat=floats,
        lon=floats,
        penalty=st.integers(0, 50),
        client_time=st.none() | times,
    )
    solved = st.builds(
        ClueSolved,
        team_id=texts,
        clue_id=texts,
        points=st.integers(-1000, 1000),
        bonus=st.integers(0, 100),
        solve_number=st.integers(1, 1000),
        answer=st.none() | texts,
        lat=floats,
        lon=floats,
    )
    registered = st.builds(
        TeamRegistered, team_id=texts, name=texts, token_hash=texts, division=st.none() | texts
    )
    token = st.builds(TokenIssued, team_id=texts, token_hash=texts, revoke_others=st.booleans())
    created = st.just(HuntCreated(spec_hunt()))
    return st.one_of(wrong, solved, registered, token, created)


def spec_canonical(recorded: RecordedEvent) -> bytes:
    """log-features.md's wording, with `json` only."""
    payload = msgspec.to_builtins(recorded.event)
    for name in SECRET_FIELDS:
        payload.pop(name, None)
    body = {
        "hunt": recorded.hunt_id,
        "version": recorded.version,
        "type": recorded.type,
        "time": to_rfc3339(recorded.time),
        "payload": payload,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


@examples(300)
@given(_events(), texts, st.integers(1, 2**40), times)
def test_the_canonical_form_is_what_json_writes_for_the_served_event(
    event: Event, hunt_id: str, version: int, time: int
) -> None:
    recorded = RecordedEvent(hunt_id, version, time, "c-1", event)
    assert canonical_event(recorded) == spec_canonical(recorded)
