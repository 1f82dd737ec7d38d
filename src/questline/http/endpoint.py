"""One declaration per route: its method and path, who may call it, its request and
reply types (msgspec structs) and its handler. Starlette's route table and the OpenAPI
document are both made from these declarations (route_table.py, openapi.py), and every
handler runs through the same recipe (recipe.py), so neither can drift from the other.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from starlette.requests import Request

from questline.domain.commands import Command
from questline.domain.projections.rows import HuntRow
from questline.domain.replies import Reply
from questline.domain.timestamps import Micros
from questline.http.command_runner import fingerprint, run_command
from questline.http.principals import Principal
from questline.http.services import Services
from questline.ports import ReadModelReader

# Who may call a route (a team token of another hunt is 403 on every hunt route):
# - anyone: also without a token
# - team: the hunt's teams only
# - organizer / operator: those roles (an organizer may read operator routes)
# - own_team: the team named by the path's {team}, or an organizer
# - team_or_organizer: any team of the hunt, or an organizer
# - open: probes and documents: nothing is checked (the token gate still refuses a
#   token that is not valid)
_canonical = msgspec.json.Encoder(order="sorted")

Who = Literal["anyone", "team", "organizer", "operator", "own_team", "team_or_organizer", "open"]


class Shape(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The base of request and reply bodies: unknown fields are refused (and the
    OpenAPI document says so), fields at their defaults are left out of replies."""


@dataclass(frozen=True, slots=True)
class JsonBody:
    """A JSON object decoded to `type` (an empty body reads as {} when `empty_ok`)."""

    type: type[Shape]
    empty_ok: bool = False


@dataclass(frozen=True, slots=True)
class OneOf:
    """A JSON object that is one of several shapes, told apart by its fields."""

    types: tuple[type[Shape], ...]
    choose: Callable[[dict[str, Any]], type[Shape]]


@dataclass(frozen=True, slots=True)
class HuntDocument:
    """A hunt definition, as JSON or as YAML (Content-Type: application/yaml)."""


@dataclass(frozen=True, slots=True)
class AnyBody:
    """Whatever is sent is read (within the limit) and ignored."""


@dataclass(frozen=True, slots=True)
class ImageBytes:
    """An image's bytes as the whole body, within the photo limit (its type is read from
    the bytes, not from the Content-Type)."""


Body = JsonBody | OneOf | HuntDocument | AnyBody | ImageBytes


@dataclass(frozen=True, slots=True)
class HeaderParam:
    name: str
    schema: dict[str, Any]
    description: str


IDEMPOTENCY_KEY = HeaderParam(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 128},
    "makes retries safe: the first 200/201 answer is returned again",
)


@dataclass(frozen=True, slots=True)
class Reply2xx:
    """A reply that is not JSON (a CSV file, an event stream, a photo)."""

    media: str
    schema: dict[str, Any]


@dataclass(slots=True)
class Call:
    """What a handler gets: the request, read and checked as far as the recipe goes."""

    request: Request
    services: Services
    principal: Principal
    hunt_id: str
    hunt_row: HuntRow | None
    body: Any  # the decoded body (a Shape), the hunt definition, or None
    raw: dict[str, Any] | None  # the JSON body as parsed (Idempotency fingerprints)
    text: str | None  # a hunt document's text (its problems name its lines)
    query: Any  # the decoded query (a Shape), or None
    idempotency: str | None  # the route's name in fingerprints
    command_id: str | None  # from the Idempotency-Key, scoped to the caller
    remember: bool

    @property
    def hunt(self) -> HuntRow:
        assert self.hunt_row is not None, "a route with {hunt} in its path"
        return self.hunt_row

    @property
    def store(self) -> ReadModelReader:
        return self.services.store.read_models

    @property
    def now(self) -> Micros:
        return self.services.clock.now()

    async def see_own_writes(self) -> None:
        """Until the store shows what this node answered of the hunt (a reply read back
        after a command: an API node answers before its read side has the events)."""
        if self.services.read_your_writes is not None:
            await self.services.read_your_writes.wait(self.hunt_id)

    def path(self, name: str) -> str:
        value: str = self.request.path_params[name]
        return value

    async def run(self, command: Command, canonical: bytes | None = None) -> Reply:
        """The command's reply (an ApiError for a refusal), under the request's
        Idempotency-Key when it has one; `canonical` is what a retry must repeat
        (default: the JSON body, keys sorted)."""
        if canonical is None:
            canonical = _canonical.encode(self.raw) if self.raw is not None else b""
        reply, _ = await run_command(
            self.services,
            command,
            command_id=self.command_id,
            remember=self.remember,
            request_fingerprint=fingerprint(self.idempotency or "", canonical),
            correlation_id=self.request.state.correlation_id,
        )
        return reply


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    summary: str
    who: Who
    handler: Handler
    reply: Any = None  # the success body's type (a Shape, list[Shape], ...) or Reply2xx
    status: int = 200
    body: Body | None = None
    photo: type[Shape] | None = None  # a multipart/form-data alternative (streamed)
    query: type[Shape] | None = None
    headers: tuple[HeaderParam, ...] = ()
    other_replies: tuple[Reply2xx, ...] = ()  # the success body in other media types
    other_statuses: tuple[tuple[int, Any], ...] = ()  # answers beside success and errors
    # The route name in Idempotency-Key fingerprints (None: the key is not read).
    idempotency: str | None = None
    documented: bool = True
