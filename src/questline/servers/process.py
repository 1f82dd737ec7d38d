"""Shared helpers: finding Java 17, spawning a server JVM, waiting for it, stopping it.

Every JVM is started in its own session with stdout+stderr in ``<node>/logs/server.log``
and its pid in ``<node>/server.pid``, so a later process (``python -m questline.servers
down``) can find and stop it after the starting process has gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path

# Cassandra 5.0 runs on Java 11 and 17 only; Kafka 3.9 on 11 to 23. 17 first.
SUPPORTED_JAVA_MAJORS = (17, 11)
POLL_INTERVAL_S = 0.2
LOG_TAIL_LINES = 40


class ServerError(RuntimeError):
    """A server could not be fetched, started or stopped."""


class JavaNotFoundError(ServerError):
    """No Java 17 (or 11) runtime was found."""


class MavenNotFoundError(ServerError):
    """``mvn`` is not on PATH and the jars are not cached yet."""


class ServerStartError(ServerError):
    """A server did not become ready; the message quotes the end of its log."""


def resource_text(name: str) -> str:
    """The text of a file in ``questline/servers/resources``."""
    return (resources.files("questline.servers") / "resources" / name).read_text("utf-8")


def _java_major(home: Path) -> int | None:
    # The JDK's `release` file avoids starting a JVM just to ask for its version.
    try:
        text = (home / "release").read_text("utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("JAVA_VERSION="):
            version = line.partition("=")[2].strip().strip('"')
            head = version.split(".")[0]
            return int(head) if head.isdigit() else None
    return None


def _java_home_candidates() -> Iterable[Path]:
    for var in ("QUESTLINE_JAVA_HOME", "JAVA_HOME"):
        if value := os.environ.get(var):
            yield Path(value)
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        yield from sorted(jvm_root.glob("java-17-openjdk*"))
        yield from sorted(jvm_root.glob("java-11-openjdk*"))
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        java = Path(directory or ".") / "java"
        if java.is_file():
            yield java.resolve().parent.parent


def java_home() -> Path:
    """A Java 17 home (else 11), never a newer JDK such as a Temurin 25 on the same machine.

    ``QUESTLINE_JAVA_HOME`` wins when set; a ``JAVA_HOME`` of an unsupported version is
    passed over, since Cassandra 5.0 refuses to run on Java 21+.
    """
    if forced := os.environ.get("QUESTLINE_JAVA_HOME"):
        home = Path(forced)
        if _java_major(home) not in SUPPORTED_JAVA_MAJORS or not (home / "bin/java").is_file():
            raise JavaNotFoundError(f"QUESTLINE_JAVA_HOME={forced} is not a Java 17 or 11 JDK")
        return home
    found: dict[int, Path] = {}
    for home in _java_home_candidates():
        major = _java_major(home)
        if major is not None and major in SUPPORTED_JAVA_MAJORS and (home / "bin/java").is_file():
            found.setdefault(major, home)
    for major in SUPPORTED_JAVA_MAJORS:
        if major in found:
            return found[major]
    raise JavaNotFoundError(
        "no Java 17 (or 11) runtime found in QUESTLINE_JAVA_HOME, JAVA_HOME, /usr/lib/jvm "
        "or PATH; install it with `apt-get install -y openjdk-17-jdk-headless`"
    )


def java_env() -> dict[str, str]:
    """The environment for a child JVM (or mvn): ours, with JAVA_HOME pinned to Java 17."""
    env = dict(os.environ)
    env["JAVA_HOME"] = str(java_home())
    return env


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last lines of a log file, or a note that it is missing."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def free_ports(count: int) -> list[int]:
    """Ports the kernel just handed out on loopback: unlikely to clash with a local
    `up` or another run (tests and benchmarks start their servers on them)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """True if the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # The state letter follows the command name, which is in parentheses.
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def rss_mib(pid: int) -> float | None:
    """Resident memory of a process in MiB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class LogWatcher:
    """Reads a log incrementally from a byte offset, so a restart ignores older lines."""

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.path = path
        self._offset = offset
        self._text = ""

    def text(self) -> str:
        """Everything logged since the offset (read lazily, only the new bytes)."""
        try:
            with self.path.open("rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except OSError:
            return self._text
        # Only whole lines, so a multi-byte character is never split across reads.
        cut = chunk.rfind(b"\n") + 1
        self._offset += cut
        self._text += chunk[:cut].decode("utf-8", "replace")
        return self._text

    def contains(self, needle: str) -> bool:
        return needle in self.text()


def _wait_gone(pid: int, proc: subprocess.Popen[bytes] | None, timeout: float) -> bool:
    if proc is not None:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_INTERVAL_S)
    return True


class JvmNode:
    """One server JVM. Subclasses say how to configure, launch and recognise it as ready."""

    name: str
    node_dir: Path

    def __init__(self, name: str, node_dir: Path) -> None:
        self.name = name
        self.node_dir = node_dir.resolve()
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    # -- to be provided by subclasses ------------------------------------------------------
    def prepare(self) -> None:
        """Write config files and create directories before a launch."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def listen_addresses(self) -> list[tuple[str, int]]:
        """The (host, port) pairs the server binds, checked free before a launch."""
        raise NotImplementedError

    def is_ready(self, log: LogWatcher) -> bool:
        raise NotImplementedError

    # -- shared behaviour -------------------------------------------------------------------
    @property
    def log_path(self) -> Path:
        return self.node_dir / "logs" / "server.log"

    @property
    def pid_path(self) -> Path:
        return self.node_dir / "server.pid"

    @property
    def log_offset(self) -> int:
        """Size of the log when this object last launched the JVM (0 if it never did)."""
        return self._log_offset

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def pid(self) -> int | None:
        """The pid of this node's running JVM, also when another process started it."""
        if self._proc is not None:
            if self._proc.poll() is None:
                return self._proc.pid
            self._proc = None
        try:
            pid = int(self.pid_path.read_text().strip())
        except (OSError, ValueError):
            return None
        # A recycled pid belongs to something else: the JVM's argv names its node dir.
        if pid_alive(pid) and f"{self.node_dir}/" in _cmdline(pid):
            return pid
        return None

    def running(self) -> bool:
        return self.pid() is not None

    def launch(self) -> None:
        """Start the JVM in the background (its own session) without waiting for it."""
        if (pid := self.pid()) is not None:
            raise ServerError(f"{self.name} is already running (pid {pid})")
        for host, port in self.listen_addresses():
            if port_open(host, port):
                raise ServerStartError(f"{self.name}: {host}:{port} is already in use")
        self.prepare()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self._log_offset = log.tell()
            self._proc = subprocess.Popen(
                self.command(),
                cwd=self.node_dir,
                env=java_env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # A new session: Ctrl-C in the starting terminal or the end of `up` must
                # not reach the server.
                start_new_session=True,
            )
        self.pid_path.write_text(f"{self._proc.pid}\n")

    def wait_ready(self, timeout: float) -> None:
        """Poll the log and ports until ready; raise with the log's tail on exit or timeout."""
        watcher = LogWatcher(self.log_path, self._log_offset)
        proc = self._proc  # kept: pid() forgets a child that has exited
        deadline = time.monotonic() + timeout
        while True:
            if self.is_ready(watcher):
                return
            if self.pid() is None:
                rc = proc.returncode if proc is not None else None
                how = f" with exit code {rc}" if rc is not None else ""
                self._fail(f"{self.name} exited{how} before it was ready")
            if time.monotonic() >= deadline:
                self._fail(f"{self.name} was not ready within {timeout:.0f} s")
            time.sleep(POLL_INTERVAL_S)

    def _fail(self, why: str) -> None:
        raise ServerStartError(f"{why}; last lines of {self.log_path}:\n{log_tail(self.log_path)}")

    def signal(self, sig: signal.Signals) -> int | None:
        """Send a signal to the JVM; returns its pid, or None if it was not running."""
        pid = self.pid()
        if pid is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return None
        return pid

    def wait_stopped(self, pid: int, timeout: float) -> None:
        """Wait for the JVM to exit after a signal; SIGKILL it when the timeout passes."""
        if not _wait_gone(pid, self._proc, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, self._proc, 30.0)
        self._proc = None
        self.pid_path.unlink(missing_ok=True)

    def exited(self, pid: int) -> bool:
        if self._proc is not None and self._proc.pid == pid:
            return self._proc.poll() is not None
        return not pid_alive(pid)

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM (a clean shutdown via the JVM's hooks), then SIGKILL after the timeout."""
        if (pid := self.signal(signal.SIGTERM)) is not None:
            self.wait_stopped(pid, timeout)

    def kill(self) -> None:
        """kill -9: the crash a failure test wants, with no shutdown hooks run."""
        if (pid := self.signal(signal.SIGKILL)) is not None:
            self.wait_stopped(pid, 30.0)

    def rss_mib(self) -> float | None:
        pid = self.pid()
        return None if pid is None else rss_mib(pid)


def stop_all(
    nodes: Sequence[JvmNode], timeout: float = 60.0, *, minority_grace: float | None = None
) -> None:
    """SIGTERM every node at once, wait, and SIGKILL whatever is left at the timeout.

    With ``minority_grace``, once no more than half of the nodes still run, the rest get only
    that many seconds: a KRaft broker's controlled shutdown needs a controller majority and
    would otherwise wait out its own 5-minute limit.
    """
    signalled = [(node, pid) for node in nodes if (pid := node.signal(signal.SIGTERM))]
    deadline = time.monotonic() + timeout
    grace_deadline: float | None = None
    while alive := [node for node, pid in signalled if not node.exited(pid)]:
        now = time.monotonic()
        if minority_grace is not None and grace_deadline is None and 2 * len(alive) <= len(nodes):
            grace_deadline = now + minority_grace
        if now >= min(deadline, grace_deadline or deadline):
            break
        time.sleep(POLL_INTERVAL_S)
    for node, pid in signalled:
        node.wait_stopped(pid, 0.0)


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, poll: float = POLL_INTERVAL_S
) -> None:
    """Poll a condition until it holds; raise ServerStartError naming it on timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            raise ServerStartError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)
