"""Line and bar charts as SVG text, drawn by hand.

Why not matplotlib: it would be the heaviest dependency of a plain install
(numpy, Pillow, fonttools and more, for four charts), its output carries
version and date metadata, and SVG written here is byte-identical for the same
data, scales in any browser and shows in the docs as it is.
"""

import math
from collections.abc import Sequence
from html import escape

# Okabe-Ito: told apart by people with any common colour-vision deficiency.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
WIDTH, HEIGHT = 760, 360
LEFT, RIGHT, TOP, BOTTOM = 58, 170, 40, 46
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'

Points = Sequence[tuple[float, float]]


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks to `top`."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return float(max(multiple * power, 1))
    return float(10 * power)


def _frame(title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="24" {FONT} font-size="15" font-weight="600" '
        f'fill="#1a1a1a">{escape(title)}</text>',
    ]


def line_chart(
    title: str,
    series: Sequence[tuple[str, Points]],
    *,
    x_max: float,
    x_ticks: Sequence[tuple[float, str]],
    y_label: str,
    marks: Sequence[tuple[float, str]] = (),
    steps: bool = False,
) -> str:
    """Lines over a shared x axis from 0 to `x_max`, with a legend on the right and
    dashed vertical marks (the freeze, a round opening)."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    y_top = max((y for _, points in series for _, y in points), default=0.0)
    step = nice_step(y_top)
    y_max = max(step, math.ceil(y_top / step) * step)

    def x_at(x: float) -> float:
        return LEFT + plot_w * (x / x_max if x_max else 0.0)

    def y_at(y: float) -> float:
        return TOP + plot_h * (1 - y / y_max)

    out = _frame(title)
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_at(tick)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{_n(y)}" y2="{_n(y)}" '
            'stroke="#e3e3e3" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{_n(y + 4)}" {FONT} font-size="11" fill="#444" '
            f'text-anchor="end">{_n(tick)}</text>'
        )
        tick += step
    for x, label in x_ticks:
        out.append(
            f'<text x="{_n(x_at(x))}" y="{HEIGHT - BOTTOM + 16}" {FONT} font-size="11" '
            f'fill="#444" text-anchor="middle">{escape(label)}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        'stroke="#888" stroke-width="1"/>'
    )
    out.append(
        f'<text x="14" y="{_n(TOP + plot_h / 2)}" {FONT} font-size="11" fill="#444" '
        f'text-anchor="middle" transform="rotate(-90 14 {_n(TOP + plot_h / 2)})">'
        f"{escape(y_label)}</text>"
    )
    for x, label in marks:
        px = _n(x_at(x))
        out.append(
            f'<line x1="{px}" x2="{px}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#777" '
            'stroke-width="1" stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{px}" y="{TOP - 4}" {FONT} font-size="10" fill="#555" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for index, (name, points) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        drawn: list[str] = []
        previous: float | None = None
        for x, y in points:
            if steps and previous is not None:
                drawn.append(f"{_n(x_at(x))},{_n(y_at(previous))}")
            drawn.append(f"{_n(x_at(x))},{_n(y_at(y))}")
            previous = y
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-linejoin="round" points="{" ".join(drawn)}"><title>{escape(name)}</title>'
            "</polyline>"
        )
        ly = TOP + 8 + index * 18
        lx = WIDTH - RIGHT + 14
        out.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{ly}" y2="{ly}" stroke="{colour}" '
            'stroke-width="3"/>'
        )
        out.append(
            f'<text x="{lx + 24}" y="{ly + 4}" {FONT} font-size="11" fill="#1a1a1a">'
            f"{escape(_short(name, 22))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart(title: str, rows: Sequence[tuple[str, float, str]], *, value_label: str) -> str:
    """Horizontal bars, one per row (label, value, a note printed after the bar)."""
    height = TOP + 22 * max(len(rows), 1) + 30
    label_w = 170
    plot_w = WIDTH - label_w - 240
    top = max((value for _, value, _ in rows), default=0.0)
    top = top if top > 0 else 1.0
    out = _frame(title)
    out[0] = out[0].replace(f"0 0 {WIDTH} {HEIGHT}", f"0 0 {WIDTH} {height}")
    out[0] = out[0].replace(f'height="{HEIGHT}"', f'height="{height}"')
    out[1] = f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>'
    for index, (label, value, note) in enumerate(rows):
        y = TOP + index * 22
        width = plot_w * max(value, 0.0) / top
        out.append(
            f'<text x="{label_w - 8}" y="{y + 14}" {FONT} font-size="11" fill="#1a1a1a" '
            f'text-anchor="end">{escape(_short(label, 30))}</text>'
        )
        out.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{_n(width)}" height="15" '
            f'fill="{COLOURS[0]}"><title>{escape(label)}: {_n(value)}</title></rect>'
        )
        out.append(
            f'<text x="{_n(label_w + width + 6)}" y="{y + 14}" {FONT} font-size="11" '
            f'fill="#444">{escape(note)}</text>'
        )
    out.append(
        f'<text x="{label_w}" y="{height - 10}" {FONT} font-size="11" fill="#444">'
        f"{escape(value_label)}</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
