"""The photo sweeper (issue 12, item 4): the photo folder keeps what committed events
refer to and nothing else; an upload whose event committed but whose reply was lost
is stored, not lost."""

import hashlib
import uuid
from pathlib import Path

from prometheus_client import REGISTRY
from starlette.testclient import TestClient

from questline.adapters.clocks import ManualClock
from questline.http.embedded import EmbeddedNode, build_embedded_node
from tests.api.conftest import (
    HUNT,
    JPEG,
    ORG,
    ORGANIZER_TOKEN,
    PNG,
    WEBP,
    Api,
    TeamAuth,
    wait_until,
)
from tests.hostile.photo_world import age, files, folder, photo_api, photo_node, player
from tests.hunt_builders import BEFORE_START, STARTS, spec_document

__all__ = ["photo_api", "photo_node", "player"]  # fixtures

HOUR = 3600.0


def _removed(kind: str) -> float:
    value = REGISTRY.get_sample_value("questline_photo_files_removed_total", {"kind": kind})
    return value or 0.0


def _orphan(directory: Path, data: bytes) -> Path:
    path = directory / hashlib.sha256(data).hexdigest()
    path.write_bytes(data)
    return path


def test_a_sweep_removes_an_old_orphan_and_keeps_every_referenced_photo(
    photo_api: Api, player: TeamAuth, photo_node: EmbeddedNode
) -> None:
    review_id = photo_api.photo(player, data=PNG).json()["review_id"]
    assert (
        photo_api.client.post(  # a rejected photo is still referred to by its event
            f"/api/hunts/{HUNT}/reviews/{review_id}",
            json={"approve": False, "reason": "blurry"},
            headers=ORG,
        ).json()["approved"]
        is False
    )
    photo_api.photo(player, data=JPEG)
    directory = folder(photo_node)
    orphan = _orphan(directory, WEBP)
    for path in directory.iterdir():
        if path.is_file():
            age(path, HOUR)
    before = _removed("orphan")
    result = photo_node.photo_sweeper.sweep()
    assert result is not None and result.orphans_removed == 1
    assert not orphan.exists()
    assert set(files(directory)) == {hashlib.sha256(d).hexdigest() for d in (PNG, JPEG)}
    assert _removed("orphan") == before + 1


def test_a_fresh_unreferenced_photo_is_left_for_a_later_sweep(photo_node: EmbeddedNode) -> None:
    directory = folder(photo_node)
    directory.mkdir(parents=True)
    orphan = _orphan(directory, PNG)  # just written: its event may not be visible yet
    assert photo_node.photo_sweeper.sweep() is not None
    assert orphan.exists()
    age(orphan, HOUR)
    photo_node.photo_sweeper.sweep()
    assert not orphan.exists()


def test_stale_uploads_are_removed_and_fresh_ones_left(photo_node: EmbeddedNode) -> None:
    incoming = folder(photo_node) / ".incoming"
    incoming.mkdir(parents=True)
    stale = incoming / f"{uuid.uuid4().hex}.part"
    stale.write_bytes(PNG)
    age(stale, HOUR)
    unclaimed = incoming / f"{hashlib.sha256(JPEG).hexdigest()}.{uuid.uuid4().hex}.ready"
    unclaimed.write_bytes(JPEG)
    age(unclaimed, HOUR)
    arriving = incoming / f"{uuid.uuid4().hex}.part"
    arriving.write_bytes(PNG)
    before = _removed("stale_upload")
    photo_node.photo_sweeper.sweep()
    assert not stale.exists() and not unclaimed.exists()
    assert arriving.exists()
    assert _removed("stale_upload") == before + 2


def test_a_photo_whose_reply_was_lost_is_stored_by_the_sweep(
    photo_api: Api, player: TeamAuth, photo_node: EmbeddedNode
) -> None:
    photo_node.services.command_timeout = 0.0  # the engine commits; the request gives up
    response = photo_api.photo(player, data=PNG)
    assert response.status_code == 503
    photo_node.services.command_timeout = 10.0
    wait_until(lambda: "photo_submitted" in photo_api.event_types())
    digest = hashlib.sha256(PNG).hexdigest()
    directory = folder(photo_node)
    assert digest not in files(directory)  # not kept: the outcome was unknown
    assert len(files(directory / ".incoming")) == 1  # and not removed either
    result = photo_node.photo_sweeper.sweep()
    assert result is not None and result.recovered == 1
    assert files(directory) == {digest: len(PNG)}
    served = photo_api.client.get(f"/api/hunts/{HUNT}/photos/p-1", headers=ORG)
    assert served.content == PNG
    # The writer outlived the caller that stopped waiting for it.
    review = photo_api.post(
        f"/api/hunts/{HUNT}/reviews/p-1", json={"approve": True, "reason": "ok"}, headers=ORG
    )
    assert review.status_code == 200, review.text


def test_a_photo_left_in_the_upload_area_by_a_crash_is_still_served(
    photo_api: Api, player: TeamAuth, photo_node: EmbeddedNode
) -> None:
    photo_api.photo(player, data=JPEG)
    digest = hashlib.sha256(JPEG).hexdigest()
    directory = folder(photo_node)
    # As if the process died between the commit and the rename into the store.
    (directory / digest).rename(directory / ".incoming" / f"{digest}.{uuid.uuid4().hex}.ready")
    served = photo_api.client.get(f"/api/hunts/{HUNT}/photos/p-1", headers=ORG)
    assert served.status_code == 200 and served.content == JPEG
    assert files(directory) == {digest: len(JPEG)}


def test_the_background_reconciler_removes_orphans(tmp_path: Path) -> None:
    clock = ManualClock(BEFORE_START)
    node = build_embedded_node(
        tmp_path / "questline.db",
        clock=clock,
        organizer_token=ORGANIZER_TOKEN,
        reconcile_interval=0.05,
        photo_sweep_interval=0.05,
    )
    try:
        with TestClient(node.app) as client:
            api = Api(client, clock, node)
            api.create_hunt_ok(spec_document())
            clock.set(STARTS)
            api.photo(api.register(), data=PNG)
            directory = folder(node)
            kept = directory / hashlib.sha256(PNG).hexdigest()
            age(kept, HOUR)
            orphan = _orphan(directory, JPEG)
            age(orphan, HOUR)
            wait_until(lambda: not orphan.exists(), timeout=15)
            assert kept.exists()
            assert node.photo_sweeper.stats.orphans_removed == 1
    finally:
        node.close()
