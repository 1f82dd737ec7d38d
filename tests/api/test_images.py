"""The hunt's own images for clue text (hunt-day.md: "images the organizer uploads,
stored like photos, by digest"): organizers upload, anyone reads, by SHA-256 digest."""

import hashlib

import pytest

from questline.engine.photo_sweep import PhotoSweeper
from questline.http.services import PHOTO_LIMIT
from tests.api.conftest import HUNT, JPEG, ORG, OTHER_HUNT, PNG, WEBP, Api, TeamAuth, assert_error

IMAGES = f"/api/hunts/{HUNT}/images"


@pytest.mark.parametrize(
    ("data", "media"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_an_uploaded_image_is_served_by_its_digest_to_anyone(
    api: Api, hunt: str, data: bytes, media: str
) -> None:
    response = api.post(IMAGES, content=data, headers={**ORG, "Content-Type": media})
    assert response.status_code == 201, response.text
    digest = hashlib.sha256(data).hexdigest()
    url = f"{IMAGES}/{digest}"
    assert response.json() == {"digest": digest, "url": url, "markdown": f"![]({url})"}
    served = api.client.get(url)  # no token: teams and big screens see clue images
    assert served.status_code == 200
    assert served.content == data
    assert served.headers["content-type"] == media
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["x-content-type-options"] == "nosniff"


def test_the_type_is_read_from_the_bytes_not_the_declared_content_type(api: Api, hunt: str) -> None:
    digest = api.post(IMAGES, content=JPEG, headers={**ORG, "Content-Type": "image/png"}).json()[
        "digest"
    ]
    assert api.client.get(f"{IMAGES}/{digest}").headers["content-type"] == "image/jpeg"


def test_the_same_bytes_are_stored_once_201_then_200(api: Api, hunt: str) -> None:
    first = api.post(IMAGES, content=PNG, headers={**ORG, "Content-Type": "image/png"})
    again = api.post(IMAGES, content=PNG, headers={**ORG, "Content-Type": "image/png"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    folder = api.node.services.images.directory / HUNT
    assert [p.name for p in folder.iterdir()] == [first.json()["digest"]]


def test_only_organizers_upload(api: Api, team_a: TeamAuth) -> None:
    def upload(headers: dict[str, str]) -> int:
        response = api.post(IMAGES, content=PNG, headers={**headers, "Content-Type": "image/png"})
        return response.status_code

    assert upload({}) == 401
    assert upload(team_a.headers) == 403
    assert upload(ORG) == 201


def test_an_image_of_another_hunt_is_not_found_there(api: Api, other_team: TeamAuth) -> None:
    digest = api.post(IMAGES, content=PNG, headers={**ORG, "Content-Type": "image/png"}).json()[
        "digest"
    ]
    assert api.client.get(f"{IMAGES}/{digest}").status_code == 200
    assert_error(api.client.get(f"/api/hunts/{OTHER_HUNT}/images/{digest}"), 404, "unknown_image")


def test_an_image_larger_than_the_photo_limit_is_413(api: Api, hunt: str) -> None:
    too_big = PNG + bytes(PHOTO_LIMIT - len(PNG) + 1)
    response = api.post(IMAGES, content=too_big, headers={**ORG, "Content-Type": "image/png"})
    assert_error(response, 413, "body_too_large")
    exactly = PNG + bytes(PHOTO_LIMIT - len(PNG))
    response = api.post(IMAGES, content=exactly, headers={**ORG, "Content-Type": "image/png"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("data", "media"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image/png"),
        (b"GIF89a" + bytes(32), "image/gif"),
        (b"", "image/png"),
        (
            b"--x\r\nContent-Disposition: form-data; name=image\r\n\r\n",
            "multipart/form-data; boundary=x",
        ),
    ],
    ids=["svg-as-png", "gif", "empty", "multipart"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused(
    api: Api, hunt: str, data: bytes, media: str
) -> None:
    response = api.post(IMAGES, content=data, headers={**ORG, "Content-Type": media})
    error = assert_error(response, 415, "unsupported_image")
    assert "JPEG, PNG or WebP" in error["message"]
    assert not (api.node.services.images.directory / HUNT).exists()


@pytest.mark.parametrize(
    "digest",
    [
        "0" * 64,  # well formed, never uploaded
        "0" * 63,
        "A" * 64,  # upper case is not how digests are named
        "..%2F..%2F..%2Fquestline.db",
        "%2E%2E",
    ],
)
def test_an_unknown_or_malformed_digest_is_404(api: Api, hunt: str, digest: str) -> None:
    api.post(IMAGES, content=PNG, headers={**ORG, "Content-Type": "image/png"})
    assert_error(api.client.get(f"{IMAGES}/{digest}"), 404)


def test_a_path_out_of_the_image_folder_is_404(api: Api, hunt: str) -> None:
    """The folder of the hunt's images and a file beside the store are never served."""
    digest = api.post(IMAGES, content=PNG, headers={**ORG, "Content-Type": "image/png"}).json()[
        "digest"
    ]
    secret = api.node.services.images.directory.parent / ("f" * 64)
    secret.write_bytes(PNG)  # a digest-named file outside the hunt's folder
    for path in (f"/api/hunts/{HUNT}/images/..%2F{'f' * 64}", f"/api/hunts/{HUNT}/images/{HUNT}"):
        response = api.client.get(path)
        assert response.status_code == 404, (path, response.status_code)
    assert api.client.get(f"{IMAGES}/{digest}").status_code == 200


def test_the_photo_sweeper_leaves_images_alone(api: Api, hunt: str) -> None:
    """No event names an image: the sweeper, which removes photos no event refers to,
    must not look at them (an orphan photo beside them is removed in the same round)."""
    digest = api.post(IMAGES, content=PNG, headers={**ORG, "Content-Type": "image/png"}).json()[
        "digest"
    ]
    photos = api.node.services.photos
    orphan = photos.path("e" * 64)
    orphan.write_bytes(PNG)
    result = PhotoSweeper(photos, set, grace=0.0).sweep()
    assert result is not None
    assert not orphan.exists()
    assert api.client.get(f"{IMAGES}/{digest}").content == PNG
