"""GET /api/hunts/{hunt}/stream: Server-Sent Events, resumable by Last-Event-ID."""

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import StreamingResponse

from questline.domain.views import public_board_is_frozen
from questline.http.errors import invalid
from questline.http.live_stream import Message, Subscriber, messages_for
from questline.http.request_context import (
    MAX_INT64,
    Organizer,
    Team,
    authenticate,
    check_scope,
    hunt_row,
    services_of,
)

BACKLOG_LIMIT = 1000


async def stream(request: Request) -> StreamingResponse:
    hunt_id = request.path_params["hunt"]
    principal = authenticate(request)
    check_scope(principal, hunt_id)
    row = hunt_row(request, hunt_id)
    services = services_of(request)
    last_id = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
    after: int | None = None
    if last_id:
        # isascii: str.isdigit() also admits digits int() refuses, such as "²".
        if not (last_id.isascii() and last_id.isdigit()) or int(last_id) > MAX_INT64:
            raise invalid("Last-Event-ID must be the id of an event this stream sent")
        after = int(last_id)
    definition = row.definition
    clock = services.clock
    subscriber = Subscriber(
        hunt_id=hunt_id,
        team_id=principal.team_id if isinstance(principal, Team) else None,
        organizer=isinstance(principal, Organizer),
        frozen=lambda: public_board_is_frozen(definition, clock.now()),
    )
    services.live.subscribe(subscriber)  # before the backlog read: nothing falls between
    backlog: list[Message] = []
    if after is not None:
        for recorded in services.store.events.read(
            after=after, hunt_id=hunt_id, limit=BACKLOG_LIMIT
        ):
            backlog.extend(messages_for(recorded))
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
