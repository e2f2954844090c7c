"""Server-side SVG charts: geometry computed here, drawn by the chart macros (no script, no CDN).

Colours come from CSS classes (static/css/dashboard.css), never style attributes (CSP).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..codes import CHANNELS


@dataclass
class Bar:
    x: float
    y: float
    w: float
    h: float
    css: str
    title: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, text, anchor
    legend: list[tuple[str, str]] = field(default_factory=list)  # css, text


def weekly_channels(rows: list[tuple[str, str, int]], channel_labels: dict[str, str]) -> Chart:
    """Stacked bars: records per week, one colour per channel."""
    weeks = sorted({week for week, _c, _n in rows})
    counts = {(week, channel): n for week, channel, n in rows}
    chart = Chart(720, 220, legend=[(f"ch-{c}", channel_labels[c]) for c in CHANNELS.codes])
    if not weeks:
        return chart
    top = max(sum(counts.get((w, c), 0) for c in CHANNELS.codes) for w in weeks) or 1
    plot_h, left, bottom = 180, 40, 200
    step = (chart.width - left) / len(weeks)
    for i, week in enumerate(weeks):
        y = bottom
        for channel in CHANNELS.codes:
            n = counts.get((week, channel), 0)
            if not n:
                continue
            h = n / top * plot_h
            y -= h
            chart.bars.append(Bar(round(left + i * step, 2), round(y, 2), round(max(step - 1, 0.5), 2), round(h, 2),
                                  f"ch-{channel}", f"{week} · {channel_labels[channel]}: {n}"))
    chart.labels += [(left - 4, bottom - plot_h + 4, str(top), "end"), (left - 4, bottom, "0", "end"),
                     (left, bottom + 16, weeks[0], "start"), (chart.width, bottom + 16, weeks[-1], "end")]
    return chart


def ladder_per_street(streets: list[dict], step_labels: dict[str, str]) -> Chart:
    """One 100 % bar per street: the share of its households on each ladder step."""
    row_h, left, width = 16, 170, 720
    chart = Chart(width, max(len(streets) * row_h + 4, 20),
                  legend=[(f"step-{s}", step_labels[str(s)]) for s in range(6)])
    for i, street in enumerate(streets):
        total = sum(street["ladder"].values())
        y = i * row_h + 2
        chart.labels.append((left - 6, y + row_h - 5, street["name"], "end"))
        x = left
        for step in range(6):
            n = street["ladder"][str(step)]
            if not total or not n:
                continue
            w = n / total * (width - left)
            chart.bars.append(Bar(round(x, 2), y, round(w, 2), row_h - 3, f"step-{step}",
                                  f"{street['name']} · {step_labels[str(step)]}: {n}"))
            x += w
    return chart


def language_mix(languages: dict[str, int], names: dict[str, str]) -> Chart:
    """Horizontal bars: records per language spoken."""
    row_h, left, width = 20, 120, 720
    items = list(languages.items())
    chart = Chart(width, max(len(items) * row_h + 4, 20))
    top = max(languages.values(), default=0) or 1
    for i, (code, n) in enumerate(items):
        y = i * row_h + 2
        w = n / top * (width - left - 60)
        chart.labels.append((left - 6, y + row_h - 6, names.get(code, code), "end"))
        chart.bars.append(Bar(left, y, round(max(w, 1), 2), row_h - 4, "lang", f"{names.get(code, code)}: {n}"))
        chart.labels.append((left + w + 4, y + row_h - 6, str(n), "start"))
    return chart
