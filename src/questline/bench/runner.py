"""Running a suite: measure, write its JSON and plot, re-render the summary."""

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from questline.bench import (
    cluster_suite,
    engine,
    http_suite,
    leaderboard,
    memory_suite,
    rehearsal_suite,
    replay_suite,
    time_travel,
    workers_suite,
)
from questline.bench.common import Paths, load_average, plot_path, write_result

# Each suite module has run(quick) -> (result, plot data) and plot(target, data).
SUITES: dict[str, ModuleType] = {
    "engine": engine,
    "http": http_suite,
    "leaderboard": leaderboard,
    "replay": replay_suite,
    "memory": memory_suite,
    "cluster": cluster_suite,
    "time_travel": time_travel,
    "rehearsal": rehearsal_suite,
    "workers": workers_suite,
}


def run_suite(name: str, quick: bool, root: Path) -> Path:
    paths = Paths(root)
    module: Any = SUITES[name]
    before = load_average()
    body, plot_data = module.run(quick)
    target = plot_path(paths, name, quick)
    module.plot(target, plot_data)
    body["plot"] = (
        str(target.relative_to(paths.root)) if target.is_relative_to(paths.root) else str(target)
    )
    result = write_result(paths, name, quick, body, before)
    render_summary(paths)
    return result


def _latest(paths: Paths) -> dict[str, dict[str, Any]]:
    """Each suite's full result, or its quick one when no full run exists."""
    found: dict[str, dict[str, Any]] = {}
    for name in SUITES:
        for file in (paths.results / f"{name}.json", paths.results / f"{name}-quick.json"):
            if file.exists():
                found[name] = json.loads(file.read_text())
                break
    return found


def _figures(name: str, r: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if name == "engine":
        for durability, d in r["durability"].items():
            lines.append(
                f"| {durability} | {d['questline']['commands_per_second']:,} "
                f"| {d['eventsourcing']['commands_per_second']:,} "
                f"| {d['raw_sqlite_inserts']['commands_per_second']:,} "
                f"| {d['ratio_vs_eventsourcing']}x | {d['ratio_vs_raw_inserts']:.0%} |"
            )
        head = [
            "| synchronous | Questline cmd/s | eventsourcing cmd/s | raw inserts cmd/s (same rows) "
            "| vs eventsourcing | vs raw |",
            "|---|---|---|---|---|---|",
        ]
        return head + lines
    if name == "http":
        lines = [
            f"- client ceiling (1 aiohttp process, no-op, closed loop): "
            f"{r['client_ceiling_noop_1_process']['ok_per_second']:,} req/s",
            f"- no-op limit (2 client processes): {r['noop_limit']['ok_per_second']:,} req/s",
            "- submissions, closed loop max: "
            f"{r['submissions_closed_loop_max']['ok_per_second']:,}/s"
            f" (ratio to no-op {r['ratio_vs_noop']:.0%})",
            "",
            "| arrival rate | ok/s | p50 ms | p95 ms | p99 ms |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {o['rate']:,}/s | {o['ok_per_second']:,} | {o['p50_ms']} | {o['p95_ms']} "
            f"| {o['p99_ms']} |"
            for o in r["open_loop"]
        ]
        over = r.get("overload")
        if over:
            lines += [
                "",
                "| overload | offered/s | closed-loop max/s | goodput/s | admitted p99 ms "
                "| shed | refusal p99 ms |",
                "|---|---|---|---|---|---|---|",
                f"| 3x the maximum | {over['offered_per_second']:,} | {over['max_per_second']:,} "
                f"| {over['goodput_per_second']:,} | {over['admitted_p99_ms']} "
                f"| {over['shed_fraction']:.0%} | {over['refused_p99_ms']} |",
            ]
        granian = r.get("granian_peer")
        if granian:
            lines += [
                "",
                "| server (same app, same run) | no-op req/s | submissions/s, closed loop "
                "| submissions p99 ms |",
                "|---|---|---|---|",
                f"| uvicorn | {r['noop_limit']['ok_per_second']:,} "
                f"| {r['submissions_closed_loop_max']['ok_per_second']:,} "
                f"| {r['submissions_closed_loop_max']['p99_ms']} |",
                f"| granian | {granian['noop_limit']['ok_per_second']:,} "
                f"| {granian['submissions_closed_loop_max']['ok_per_second']:,} "
                f"| {granian['submissions_closed_loop_max']['p99_ms']} |",
                f"| granian / uvicorn | {granian['noop_ratio_granian_over_uvicorn']}x "
                f"| {granian['submissions_ratio_granian_over_uvicorn']}x | |",
            ]
        return lines
    if name == "leaderboard":
        lines = [
            "| teams | storm cmd/s | top-100 p50 ms | p99 ms | CPU per read p99 ms "
            "| SQL aggregate p99 ms | ratio |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {p['teams']:,} | {p['storm_commands_per_second']:,} | {p['questline_ms']['p50']} "
            f"| {p['questline_ms']['p99']} | {p['questline_ms'].get('cpu_p99', '-')} "
            f"| {p['sql_aggregate_peer_ms']['p99']} "
            f"| {p['ratio_p99_peer_over_questline']}x |"
            for p in r["sizes"]
        ]
        finish = r.get("finish_divisions")
        if finish:
            lines += [
                "",
                f"`ranking: finish` with divisions, {finish['teams']:,} teams, storm "
                f"{finish['storm_commands_per_second']:,} cmd/s (its solves include the "
                "final clue); each division's top 100 read in turn:",
                "",
                "| division | top-100 p50 ms | p99 ms | CPU per read p99 ms |",
                "|---|---|---|---|",
            ]
            lines += [
                f"| {division} | {d['p50']} | {d['p99']} | {d['cpu_p99']} |"
                for division, d in finish["division_ms"].items()
            ]
        return lines
    if name == "replay":
        build = r.get("log_build")
        return [
            f"- events: {r['events']:,}"
            + (
                f" (log generated in {build['seconds']} s, {build['cpu_seconds']} CPU s)"
                if build
                else ""
            ),
            f"- replay (rebuild): {r['replay']['events_per_second']:,} events/s "
            f"({r['replay']['seconds']} s{_cpu_rate(r['replay'])})",
            f"- verify: {r['verify']['events_per_second']:,} events/s "
            f"({r['verify']['seconds']} s; {r['verify']['seconds_per_1m_events']} s per 1M"
            f"{_cpu_rate(r['verify'])}; {r['verify']['differences']} differences)",
            f"- floor, read + decode only: {r['read_and_decode_floor']['events_per_second']:,} "
            f"events/s (replay reaches {r['ratio_replay_vs_floor']:.0%} of it)",
        ]
    if name == "memory":
        q = r["questline"]
        f = r["slotted_object_floor"]
        heap = q.get("python_heap_bytes_per_team")
        split = (
            f"; Python's heap {heap:,} B (tracemalloc, in a process of its own); the "
            f"database file {q['database_bytes_per_team']:,} B per team (SQLite caches 2 MB of it)"
            if heap is not None
            else ""
        )
        return [
            f"- Questline live engine: {q['bytes_per_team']:,} B per team "
            f"({q['mb_per_100k_teams']} MB per 100,000 teams), measured at {r['teams']:,} teams"
            + split,
            f"- floor (one slotted object per team): {f['bytes_per_team']:,} B per team; "
            f"ratio {r['ratio_vs_floor']}x",
        ]
    if name == "cluster":
        return _cluster_figures(r)
    if name == "workers":
        lines = [
            "| serve | submissions/s (closed loop) | p99 ms | no-op route/s |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| --workers {row['workers']} | {row['submissions']['ok_per_second']:,} "
            f"| {row['submissions']['p99_ms']} | {row['noop']['ok_per_second']:,} |"
            for row in r["rows"]
        ]
        lines += [
            "",
            f"- 2 HTTP processes vs 1: submissions {r['submissions_ratio_2_vs_1']}x, "
            f"no-op route {r['noop_ratio_2_vs_1']}x ({r['client_processes']} client "
            f"processes of {r['concurrency']} connections each, on the same cores)",
        ]
        lines += [
            f"- CPU per submission with --workers {row['workers']}: "
            f"{row['cpu_ms_per_submission']['started_process']} ms in the started process, "
            f"{row['cpu_ms_per_submission']['http_processes']} ms in the HTTP processes"
            for row in r["rows"]
            if "cpu_ms_per_submission" in row
        ]
        p = r.get("predicted")
        if p:
            lines.append(
                f"- predicted on {p['cores']} cores (clients elsewhere; the writer one core, "
                f"the HTTP processes the rest): {p['submissions_per_second']:,}/s, limited by "
                f"the {p['limited_by']} (writer {p['writer_limit_per_second']:,}/s, HTTP "
                f"processes {p['http_limit_per_second']:,}/s)"
            )
        return lines
    if name == "time_travel":
        page = r["board_at_version_ms"]
        return [
            f"- one hunt of {r['events']:,} events and {r['teams']:,} teams; the ledger built "
            f"in {r['ledger_build']['seconds']} s, {r['ledger_bytes_per_event']} B per event",
            f"- the board at a random version (page of {page.get('page', 'all')} and the "
            f"total): p50 {page['p50']} ms, p99 {page['p99']} ms; the whole board p50 "
            f"{r.get('whole_board_at_version_ms', {}).get('p50', '-')} ms; a fresh fold of "
            f"the first v events (peer) p50 {r['fresh_fold_peer_ms']['p50']} ms",
            f"- the engine suite: {r.get('engine_commands_per_cpu_second', 0):,} commands per "
            f"CPU second, the hash chain {r.get('hash_chain_share_of_engine_suite', 0):.1%} of "
            f"it; deciding alone: {r['decide_commands_per_cpu_second']:,} per CPU second, the "
            f"hash chain {r['hash_chain_share_of_deciding']:.1%} of it",
        ]
    if name == "rehearsal":
        lines = [
            "| hunt | teams | seconds | CPU s | commands | commands/s | x real time "
            "| rules' share |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {p['hunt']} ({p['hunt_hours']:g} h) | {p['teams']:,} | {p['seconds']} "
            f"| {p['cpu_seconds']} | {p['commands']:,} | {p['commands_per_second']:,} "
            f"| {p['times_faster_than_real_time']:,} | {p['rules_share']:.0%} |"
            for p in r["runs"]
        ]
        return lines
    return lines


def _cpu_rate(part: dict[str, Any]) -> str:
    rate = part.get("events_per_cpu_second")
    return f"; {rate:,} events per CPU second" if rate else ""


def _cluster_figures(r: dict[str, Any]) -> list[str]:
    one, two = r["exactly_once_1_worker"], r["exactly_once_2_workers"]
    peer, failover = r["at_least_once_1_worker"], r["failover"]
    lines = [
        f"- servers: 1 Kafka broker, 1 Cassandra node, started by the suite "
        f"({r['servers_start_seconds']} s); {r['workload']['partitions']} partitions; "
        f"backlog of {r['workload']['plays']:,} commands of the realistic mix per row",
        "",
        "| loop | workers | commands/s | seconds |",
        "|---|---|---|---|",
        f"| exactly-once (Kafka transactions) | 1 | {one['commands_per_second']:,} "
        f"| {one['seconds']} |",
        f"| exactly-once (Kafka transactions) | 2 | {two['commands_per_second']:,} "
        f"| {two['seconds']} |",
        f"| at-least-once peer (flush, then commit offsets) | 1 "
        f"| {peer['commands_per_second']:,} | {peer['seconds']} |",
    ]
    embedded = r.get("embedded_engine")
    if embedded is not None:
        lines.append(
            f"| embedded engine (SQLite, in process; same workload) | - "
            f"| {embedded['commands_per_second']:,} | {embedded['seconds']} |"
        )
    lines += [
        "",
        f"- exactly-once vs at-least-once (1 worker each): "
        f"{r['ratio_exactly_once_vs_at_least_once']}x; 2 workers vs 1: "
        f"{r['scaling_2_workers_vs_1']}x"
        + (
            f"; 1 worker vs the embedded engine: {r['ratio_exactly_once_vs_embedded']:.1%}"
            if embedded is not None
            else ""
        ),
        "",
        "| arrival rate (open loop, 2 workers) | commands | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {p['rate']:,.0f}/s | {p['commands']:,} | {p['p50_ms']} | {p['p95_ms']} "
        f"| {p['p99_ms']} |"
        for p in r["latency"]
    ]
    lines += [
        "",
        f"- kill -9 of {failover['killed']} (partitions {failover['its_partitions']}) under "
        f"{failover['rate']:,.0f} commands/s: its partitions answered again after "
        f"**{failover['seconds_from_kill_to_flowing']} s** (session timeout "
        f"{failover['session_timeout_ms'] / 1000:g} s, transaction timeout "
        f"{failover['transaction_timeout_ms'] / 1000:g} s); {failover['unanswered']} "
        "commands unanswered; slowest answer after the kill "
        f"{failover['max_latency_after_kill_ms']:,} ms on its partitions, "
        f"{failover.get('max_latency_after_kill_other_partitions_ms', 0):,} ms on the others",
    ]
    moments = failover.get("timeline")
    if moments is not None:  # results from before the timeline was measured have none
        lines.append(
            "- where the seconds went (from the kill): the group dropped the dead member at "
            f"{moments['member_dropped_s']} s and was stable at {moments['group_stable_s']} s; "
            f"the survivor began opening its partitions at {moments['assigned_s']} s (slowest "
            f"fence {moments['slowest_fence_s']} s, slowest restore "
            f"{moments['slowest_restore_s']} s), owned them all at {moments['all_opened_s']} s; "
            f"first answer at {moments['first_answer_s']} s"
        )
    through = r.get("end_to_end")
    if through is not None:  # results from before the row was measured have none
        lines += ["", *_end_to_end_lines(through)]
    return lines


def _end_to_end_lines(through: dict[str, Any]) -> list[str]:
    node, embedded = through["api_node"], through["embedded_server"]
    lines = [
        f"| end to end, {through['clients']} callers, closed loop | answered/s | p50 ms "
        "| p99 ms | refused (503) |",
        "|---|---|---|---|---|",
    ]
    for name, row in (("one API node (worker, projector)", node), ("embedded server", embedded)):
        refused = sum(n for status, n in row["statuses"].items() if status.startswith("503"))
        lines.append(
            f"| {name} | {row['ok_per_second']:,} | {row['p50_ms']} | {row['p99_ms']} "
            f"| {refused:,} |"
        )
    warm = node.get("warm_up_per_second")
    if warm:
        lines += [
            "",
            "- measured warm: the same drive first ran in rounds until the rate settled; "
            f"the API node's rounds answered {', '.join(f'{r:,.0f}' for r in warm)}/s, the "
            "embedded server's "
            f"{', '.join(f'{r:,.0f}' for r in embedded.get('warm_up_per_second', []))}/s",
        ]
    cpu = node.get("cpu_ms_per_answer")
    if cpu is not None:
        parts = ", ".join(f"{k} {v} ms" for k, v in cpu.items() if k != "machine")
        lines += [
            "",
            f"- CPU per answered submission through the API node: {cpu['machine']} ms of the "
            f"machine's ({parts}); the embedded server: "
            f"{embedded.get('cpu_ms_per_answer', {}).get('machine', '-')} ms",
        ]
    return lines


def _goal_table(goals: list[dict[str, Any]]) -> list[str]:
    if not goals:
        return ["No goal is set for this suite: its figures are the baseline.", ""]
    return [
        "| goal | target | measured | met |",
        "|---|---|---|---|",
        *(
            f"| {g['goal']} | {g['target']} | {g['measured']} "
            f"| {'yes' if g['met'] else '**MISSED**'} |"
            for g in goals
        ),
        "",
    ]


def _plot_link(plot: str) -> str:
    """The plot's path relative to docs/, where benchmarks.md lives."""
    return str(Path(plot).relative_to("docs")) if plot.startswith("docs/") else plot


def render_summary(paths: Paths) -> None:
    results = _latest(paths)
    notes_file = paths.root / "bench" / "NOTES.md"
    out = [
        "# Benchmarks",
        "",
        "Generated by `questline bench SUITE [--quick]` from `bench/results/*.json`;",
        "each suite runs its peer in the same run, so ratios are what to compare.",
        "The machine is shared: the load average before and after each run is recorded.",
        "",
    ]
    for name, r in results.items():
        m = r["machine"]
        kind = "quick" if r["quick"] else "full"
        out += [
            f"## {name} ({kind} run)",
            "",
            f"{m['date']} · commit `{m['git_commit']}` · {m['cores']} cores, "
            f"{m['memory_bytes'] / 2**30:.1f} GiB, {m['cpu_model']} · Python {m['python']}, "
            f"SQLite {m['sqlite']} · load average before {r['load_average']['before']}, "
            f"after {r['load_average']['after']}",
            "",
            *_figures(name, r),
            "",
            *_goal_table(r["goals"]),
            f"![{name}]({_plot_link(r['plot'])})",
            "",
        ]
    if notes_file.exists():
        out += [notes_file.read_text().rstrip(), ""]
    paths.summary.parent.mkdir(parents=True, exist_ok=True)
    paths.summary.write_text("\n".join(out) + "\n")
