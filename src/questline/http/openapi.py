"""The OpenAPI document of the HTTP contract, served at /openapi.json."""

from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from questline import __version__
from questline.http.request_context import MAX_INT64
from questline.http.responses import json_response

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], props: dict[str, Schema], extra: bool = False) -> Schema:
    return {
        "type": "object",
        "required": required,
        "properties": props,
        "additionalProperties": extra,
    }


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
TIME: Schema = {"type": "string", "format": "date-time"}
NULLABLE_TIME: Schema = {"anyOf": [TIME, {"type": "null"}]}

SCHEMAS: dict[str, Schema] = {
    "Error": _obj(
        ["error"],
        {
            "error": _obj(
                ["code", "message", "details"],
                {"code": STR, "message": STR, "details": {}},
            )
        },
    ),
    "Hint": _obj(
        ["id", "cost", "unlocked"],
        {"id": STR, "cost": INT, "unlocked": {"type": "boolean"}, "text": STR},
    ),
    "Clue": _obj(
        ["id", "title", "text", "kind", "points", "solved", "attempts_left", "hints"],
        {
            "id": STR,
            "title": STR,
            "text": STR,
            "kind": {"enum": ["text", "geo", "code", "photo"]},
            "points": INT,
            "solved": {"type": "boolean"},
            "attempts_left": {"anyOf": [INT, {"type": "null"}]},
            "hints": {"type": "array", "items": _ref("Hint")},
        },
    ),
    "Hunt": _obj(
        ["id", "title", "starts_at", "ends_at", "freeze_at", "state"],
        {
            "id": STR,
            "title": STR,
            "starts_at": TIME,
            "ends_at": TIME,
            "freeze_at": NULLABLE_TIME,
            "state": {"enum": ["scheduled", "live", "paused", "ended"]},
            "team_id": STR,
            "clues": {"type": "array", "items": _ref("Clue")},
        },
    ),
    "TeamCreated": _obj(["team_id", "token"], {"team_id": STR, "token": STR}),
    "SubmissionResult": _obj(
        ["result", "points", "bonus", "score"],
        {
            "result": {
                "enum": ["correct", "incorrect", "keep_going", "already_solved", "pending_review"]
            },
            "points": INT,
            "bonus": INT,
            "score": INT,
            "review_id": STR,
        },
    ),
    "HintResult": _obj(
        ["hint", "score"],
        {"hint": _obj(["id", "text", "cost"], {"id": STR, "text": STR, "cost": INT}), "score": INT},
    ),
    "Leaderboard": _obj(
        ["frozen", "as_of", "total", "teams"],
        {
            "frozen": {"type": "boolean"},
            "as_of": TIME,
            "total": INT,
            "teams": {
                "type": "array",
                "items": _obj(
                    ["rank", "team_id", "name", "score", "solved"],
                    {
                        "rank": INT,
                        "team_id": STR,
                        "name": STR,
                        "score": INT,
                        "solved": INT,
                    },
                ),
            },
        },
    ),
    "TeamProgress": _obj(
        [
            "team_id",
            "name",
            "score",
            "rank",
            "solved",
            "open_clues",
            "hints_unlocked",
            "attempts_left",
        ],
        {
            "team_id": STR,
            "name": STR,
            "score": INT,
            "rank": {"anyOf": [INT, {"type": "null"}]},
            "solved": {"type": "array", "items": {"type": "object"}},
            "open_clues": {"type": "array", "items": STR},
            "hints_unlocked": {"type": "array", "items": {"type": "object"}},
            "attempts_left": {"type": "object"},
        },
        extra=True,
    ),
    "Adjustment": _obj(["team_id", "score"], {"team_id": STR, "score": INT}),
    "Announcement": _obj(["text"], {"text": STR}),
    "Review": _obj(
        ["id", "team_id", "clue", "submitted_at", "photo_url"],
        {"id": STR, "team_id": STR, "clue": STR, "submitted_at": TIME, "photo_url": STR},
    ),
    "ReviewOutcome": _obj(
        ["id", "approved", "team_id", "clue", "score"],
        {"id": STR, "approved": {"type": "boolean"}, "team_id": STR, "clue": STR, "score": INT},
    ),
    "Events": _obj(
        ["events"],
        {
            "events": {
                "type": "array",
                "items": _obj(
                    ["position", "version", "type", "time", "payload"],
                    {
                        "position": INT,
                        "version": INT,
                        "type": STR,
                        "time": TIME,
                        "payload": {"type": "object"},
                    },
                ),
            }
        },
    ),
    "Health": _obj(["status"], {"status": STR, "reasons": {"type": "array", "items": STR}}),
}

HUNT_PARAM = {"name": "hunt", "in": "path", "required": True, "schema": STR}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
}


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    ok: tuple[int, Schema | None],
    *,
    params: list[Schema] | None = None,
    body: Schema | None = None,
    secured: bool = False,
) -> Schema:
    status, schema = ok
    responses: Schema = {
        str(status): {"description": "success", **(_json(schema) if schema else {})},
        "default": {"description": "a refusal or an error", **_json(_ref("Error"))},
    }
    op: Schema = {"summary": summary, "parameters": params or [], "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, "content": body}
    if secured:
        op["security"] = [{"bearer": []}]
    return op


def _path_param(name: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": STR}


def _query(name: str, low: int, high: int | None) -> Schema:
    maximum = MAX_INT64 if high is None else high
    schema: Schema = {"type": "integer", "minimum": low, "maximum": maximum}
    return {"name": name, "in": "query", "required": False, "schema": schema}


SUBMISSION_JSON: Schema = {
    "oneOf": [
        _obj(["clue", "answer"], {"clue": STR, "answer": STR}),
        _obj(
            ["clue", "lat", "lon"],
            {"clue": STR, "lat": {"type": "number"}, "lon": {"type": "number"}},
        ),
        _obj(["clue", "code"], {"clue": STR, "code": STR}),
    ]
}


@cache
def document() -> Schema:
    hunt = [HUNT_PARAM]
    paths: Schema = {
        "/api/hunts": {
            "post": _op(
                "Create a hunt from a definition (JSON, or YAML as application/yaml)",
                (201, _ref("Hunt")),
                body={
                    "application/json": {"schema": {"type": "object"}},
                    "application/yaml": {"schema": {"type": "string"}},
                },
                secured=True,
            )
        },
        "/api/hunts/{hunt}": {
            "get": _op(
                "A hunt; with a team token, its open clues", (200, _ref("Hunt")), params=hunt
            )
        },
        "/api/hunts/{hunt}/teams": {
            "post": _op(
                "Register a team",
                (201, _ref("TeamCreated")),
                params=hunt,
                body=_json(
                    _obj(["name"], {"name": {"type": "string", "minLength": 1, "maxLength": 64}})
                )["content"],
            )
        },
        "/api/hunts/{hunt}/submissions": {
            "post": _op(
                "Submit an answer, a GPS check-in, a code or a photo",
                (200, _ref("SubmissionResult")),
                params=[HUNT_PARAM, IDEMPOTENCY],
                body={
                    "application/json": {"schema": SUBMISSION_JSON},
                    "multipart/form-data": {
                        "schema": _obj(
                            ["clue", "photo"],
                            {"clue": STR, "photo": {"type": "string", "format": "binary"}},
                        )
                    },
                },
                secured=True,
            )
        },
        "/api/hunts/{hunt}/clues/{clue}/hints/{hint}": {
            "post": _op(
                "Unlock a hint",
                (200, _ref("HintResult")),
                params=[HUNT_PARAM, _path_param("clue"), _path_param("hint"), IDEMPOTENCY],
                secured=True,
            )
        },
        "/api/hunts/{hunt}/leaderboard": {
            "get": _op(
                "The leaderboard (frozen for the public during a freeze)",
                (200, _ref("Leaderboard")),
                params=[HUNT_PARAM, _query("limit", 1, 1000), _query("offset", 0, None)],
            )
        },
        "/api/hunts/{hunt}/teams/{team}": {
            "get": _op(
                "A team's progress (that team or an organizer)",
                (200, _ref("TeamProgress")),
                params=[HUNT_PARAM, _path_param("team")],
                secured=True,
            )
        },
        "/api/hunts/{hunt}/pause": {
            "post": _op("Pause the hunt", (200, _ref("Hunt")), params=hunt, secured=True)
        },
        "/api/hunts/{hunt}/resume": {
            "post": _op("Resume the hunt", (200, _ref("Hunt")), params=hunt, secured=True)
        },
        "/api/hunts/{hunt}/adjustments": {
            "post": _op(
                "Award or deduct points with a reason",
                (201, _ref("Adjustment")),
                params=[HUNT_PARAM, IDEMPOTENCY],
                body=_json(
                    _obj(
                        ["team_id", "points", "reason"],
                        {
                            "team_id": STR,
                            "points": INT,
                            "reason": {"type": "string", "minLength": 1},
                        },
                    )
                )["content"],
                secured=True,
            )
        },
        "/api/hunts/{hunt}/announcements": {
            "post": _op(
                "Announce to everyone following the hunt",
                (201, _ref("Announcement")),
                params=hunt,
                body=_json(_obj(["text"], {"text": {"type": "string", "minLength": 1}}))["content"],
                secured=True,
            )
        },
        "/api/hunts/{hunt}/reviews": {
            "get": _op(
                "Photos waiting for review, oldest first",
                (200, {"type": "array", "items": _ref("Review")}),
                params=hunt,
                secured=True,
            )
        },
        "/api/hunts/{hunt}/reviews/{id}": {
            "post": _op(
                "Approve or reject a photo",
                (200, _ref("ReviewOutcome")),
                params=[HUNT_PARAM, _path_param("id")],
                body=_json(_obj(["approve"], {"approve": {"type": "boolean"}, "reason": STR}))[
                    "content"
                ],
                secured=True,
            )
        },
        "/api/hunts/{hunt}/photos/{id}": {
            "get": {
                **_op(
                    "A submitted photo (organizers, or the team that sent it)",
                    (200, None),
                    params=[HUNT_PARAM, _path_param("id")],
                    secured=True,
                ),
            }
        },
        "/api/hunts/{hunt}/stream": {
            "get": {
                "summary": "Server-Sent Events: leaderboard changes, announcements, state changes",
                "parameters": [HUNT_PARAM],
                "responses": {
                    "200": {
                        "description": "an event stream",
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
                    },
                    "default": {"description": "a refusal", **_json(_ref("Error"))},
                },
            }
        },
        "/api/hunts/{hunt}/events": {
            "get": _op(
                "The hunt's events in log order",
                (200, _ref("Events")),
                params=[HUNT_PARAM, _query("after", 0, None), _query("limit", 1, 1000)],
                secured=True,
            )
        },
        "/api/hunts/{hunt}/stats": {
            "get": _op(
                "Per-clue statistics: solves, wrong answers, keep-going hits, hints (organizer)",
                (200, {"type": "object"}),
                params=hunt,
                secured=True,
            )
        },
        "/healthz": {"get": _op("The process is alive", (200, _ref("Health")))},
        "/readyz": {"get": _op("The process can serve", (200, _ref("Health")))},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Questline", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


async def serve(request: Request) -> Response:
    return json_response(document())
