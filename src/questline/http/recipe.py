"""The one way every declared route is served, in the order refusals must win
(hunt-format.md): body too large (413, by the declared length before anything else),
the caller (401, then 403 for a token outside its scope), the body read within its
limit, the hunt (404), the query and the body (422), the Idempotency-Key (422); then
the handler runs, and its value is the JSON reply with the declared status."""

import re
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from questline.domain.definition_text import HuntFileError, TextFormat, load_hunt_text
from questline.http.command_runner import idempotency_command_id
from questline.http.endpoint import (
    AnyBody,
    Body,
    Call,
    Endpoint,
    HuntDocument,
    ImageBytes,
    JsonBody,
    Shape,
    Who,
)
from questline.http.errors import ApiError, forbidden, invalid
from questline.http.request_context import (
    Organizer,
    Principal,
    Team,
    admit_body,
    authenticate,
    check_scope,
    hunt_row,
    parse_json_object,
    read_body,
    require_operator,
    require_organizer,
    require_team,
    services_of,
)
from questline.http.responses import json_response
from questline.http.services import JSON_LIMIT, MULTIPART_LIMIT, PHOTO_LIMIT

S = TypeVar("S", bound=Shape)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml")


def route_of(endpoint: Endpoint) -> Route:
    async def serve(request: Request) -> Response:
        return await handle(endpoint, request)

    serve.__name__ = endpoint.handler.__name__  # what the access log and metrics name
    return Route(
        endpoint.path,
        serve,
        methods=[endpoint.method],
        include_in_schema=endpoint.documented,
    )


async def handle(endpoint: Endpoint, request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    multipart = endpoint.photo is not None and content_type.startswith("multipart/form-data")
    limit = MULTIPART_LIMIT if multipart else JSON_LIMIT
    if isinstance(endpoint.body, ImageBytes):
        limit = PHOTO_LIMIT
    if endpoint.body is not None or multipart:
        admit_body(request, limit)
    principal = authenticate(request)
    params = request.path_params
    check_caller(endpoint.who, principal, params)
    data = b""
    if endpoint.body is not None and not multipart:
        data = await read_body(request, limit)
    hunt_id: str = params.get("hunt", "")
    services = services_of(request)
    ryw = services.read_your_writes
    if ryw is not None and endpoint.method == "GET" and (hunt_id or endpoint.who != "open"):
        await ryw.wait(hunt_id or None)  # a read sees what this node answered (all hunts)
    row = None
    if "hunt" in params:
        try:
            row = hunt_row(request, hunt_id)
        except ApiError:
            # A command decides on the writer's state: it waits only for a hunt this
            # node has just created to reach the read side.
            if ryw is None or not ryw.behind(hunt_id):
                raise
            await ryw.wait(hunt_id)
            row = hunt_row(request, hunt_id)
    query = parse_query(endpoint.query, request) if endpoint.query is not None else None
    body: Any = None
    raw: dict[str, Any] | None = None
    text: str | None = None
    if endpoint.body is not None and not multipart:
        body, raw, text = parse_body(endpoint.body, data, content_type)
    command_id: str | None = None
    remember = False
    if endpoint.idempotency is not None:
        command_id, remember = idempotency_command_id(
            hunt_id, _key_scope(principal), request.headers.get("idempotency-key")
        )
    call = Call(
        request,
        services,
        principal,
        hunt_id,
        row,
        body,
        raw,
        text,
        query,
        endpoint.idempotency,
        command_id,
        remember,
    )
    result = await endpoint.handler(call)
    if isinstance(result, Response):
        return result
    return json_response(result, endpoint.status)


def check_caller(who: Who, principal: Principal, params: dict[str, Any]) -> None:
    hunt_id: str | None = params.get("hunt")
    if who == "open":
        return
    if who == "operator":
        require_operator(principal)
    elif who == "organizer":
        require_organizer(principal)
    elif who == "team":
        require_team(principal, hunt_id or "")
    elif who == "anyone":
        if hunt_id is not None:
            check_scope(principal, hunt_id)
    else:  # own_team, team_or_organizer
        if not isinstance(principal, Team | Organizer):
            require_organizer(principal)  # 401 without a token, 403 for an operator
        if hunt_id is not None:
            check_scope(principal, hunt_id)
        team_id = params.get("team")
        if who == "own_team" and isinstance(principal, Team) and principal.team_id != team_id:
            raise forbidden(
                f"this token is team {principal.team_id}'s: a team acts only for itself"
            )


def _key_scope(principal: Principal) -> str:
    """Idempotency-Keys are scoped to the team in the hunt; organizers share one."""
    return f"team:{principal.team_id}" if isinstance(principal, Team) else "organizers"


def parse_body(
    spec: Body, data: bytes, content_type: str
) -> tuple[Any, dict[str, Any] | None, str | None]:
    """(the decoded body, the JSON object as parsed, the document's text)."""
    if isinstance(spec, AnyBody):
        return None, None, None
    if isinstance(spec, ImageBytes):
        return data, None, None
    if isinstance(spec, HuntDocument):
        return parse_hunt_document(data, content_type)
    if isinstance(spec, JsonBody) and spec.empty_ok and not data.strip():
        raw: dict[str, Any] = {}
    else:
        raw = parse_json_object(data)
    shape = spec.type if isinstance(spec, JsonBody) else spec.choose(raw)
    return convert(raw, shape), raw, None


def parse_hunt_document(data: bytes, content_type: str) -> tuple[Any, None, str]:
    media = content_type.split(";", maxsplit=1)[0].strip() or "application/json"
    fmt: TextFormat = "yaml" if media in YAML_TYPES else "json"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid("the body is not UTF-8 text") from None
    try:
        return load_hunt_text(text, fmt), None, text
    except HuntFileError as error:
        problems = [{"path": p.path, "message": p.message, "line": p.line} for p in error.problems]
        raise invalid(
            f"the hunt definition has {len(problems)} problem(s)", {"problems": problems}
        ) from None


_AT = re.compile(r"^(?P<what>.*) - at `\$\.?(?P<path>[^`]*)`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]*)`")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]*)`")


def convert(raw: dict[str, Any], shape: type[S]) -> S:
    try:
        return msgspec.convert(raw, shape)
    except msgspec.ValidationError as error:
        raise validation_error(str(error)) from None


def validation_error(message: str, where: str = "field") -> ApiError:
    """msgspec's words, said as the API says them, naming the field."""
    at = _AT.match(message)
    what, path = (at["what"], at["path"]) if at else (message, "")
    unknown = _UNKNOWN.match(what)
    if unknown:
        name = _join(path, unknown["name"])
        return invalid(f"unknown field(s): {name}", {"fields": [name]})
    missing = _MISSING.match(what)
    if missing:
        name = _join(path, missing["name"])
        return invalid(f"the {where} {name!r} is missing", {"field": name})
    if path:
        return invalid(f"the {where} {path!r}: {what}", {"field": path})
    return invalid(what)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def parse_query(shape: type[S], request: Request) -> S:
    names = {f.encode_name for f in msgspec.structs.fields(shape)}
    given = {k: v for k, v in request.query_params.items() if k in names}
    try:
        return msgspec.convert(given, shape, strict=False)
    except msgspec.ValidationError as error:
        raise validation_error(str(error), "query parameter") from None
