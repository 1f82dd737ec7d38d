"""Load shedding: a node with a tiny command queue answers 503 with Retry-After
when flooded, keeps serving reads, and drops nothing it accepted; a retry with
the same Idempotency-Key later has exactly one effect."""

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from questline.adapters.clocks import ManualClock
from questline.engine.verification import verify
from questline.http.command_runner import idempotency_command_id
from questline.http.embedded import build_embedded_node
from tests.healing.live import HUNT, ORGANIZER_TOKEN, create_spec_hunt, serving
from tests.hunt_builders import MINUTE, STARTS

TEAMS = 60


def test_a_flooded_node_sheds_load_and_loses_nothing_it_accepted(tmp_path: Path) -> None:
    node = build_embedded_node(
        tmp_path / "flood.db",
        clock=ManualClock(STARTS + MINUTE),
        organizer_token=ORGANIZER_TOKEN,
        max_queue=5,
        reconcile_interval=None,
    )
    with serving(node) as live:
        with live.client() as client:
            create_spec_hunt(client)

        async def register_all() -> list[tuple[str, str]]:
            responses: list[httpx.Response] = []

            async def register(ac: httpx.AsyncClient, n: int) -> httpx.Response:
                # A slow machine can still shed one: a client retries a 503.
                response = await ac.post(f"/api/hunts/{HUNT}/teams", json={"name": f"Team {n}"})
                while response.status_code == 503:
                    await asyncio.sleep(float(response.headers["Retry-After"]) / 10)
                    response = await ac.post(f"/api/hunts/{HUNT}/teams", json={"name": f"Team {n}"})
                return response

            async with httpx.AsyncClient(base_url=live.base_url, timeout=30.0) as ac:
                for start in range(0, TEAMS, 4):  # within the tiny queue
                    responses += await asyncio.gather(
                        *(register(ac, n) for n in range(start, start + 4))
                    )
            assert all(r.status_code == 201 for r in responses)
            return [(r.json()["team_id"], r.json()["token"]) for r in responses]

        teams = asyncio.run(register_all())

        async def submit(ac: httpx.AsyncClient, team: tuple[str, str]) -> httpx.Response:
            team_id, token = team
            return await ac.post(
                f"/api/hunts/{HUNT}/submissions",
                json={"clue": "lighthouse", "answer": "keeper"},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"k-{team_id}"},
            )

        async def flood() -> tuple[list[httpx.Response], int, list[httpx.Response]]:
            limits = httpx.Limits(max_connections=TEAMS + 10)
            async with httpx.AsyncClient(base_url=live.base_url, timeout=30.0, limits=limits) as ac:
                with node.engine.lock:  # the writer stalls (a slow disk, say) ...
                    tasks = [asyncio.create_task(submit(ac, team)) for team in teams]
                    # ... so the queue fills and everything past it is shed at once,
                    shed = 0
                    while shed < TEAMS - 40:
                        done = [t for t in tasks if t.done()]
                        shed = sum(t.result().status_code == 503 for t in done)
                        await asyncio.sleep(0.01)  # yield to the client tasks
                    # while reads are still served.
                    board = await ac.get(f"/api/hunts/{HUNT}/leaderboard")
                    assert board.status_code == 200
                    reads = 1
                first = await asyncio.gather(*tasks)

                async def retry(team: tuple[str, str]) -> httpx.Response:
                    # As clients do: the same Idempotency-Key until it is not shed.
                    response = await submit(ac, team)
                    while response.status_code == 503:
                        await asyncio.sleep(float(response.headers["Retry-After"]) / 10)
                        response = await submit(ac, team)
                    return response

                again = await asyncio.gather(
                    *(
                        retry(team)
                        for team, response in zip(teams, first, strict=True)
                        if response.status_code == 503
                    )
                )
                return list(first), reads, list(again)

        first, reads, again = asyncio.run(flood())
        statuses = Counter(r.status_code for r in first)
        assert set(statuses) == {200, 503}, statuses
        assert statuses[503] >= TEAMS - 40 and statuses[200] >= 1
        for response in first:
            if response.status_code == 503:
                assert int(response.headers["Retry-After"]) >= 1
        assert reads == 1
        assert all(r.status_code == 200 for r in again)

        ids = {
            idempotency_command_id(HUNT, f"team:{team_id}", f"k-{team_id}")[0]: team_id
            for team_id, _ in teams
        }
        per_command = Counter(
            e.command_id for e in node.store.events.read(hunt_id=HUNT) if e.command_id in ids
        )
        # Every team's submission was acknowledged once (first try or retry) and is
        # in the log exactly once: nothing accepted was dropped, nothing doubled.
        assert per_command == dict.fromkeys(ids, 1)
        assert verify(node.store) == []
