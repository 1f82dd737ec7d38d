"""log-features.md: time travel, receipts, the hash chain and the certificate, through
the pure core (the routes over them are in tests/api)."""

import hashlib
import json

import msgspec

from questline.domain.certificate import certificate_of, check_certificate
from questline.domain.definition_parsing import parse_definition
from questline.domain.events import RecordedEvent
from questline.domain.hash_chain import chain, served_payload
from questline.domain.ledger import HuntLedger
from questline.domain.timestamps import to_rfc3339
from tests.hunt_builders import MINUTE, PureHunt
from tests.rules.support import document, dynamic, text_clue


def ledger_of(hunt: PureHunt) -> HuntLedger:
    ledger = HuntLedger.of(hunt.log[0])
    for recorded in hunt.log[1:]:
        ledger.apply(recorded)
    return ledger


def played() -> PureHunt:
    hunt = PureHunt(
        parse_definition(
            document(
                text_clue("a", "alpha", points=dynamic(100, 40, 30, "linear")),
                text_clue("b", "bravo", points=50),
                scoring={"first_solve_bonus": [10], "wrong_answer_penalty": 2},
            )
        )
    )
    x, y = hunt.register("X"), hunt.register("Y")
    hunt.text(x, "a", "alpha")
    hunt.advance(MINUTE).text(y, "b", "nope")
    hunt.advance(MINUTE).text(y, "a", "alpha")
    hunt.advance(MINUTE).adjust(x, -5, "late")
    return hunt


def test_the_chain_can_be_recomputed_from_the_served_events_with_hashlib_and_json() -> None:
    hunt = played()
    previous = bytes(32)
    for recorded in hunt.log:
        canonical = {
            "hunt": recorded.hunt_id,
            "version": recorded.version,
            "type": recorded.type,
            "time": to_rfc3339(recorded.time),
            "payload": json.loads(msgspec.json.encode(served_payload(recorded.event))),
        }
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(previous + text.encode()).hexdigest()
        assert digest == recorded.hash, recorded.version
        previous = bytes.fromhex(digest)


def test_a_receipt_names_every_line_of_the_score() -> None:
    hunt = played()
    ledger = ledger_of(hunt)
    x = "t-1"
    lines = [(line.what, line.clue, line.points) for line in ledger.receipt(x)]
    assert lines == [
        ("solve", "a", 100),
        ("bonus", "a", 10),
        ("revaluation", "a", -30),
        ("adjustment", None, -5),
    ]
    assert sum(p for *_, p in lines) == hunt.score(x)
    y = [(line.what, line.points) for line in ledger.receipt("t-2")]
    assert y == [("penalty", -2), ("solve", 70)]


def test_the_board_at_a_past_version_is_the_board_then() -> None:
    hunt = played()
    ledger = ledger_of(hunt)
    after_x_solved = hunt.log[3].version
    assert [(s.team_id, s.score) for s in ledger.board(after_x_solved)] == [
        ("t-1", 110),
        ("t-2", 0),
    ]
    assert ledger.version_at(hunt.log[3].time) >= after_x_solved


def test_the_history_has_a_point_per_change_of_score() -> None:
    ledger = ledger_of(played())
    # From registration (0), then each change, another team's dynamic solve included.
    assert [score for _, score in ledger.history("t-1", ledger.version)] == [0, 110, 80, 75]


def test_a_certificate_checks_against_its_log_and_names_what_differs() -> None:
    hunt = played()
    certificate = certificate_of(hunt.hunt_id, ledger_of(hunt))
    assert [p.team_id for p in certificate.final] == ["t-1", "t-2"]
    assert check_certificate(certificate, hunt.log) == []
    forged = msgspec.structs.replace(
        certificate,
        final=[msgspec.structs.replace(certificate.final[0], score=999), *certificate.final[1:]],
    )
    [problem] = check_certificate(forged, hunt.log)
    assert "final standings differ" in problem and "999" in problem
    tampered = list(hunt.log)
    tampered[2] = msgspec.structs.replace(tampered[2], time=tampered[2].time + 1)
    [problem] = check_certificate(certificate, tampered)
    assert "breaks at version 3" in problem


def test_every_event_type_hashes_as_json_dumps_of_its_served_form() -> None:
    from tests.conformance.samples import every_event

    previous = "0" * 64
    for version, event in enumerate(every_event(), start=1):
        recorded = RecordedEvent("harbour-night", version, 1796148000000000 + version, "c", event)
        canonical = {
            "hunt": recorded.hunt_id,
            "version": version,
            "type": recorded.type,
            "time": to_rfc3339(recorded.time),
            "payload": json.loads(msgspec.json.encode(served_payload(event))),
        }
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        expected = hashlib.sha256(bytes.fromhex(previous) + text.encode()).hexdigest()
        assert chain(previous, recorded) == expected, recorded.type
        previous = expected
