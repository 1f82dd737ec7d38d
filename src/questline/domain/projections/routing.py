"""Events to handlers by type: each projection's table of handlers is the one list
of the event types it reacts to, and the projector calls the handler straight from
it (one dict lookup per event, no chain of isinstance checks).

A handler gets only events of the types its table routes to it, so it takes
`recorded.event` as that type with an annotation (`event: AnswerWrong =
recorded.event  # type: ignore[assignment]`) rather than `cast`, a call per event.
"""

from collections.abc import Callable
from types import MethodType
from typing import Any

from questline.domain.events import Event, RecordedEvent

Handler = Callable[[RecordedEvent], None]
# A projection's table, written in its class body: event type -> method (unbound).
Routes = dict[type[Event], Callable[[Any, RecordedEvent], None]]


def bind(owner: object, routes: Routes) -> dict[type[Event], Handler]:
    """The table with its methods bound to `owner`."""
    return {event_type: MethodType(method, owner) for event_type, method in routes.items()}
