"""The summary `hunt simulate` prints: the findings in sentences an organizer can
act on, naming clues, teams and times."""

from questline.rehearsal.report import Report


def summary_lines(report: Report) -> list[str]:
    f = report.findings
    lines = [
        f"Rehearsal of {report.title} ({report.hunt}): {report.teams} teams, seed {report.seed}, "
        f"{report.judges} judge{'s' if report.judges != 1 else ''}; "
        f"{report.commands:,} commands decided by the rules, {report.events:,} events",
        f"  finished ({report.finish_rule}): {report.finished} of {report.teams} teams"
        + _finish_times(report)
        + (f"; {report.quit} stopped playing part-way" if report.quit else ""),
        "  clues no simulated team reached: " + (", ".join(f.unreached) if f.unreached else "none"),
    ]
    if f.unanswerable:
        lines.append(
            "  clues the simulation could type no accepted answer for (never solved here): "
            + ", ".join(f.unanswerable)
        )
    held = f"{f.held_minutes:g} min"
    if f.bottlenecks:
        lines.append(
            f"  clues that hold most teams back (held {held} or more with nothing else to do):"
        )
        for b in f.bottlenecks:
            opens = f"; it opens {', '.join(b.opens)}" if b.opens else ""
            lines.append(
                f"    - {b.clue}: held {b.held} of the {b.reached} teams that reached it "
                f"(median {b.median_held_minutes:g} min); solved by {b.solved}{opens}"
            )
    else:
        most = f.strongest_hold
        lines.append(
            f"  clues that hold most teams back: none (no clue held most of the teams that "
            f"reached it for {held} or more"
            + (
                f"; the most: {most.clue}, {most.held} of {most.reached})"
                if most is not None
                else ")"
            )
        )
    idle = f"{f.idle_minutes:g} min"
    if f.idle_teams:
        lines.append(
            f"  teams out of open clues for {idle} or more: {f.idle_team_count} "
            f"team{'s' if f.idle_team_count != 1 else ''}; the longest stretches:"
        )
        for team in f.idle_teams:
            lines.append(f"    - {team.team}: {team.minutes:g} min from {team.start}, {team.cause}")
    else:
        lines.append(f"  teams out of open clues for {idle} or more: none")
    r = f.review
    if r.photos:
        peak = f"peak {r.peak_waiting} photos waiting at {r.peak_at}" if r.peak_at else "no queue"
        lines.append(
            f"  review queue ({r.judges} judge{'s' if r.judges != 1 else ''}, {r.photos} photos): "
            f"{peak}; longest wait {r.longest_wait_minutes:g} min "
            f"(median {r.median_wait_minutes:g})"
            + (f"; {r.unreviewed} still waiting at the end" if r.unreviewed else "")
        )
    else:
        lines.append("  review queue: no photos in this hunt")
    return lines


def _finish_times(report: Report) -> str:
    times = report.finish_minutes
    if not times:
        return ""
    median = times[len(times) // 2]
    return f" (first {_after(times[0])} in, median {_after(median)})"


def _after(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours}h{rest:02d}" if hours else f"{rest} min"
