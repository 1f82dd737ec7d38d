"""What every suite shares: the machine, the result file, the plot, timing helpers."""

import datetime
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Result = dict[str, Any]


@dataclass(frozen=True)
class Paths:
    """Where a run writes: ROOT/bench/results, ROOT/docs/benchmarks, ROOT/docs/benchmarks.md."""

    root: Path

    @property
    def results(self) -> Path:
        return self.root / "bench" / "results"

    @property
    def plots(self) -> Path:
        return self.root / "docs" / "benchmarks"

    @property
    def summary(self) -> Path:
        return self.root / "docs" / "benchmarks.md"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip() + ("+uncommitted" if dirty.stdout.strip() else "")


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine(root: Path) -> Result:
    return {
        "cores": os.cpu_count(),
        "memory_bytes": _memory_bytes(),
        "cpu_model": _cpu_model(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(root),
    }


def write_result(
    paths: Paths, suite: str, quick: bool, body: Result, load_before: list[float]
) -> Path:
    result: Result = {
        "suite": suite,
        "quick": quick,
        "machine": machine(paths.root),
        "load_average": {"before": load_before, "after": load_average()},
        **body,
    }
    paths.results.mkdir(parents=True, exist_ok=True)
    name = f"{suite}-quick.json" if quick else f"{suite}.json"
    target = paths.results / name
    target.write_text(json.dumps(result, indent=2, sort_keys=False) + "\n")
    return target


def plot_path(paths: Paths, suite: str, quick: bool) -> Path:
    paths.plots.mkdir(parents=True, exist_ok=True)
    return paths.plots / (f"{suite}-quick.png" if quick else f"{suite}.png")


def bar_plot(target: Path, title: str, labels: list[str], values: list[float], unit: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * len(labels)))
    ax.barh(labels, values, color="#3b6ea5")
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title)
    for index, value in enumerate(values):
        ax.text(value, index, f" {value:,.0f}", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)


def line_plot(
    target: Path,
    title: str,
    xs: list[float],
    series: dict[str, list[float]],
    xlabel: str,
    ylabel: str,
    log_x: bool = False,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, ys in series.items():
        ax.plot(xs[: len(ys)], ys, marker="o", label=name)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)


class Stopwatch:
    """Wall and CPU time of this process (all threads) over a block."""

    def __enter__(self) -> "Stopwatch":
        self.wall = 0.0
        self.cpu = 0.0
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def rss_bytes() -> int:
    """Resident set size now (Linux), else the peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def percentiles(values: list[float], *ps: float) -> list[float]:
    ordered = sorted(values)
    if not ordered:
        return [0.0 for _ in ps]
    out = []
    for p in ps:
        rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
        out.append(ordered[rank - 1])
    return out


def goal(name: str, met: bool, measured: str, target: str) -> Result:
    return {"goal": name, "target": target, "measured": measured, "met": met}


def tiny() -> bool:
    """QUESTLINE_BENCH_TINY=1 shrinks every suite further (the test suite's smoke run)."""
    return os.environ.get("QUESTLINE_BENCH_TINY") == "1"


def scaled(n: int, floor: int = 1) -> int:
    return max(floor, n // 10) if tiny() else n


def scaled_time(seconds: float) -> float:
    return max(0.5, seconds / 3) if tiny() else seconds


def proc_stat(pid: int) -> list[str] | None:
    """A process's /proc stat fields after its name (0 state, 1 parent pid, 11 utime,
    12 stime); None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def processes() -> Iterator[tuple[int, list[str]]]:
    """Every process running now, with its stat fields (`proc_stat`)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := proc_stat(int(entry.name))) is not None:
            yield int(entry.name), fields


def cpu_seconds_of(fields: list[str]) -> float:
    """CPU seconds (user + system) in a process's stat fields."""
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 once it is gone."""
    fields = proc_stat(pid)
    return 0.0 if fields is None else cpu_seconds_of(fields)


def machine_cpu_seconds() -> float:
    """CPU seconds every core has spent busy so far (all but idle and iowait)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
