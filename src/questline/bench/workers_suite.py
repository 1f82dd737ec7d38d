"""workers: `questline serve --workers 1` against `--workers 2` in the same run, on the
same workload as the http suite: closed-loop submissions per second (the writer behind
the local socket) and the no-op route (the HTTP side alone), and their ratios.

Client and server share the machine's cores: on 2 cores, two HTTP processes, the
writer and two client processes take turns, so the ratio here is a floor of what more
cores give (docs/benchmarks.md, "workers")."""

import tempfile
from pathlib import Path
from typing import Any

from questline.bench.common import Result, cpu_seconds_of, goal, processes, scaled, scaled_time
from questline.bench.http_suite import HUNTS, clients, free_port, prepare, start_server

CONCURRENCY = 64
CLIENT_PROCESSES = 2
WORKER_COUNTS = (1, 2)
CORES = 16  # the machine the prediction is for


def _measure(workers: int, teams: int, duration: float, tmp: Path) -> Result:
    db = tmp / f"workers-{workers}.db"
    hunt_ids = prepare(db, teams)
    port = free_port()
    server = start_server(db, port, "--workers", str(workers))
    try:
        base = {
            "url": f"http://127.0.0.1:{port}",
            "hunts": hunt_ids,
            "per_hunt": teams // HUNTS,
            "duration": duration,
            "mode": "closed",
            "concurrency": CONCURRENCY,
        }
        before = _cpu_seconds(server.pid)
        submit = clients({**base, "target": "submit"}, CLIENT_PROCESSES)
        after = _cpu_seconds(server.pid)
        noop = clients({**base, "target": "noop"}, CLIENT_PROCESSES)
    finally:
        server.terminate()
        server.wait(timeout=60)
    answered = max(submit["sent"], 1)
    return {
        "workers": workers,
        "submissions": submit,
        "noop": noop,
        # CPU per answered submission: the started process (with --workers 1 it is the
        # HTTP side too) and the HTTP processes together.
        "cpu_ms_per_submission": {
            part: round((after[part] - before[part]) * 1000 / answered, 3) for part in after
        },
    }


def _cpu_seconds(parent: int) -> dict[str, float]:
    """CPU seconds used so far by `parent` and by its child processes (from /proc)."""
    used = {"started_process": 0.0, "http_processes": 0.0}
    for pid, fields in processes():
        if pid == parent:
            used["started_process"] += cpu_seconds_of(fields)
        elif int(fields[1]) == parent:
            used["http_processes"] += cpu_seconds_of(fields)
    return used


def predicted(row: Result, cores: int = CORES) -> Result:
    """Submissions/s on `cores` (clients elsewhere) from the CPU each part spent per
    submission here: the writer is one process (one core at most, its threads share a
    GIL); the HTTP processes get the other cores."""
    cpu = row["cpu_ms_per_submission"]
    writer_limit = 1000 / cpu["started_process"] if cpu["started_process"] else 0.0
    http_limit = (cores - 1) * 1000 / cpu["http_processes"] if cpu["http_processes"] else 0.0
    return {
        "cores": cores,
        "writer_limit_per_second": round(writer_limit),
        "http_limit_per_second": round(http_limit),
        "submissions_per_second": round(min(writer_limit, http_limit)),
        "limited_by": "writer" if writer_limit <= http_limit else "http processes",
    }


def run(quick: bool) -> tuple[Result, Any]:
    teams = scaled(2_000 if quick else 10_000, HUNTS)
    duration = scaled_time(3.0 if quick else 10.0)
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        rows = [_measure(n, teams, duration, Path(tmp)) for n in WORKER_COUNTS]
    one, two = rows
    submit_ratio = _ratio(two["submissions"], one["submissions"])
    noop_ratio = _ratio(two["noop"], one["noop"])
    body: Result = {
        "teams": teams,
        "duration_s": duration,
        "client_processes": CLIENT_PROCESSES,
        "concurrency": CONCURRENCY,
        "rows": rows,
        "submissions_ratio_2_vs_1": submit_ratio,
        "noop_ratio_2_vs_1": noop_ratio,
        # What the CPU per submission measured with --workers 2 predicts for 16 cores.
        "predicted": predicted(two),
        "goals": [
            goal(
                "closed-loop submissions/s, 2 HTTP processes vs 1 (2 cores, shared with "
                "the clients)",
                submit_ratio > 1.0,
                f"{submit_ratio}x",
                "> 1x",
            )
        ],
    }
    return body, rows


def _ratio(new: Result, old: Result) -> float:
    return round(new["ok_per_second"] / old["ok_per_second"], 2) if old["ok_per_second"] else 0.0


def plot(target: Path, data: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    width = 0.38
    xs = range(len(data))
    for offset, (key, label, color) in enumerate(
        (("submissions", "submissions", "#4477aa"), ("noop", "no-op route", "#999999"))
    ):
        values = [float(row[key]["ok_per_second"]) for row in data]
        bars = ax.bar([x + offset * width for x in xs], values, width, label=label, color=color)
        ax.bar_label(bars, fmt="%.0f")
    ax.set_xticks([x + width / 2 for x in xs], [f"--workers {row['workers']}" for row in data])
    ax.set_ylabel("requests/s (closed loop)")
    ax.set_title("serve --workers: HTTP processes over the one writer")
    ax.legend()
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)
