"""Where the HTTP server's time goes under a submission storm: py-spy samples every
thread of a real `questline serve` while two client processes submit (closed loop,
64 in flight each, as in the http suite's maximum), and the stacks are summed per
function, written to docs/benchmarks/http-profile.txt.

    uv run python -m questline.bench.http_profile [SECONDS]
    uv run python -m questline.bench.http_profile SECONDS RATE   # open loop at RATE/s,
                                        # to docs/benchmarks/http-profile-overload.txt
"""

import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from questline.bench.http_suite import HUNTS, clients, free_port, prepare, start_server

TARGET = Path("docs/benchmarks/http-profile.txt")
TEAMS = 10_000
SHOWN = 30


def summarize(stacks: Path, seconds: float, load: str = "2 closed-loop submission clients") -> str:
    """Inclusive and self share of samples per function, from py-spy's raw format
    (one line per distinct stack: frames joined by ';', then its sample count)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in stacks.read_text().splitlines():
        frames_text, _, count_text = line.rpartition(" ")
        if not frames_text:
            continue
        count = int(count_text)
        frames = [_short(f) for f in frames_text.split(";")]
        total += count
        threads[frames[0]] += count
        for frame in set(frames[1:]):
            inclusive[frame] += count
        own[frames[-1]] += count
    out = [
        f"questline serve under {load} for {seconds:.0f} s "
        f"({TEAMS:,} teams over {HUNTS} hunts); py-spy, all threads, {total:,} samples",
        "",
        "samples per thread:",
        *(f"  {n / total:6.1%}  {name}" for name, n in threads.most_common()),
        "",
        "inclusive (the function and what it calls):",
        *(f"  {n / total:6.1%}  {name}" for name, n in inclusive.most_common(SHOWN)),
        "",
        "self (the function's own code):",
        *(f"  {n / total:6.1%}  {name}" for name, n in own.most_common(SHOWN)),
    ]
    return "\n".join(out) + "\n"


def _short(frame: str) -> str:
    """`function (path:line)` with the path cut to the package or library."""
    name, _, where = frame.partition(" (")
    path = where.split(":")[0]
    for marker in ("site-packages/", "src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def main(seconds: float, rate: float | None = None) -> None:
    target = TARGET if rate is None else TARGET.with_name("http-profile-overload.txt")
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        db = Path(tmp) / "http.db"
        stacks = Path(tmp) / "stacks.txt"
        hunt_ids = prepare(db, TEAMS)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(db, port)
        try:
            spy = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(server.pid),
                    "--duration",
                    str(int(seconds)),
                    "--format",
                    "raw",
                    "--threads",
                    "--rate",
                    "250",
                    "--output",
                    str(stacks),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            base = {"url": url, "hunts": hunt_ids, "per_hunt": TEAMS // HUNTS}
            if rate is None:
                load = {**base, "duration": seconds, "target": "submit", "mode": "closed"}
                result = clients({**load, "concurrency": 64}, 2)
            else:
                load = {**base, "duration": seconds, "target": "submit", "mode": "open"}
                result = clients({**load, "rate": rate}, 2)
            _, spy_errors = spy.communicate(timeout=120)
            if spy.returncode != 0:
                raise RuntimeError(f"py-spy failed: {spy_errors}")
        finally:
            server.terminate()
            server.wait(timeout=60)
        described = None if rate is None else f"an open loop of submissions at {rate:,.0f}/s"
        summary = summarize(stacks, seconds, *([described] if described else []))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        summary + f"\nsubmissions answered meanwhile: {result['ok_per_second']:,.0f}/s"
        f" (statuses {result['statuses']})\n"
    )
    print(f"wrote {target}")


if __name__ == "__main__":
    main(
        float(sys.argv[1]) if len(sys.argv) > 1 else 15.0,
        float(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
