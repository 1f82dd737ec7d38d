"""The drills' figures: each drill rewrites its own section of a markdown file with the
figures of its run. A test run writes test-artifacts/drills.md; docs/drills.md changes
only when asked (QUESTLINE_DRILLS_TO_DOCS=1), so running the tests leaves the tree clean.
"""

import os
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRILLS_MD = (
    ROOT / "docs" / "drills.md"
    if os.environ.get("QUESTLINE_DRILLS_TO_DOCS") == "1"
    else ROOT / "test-artifacts" / "drills.md"
)

HEADER = """# Fault drills

Written by the drill tests (`QUESTLINE_DRILLS_TO_DOCS=1 uv run pytest tests/drills`);
each run rewrites its section. What the drills do and how to replay a failure: docs/self-healing.md.
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
