"""Plots drawn on the server as SVG geometry: the hiring plan by street as stacked bars, the
compliance rate of each quarter end as a line. The numbers are laid out here; the templates
(`_bars.svg.html`, `_trend.svg.html`) write the elements, escaping every label, so a plot
prints like the text around it and needs no script."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Colour-blind-safe (Okabe–Ito), dark enough to print on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
LABEL_WIDTH = 150
BAR_AREA = 470
ROW = 26
TOP = 28


@dataclass
class Segment:
    x: float
    width: float
    colour: str
    title: str


@dataclass
class Bar:
    y: float
    label: str
    total: int
    segments: list[Segment] = field(default_factory=list)


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    legend: list[tuple[float, float, str, str]]  # x, y, colour, label
    ticks: list[tuple[float, str]]  # x, text
    axis_y: float


def _step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 6:
            return step
    return max(1, top // 5)


def hiring_bars(streets: list[tuple[str, dict[str, int]]], posts: list[str]) -> BarChart:
    """One bar per street: its people to hire, stacked by post (`posts` in the plan's order)."""
    colours = {post: PALETTE[i % len(PALETTE)] for i, post in enumerate(posts)}
    top = max([sum(needs.values()) for _, needs in streets] + [1])
    step = _step(top)
    top = ((top + step - 1) // step) * step
    scale = BAR_AREA / top
    bars = []
    for i, (label, needs) in enumerate(streets):
        y = TOP + i * ROW
        bar = Bar(y=y, label=label, total=sum(needs.values()))
        x = float(LABEL_WIDTH)
        for post in posts:
            n = needs.get(post, 0)
            if n:
                bar.segments.append(Segment(x, n * scale, colours[post], f"{label} · {post}:{n}人"))
                x += n * scale
        bars.append(bar)
    axis_y = TOP + len(streets) * ROW + 4
    ticks = [(LABEL_WIDTH + v * scale, str(v)) for v in range(0, top + 1, step)]
    legend: list[tuple[float, float, str, str]] = []
    lx, ly = float(LABEL_WIDTH), float(axis_y + 30)
    for post in posts:
        width = 22 + 13 * len(post)
        if lx + width > LABEL_WIDTH + BAR_AREA + 60:
            lx, ly = float(LABEL_WIDTH), ly + 20
        legend.append((lx, ly, colours[post], post))
        lx += width
    return BarChart(width=LABEL_WIDTH + BAR_AREA + 70, height=int(ly + 16), bars=bars, legend=legend, ticks=ticks,
                    axis_y=axis_y)


def quarter_ends(today: dt.date, count: int) -> list[dt.date]:
    """The last `count` quarter ends on or before `today`, oldest first."""
    ends: list[dt.date] = []
    year, quarter = today.year, (today.month - 1) // 3 + 1
    while len(ends) < count:
        month = quarter * 3
        end = dt.date(year, month, 30 if month in (6, 9) else 31)
        if end <= today:
            ends.append(end)
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return ends[::-1]


@dataclass
class TrendChart:
    width: int
    height: int
    points: list[tuple[float, float, str, str]]  # x, y, quarter, rate text
    line: str  # the polyline's points
    grid: list[tuple[float, str]]  # y, percent


def trend_line(rates: list[tuple[dt.date, float | None]]) -> TrendChart:
    """The compliance rate (0–1) of each quarter end; a quarter with no community is left out."""
    width, height, left, right, top, bottom = 660, 220, 50, 50, 20, 40
    inner_w, inner_h = width - left - right, height - top - bottom
    gap = inner_w / max(1, len(rates) - 1)
    points = []
    for i, (day, rate) in enumerate(rates):
        if rate is None:
            continue
        x, y = left + i * gap, top + (1 - rate) * inner_h
        points.append((x, y, f"{day.year}年Q{(day.month - 1) // 3 + 1}", f"{100 * rate:.0f}%"))
    grid = [(top + (1 - v / 100) * inner_h, f"{v}%") for v in (0, 25, 50, 75, 100)]
    return TrendChart(width, height, points, " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points), grid)
