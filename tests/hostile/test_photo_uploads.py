"""Hostile photo uploads (issue 12, items 4 and 5): a refused photo leaves nothing on
disk, an accepted one is stored and served, and who may upload is decided before the
body is read, so an anonymous 10 MB upload costs the server its headers only."""

import hashlib
from collections.abc import Callable, Iterator

import pytest

from questline.http.services import MULTIPART_LIMIT, PHOTO_LIMIT
from tests.api.conftest import HUNT, JPEG, ORG, PNG, Api, TeamAuth, assert_error, wait_until
from tests.hostile.photo_world import (
    LiveServer,
    files,
    folder,
    live,
    multipart,
    photo_api,
    photo_node,
    player,
    read_status,
    request_head,
    stranger,
)

__all__ = ["live", "photo_api", "photo_node", "player", "stranger"]  # fixtures

BIG = PNG + bytes(PHOTO_LIMIT - len(PNG))  # the largest photo allowed


def _unknown_clue(api: Api, team: TeamAuth, _: TeamAuth) -> object:
    return api.photo(team, clue="no-such-clue", data=BIG)


def _text_clue(api: Api, team: TeamAuth, _: TeamAuth) -> object:
    return api.photo(team, clue="lighthouse", data=BIG)


def _not_live(api: Api, team: TeamAuth, _: TeamAuth) -> object:
    assert api.post(f"/api/hunts/{HUNT}/pause", headers=ORG).status_code == 200
    return api.photo(team, data=BIG)


def _anonymous(api: Api, team: TeamAuth, _: TeamAuth) -> object:
    return api.post(
        f"/api/hunts/{HUNT}/submissions",
        data={"clue": "selfie"},
        files={"photo": ("p.png", BIG, "image/png")},
    )


def _wrong_hunt(api: Api, _: TeamAuth, stranger: TeamAuth) -> object:
    return api.post(
        f"/api/hunts/{HUNT}/submissions",
        data={"clue": "selfie"},
        files={"photo": ("p.png", BIG, "image/png")},
        headers=stranger.headers,
    )


def _too_big(api: Api, team: TeamAuth, _: TeamAuth) -> object:
    return api.photo(team, data=BIG + b"\x00")


def _declared_too_big(api: Api, team: TeamAuth, _: TeamAuth) -> object:
    return api.photo(team, data=BIG + bytes(MULTIPART_LIMIT - PHOTO_LIMIT))


def _chunked_too_big(api: Api, team: TeamAuth, _: TeamAuth) -> object:
    body = multipart("selfie", BIG + b"\x00")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found by reading
        for start in range(0, len(body), 1 << 20):
            yield body[start : start + (1 << 20)]

    return api.post(
        f"/api/hunts/{HUNT}/submissions",
        content=chunks(),
        headers={
            **team.headers,
            "Content-Type": "multipart/form-data; boundary=hostile-photo-boundary",
        },
    )


REFUSALS: list[tuple[Callable[[Api, TeamAuth, TeamAuth], object], int, str]] = [
    (_text_clue, 422, "invalid_input"),
    (_unknown_clue, 404, "unknown_clue"),
    (_not_live, 423, "hunt_not_live"),
    (_anonymous, 401, "unauthorized"),
    (_wrong_hunt, 403, "forbidden"),
    (_too_big, 413, "body_too_large"),
    (_declared_too_big, 413, "body_too_large"),
    (_chunked_too_big, 413, "body_too_large"),
]


@pytest.mark.parametrize(
    ("send", "status", "code"), REFUSALS, ids=[send.__name__[1:] for send, _, _ in REFUSALS]
)
def test_a_refused_photo_leaves_the_photo_folder_as_it_was(
    photo_api: Api,
    player: TeamAuth,
    stranger: TeamAuth,
    send: Callable[[Api, TeamAuth, TeamAuth], object],
    status: int,
    code: str,
) -> None:
    before = files(folder(photo_api.node))
    response = send(photo_api, player, stranger)
    assert_error(response, status, code)  # type: ignore[arg-type]
    assert files(folder(photo_api.node)) == before
    assert "photo_submitted" not in photo_api.event_types()


def test_a_photo_sent_while_one_waits_is_refused_and_not_kept(
    photo_api: Api, player: TeamAuth
) -> None:
    assert photo_api.photo(player, data=PNG).json()["result"] == "pending_review"
    before = files(folder(photo_api.node))
    assert list(before) == [hashlib.sha256(PNG).hexdigest()]
    for _ in range(3):
        assert_error(photo_api.photo(player, data=BIG), 409, "photo_pending")
    assert files(folder(photo_api.node)) == before


def test_an_accepted_photo_is_stored_under_its_digest_and_served(
    photo_api: Api, player: TeamAuth
) -> None:
    response = photo_api.photo(player, data=BIG)
    assert response.json()["result"] == "pending_review"
    digest = hashlib.sha256(BIG).hexdigest()
    assert files(folder(photo_api.node)) == {digest: len(BIG)}  # the upload area is empty
    served = photo_api.client.get(
        f"/api/hunts/{HUNT}/photos/{response.json()['review_id']}", headers=player.headers
    )
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == BIG


def test_a_retried_photo_stores_nothing_new(photo_api: Api, player: TeamAuth) -> None:
    first = photo_api.photo(player, data=JPEG, key="selfie-1")
    stored = files(folder(photo_api.node))
    again = photo_api.photo(player, data=JPEG, key="selfie-1")
    assert again.status_code == 200
    assert again.content == first.content
    assert files(folder(photo_api.node)) == stored == {hashlib.sha256(JPEG).hexdigest(): len(JPEG)}
    assert photo_api.event_types().count("photo_submitted") == 1


# -- against a real server, byte by byte ------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "status"), [("anonymous", 401), ("stranger", 403)], ids=["anonymous", "stranger"]
)
def test_an_upload_from_a_caller_who_may_not_send_it_is_answered_before_its_body(
    live: LiveServer, stranger: TeamAuth, caller: str, status: int
) -> None:
    body = multipart("selfie", BIG)
    token = stranger.token if caller == "stranger" else None
    with live.connect() as connection:
        connection.sendall(request_head(HUNT, token, len(body)))
        connection.sendall(body[: 64 * 1024])  # the first chunk of 10 MB, then nothing
        assert read_status(connection) == status
    assert files(folder(live.api.node)) == {}


def test_a_declared_oversized_upload_is_413_before_its_body_even_anonymous(
    live: LiveServer,
) -> None:
    with live.connect() as connection:
        connection.sendall(request_head(HUNT, None, MULTIPART_LIMIT + 1))
        connection.sendall(multipart("selfie", PNG)[:100])
        assert read_status(connection) == 413


def test_an_upload_cut_off_midway_leaves_nothing_behind(live: LiveServer, player: TeamAuth) -> None:
    body = multipart("selfie", BIG)
    incoming = folder(live.api.node) / ".incoming"
    with live.connect() as connection:
        connection.sendall(request_head(HUNT, player.token, len(body)))
        connection.sendall(body[: 2 << 20])
        # The photo streams to disk as it arrives: never held whole in memory.
        wait_until(lambda: sum(files(incoming).values()) > 1 << 20, timeout=15)
    wait_until(lambda: files(folder(live.api.node)) == {}, timeout=15)
    assert live.healthy()
    assert "photo_submitted" not in live.api.event_types()
