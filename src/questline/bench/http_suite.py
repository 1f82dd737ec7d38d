"""http: submissions per second and latency through the real server (uvicorn in a
process of its own), driven open-loop at fixed arrival rates by client
processes; the same server's no-op endpoint is the limit.

The overload row offers three times the closed-loop maximum just measured, open loop:
admission control should keep the goodput near that maximum and the admitted requests
fast, and refuse the rest with 503 + Retry-After at once (`overload` in the result:
offered_per_second, goodput_per_second, max_per_second, admitted_p99_ms, shed_fraction)."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from questline.adapters.clocks import SystemClock
from questline.adapters.sqlite.store import SqliteStore
from questline.bench.common import Result, goal, percentiles, scaled, scaled_time, tiny
from questline.domain.commands import CreateHunt, RegisterTeam
from questline.engine.hunt_engine import HuntEngine
from questline.http.tokens import token_hash
from questline.loadgen.workload import HOUR, workload_hunt
from questline.ports import CommandEnvelope

HUNTS = 20
OVERLOAD = 3.0  # the overload row offers this many times the closed-loop maximum


def prepare(db: Path, teams: int) -> list[str]:
    store = SqliteStore(db, "normal")
    engine = HuntEngine(store, SystemClock())
    starts = SystemClock().now() - HOUR
    hunt_ids = [f"w-{i:03d}" for i in range(HUNTS)]
    engine.execute(
        [CommandEnvelope(f"c-{h}", CreateHunt(h, workload_hunt(h, starts))) for h in hunt_ids]
    )
    batch: list[CommandEnvelope] = []
    for index in range(teams):
        hunt = hunt_ids[index % HUNTS]
        batch.append(
            CommandEnvelope(
                f"r-{index}", RegisterTeam(hunt, f"team {index}", token_hash(f"bench-{index}"))
            )
        )
        if len(batch) == 1000:
            engine.execute(batch)
            batch = []
    if batch:
        engine.execute(batch)
    store.close()
    return hunt_ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not come up")


def start_server(db: Path, port: int, *args: str) -> subprocess.Popen[bytes]:
    """`questline serve` on the database (with `args`), answering on loopback once this
    returns."""
    return _started(
        [sys.executable, "-m", "questline", "serve", "--db", str(db), "--port", str(port), *args],
        port,
    )


def start_granian_peer(db: Path, port: int) -> subprocess.Popen[bytes]:
    """The same node under granian (granian_peer.py), answering once this returns."""
    return _started(
        [sys.executable, "-m", "questline.bench.granian_peer", str(db), str(port)], port
    )


def _started(argv: list[str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}")
    except BaseException:
        server.terminate()
        raise
    return server


def clients(spec: dict[str, Any], processes: int) -> Result:
    """Run `processes` client processes at once; sum their counts, pool percentiles
    conservatively (the worst process's)."""
    share = dict(spec)
    if spec["mode"] == "open":
        share["rate"] = spec["rate"] / processes
    running = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "questline.bench.http_client",
                json.dumps({**share, "seed": i + 1}),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    results = [json.loads(p.communicate()[0]) for p in running]
    statuses: dict[str, int] = {}
    for r in results:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    admitted = [x for r in results for x in r["admitted_latencies_ms"]]
    refused = [x for r in results for x in r["refused_latencies_ms"]]
    (admitted_p99,) = percentiles(admitted, 99) if admitted else [0.0]
    (refused_p99,) = percentiles(refused, 99) if refused else [0.0]
    return {
        "sent": sum(r["sent"] for r in results),
        "ok": sum(r["ok"] for r in results),
        "statuses": statuses,
        "ok_per_second": round(sum(r["ok_per_second"] for r in results), 1),
        "p50_ms": max(r["p50_ms"] for r in results),
        "p95_ms": max(r["p95_ms"] for r in results),
        "p99_ms": max(r["p99_ms"] for r in results),
        "admitted": len(admitted),
        "admitted_p99_ms": round(admitted_p99, 2),
        "refused": len(refused),
        "refused_p99_ms": round(refused_p99, 2),
        "seconds": max(r["seconds"] for r in results),
        "client_processes": processes,
    }


def overload_row(base: dict[str, Any], max_per_second: float) -> Result:
    """Open loop at OVERLOAD x the closed-loop maximum; what got through, how fast."""
    offered = max(OVERLOAD * max_per_second, 1.0)
    result = clients({**base, "target": "submit", "mode": "open", "rate": offered}, 2)
    seconds = float(base["duration"])
    sent = result["sent"]
    return {
        "offered_per_second": round(sent / seconds, 1),
        "goodput_per_second": result["ok_per_second"],
        "max_per_second": max_per_second,
        "admitted_p99_ms": result["admitted_p99_ms"],
        "shed_fraction": round(result["refused"] / sent, 3) if sent else 0.0,
        "refused_p99_ms": result["refused_p99_ms"],
        "shed_by_client": result["statuses"].get("shed_by_client", 0),
        "statuses": result["statuses"],
    }


def granian_row(db: Path, base: dict[str, Any], noop_limit: Result, submit_max: Result) -> Result:
    """The no-op and closed-loop submission rows again with granian serving the same app
    on the same database, and each against uvicorn's."""
    port = free_port()
    server = start_granian_peer(db, port)
    try:
        spec = {**base, "url": f"http://127.0.0.1:{port}", "mode": "closed", "concurrency": 64}
        noop = clients({**spec, "target": "noop"}, 2)
        submit = clients({**spec, "target": "submit"}, 2)
    finally:
        server.terminate()
        server.wait(timeout=30)

    def ratio(granian: Result, uvicorn: Result) -> float | None:
        if not uvicorn["ok_per_second"]:
            return None
        return round(float(granian["ok_per_second"]) / float(uvicorn["ok_per_second"]), 2)

    return {
        "noop_limit": noop,
        "submissions_closed_loop_max": submit,
        "noop_ratio_granian_over_uvicorn": ratio(noop, noop_limit),
        "submissions_ratio_granian_over_uvicorn": ratio(submit, submit_max),
    }


def run(quick: bool) -> tuple[Result, Any]:
    teams = scaled(2_000 if quick else 10_000, HUNTS)
    duration = scaled_time(3.0 if quick else 10.0)
    rates = [2000] if tiny() else [500, 2000] if quick else [500, 1000, 2000, 3000, 5000]
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        db = Path(tmp) / "http.db"
        hunt_ids = prepare(db, teams)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(db, port)
        try:
            base = {"url": url, "hunts": hunt_ids, "per_hunt": teams // HUNTS, "duration": duration}
            client_ceiling = clients(
                {**base, "target": "noop", "mode": "closed", "concurrency": 64}, 1
            )
            noop_limit = clients({**base, "target": "noop", "mode": "closed", "concurrency": 64}, 2)
            submit_max = clients(
                {**base, "target": "submit", "mode": "closed", "concurrency": 64}, 2
            )
            open_loop = []
            for rate in rates:
                result = clients({**base, "target": "submit", "mode": "open", "rate": rate}, 2)
                open_loop.append({"rate": rate, **result})
            overload = overload_row(base, submit_max["ok_per_second"])
        finally:
            server.terminate()
            server.wait(timeout=30)
        granian = granian_row(db, base, noop_limit, submit_max)
    at_2000 = next((r for r in open_loop if r["rate"] == 2000), open_loop[-1])
    best = max([submit_max["ok_per_second"], *(r["ok_per_second"] for r in open_loop)])
    closed = submit_max["ok_per_second"]
    ratio = closed / noop_limit["ok_per_second"] if noop_limit["ok_per_second"] else 0.0
    goodput_share = overload["goodput_per_second"] / closed if closed else 0.0
    body: Result = {
        "teams": teams,
        "duration_s": duration,
        "client_ceiling_noop_1_process": client_ceiling,
        "noop_limit": noop_limit,
        "submissions_closed_loop_max": submit_max,
        "open_loop": open_loop,
        "overload": overload,
        "granian_peer": granian,
        "best_submissions_per_second": best,
        # Closed-loop submissions against the no-op route, both closed loop.
        "ratio_vs_noop": round(ratio, 3),
        "goals": [
            goal("submissions/s", best >= 5000, f"{best:,.0f}", ">= 5,000"),
            goal("closed loop: share of the no-op rate", ratio >= 0.6, f"{ratio:.0%}", ">= 60%"),
            goal(
                f"p99 at {at_2000['rate']}/s",
                at_2000["p99_ms"] < 25,
                f"{at_2000['p99_ms']} ms",
                "< 25 ms at 2,000/s",
            ),
            goal(
                f"overload ({OVERLOAD:g}x the maximum): goodput vs the closed-loop maximum",
                goodput_share >= 0.9,
                f"{goodput_share:.0%}",
                ">= 90%",
            ),
            goal(
                "overload: p99 of admitted requests",
                overload["admitted_p99_ms"] < 100,
                f"{overload['admitted_p99_ms']} ms",
                "< 100 ms",
            ),
            goal(
                "overload: the rest refused (503 + Retry-After), p99",
                overload["refused_p99_ms"] < 5,
                f"{overload['refused_p99_ms']} ms ({overload['shed_fraction']:.0%} refused)",
                "< 5 ms",
            ),
        ],
    }
    return body, {"open_loop": open_loop, "overload": overload}


def plot(target: Path, data: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    open_loop, overload = data["open_loop"], data["overload"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    xs = [float(r["rate"]) for r in open_loop]
    for p in ("p50", "p95", "p99"):
        left.plot(xs, [float(r[f"{p}_ms"]) for r in open_loop], marker="o", label=p)
    left.set_xlabel("arrival rate (requests/s)")
    left.set_ylabel("latency (ms)")
    left.set_title("submission latency vs arrival rate (open loop)")
    left.legend()
    left.grid(alpha=0.3)
    names = ["offered", "closed-loop max", "goodput"]
    values = [
        overload["offered_per_second"],
        overload["max_per_second"],
        overload["goodput_per_second"],
    ]
    bars = right.bar(names, values, color=["#999999", "#4477aa", "#228833"])
    right.bar_label(bars, fmt="%.0f")
    right.set_ylabel("submissions/s")
    right.set_title(
        f"overload: admitted p99 {overload['admitted_p99_ms']} ms, "
        f"{overload['shed_fraction']:.0%} refused (p99 {overload['refused_p99_ms']} ms)"
    )
    right.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(target, dpi=100)
    plt.close(fig)
