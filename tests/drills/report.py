"""docs/drills.md: each drill rewrites its own section with the figures of its run."""

import re
import time
from pathlib import Path

DRILLS_MD = Path(__file__).resolve().parents[2] / "docs" / "drills.md"

HEADER = """# Fault drills

Written by the drill tests (`uv run pytest tests/drills`); each run rewrites its
section. What the drills do and how to replay a failure: docs/self-healing.md.
"""


def write_section(name: str, body: str) -> None:
    text = DRILLS_MD.read_text(encoding="utf-8") if DRILLS_MD.exists() else HEADER
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    start, end = f"<!-- drill:{name} -->", f"<!-- /drill:{name} -->"
    block = f"{start}\n{body.rstrip()}\n\n_Last run: {stamp}._\n{end}"
    pattern = re.compile(f"{re.escape(start)}.*?{re.escape(end)}", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DRILLS_MD.parent.mkdir(parents=True, exist_ok=True)
    DRILLS_MD.write_text(text, encoding="utf-8")
