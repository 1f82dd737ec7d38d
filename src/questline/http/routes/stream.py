"""GET /api/hunts/{hunt}/stream: Server-Sent Events, resumable by Last-Event-ID."""

from collections.abc import AsyncIterator

from starlette.responses import StreamingResponse

from questline.domain.projections.rows import TeamRow
from questline.domain.views import public_board_is_frozen
from questline.http.endpoint import Call, Endpoint, Reply2xx
from questline.http.errors import invalid
from questline.http.live_stream import Message, Subscriber, messages_for
from questline.http.request_context import MAX_INT64, Organizer, Team

BACKLOG_LIMIT = 1000


def _last_event_id(call: Call) -> int | None:
    request = call.request
    last_id = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    if not last_id:
        return None
    # isascii: str.isdigit() also admits digits int() refuses, such as "²".
    if not (last_id.isascii() and last_id.isdigit()) or int(last_id) > MAX_INT64:
        raise invalid("Last-Event-ID must be the id of an event this stream sent")
    return int(last_id)


async def stream(call: Call) -> StreamingResponse:
    after = _last_event_id(call)
    services = call.services
    definition = call.hunt.definition
    clock = services.clock
    principal = call.principal
    subscriber = Subscriber(
        hunt_id=call.hunt_id,
        team_id=principal.team_id if isinstance(principal, Team) else None,
        organizer=isinstance(principal, Organizer),
        frozen=lambda: public_board_is_frozen(definition, clock.now()),
    )
    services.live.subscribe(subscriber, definition)  # before any read: nothing falls between
    if subscriber.team_id is not None:
        team = call.store.get("teams", call.hunt_id, subscriber.team_id)
        if isinstance(team, TeamRow):
            subscriber.knows(team.solved, team.kept_open)
    backlog: list[Message] = []
    if after is not None:
        for recorded in services.store.events.read(
            after=after, hunt_id=call.hunt_id, limit=BACKLOG_LIMIT
        ):
            backlog.extend(messages_for(recorded))
            # What the backlog tells, the live messages need not tell again.
            subscriber.after_version = max(subscriber.after_version, recorded.version)
        # Leaderboard deltas are not replayed: the client refetches the board.
        backlog.append(
            Message(backlog[-1].id if backlog else after, "resync", {"reason": "resumed"})
        )

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in services.live.follow(subscriber, backlog):
                yield chunk
        finally:
            services.live.unsubscribe(subscriber)

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/hunts/{hunt}/stream",
        "Server-Sent Events: leaderboard changes, announcements, state changes, revisions; "
        "with a team token also the team's own events",
        "anyone",
        stream,
        Reply2xx("text/event-stream", {"type": "string"}),
    ),
]
