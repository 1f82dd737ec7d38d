"""The demo's terminal board shows team names and titles as text: a name that looks
like Rich markup neither ends the demo nor sends a terminal hyperlink."""

import io

from rich.console import Console

from questline.demo.dashboard import render
from questline.loadgen.latency import LatencyRecorder

NAMES = ["[/]", "[link=https://attacker.example/]click me[/link]", "[bold red]loud", "Otters"]


def test_names_that_look_like_markup_are_shown_as_they_are() -> None:
    board = {
        "teams": [
            {"rank": rank, "name": name, "solved": 0, "score": 0}
            for rank, name in enumerate(NAMES, 1)
        ]
    }
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200, color_system="truecolor")
    console.print(render(board, LatencyRecorder(), "[/]Harbour [link=x]Night[/link]"))
    shown = out.getvalue()
    assert "\x1b]8;" not in shown  # no OSC-8 hyperlink
    for name in NAMES:
        assert name in shown
    assert "[/]Harbour [link=x]Night[/link] — live leaderboard" in shown
