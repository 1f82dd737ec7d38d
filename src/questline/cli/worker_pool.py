"""`questline serve --db F --workers N` (N > 1): this process is the one writer (the
engine behind its group committer, the reconciler, snapshots) and N HTTP processes
answer on one port. It binds the listening socket and hands it down, opens the
writer's local socket (http/writer_server.py) and supervises the processes: one that
dies is started again, unless they keep dying (then everything stops, exit 1).
SIGTERM or SIGINT stops the HTTP processes first (their requests in flight still
reach the writer), then drains the writer. docs/operations.md, "Several HTTP processes"."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from questline.cli.common import fail, progress_bar
from questline.cli.http_worker import SETTINGS_ENV, WorkerSettings, encode
from questline.http.abuse_limits import AbuseSettings
from questline.http.admission import AdmissionSettings
from questline.http.embedded import ORGANIZER_TOKEN_ENV, build_writer
from questline.http.server_limits import ServerLimits
from questline.http.writer_server import WriterServer
from questline.observability import metrics
from questline.observability.logs import get_logger

log = get_logger("questline.serve")

# A process that dies sooner than this after its start counts towards giving up.
QUICK_DEATH_S = 10.0
MAX_QUICK_DEATHS = 5
STOP_TIMEOUT_S = 30.0
UNIX_PATH_MAX = 100  # sun_path holds 108 bytes on Linux, 104 on macOS


@dataclass
class _Child:
    index: int
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)


def writer_socket_path(db: Path) -> tuple[Path, Path | None]:
    """Next to the database, or in a folder of its own when that path is too long for a
    Unix socket; (path, the folder to remove afterwards or None)."""
    beside = db.parent / f"{db.name}.writer.sock"
    if len(str(beside.absolute())) <= UNIX_PATH_MAX:
        return beside.absolute(), None
    folder = Path(tempfile.mkdtemp(prefix="questline-writer-"))
    return folder / "writer.sock", folder


def serve_workers(
    db: Path,
    *,
    workers: int,
    host: str,
    port: int,
    durability: str,
    organizer_token: str,
    limits: ServerLimits,
    abuse: AbuseSettings,
    admission: AdmissionSettings,
    max_queue: int = 20_000,
) -> int:
    """Serve until SIGTERM or SIGINT; the exit status (0, or 1 if the processes kept dying)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listening = socket.create_server((host, port), family=family, backlog=2048)
    except OSError as error:
        raise fail(f"cannot listen on {host}:{port}: {error}") from None
    listening.set_inheritable(True)
    with progress_bar("recover") as progress:
        writer = build_writer(
            db, durability="full" if durability == "full" else "normal", progress=progress
        )
    path, path_folder = writer_socket_path(db)
    door = WriterServer(path, writer.committer)
    try:
        door.start()
    except (RuntimeError, OSError) as error:
        writer.close()
        listening.close()
        raise fail(f"cannot open the writer's socket: {error}") from None
    writer.committer.start()
    metrics_dir, own_metrics_dir = _metrics_dir()
    if writer.reconciler is not None:
        writer.reconciler.start()
    settings = WorkerSettings(
        db=str(db.absolute()),
        writer_socket=str(path),
        fd=listening.fileno(),
        host=host,
        port=port,
        durability=durability,
        limits=limits,
        abuse=abuse,
        admission=admission,
        # Each process's own bound on commands in flight: the writer's queue, shared.
        max_pending=max(max_queue // workers, 1),
    )
    env = {
        **os.environ,
        SETTINGS_ENV: encode(settings),
        metrics.MULTIPROC_ENV: str(metrics_dir),
    }
    if organizer_token:
        env[ORGANIZER_TOKEN_ENV] = organizer_token
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    children = [_start(index, env, listening) for index in range(workers)]
    log.info(
        f"Questline serving {db} on http://{host}:{port} with {workers} HTTP processes"
        f" (pids {', '.join(str(c.process.pid) for c in children)}; OpenAPI: /openapi.json)",
        **{"event.action": "serving", "url.full": f"http://{host}:{port}"},
    )
    status = 0
    try:
        status = _supervise(children, env, listening, stop, metrics_dir)
    finally:
        _stop_children(children, metrics_dir)
        listening.close()
        if writer.reconciler is not None:
            writer.reconciler.stop()
        writer.committer.stop()  # drains what is queued
        door.stop()
        writer.engine.take_snapshots()
        writer.close()
        if path_folder is not None:
            shutil.rmtree(path_folder, ignore_errors=True)
        if own_metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return status


def _metrics_dir() -> tuple[Path, bool]:
    """The operator's PROMETHEUS_MULTIPROC_DIR (this process's metrics go there too), or
    a fresh folder for the HTTP processes alone; (folder, made here)."""
    given = os.environ.get(metrics.MULTIPROC_ENV)
    if given:
        return Path(given), False
    log.warning(
        f"{metrics.MULTIPROC_ENV} is not set: /metrics shows the HTTP processes' metrics,"
        " not the writer's (commit and batch figures); set it to an empty folder to see all"
    )
    return Path(tempfile.mkdtemp(prefix="questline-metrics-")), True


def _start(index: int, env: dict[str, str], listening: socket.socket) -> _Child:
    process = subprocess.Popen(
        [sys.executable, "-m", "questline.cli.http_worker"],
        env=env,
        pass_fds=(listening.fileno(),),
        # Not in the terminal's process group: a Ctrl-C reaches this process, which
        # then stops them in order (the HTTP processes first, the writer last).
        start_new_session=True,
    )
    return _Child(index, process)


def _supervise(
    children: list[_Child],
    env: dict[str, str],
    listening: socket.socket,
    stop: threading.Event,
    metrics_dir: Path,
) -> int:
    quick_deaths = 0
    while not stop.wait(0.2):
        for position, child in enumerate(children):
            code = child.process.poll()
            if code is None:
                continue
            _forget_metrics(child.process.pid, metrics_dir)
            lived = time.monotonic() - child.started
            quick_deaths = quick_deaths + 1 if lived < QUICK_DEATH_S else 0
            if quick_deaths >= MAX_QUICK_DEATHS:
                log.error(
                    f"HTTP process {child.index} exited with {code}; {quick_deaths} died"
                    f" within {QUICK_DEATH_S:.0f} s of starting: stopping",
                    **{"event.action": "http-process-gave-up"},
                )
                return 1
            log.error(
                f"HTTP process {child.index} (pid {child.process.pid}) exited with {code}"
                f" after {lived:.1f} s: starting it again",
                **{"event.action": "http-process-restarted"},
            )
            children[position] = _start(child.index, env, listening)
    return 0


def _stop_children(children: list[_Child], metrics_dir: Path) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in children:
        try:
            child.process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
        _forget_metrics(child.process.pid, metrics_dir)


def _forget_metrics(pid: int, metrics_dir: Path) -> None:
    """A dead process's live gauges leave /metrics (prometheus-client's files)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, str(metrics_dir))  # type: ignore[no-untyped-call]
