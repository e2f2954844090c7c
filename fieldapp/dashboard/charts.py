"""Server-side charts: geometry computed here, drawn by the chart macros (no script, no CDN).

Text stays out of the SVGs: an SVG scaled down to a 360 px phone shrinks its text to 5 px, so
names, axis ends and counts are HTML beside the bars and wrap like any text. Bars are one
small SVG per row (x and width in percent), coloured by CSS classes in
static/css/dashboard.css, never by style attributes (CSP). Every number goes through Babel.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..codes import CHANNELS
from ..i18n.formatting import day, number


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    css: str
    title: str


@dataclass
class Row:
    """One labelled bar; segments' x and w are percent of the bar."""

    label: str
    segments: list[Bar] = field(default_factory=list)
    value: str = ""

    @property
    def summary(self) -> str:
        return "; ".join(s.title for s in self.segments) or _("No figure yet")


@dataclass
class Weekly:
    """Stacked bars in a viewBox of weeks × 100; the axis ends as formatted text."""

    width: int
    bars: list[Bar] = field(default_factory=list)
    top: str = ""
    first: str = ""
    last: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)  # css, text
    height: int = 100


def weekly_channels(rows: list[tuple[str, str, int]], channel_labels: dict[str, str]) -> Weekly:
    """Stacked bars: records per week, one colour per channel."""
    weeks = sorted({week for week, _c, _n in rows})
    counts = {(week, channel): n for week, channel, n in rows}
    chart = Weekly(max(len(weeks), 1) * 10, legend=[(f"ch-{c}", channel_labels[c]) for c in CHANNELS.codes])
    if not weeks:
        return chart
    top = max(sum(counts.get((w, c), 0) for c in CHANNELS.codes) for w in weeks) or 1
    for i, week in enumerate(weeks):
        y = chart.height
        for channel in CHANNELS.codes:
            n = counts.get((week, channel), 0)
            if not n:
                continue
            h = n / top * chart.height
            y -= h
            chart.bars.append(Bar(i * 10, round(y, 2), 9, round(h, 2), f"ch-{channel}",
                                  f"{day(week)} · {channel_labels[channel]}: {number(n)}"))
    chart.top, chart.first, chart.last = number(top), day(weeks[0]), day(weeks[-1])
    return chart


def ladder_per_street(streets: list[dict], step_labels: dict[str, str]) -> list[Row]:
    """One 100 % bar per street: the share of its households on each ladder step."""
    rows = []
    for street in streets:
        row = Row(street["name"])
        total = sum(street["ladder"].values())
        x = 0.0
        for step in range(6):
            n = street["ladder"][str(step)]
            if not total or not n:
                continue
            w = n / total * 100
            row.segments.append(Bar(round(x, 3), 0, round(w, 3), 10, f"step-{step}",
                                    f"{step_labels[str(step)]}: {number(n)}"))
            x += w
        rows.append(row)
    return rows


def ladder_legend(step_labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(f"step-{s}", f"{s} · {step_labels[str(s)]}") for s in range(6)]


def language_mix(languages: dict[str, int], names: dict[str, str]) -> list[Row]:
    """Horizontal bars: records per language spoken, longest first."""
    top = max(languages.values(), default=0) or 1
    rows = []
    for code, n in sorted(languages.items(), key=lambda item: -item[1]):
        name = names.get(code, code)
        rows.append(Row(name, [Bar(0, 0, round(max(n / top * 100, 0.5), 3), 10, "lang", f"{name}: {number(n)}")],
                        number(n)))
    return rows
