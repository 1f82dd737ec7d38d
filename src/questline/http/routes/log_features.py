"""What only the log gives (log-features.md): the events with their hash chain, score
history, receipts, the results' certificate, fair-play flags."""

from typing import Any

import msgspec

from questline.domain.certificate import certificate_body, certificate_of
from questline.domain.hash_chain import served_payload
from questline.domain.ledger import HuntLedger
from questline.domain.timestamps import to_rfc3339
from questline.http.bodies.boards import Certificate, History, HistoryQuery, Receipt
from questline.http.bodies.organize import Events, EventsQuery, FairPlay
from questline.http.endpoint import Call, Endpoint
from questline.http.errors import ApiError, not_found
from questline.http.fold_reads import on_fair_play, on_ledger
from questline.http.routes.boards import frozen_version, sees_frozen


async def events(call: Call) -> Any:
    """The hunt's events in log order; `payload` and `hash` are what the chain is made
    of, so anyone can recompute it with hashlib and json."""
    query: EventsQuery = call.query
    log = call.services.store.events
    return {
        "events": [
            {
                "position": e.position,
                "version": e.version,
                "type": e.type,
                "time": to_rfc3339(e.time),
                "payload": served_payload(e.event),
                "hash": e.hash,
            }
            for e in log.read(after=query.after, hunt_id=call.hunt_id, limit=query.limit)
        ]
    }


async def history(call: Call) -> Any:
    """Each of the top teams' score over time, on the board the caller may see."""
    query: HistoryQuery = call.query
    return await on_ledger(call, lambda ledger: _history(call, query.top, ledger))


def _history(call: Call, top: int, ledger: HuntLedger) -> dict[str, Any]:
    upto = ledger.version
    if sees_frozen(call):
        upto = frozen_version(ledger, call.hunt.definition)
    return {
        "teams": [
            {
                "team_id": s.team_id,
                "name": s.name,
                "points": [[to_rfc3339(t), score] for t, score in ledger.history(s.team_id, upto)],
            }
            for s in ledger.board(upto)[:top]
        ]
    }


async def receipt(call: Call) -> Any:
    """Every line of the team's score (live, also during a freeze: it is the team's own)."""
    return await on_ledger(call, lambda ledger: _receipt(call, call.path("team"), ledger))


def _receipt(call: Call, team_id: str, ledger: HuntLedger) -> dict[str, Any]:
    if team_id not in ledger.receipts:
        raise not_found("unknown_team", f"hunt {call.hunt_id!r} has no team {team_id!r}")
    return {
        "score": ledger.standings.score(team_id),
        "lines": [
            {
                "version": line.version,
                "time": to_rfc3339(line.time),
                "what": line.what,
                "clue": line.clue,
                "points": line.points,
                "reason": line.reason,
            }
            for line in ledger.receipt(team_id)
        ],
        "log_head": {"version": ledger.version, "hash": ledger.hash},
    }


async def certificate(call: Call) -> Any:
    ends_at = call.hunt.definition.ends_at
    if call.now < ends_at:
        raise ApiError(
            409,
            "hunt_not_ended",
            f"the certificate of the results is issued once the hunt has ended, at "
            f"{to_rfc3339(ends_at)}",
            {"ends_at": to_rfc3339(ends_at)},
        )
    return await on_ledger(
        call, lambda ledger: certificate_body(certificate_of(call.hunt_id, ledger))
    )


async def fairplay(call: Call) -> Any:
    flags = await on_fair_play(call, lambda fold: fold.flags() if fold is not None else [])
    return {"flags": [msgspec.to_builtins(flag) for flag in flags]}


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/events",
        "The hunt's events in log order, each with its hash in the hunt's chain",
        "organizer",
        events,
        Events,
        query=EventsQuery,
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/history",
        "The top teams' scores over time (the board the caller may see)",
        "anyone",
        history,
        History,
        query=HistoryQuery,
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/teams/{team}/receipt",
        "Every line of a team's score, adding up to it (that team or an organizer)",
        "own_team",
        receipt,
        Receipt,
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/certificate",
        "The final standings with the log's version and hash (once the hunt has ended)",
        "anyone",
        certificate,
        Certificate,
    ),
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/fairplay",
        "Fair-play flags: advice for a person, never a penalty",
        "organizer",
        fairplay,
        FairPlay,
    ),
]
