"""Charts of the province report as inline SVG, drawn in Python (no JavaScript, nothing fetched)."""
from __future__ import annotations

from decimal import Decimal
from html import escape

from ingest.reports.text import number

FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
BLUE, GREY, INK = "#1f5fa8", "#b8c2cc", "#222"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
            f"role='img' aria-label='{escape(label)}' {FONT}><title>{escape(label)}</title>" + "".join(body) + "</svg>")


def rank_history(history: list[tuple[int, int, int | None]], label: str) -> str:
    """National rank by year; rank 1 at the top."""
    width, height, left, right, top, bottom = 560, 260, 60, 30, 30, 40
    if not history:
        return _svg(width, 60, label, [f"<text x='10' y='30' font-size='13'>Chưa có thứ hạng đã công bố.</text>"])
    worst = max((of or rank) for _, rank, of in history)
    years = [year for year, _, _ in history]
    span = max(len(years) - 1, 1)

    def x(i: int) -> float:
        return left + (width - left - right) * (i / span if len(years) > 1 else 0.5)

    def y(rank: int) -> float:
        return top + (height - top - bottom) * (rank - 1) / max(worst - 1, 1)

    body = [f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='{GREY}'/>",
            f"<text x='{left - 8}' y='{y(1) + 4:.1f}' font-size='11' text-anchor='end'>1</text>",
            f"<text x='{left - 8}' y='{y(worst) + 4:.1f}' font-size='11' text-anchor='end'>{worst}</text>",
            f"<text x='12' y='{top - 12}' font-size='11'>Thứ hạng (1 = cao nhất)</text>"]
    points = [(x(i), y(rank)) for i, (_, rank, _) in enumerate(history)]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        body.append(f"<polyline points='{path}' fill='none' stroke='{BLUE}' stroke-width='2.5'/>")
    for (px, py), (year, rank, rank_of) in zip(points, history):
        body.append(f"<circle cx='{px:.1f}' cy='{py:.1f}' r='5' fill='{BLUE}'/>")
        body.append(f"<text x='{px:.1f}' y='{py - 10:.1f}' font-size='13' text-anchor='middle' fill='{INK}'>"
                    f"{rank}/{rank_of}</text>")
        body.append(f"<text x='{px:.1f}' y='{height - bottom + 22}' font-size='12' text-anchor='middle'>{year}</text>")
    return _svg(width, height, label, body)


def pct_by_field(fields: list[tuple[str, str, Decimal | None, Decimal | None]], year: int, label: str) -> str:
    """% of the maximum by field: the previous year (grey) and this year (blue), on a 0-100 scale."""
    row_height, left, right, top = 34, 40, 70, 30
    width = 560
    height = top + row_height * len(fields) + 20
    scale = (width - left - right) / 100
    body = [f"<rect x='{left}' y='8' width='12' height='10' fill='{GREY}'/>",
            f"<text x='{left + 16}' y='17' font-size='11'>{year - 1}</text>",
            f"<rect x='{left + 60}' y='8' width='12' height='10' fill='{BLUE}'/>",
            f"<text x='{left + 76}' y='17' font-size='11'>{year}</text>"]
    for i, (code, _name, before, now) in enumerate(fields):
        base = top + i * row_height
        body.append(f"<text x='{left - 8}' y='{base + 18}' font-size='12' text-anchor='end'>{escape(code)}</text>")
        for offset, value, colour in ((0, before, GREY), (14, now, BLUE)):
            if value is None:
                continue
            bar = float(value) * scale
            body.append(f"<rect x='{left}' y='{base + offset}' width='{bar:.1f}' height='12' fill='{colour}'/>")
            body.append(f"<text x='{left + bar + 4:.1f}' y='{base + offset + 10}' font-size='10'>"
                        f"{number(value)}%</text>")
    return _svg(width, height, label, body)
