"""With stdout not a terminal, `questline serve` writes only log lines there, one JSON
object each (a log shipper reads them): no banner, no progress bar (issue 12, item 9)."""

import json
from pathlib import Path

from tests.hostile.live_server import serve_process


def test_serve_writes_only_json_lines_on_a_piped_stdout(tmp_path: Path) -> None:
    out = tmp_path / "stdout.log"
    with serve_process(tmp_path / "q.db", stdout=out) as live, live.client() as client:
        assert client.get("/api/hunts/nope").status_code == 404  # logged at info
        assert client.get("/healthz", headers={"Authorization": "Bearer bogus"}).status_code == 401
    lines = out.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(event, dict) for event in events)
    assert any(event.get("event", {}).get("action") == "serving" for event in events), lines
    assert sum(event.get("event", {}).get("action") == "http-request" for event in events) >= 2
