"""The certificate of a hunt's results (log-features.md): the final standings, the
version they are as of, and the log's hash at that version. Organizers publish the
hash; anyone can later check the results against the log with `questline certificate
check`, which replays the log up to that version and follows its hash chain.
"""

from collections.abc import Iterable
from typing import Any

import msgspec

from questline.domain.events import RecordedEvent
from questline.domain.hash_chain import GENESIS, chain
from questline.domain.ledger import HuntLedger


class Placing(msgspec.Struct, frozen=True):
    rank: int
    team_id: str
    name: str
    score: int


class Certificate(msgspec.Struct, frozen=True):
    hunt: str
    final: list[Placing]
    version: int
    hash: str


def certificate_of(hunt_id: str, ledger: HuntLedger) -> Certificate:
    """The results as the ledger stands (its whole log)."""
    board = ledger.board(ledger.version)
    final = [
        Placing(rank, standing.team_id, standing.name, standing.score)
        for rank, standing in enumerate(board, start=1)
    ]
    return Certificate(hunt_id, final, ledger.version, ledger.hash)


def check_certificate(claimed: Certificate, events: Iterable[RecordedEvent]) -> list[str]:
    """Why the certificate does not hold for this log (empty: it holds). `events` are the
    hunt's events in order; those after the certificate's version are not read."""
    problems: list[str] = []
    ledger: HuntLedger | None = None
    previous = GENESIS
    for recorded in events:
        if recorded.version > claimed.version:
            break
        expected = chain(previous, recorded)
        if recorded.hash != expected:
            problems.append(
                f"the log's hash chain breaks at version {recorded.version}: the stored event"
                " is not the one that was recorded"
            )
            return problems
        previous = expected
        if ledger is None:
            ledger = HuntLedger.of(recorded)
        else:
            ledger.apply(recorded)
    if ledger is None or ledger.version < claimed.version:
        have = ledger.version if ledger is not None else 0
        return [f"the log of hunt {claimed.hunt} ends at version {have}, before {claimed.version}"]
    if ledger.hash != claimed.hash:
        problems.append(
            f"the hash at version {claimed.version} is {ledger.hash} in the log, "
            f"{claimed.hash} on the certificate"
        )
    replayed = certificate_of(claimed.hunt, ledger).final
    if replayed != claimed.final:
        differing = [
            f"rank {c.rank}: certificate {_placing(c)}, replay {_placing(r)}"
            for c, r in zip(claimed.final, replayed, strict=False)
            if c != r
        ]
        if len(replayed) != len(claimed.final):
            differing.append(
                f"{len(claimed.final)} teams on the certificate, {len(replayed)} by replay"
            )
        problems.append(
            "the final standings differ from a replay of the log: " + "; ".join(differing[:5])
        )
    return problems


def _placing(placing: Placing) -> str:
    return f"{placing.team_id} ({placing.name}) {placing.score}"


def decode_certificate(data: bytes) -> Certificate:
    """ValueError with a reason for a file that is not a certificate."""
    try:
        return msgspec.json.decode(data, type=Certificate)
    except msgspec.DecodeError as error:
        raise ValueError(f"not a certificate: {error}") from None


def certificate_body(certificate: Certificate) -> dict[str, Any]:
    body: dict[str, Any] = msgspec.to_builtins(certificate)
    return body
