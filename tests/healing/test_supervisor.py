"""`questline run`: crashed processes come back with backoff, stuck ones are
killed and restarted, repeated crashes open a circuit (an error log line and the
status file say so), and SIGTERM stops everything gracefully."""

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from questline.cli.app import app
from questline.supervision.config import load_run_config
from questline.supervision.supervisor import Supervisor, read_status
from tests.healing.live import wait_until

PY = sys.executable


def write_config(tmp_path: Path, processes: list[dict[str, object]]) -> Path:
    path = tmp_path / "node.yaml"
    path.write_text(yaml.safe_dump({"status_file": "status.json", "processes": processes}))
    return path


def supervise(config: Path) -> tuple[Supervisor, threading.Event, threading.Thread]:
    loaded = load_run_config(config)
    supervisor = Supervisor(loaded, config.parent / "status.json")
    stop = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stop,), daemon=True)
    thread.start()
    return supervisor, stop, thread


def process(supervisor: Supervisor, name: str) -> dict[str, object]:
    if not supervisor.status_file.exists():  # not written yet
        return {"state": None, "killed_stuck": 0}
    status = read_status(supervisor.status_file)
    processes = status["processes"]
    assert isinstance(processes, list)
    found: dict[str, object] = next(p for p in processes if p["name"] == name)
    return found


def test_repeated_crashes_open_the_circuit_and_raise_an_alert(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(
        tmp_path,
        [
            {
                "name": "crasher",
                "command": [PY, "-c", "import sys; sys.exit(3)"],
                "restart": {"backoff": 0.01, "max_backoff": 0.05, "crashes": 4, "window": 60},
            }
        ],
    )
    with caplog.at_level("WARNING"):
        supervisor, stop, thread = supervise(config)
        try:
            wait_until(
                lambda: process(supervisor, "crasher")["state"] == "circuit_open", 30, "circuit"
            )
        finally:
            stop.set()
            thread.join(30)
    crasher = process(supervisor, "crasher")
    assert crasher["starts"] == 4 and crasher["restarts"] == 3
    assert crasher["last_exit"] == 3
    assert "4 crashes within 60 s" in str(crasher["alert"])
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("circuit open" in r.getMessage() for r in errors)
    result = CliRunner().invoke(app, ["run", "status", "--config", str(config)])
    assert result.exit_code == 1 and "ALERT" in result.output


def kills(supervisor: Supervisor) -> int:
    return int(str(process(supervisor, "hanger")["killed_stuck"]))


def test_a_stuck_process_is_killed_and_restarted(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    # Touches its heartbeat once, then hangs: alive as a process, dead as a worker.
    hang = f"import pathlib, time; pathlib.Path({str(beat)!r}).touch(); time.sleep(600)"
    config = write_config(
        tmp_path,
        [
            {
                "name": "hanger",
                "command": [PY, "-c", hang],
                "health": {"heartbeat_file": str(beat), "deadline": 0.5, "startup": 0.5},
                "restart": {"backoff": 0.01, "crashes": 10},
            }
        ],
    )
    supervisor, stop, thread = supervise(config)
    try:
        wait_until(lambda: kills(supervisor) >= 2, 30, "two stuck kills")
    finally:
        stop.set()
        thread.join(30)
    hanger = process(supervisor, "hanger")
    assert int(str(hanger["restarts"])) >= 1  # killed, restarted, killed again


def test_sigterm_is_forwarded_then_sigkill_after_the_grace(tmp_path: Path) -> None:
    polite = tmp_path / "polite.txt"
    polite_ready = tmp_path / "polite.ready"
    stubborn_ready = tmp_path / "stubborn.ready"
    polite_code = (
        "import pathlib, signal, sys, time\n"
        "def bye(*_):\n"
        f"    pathlib.Path({str(polite)!r}).write_text('got SIGTERM')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, bye)\n"
        f"pathlib.Path({str(polite_ready)!r}).touch()\n"
        "time.sleep(600)\n"
    )
    stubborn_code = (
        "import pathlib, signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"pathlib.Path({str(stubborn_ready)!r}).touch()\n"
        "time.sleep(600)\n"
    )
    config = write_config(
        tmp_path,
        [
            {"name": "polite", "command": [PY, "-c", polite_code], "grace": 10},
            {"name": "stubborn", "command": [PY, "-c", stubborn_code], "grace": 0.5},
        ],
    )
    supervisor = subprocess.Popen(
        [PY, "-m", "questline", "run", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    status_file = tmp_path / "status.json"

    def both_running() -> bool:
        if not (status_file.exists() and polite_ready.exists() and stubborn_ready.exists()):
            return False
        states = [p["state"] for p in json.loads(status_file.read_text())["processes"]]
        return states == ["running", "running"]

    try:
        wait_until(both_running, 30, "both processes running")
    finally:
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(30) == 0
    assert polite.read_text() == "got SIGTERM"
    report = json.loads(status_file.read_text())
    assert report["running"] is False
    by_name = {p["name"]: p for p in report["processes"]}
    assert by_name["polite"]["last_exit"] == 0
    assert by_name["stubborn"]["last_exit"] == -signal.SIGKILL
    assert "killed after" in by_name["stubborn"]["last_reason"]
    result = CliRunner().invoke(app, ["run", "status", "--config", str(config)])
    assert result.exit_code == 1 and "NOT running" in result.output


def test_a_killed_embedded_server_is_restarted_and_answers_again(tmp_path: Path) -> None:
    import os
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/healthz"
    config = write_config(
        tmp_path,
        [
            {
                "name": "api",
                "questline": ["serve", "--db", str(tmp_path / "node.db"), "--port", str(port)],
                "health": {"http": url, "interval": 0.2, "deadline": 20, "startup": 30},
                "restart": {"backoff": 0.05},
            }
        ],
    )

    def healthy() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    supervisor, stop, thread = supervise(config)
    try:
        wait_until(healthy, 60, "the server answering /healthz")
        first = process(supervisor, "api")["pid"]
        assert isinstance(first, int)
        os.kill(first, signal.SIGKILL)
        wait_until(lambda: process(supervisor, "api")["pid"] not in (first, None), 30, "a restart")
        wait_until(healthy, 60, "the restarted server answering /healthz")
        assert process(supervisor, "api")["restarts"] == 1
    finally:
        stop.set()
        thread.join(60)
    assert process(supervisor, "api")["state"] == "stopped"
