"""The supervisor: start a node's processes, keep them alive, stop them gracefully.

- A process that exits is restarted after a backoff (doubling per recent crash,
  with jitter, capped).
- A process with a health check that shows no sign of life for `deadline`
  seconds (its /healthz stops answering, or its heartbeat file goes stale) is
  killed (SIGKILL to its process group) and restarted like a crash.
- `crashes` crashes within `window` seconds open the circuit: the process stays
  down, an error is logged and the status file says `circuit_open`, instead of
  flapping. With `cooldown`, one more start is tried after that long.
- On stop (SIGTERM/SIGINT to the supervisor), every process gets SIGTERM, then
  SIGKILL if it is still running after its grace period.

The status file (JSON, replaced atomically) is what `questline run status` shows.
"""

import contextlib
import json
import logging
import os
import random
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from questline.supervision.config import ProcessConfig, RunConfig

log = logging.getLogger(__name__)

State = Literal["running", "backoff", "circuit_open", "stopping", "stopped"]


@dataclass
class Managed:
    config: ProcessConfig
    state: State = "stopped"
    popen: subprocess.Popen[bytes] | None = None
    generation: int = 0
    started_at: float = 0.0
    last_alive: float = 0.0  # monotonic time of the last sign of life
    restart_at: float = 0.0
    crashes: deque[float] = field(default_factory=deque)
    starts: int = 0
    restarts: int = 0
    kills_stuck: int = 0
    last_exit: int | None = None
    last_reason: str = ""
    alert: str | None = None
    since: float = field(default_factory=time.time)

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None


class Supervisor:
    def __init__(
        self, config: RunConfig, status_file: Path, *, rng: random.Random | None = None
    ) -> None:
        self.config = config
        self.status_file = status_file
        self.rng = rng or random.Random()
        self.processes = [Managed(p) for p in config.processes]
        self._lock = threading.Lock()
        self._stop_checks = threading.Event()
        self._checkers: list[threading.Thread] = []
        self._last_status = 0.0

    # -- the loop ---------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Supervise until `stop` is set, then stop every process gracefully."""
        for managed in self.processes:
            self._spawn(managed)
            if managed.config.health is not None and managed.config.health.http:
                checker = threading.Thread(
                    target=self._check_http, args=(managed,), name=f"health-{managed.config.name}"
                )
                checker.daemon = True
                checker.start()
                self._checkers.append(checker)
        self._write_status()
        while not stop.wait(self.config.tick):
            self.step()
        self.shutdown()

    def step(self) -> None:
        now = time.monotonic()
        changed = False
        for managed in self.processes:
            changed |= self._look_at(managed, now)
        if changed or now - self._last_status >= 1.0:
            self._write_status()

    def _look_at(self, managed: Managed, now: float) -> bool:
        config = managed.config
        if managed.state == "running":
            assert managed.popen is not None
            code = managed.popen.poll()
            if code is not None:
                managed.last_exit = code
                self._crashed(managed, now, f"exited with {_describe_exit(code)}")
                return True
            health = config.health
            if health is not None:
                self._read_heartbeat(managed)
                alive = max(managed.last_alive, managed.started_at + health.startup)
                if now - alive > health.deadline:
                    log.warning(
                        "process %s (pid %s) showed no sign of life for %.1f s; killing it",
                        config.name,
                        managed.pid,
                        now - managed.last_alive if managed.last_alive else now - alive,
                    )
                    self._kill_group(managed, signal.SIGKILL)
                    managed.popen.wait()
                    managed.last_exit = managed.popen.returncode
                    managed.kills_stuck += 1
                    self._crashed(managed, now, f"stuck: no sign of life for {health.deadline} s")
                    return True
            return False
        if managed.state == "backoff" and now >= managed.restart_at:
            managed.restarts += 1
            self._spawn(managed)
            return True
        cooldown = config.restart.cooldown
        if managed.state == "circuit_open" and cooldown is not None and now >= managed.restart_at:
            log.warning("process %s: circuit cooldown over; trying one more start", config.name)
            managed.crashes.clear()
            managed.alert = None
            managed.restarts += 1
            self._spawn(managed)
            return True
        return False

    def _crashed(self, managed: Managed, now: float, reason: str) -> None:
        restart = managed.config.restart
        managed.popen = None
        managed.last_reason = reason
        managed.crashes.append(now)
        while managed.crashes and now - managed.crashes[0] > restart.window:
            managed.crashes.popleft()
        if len(managed.crashes) >= restart.crashes:
            managed.alert = (
                f"{len(managed.crashes)} crashes within {restart.window:g} s "
                f"(last: {reason}); not restarting"
            )
            self._set_state(managed, "circuit_open")
            managed.restart_at = now + (restart.cooldown or 0.0)
            log.error("process %s: circuit open: %s", managed.config.name, managed.alert)
            return
        delay = min(restart.backoff * 2 ** (len(managed.crashes) - 1), restart.max_backoff)
        delay *= self.rng.uniform(1 - restart.jitter, 1 + restart.jitter)
        managed.restart_at = now + delay
        self._set_state(managed, "backoff")
        log.warning(
            "process %s %s; restarting in %.2f s (%d crash(es) in the last %g s)",
            managed.config.name,
            reason,
            delay,
            len(managed.crashes),
            restart.window,
        )

    def _spawn(self, managed: Managed) -> None:
        config = managed.config
        env = {**os.environ, **config.env}
        try:
            managed.popen = subprocess.Popen(
                config.argv(), env=env, cwd=config.cwd, start_new_session=True
            )
        except OSError as error:
            managed.popen = None
            managed.last_exit = None
            self._crashed(managed, time.monotonic(), f"could not start: {error}")
            return
        now = time.monotonic()
        with self._lock:
            managed.generation += 1
            managed.started_at = now
            managed.last_alive = 0.0
        managed.starts += 1
        self._set_state(managed, "running")
        log.info("started %s (pid %d): %s", config.name, managed.popen.pid, config.argv())

    def _set_state(self, managed: Managed, state: State) -> None:
        managed.state = state
        managed.since = time.time()

    # -- health ---------------------------------------------------------------------

    def _read_heartbeat(self, managed: Managed) -> None:
        health = managed.config.health
        if health is None or health.heartbeat_file is None:
            return
        try:
            touched = os.stat(health.heartbeat_file).st_mtime
        except OSError:
            return
        # The file's mtime is wall-clock; turn its age into the monotonic timeline.
        seen = time.monotonic() - max(time.time() - touched, 0.0)
        if seen >= managed.started_at:
            managed.last_alive = max(managed.last_alive, seen)

    def _check_http(self, managed: Managed) -> None:
        health = managed.config.health
        assert health is not None and health.http is not None
        with httpx.Client(timeout=health.timeout) as client:
            while not self._stop_checks.wait(health.interval):
                with self._lock:
                    generation, running = managed.generation, managed.state == "running"
                if not running:
                    continue
                try:
                    ok = client.get(health.http).is_success
                except httpx.HTTPError:
                    ok = False
                if ok:
                    with self._lock:
                        if managed.generation == generation:
                            managed.last_alive = time.monotonic()

    # -- stopping -----------------------------------------------------------------------

    def shutdown(self) -> None:
        """SIGTERM every process, wait for each up to its grace, then SIGKILL."""
        self._stop_checks.set()
        running = [m for m in self.processes if m.state == "running" and m.popen is not None]
        for managed in self.processes:
            if managed.state != "running":
                self._set_state(managed, "stopped")
        for managed in running:
            log.info("stopping %s (pid %s) with SIGTERM", managed.config.name, managed.pid)
            self._set_state(managed, "stopping")
            self._kill_group(managed, signal.SIGTERM)
        self._write_status()
        for managed in running:
            assert managed.popen is not None
            try:
                managed.last_exit = managed.popen.wait(managed.config.grace)
                managed.last_reason = "stopped"
            except subprocess.TimeoutExpired:
                log.warning(
                    "process %s did not stop within %g s; sending SIGKILL",
                    managed.config.name,
                    managed.config.grace,
                )
                self._kill_group(managed, signal.SIGKILL)
                managed.last_exit = managed.popen.wait()
                managed.last_reason = f"killed after a {managed.config.grace:g} s grace"
            self._set_state(managed, "stopped")
        self._write_status(stopped=True)

    @staticmethod
    def _kill_group(managed: Managed, sig: signal.Signals) -> None:
        if managed.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(managed.popen.pid, sig)

    # -- status ---------------------------------------------------------------------

    def status(self, *, stopped: bool = False) -> dict[str, object]:
        return {
            "supervisor_pid": os.getpid(),
            "running": not stopped,
            "updated_at": time.time(),
            "processes": [
                {
                    "name": m.config.name,
                    "state": m.state,
                    "pid": m.pid,
                    "since": m.since,
                    "starts": m.starts,
                    "restarts": m.restarts,
                    "killed_stuck": m.kills_stuck,
                    "crashes_in_window": len(m.crashes),
                    "last_exit": m.last_exit,
                    "last_reason": m.last_reason,
                    "alert": m.alert,
                }
                for m in self.processes
            ],
        }

    def _write_status(self, *, stopped: bool = False) -> None:
        self._last_status = time.monotonic()
        path = self.status_file
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(self.status(stopped=stopped), indent=2), encoding="utf-8")
        os.replace(partial, path)


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


def read_status(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
