"""Draw docs/architecture.svg: Questline's packages in their layers and the import
arrows between them, read from the source by the same reader the architecture test
uses (tests/import_graph.py). Plain SVG written here: no Graphviz, no plotting
library. Run it with scripts/draw-architecture; the test keeps the picture honest
by failing on any arrow that points the wrong way (drawn red here if one ever did).
"""

import math
import sys
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.import_graph import arrows, wrong_way  # noqa: E402

# Bands from top to bottom; each holds boxes (packages) left to right.
BANDS: list[tuple[str, list[str]]] = [
    (
        "entry points",
        ["cli", "http", "web", "cluster", "demo", "loadgen", "bench", "servers", "supervision"],
    ),
    ("engine", ["engine"]),
    ("observability · adapters", ["observability", "sqlite", "files", "kafka", "cassandra"]),
    ("ports", ["ports"]),
    ("domain", ["domain"]),
]
BOX_W, BOX_H = 104, 34
WIDE = 760  # a band's only box spans most of it, so arrows land where they start
BAND_GAP = 120
WIDTH = 1120
TOP = 110


def node_of(module: str) -> str | None:
    """The box a module is drawn in; None for the package itself."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    first = parts[1]
    if first == "adapters":
        backend = parts[2] if len(parts) > 2 else ""
        return backend if backend in ("sqlite", "kafka", "cassandra") else "files"
    if first == "__main__":
        return "cli"
    return first


def positions() -> dict[str, tuple[float, float, float]]:
    """Each box's top-left corner and width."""
    placed: dict[str, tuple[float, float, float]] = {}
    for row, (_, names) in enumerate(BANDS):
        y = TOP + row * BAND_GAP
        width = WIDE if len(names) == 1 else BOX_W
        gap = 16 if len(names) > 6 else 40
        total = len(names) * width + (len(names) - 1) * gap
        x = (WIDTH - total) / 2
        for name in names:
            placed[name] = (x, y, width)
            x += width + gap
    return placed


def edges() -> tuple[Counter[tuple[str, str]], set[tuple[str, str]]]:
    """Import arrows between boxes (how many module imports each stands for), and
    those that break the layering."""
    counted: Counter[tuple[str, str]] = Counter()
    wrong: set[tuple[str, str]] = set()
    for arrow in arrows():
        source, target = node_of(arrow.source), node_of(arrow.target)
        if source is None or target is None or source == target:
            continue  # drivers and the package itself are not drawn
        counted[(source, target)] += 1
        if wrong_way(arrow) is not None:
            wrong.add((source, target))
    return counted, wrong


def svg() -> str:
    placed = positions()
    counted, wrong = edges()
    height = TOP + len(BANDS) * BAND_GAP
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13">',
        "<defs>",
        '<marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9"'
        ' markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#4d6380"/></marker>',
        '<marker id="wrong" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9"'
        ' markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker>',
        "</defs>",
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        '<text x="16" y="26" font-size="17" font-weight="bold">Questline: packages by layer,'
        " arrows are imports</text>",
        '<text x="16" y="46" font-size="12" fill="#56657a">wider: more imports; dashed: past a'
        " layer (drawn behind its boxes); red: against the layering (none, or"
        " tests/test_architecture.py fails). Drawn by scripts/draw-architecture.</text>",
    ]
    for row, (label, _) in enumerate(BANDS):
        y = TOP + row * BAND_GAP - 16
        out.append(
            f'<rect x="8" y="{y}" width="{WIDTH - 16}" height="{BOX_H + 28}" rx="6"'
            ' fill="#f4f6f9" stroke="#dde3ea"/>'
        )
        out.append(
            f'<text x="16" y="{y + 14}" fill="#56657a" font-size="11">{escape(label)}</text>'
        )
    for (source, target), count in sorted(counted.items()):
        if source not in placed or target not in placed:
            continue
        sx, sy, sw = placed[source]
        tx, ty, tw = placed[target]
        x1, x2 = sx + sw / 2, tx + tw / 2
        if tw > BOX_W:  # a wide box: land straight below the start
            x2 = min(max(x1, tx + 20), tx + tw - 20)
        if sw > BOX_W:
            x1 = min(max(x2, sx + 20), sx + sw - 20)
        if sy == ty:  # same band: an arc over the boxes, from top to top
            y1 = y2 = sy
            lift = 14 + abs(x2 - x1) / 16
            shape = f"M{x1:.1f},{y1:.1f} Q{(x1 + x2) / 2:.1f},{y1 - lift:.1f} {x2:.1f},{y2:.1f}"
        else:
            y1, y2 = (sy + BOX_H, ty) if sy < ty else (sy, ty + BOX_H)
            shape = f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}"
        bad = (source, target) in wrong
        skips = abs(ty - sy) > BAND_GAP
        dash = ' stroke-dasharray="5,4"' if skips else ""
        width = 0.5 + 0.6 * math.log2(1 + count)
        color, marker = ("#c0392b", "wrong") if bad else ("#6a7f99", "head")
        out.append(
            f'<path d="{shape}" fill="none" stroke="{color}"{dash}'
            f' stroke-opacity="{0.9 if bad else 0.35}" stroke-width="{width:.2f}"'
            f' marker-end="url(#{marker})"><title>{escape(source)} imports {escape(target)}:'
            f" {count} import(s)</title></path>"
        )
    for name, (x, y, width) in placed.items():
        out.append(
            f'<rect x="{x}" y="{y}" width="{width}" height="{BOX_H}" rx="5" fill="#ffffff"'
            ' stroke="#3b6ea5" stroke-width="1.4"/>'
        )
        out.append(
            f'<text x="{x + width / 2}" y="{y + BOX_H / 2 + 4}" text-anchor="middle">'
            f"{escape(name)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main() -> None:
    target = ROOT / "docs" / "architecture.svg"
    target.write_text(svg(), encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
