"""Helpers for the browser tests: a PNG to upload, the example hunt as YAML, screenshots,
an accessibility audit."""

import os
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import yaml
from playwright.sync_api import Page

from tests.hunt_builders import spec_document

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
DOCS = REPO / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def png(width: int = 240, height: int = 160, tint: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A small real PNG (a diagonal gradient), so the review queue shows a picture."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            shade = (x + y) * 255 // (width + height)
            rows.extend((tint[0] * shade // 255, tint[1], tint[2] * (255 - shade) // 255))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def spec_yaml(**hunt_overrides: Any) -> str:
    document = spec_document()
    document["hunt"].update(hunt_overrides)
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return text


def line_of(text: str, fragment: str) -> int:
    """The 1-based number of the first line holding fragment."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} is not in the text")


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Write test-artifacts/screenshots/<name>.png; with QUESTLINE_SCREENSHOTS_TO_DOCS=1
    also copy it into docs/screenshots/ (a plain test run leaves the tree as it was)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    if os.environ.get("QUESTLINE_SCREENSHOTS_TO_DOCS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / path.name)


def both_widths(page: Page, name: str) -> None:
    """Screenshots at phone (360x740) and desktop (1280x800) width; leaves the desktop size."""
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-desktop")


def audit(page: Page) -> None:
    """Run axe-core (shipped in tests/browser/vendor) on the page as it is now: no serious
    or critical violations, each one named with the elements it was found on."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the pages' CSP forbids inline scripts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
            }));
        }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, "accessibility violations: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in serious
    )
