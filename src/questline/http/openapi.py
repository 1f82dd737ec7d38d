"""The OpenAPI document, generated from the route declarations (endpoint.py) and their
msgspec types: every declared route, its parameters, body and replies, nothing written
twice."""

import re
from collections.abc import Sequence
from typing import Any

import msgspec

from questline import __version__
from questline.http.bodies.common import Error
from questline.http.endpoint import (
    AnyBody,
    Endpoint,
    HuntDocument,
    ImageBytes,
    JsonBody,
    OneOf,
    Reply2xx,
)

Schema = dict[str, Any]
REF = "#/components/schemas/{name}"
_PATH_PARAM = re.compile(r"{(\w+)}")


def _types(endpoint: Endpoint) -> list[Any]:
    found: list[Any] = []
    if endpoint.reply is not None and not isinstance(endpoint.reply, Reply2xx):
        found.append(endpoint.reply)
    found.extend(t for _, t in endpoint.other_statuses)
    body = endpoint.body
    if isinstance(body, JsonBody):
        found.append(body.type)
    elif isinstance(body, OneOf):
        found.extend(body.types)
    for extra in (endpoint.photo, endpoint.query):
        if extra is not None:
            found.append(extra)
    return found


def document(endpoints: Sequence[Endpoint]) -> Schema:
    documented = [e for e in endpoints if e.documented]
    types: list[Any] = [Error]
    for endpoint in documented:
        types.extend(t for t in _types(endpoint) if t not in types)
    refs, components = msgspec.json.schema_components(types, ref_template=REF)
    schema_of = dict(zip(types, refs, strict=True))
    paths: Schema = {}
    for endpoint in documented:
        operation = _operation(endpoint, schema_of, components)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Questline", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _json(schema: Schema) -> Schema:
    return {"application/json": {"schema": schema}}


def _operation(endpoint: Endpoint, schema_of: dict[Any, Schema], components: Schema) -> Schema:
    operation: Schema = {
        "summary": endpoint.summary,
        "parameters": _parameters(endpoint, components),
        "responses": _responses(endpoint, schema_of),
    }
    body = _request_body(endpoint, schema_of)
    if body is not None:
        operation["requestBody"] = body
    if endpoint.who not in ("anyone", "open"):
        operation["security"] = [{"bearer": []}]
    return operation


def _parameters(endpoint: Endpoint, components: Schema) -> list[Schema]:
    params: list[Schema] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(endpoint.path)
    ]
    if endpoint.query is not None:
        query = components[endpoint.query.__name__]
        required = set(query.get("required", ()))
        for name, schema in query["properties"].items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": schema}
            )
    for header in endpoint.headers:
        params.append(
            {
                "name": header.name,
                "in": "header",
                "required": False,
                "description": header.description,
                "schema": header.schema,
            }
        )
    return params


def _request_body(endpoint: Endpoint, schema_of: dict[Any, Schema]) -> Schema | None:
    body = endpoint.body
    content: Schema = {}
    required = True
    if isinstance(body, JsonBody):
        content = _json(schema_of[body.type])
        required = not body.empty_ok
    elif isinstance(body, OneOf):
        content = _json({"oneOf": [schema_of[t] for t in body.types]})
    elif isinstance(body, HuntDocument):
        content = {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        }
    elif isinstance(body, ImageBytes):
        binary = {"schema": {"type": "string", "format": "binary"}}
        content = {media: binary for media in ("image/jpeg", "image/png", "image/webp")}
    if endpoint.photo is not None:
        content["multipart/form-data"] = {"schema": schema_of[endpoint.photo]}
    if not content or isinstance(body, AnyBody):
        return None
    return {"required": required, "content": content}


def _content(reply: Any, schema_of: dict[Any, Schema]) -> Schema:
    if reply is None:
        return {}
    if isinstance(reply, Reply2xx):
        return {reply.media: {"schema": reply.schema}}
    return _json(schema_of[reply])


def _responses(endpoint: Endpoint, schema_of: dict[Any, Schema]) -> Schema:
    content = _content(endpoint.reply, schema_of)
    for other in endpoint.other_replies:
        content.update(_content(other, schema_of))
    success: Schema = {"description": "success"}
    if content:
        success["content"] = content
    responses: Schema = {str(endpoint.status): success}
    for status, reply in endpoint.other_statuses:
        responses[str(status)] = {
            "description": "see the body",
            "content": _content(reply, schema_of),
        }
    responses["default"] = {
        "description": "a refusal or an error",
        "content": _json(schema_of[Error]),
    }
    return responses
