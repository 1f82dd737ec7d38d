"""What teams send and get back: registration, submissions, hints, new tokens."""

from typing import Annotated, Any, Literal

import msgspec

from questline.http.bodies.common import Time
from questline.http.endpoint import Shape
from questline.http.errors import invalid

Binary = Annotated[str, msgspec.Meta(extra_json_schema={"format": "binary"})]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Registration(Shape):
    name: Name
    division: str | None = None  # required when the hunt has divisions


class TeamCreated(Shape):
    team_id: str
    token: str


class TextSubmission(Shape):
    clue: str
    answer: str
    client_time: Time | None = None  # when the phone made it: kept, never judged by


class PartSubmission(Shape):
    clue: str
    part: str
    answer: str
    client_time: Time | None = None


class GeoSubmission(Shape):
    clue: str
    lat: float
    lon: float
    client_time: Time | None = None


class CodeSubmission(Shape):
    clue: str
    code: str
    client_time: Time | None = None


Submission = TextSubmission | PartSubmission | GeoSubmission | CodeSubmission
SUBMISSIONS = (TextSubmission, PartSubmission, GeoSubmission, CodeSubmission)


def submission_shape(raw: dict[str, Any]) -> type[Shape]:
    if "part" in raw:
        return PartSubmission
    if "answer" in raw:
        return TextSubmission
    if "code" in raw:
        return CodeSubmission
    if "lat" in raw or "lon" in raw:
        return GeoSubmission
    raise invalid(
        "give one of: answer (text), part and answer, code, or lat and lon (a GPS check-in)"
    )


class PhotoSubmission(Shape):
    """multipart/form-data: the clue, the photo (JPEG, PNG or WebP, up to 10 MB)."""

    clue: str
    photo: Binary
    client_time: Time | None = None


Result = Literal["correct", "incorrect", "keep_going", "already_solved", "pending_review"]


class SubmissionResult(Shape):
    result: Result
    points: int  # -n for a penalized wrong answer
    bonus: int
    score: int
    review_id: str | None = None
    distance_m: float | None = None  # a missed check-in: metres to the point


class HintText(Shape):
    id: str
    text: str
    cost: int


class HintResult(Shape):
    hint: HintText
    score: int


class TokenRequest(Shape):
    revoke_others: bool = False


class TokenGiven(Shape):
    token: str
