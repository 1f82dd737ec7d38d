"""Fetch a server's jars from Maven Central into a cache directory, once.

The jars of ``resources/<name>-pom.xml`` land in ``$QUESTLINE_CACHE/<name>-lib`` (default
``~/.cache/questline``). A marker file holding the pom's hash says the copy is complete and
current, so later calls cost nothing and a changed pom (a version bump) fetches again. A lock
file keeps two processes (parallel test sessions, CI steps) from fetching at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from questline.servers.process import MavenNotFoundError, ServerError, java_env, resource_text

ServerName = Literal["kafka", "cassandra"]
SERVER_NAMES: tuple[ServerName, ...] = ("kafka", "cassandra")
MARKER = ".questline-complete"
FETCH_TIMEOUT_S = 1800.0


def cache_root() -> Path:
    """``$QUESTLINE_CACHE`` or ``~/.cache/questline``."""
    return Path(os.environ.get("QUESTLINE_CACHE") or Path.home() / ".cache" / "questline")


def lib_dir(name: ServerName) -> Path:
    """Where the jars of one server are (or will be) cached."""
    return cache_root() / f"{name}-lib"


def _pom(name: ServerName) -> str:
    return resource_text(f"{name}-pom.xml")


def _digest(pom: str) -> str:
    return hashlib.sha256(pom.encode()).hexdigest()


def jars_cached(name: ServerName) -> bool:
    """True if the cache holds a complete copy for the current pom."""
    try:
        marker = (lib_dir(name) / MARKER).read_text().strip()
    except OSError:
        return False
    return marker == _digest(_pom(name))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fetch_jars(name: ServerName, *, force: bool = False) -> Path:
    """Make sure the jars of a server are cached and return their directory.

    Runs ``mvn -B -q dependency:copy-dependencies`` on a copy of the packaged pom (so no
    ``target/`` appears inside the installed package) into a temporary directory, then
    renames it into place: a half-finished fetch never looks complete.
    """
    dest = lib_dir(name)
    if not force and jars_cached(name):
        return dest
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MavenNotFoundError(
            f"`mvn` is not on PATH and {dest} holds no complete copy of the {name} jars; "
            "install Maven with `apt-get install -y maven`"
        )
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f"{name}-lib.lock"):
        # Another process may have finished the same fetch while we waited for the lock.
        if not force and jars_cached(name):
            return dest
        pom = _pom(name)
        with tempfile.TemporaryDirectory(dir=root, prefix=f".{name}-fetch-") as tmp:
            work = Path(tmp)
            (work / "pom.xml").write_text(pom)
            out = work / "lib"
            argv = [
                mvn, "-B", "-q", "-f", str(work / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={out}",
                "-DincludeScope=runtime",
            ]  # fmt: skip
            try:
                done = subprocess.run(
                    argv,
                    cwd=work,
                    env=java_env(),
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=FETCH_TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise ServerError(f"mvn timed out after {FETCH_TIMEOUT_S:.0f} s") from exc
            if done.returncode != 0 or not any(out.glob("*.jar")):
                tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
                raise ServerError(
                    f"mvn could not fetch the {name} jars (exit {done.returncode}):\n{tail}"
                )
            (out / MARKER).write_text(_digest(pom) + "\n")
            if dest.exists():
                shutil.rmtree(dest)
            out.rename(dest)
    return dest
