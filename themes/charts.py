"""Server-side SVG charts: pure Python, deterministic, accessible, no JavaScript.

Every function returns a ``SafeString`` holding one ``<svg role="img">`` with a ``<title>``
and ``<desc>`` (referenced by ``aria-labelledby``), text labels for axes and values, and a
visually hidden data table is not needed because ``<desc>`` lists the values. The same
markup works in web pages (``{% chart spec %}`` from ``themes/templatetags/charts.py``) and
in WeasyPrint PDFs.

Charts:

``line_chart(labels, series, ...)``
    Several series over the same x labels; ``None`` values leave gaps; optional ``goal``
    horizontal reference line (e.g. the 1:6 multiplier goal).
``bar_chart(labels, series, stacked=False, ...)``
    Grouped or stacked vertical bars.
``funnel_chart(stages, ...)``
    Horizontal bars narrowing stage by stage, with each stage's share of the first.
``gauge_chart(value, ...)``
    A donut for a 0–100 score with the value in the middle.
``sparkline(values, ...)``
    A tiny line without axes for tables.

``render_chart(spec)`` dispatches a dict ``{"type": "line"|"bar"|"funnel"|"gauge"|
"sparkline", ...keyword arguments}`` so views can hand chart specs to templates.

Coordinates are rounded to two decimals and element ids derive from a hash of the inputs,
so the same input always yields byte-identical SVG (tests compare coordinates).

One module because every chart shares the same private geometry, scale, label and accessibility
helpers.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = (
    "#1f5eff",  # brand blue
    "#0f9d73",  # green (AA on white for strokes)
    "#d97706",  # amber
    "#9333ea",  # purple
    "#dc2626",  # red
    "#0891b2",  # cyan
    "#64748b",  # slate
    "#be185d",  # pink
)
AXIS = "#94a3b8"
GRID = "#e2e8f0"
TEXT = "#334155"
GOAL = "#dc2626"
FONT = 'font-family="inherit"'


@dataclass
class Series:
    name: str
    values: list
    colour: str | None = None
    dashed: bool = False
    extra: dict = field(default_factory=dict)


def _num(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number) or math.isinf(number):
        return None
    return number


def _f(value: float) -> str:
    """Deterministic coordinate formatting: two decimals, no trailing zeros, no ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_value(value, unit: str = "") -> str:
    number = _num(value)
    if number is None:
        return "–"
    if abs(number) >= 1_000_000:
        text = f"{number / 1_000_000:.1f}M"
    elif abs(number) >= 10_000:
        text = f"{number / 1_000:.1f}k"
    elif number == int(number):
        text = f"{int(number)}"
    else:
        text = f"{number:.1f}"
    return f"{text}{unit}"


def nice_ceiling(value: float) -> float:
    """The smallest 1/2/2.5/5 × 10^n not below ``value`` (``0`` stays ``1``)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    base = 10**exponent
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * base + 1e-9:
            return step * base
    return 10 * base  # pragma: no cover - unreachable


def _series(series) -> list[Series]:
    out = []
    for index, item in enumerate(series):
        if isinstance(item, Series):
            s = item
        elif isinstance(item, dict):
            s = Series(
                name=str(item.get("name", "")),
                values=list(item.get("values", [])),
                colour=item.get("colour"),
                dashed=bool(item.get("dashed", False)),
            )
        else:
            name, values = item
            s = Series(name=str(name), values=list(values))
        if not s.colour:
            s.colour = PALETTE[index % len(PALETTE)]
        out.append(s)
    return out


def _chart_id(kind: str, *parts) -> str:
    digest = hashlib.sha1(repr((kind, parts)).encode("utf-8")).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _open_svg(chart_id: str, width: int, height: int, title: str, desc: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" id="{chart_id}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="11" {FONT}>',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _describe(labels, series: list[Series], unit: str) -> str:
    parts = []
    for s in series:
        pairs = ", ".join(
            f"{label}: {fmt_value(value, unit)}" for label, value in zip(labels, s.values, strict=False)
        )
        parts.append(f"{s.name} — {pairs}" if s.name else pairs)
    return "; ".join(parts)


def _legend(series: list[Series], x: float, y: float, width: float) -> list[str]:
    out = ['<g class="chart-legend">']
    cursor = x
    for s in series:
        if not s.name:
            continue
        label_width = 18 + 7 * len(s.name) + (7 * sum(1 for ch in s.name if ord(ch) > 0x2E80))
        if cursor + label_width > x + width and cursor > x:
            cursor = x
            y += 16
        out.append(
            f'<rect x="{_f(cursor)}" y="{_f(y - 9)}" width="12" height="10" rx="2" fill="{s.colour}"/>'
            f'<text x="{_f(cursor + 16)}" y="{_f(y)}" fill="{TEXT}">{escape(s.name)}</text>'
        )
        cursor += label_width + 12
    out.append("</g>")
    return out


@dataclass
class _Frame:
    width: int
    height: int
    left: float = 48
    right: float = 24
    top: float = 12
    bottom: float = 40

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom


def _y_axis(frame: _Frame, y_min: float, y_max: float, unit: str, ticks: int = 4) -> list[str]:
    out = ['<g class="chart-axis chart-y">']
    for i in range(ticks + 1):
        value = y_min + (y_max - y_min) * i / ticks
        y = frame.top + frame.plot_h - frame.plot_h * i / ticks
        out.append(
            f'<line x1="{_f(frame.left)}" y1="{_f(y)}" x2="{_f(frame.left + frame.plot_w)}" y2="{_f(y)}" '
            f'stroke="{GRID if i else AXIS}" stroke-width="1"/>'
            f'<text x="{_f(frame.left - 6)}" y="{_f(y + 4)}" text-anchor="end" fill="{TEXT}">'
            f"{escape(fmt_value(value, unit))}</text>"
        )
    out.append("</g>")
    return out


def _x_labels(frame: _Frame, labels: list[str], positions: list[float]) -> list[str]:
    out = ['<g class="chart-axis chart-x">']
    count = len(labels)
    step = max(1, math.ceil(count / max(1, int(frame.plot_w // 56))))
    for index, (label, x) in enumerate(zip(labels, positions, strict=False)):
        if (count - 1 - index) % step:  # every step-th label, counted back from the last one
            continue
        out.append(
            f'<text x="{_f(x)}" y="{_f(frame.top + frame.plot_h + 16)}" text-anchor="middle" '
            f'fill="{TEXT}">{escape(str(label))}</text>'
        )
    out.append("</g>")
    return out


def line_points(values, *, x0: float, width: float, y0: float, height: float, y_min: float, y_max: float):
    """Map values to ``(x, y)`` points (``None`` → ``None``); x spread evenly over ``width``."""
    count = len(values)
    span = (y_max - y_min) or 1.0
    points = []
    for index, value in enumerate(values):
        number = _num(value)
        x = x0 + (width * index / (count - 1) if count > 1 else width / 2)
        if number is None:
            points.append(None)
            continue
        y = y0 + height - height * (number - y_min) / span
        points.append((round(x, 2), round(y, 2)))
    return points


def _paths(points) -> list[str]:
    """``d`` strings for each unbroken run of points."""
    runs, current = [], []
    for point in points:
        if point is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point)
    if current:
        runs.append(current)
    return ["M" + " L".join(f"{_f(x)},{_f(y)}" for x, y in run) for run in runs]


def nice_step(raw: float, integer: bool = False) -> float:
    """A tick step of 1/2/2.5/5 × 10^n not below ``raw`` (no 2.5 and at least 1 for counts)."""
    if raw <= 0:
        return 1.0
    exponent = math.floor(math.log10(raw))
    base = 10**exponent
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(st * base for st in steps if raw <= st * base + 1e-9)
    return max(step, 1.0) if integer else step


def _y_range(series: list[Series], y_min, y_max, stacked=False, extra=(), ticks: int = 4):
    """``(low, high, tick count)``: ``high`` a whole number of nice steps above ``low``."""
    values = []
    if stacked and series:
        for index in range(max(len(s.values) for s in series)):
            total = sum(_num(s.values[index]) or 0 for s in series if index < len(s.values))
            values.append(total)
    else:
        values = [v for s in series for v in (_num(x) for x in s.values) if v is not None]
    values += [v for v in (_num(x) for x in extra) if v is not None]
    low = 0.0 if y_min is None else float(y_min)
    if y_min is None and values and min(values) < 0:
        low = -nice_ceiling(-min(values))
    if y_max is not None:
        high = float(y_max)
        return (low, high, ticks) if high > low else (low, low + 1, ticks)
    top = max(values) if values else 0.0
    span = max(top - low, 0.0) or 1.0
    integer = all(float(v).is_integer() for v in values) and float(low).is_integer()
    step = nice_step(span / ticks, integer)
    count = max(1, math.ceil(span / step - 1e-9))
    return low, low + step * count, count


def line_chart(
    labels,
    series,
    *,
    title: str,
    desc: str | None = None,
    width: int = 640,
    height: int = 240,
    y_min=None,
    y_max=None,
    unit: str = "",
    goal=None,
    goal_label: str = "",
    markers: bool = True,
) -> SafeString:
    labels = [str(label) for label in labels]
    items = _series(series)
    low, high, ticks = _y_range(items, y_min, y_max, extra=[goal] if goal is not None else ())
    legend_rows = 1 if any(s.name for s in items) else 0
    frame = _Frame(width, height, bottom=40 + 16 * legend_rows)
    chart_id = _chart_id("line", title, labels, [(s.name, s.values) for s in items], goal)
    description = desc or _describe(labels, items, unit)
    if goal is not None:
        description += f"; {goal_label or _('Goal')}: {fmt_value(goal, unit)}"
    out = _open_svg(chart_id, width, height, title, description, "chart-line")
    out += _y_axis(frame, low, high, unit, ticks)
    xs = [
        p[0]
        for p in line_points(
            [0] * len(labels),
            x0=frame.left + 8,
            width=frame.plot_w - 16,
            y0=frame.top,
            height=frame.plot_h,
            y_min=0,
            y_max=1,
        )
    ]
    out += _x_labels(frame, labels, xs)
    if goal is not None:
        gy = frame.top + frame.plot_h - frame.plot_h * (float(goal) - low) / ((high - low) or 1)
        out.append(
            f'<g class="chart-goal"><line x1="{_f(frame.left)}" y1="{_f(gy)}" '
            f'x2="{_f(frame.left + frame.plot_w)}" y2="{_f(gy)}" stroke="{GOAL}" stroke-width="1.5" '
            f'stroke-dasharray="6 4"/><text x="{_f(frame.left + frame.plot_w)}" y="{_f(gy - 4)}" '
            f'text-anchor="end" fill="{GOAL}">{escape(goal_label or fmt_value(goal, unit))}</text></g>'
        )
    for s in items:
        points = line_points(
            s.values,
            x0=frame.left + 8,
            width=frame.plot_w - 16,
            y0=frame.top,
            height=frame.plot_h,
            y_min=low,
            y_max=high,
        )
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        out.append(f'<g class="chart-series" data-series="{escape(s.name)}">')
        for d in _paths(points):
            out.append(
                f'<path d="{d}" fill="none" stroke="{s.colour}" stroke-width="2" '
                f'stroke-linejoin="round" stroke-linecap="round"{dash}/>'
            )
        if markers:
            for point, label, value in zip(points, labels, s.values, strict=False):
                if point is None:
                    continue
                out.append(
                    f'<circle cx="{_f(point[0])}" cy="{_f(point[1])}" r="2.5" fill="{s.colour}">'
                    f"<title>{escape(s.name)} {escape(label)}: "
                    f"{escape(fmt_value(value, unit))}</title></circle>"
                )
        out.append("</g>")
    if legend_rows:
        out += _legend(items, frame.left, height - 8, frame.plot_w)
    out.append("</svg>")
    return mark_safe("".join(out))


def bar_chart(
    labels,
    series,
    *,
    title: str,
    desc: str | None = None,
    width: int = 640,
    height: int = 240,
    stacked: bool = False,
    y_max=None,
    unit: str = "",
    show_values: bool = False,
) -> SafeString:
    labels = [str(label) for label in labels]
    items = _series(series)
    low, high, ticks = _y_range(items, 0, y_max, stacked=stacked)
    legend_rows = 1 if any(s.name for s in items) and (len(items) > 1 or stacked) else 0
    frame = _Frame(width, height, bottom=40 + 16 * legend_rows)
    chart_id = _chart_id("bar", title, labels, [(s.name, s.values) for s in items], stacked)
    out = _open_svg(chart_id, width, height, title, desc or _describe(labels, items, unit), "chart-bar")
    out += _y_axis(frame, low, high, unit, ticks)
    count = max(1, len(labels))
    slot = frame.plot_w / count
    group_w = slot * 0.7
    centres = [frame.left + slot * (i + 0.5) for i in range(len(labels))]
    out += _x_labels(frame, labels, centres)
    span = (high - low) or 1.0
    base_y = frame.top + frame.plot_h
    for index, centre in enumerate(centres):
        out.append(f'<g class="chart-group" data-label="{escape(labels[index])}">')
        offset = 0.0
        for s_index, s in enumerate(items):
            value = _num(s.values[index]) if index < len(s.values) else None
            if value is None:
                continue
            h = frame.plot_h * max(value, 0) / span
            if stacked:
                x = centre - group_w / 2
                w = group_w
                y = base_y - offset - h
                offset += h
            else:
                w = group_w / len(items)
                x = centre - group_w / 2 + w * s_index
                y = base_y - h
            out.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" fill="{s.colour}">'
                f"<title>{escape(s.name + ' ' if s.name else '')}{escape(labels[index])}: "
                f"{escape(fmt_value(value, unit))}</title></rect>"
            )
            if show_values and not stacked:
                out.append(
                    f'<text x="{_f(x + w / 2)}" y="{_f(y - 3)}" text-anchor="middle" fill="{TEXT}" '
                    f'font-size="9">{escape(fmt_value(value, unit))}</text>'
                )
        out.append("</g>")
    if legend_rows:
        out += _legend(items, frame.left, height - 8, frame.plot_w)
    out.append("</svg>")
    return mark_safe("".join(out))


def funnel_chart(
    stages,
    *,
    title: str,
    desc: str | None = None,
    width: int = 480,
    height: int | None = None,
    colour: str = PALETTE[0],
) -> SafeString:
    """``stages``: ``[(label, value), ...]`` from widest to narrowest."""
    stages = [(str(label), _num(value) or 0.0) for label, value in stages]
    row_h, gap = 34, 6
    height = height or max(60, len(stages) * (row_h + gap) + 8)
    first = stages[0][1] if stages else 0.0
    top = max((value for _label, value in stages), default=0.0) or 1.0
    chart_id = _chart_id("funnel", title, stages)
    description = desc or "; ".join(
        f"{label}: {fmt_value(value)}" + (f" ({value / first * 100:.1f}%)" if first else "")
        for label, value in stages
    )
    out = _open_svg(chart_id, width, height, title, description, "chart-funnel")
    label_w = 150
    bar_area = width - label_w - 8
    for index, (label, value) in enumerate(stages):
        w = max(2.0, bar_area * value / top)
        x = label_w + (bar_area - w) / 2
        y = 4 + index * (row_h + gap)
        share = f" · {value / first * 100:.1f}%" if first and index else ""
        out.append(
            f'<g class="chart-stage"><text x="{_f(label_w - 8)}" y="{_f(y + row_h / 2 + 4)}" '
            f'text-anchor="end" '
            f'fill="{TEXT}">{escape(label)}</text>'
            f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{row_h}" rx="3" fill="{colour}" '
            f'fill-opacity="{_f(1 - index * 0.15 if index < 5 else 0.3)}"/>'
            f'<text x="{_f(label_w + bar_area / 2)}" y="{_f(y + row_h / 2 + 4)}" text-anchor="middle" '
            f'fill="#0f172a" font-weight="700">{escape(fmt_value(value))}{escape(share)}</text></g>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))


def gauge_arc(value: float, *, cx: float, cy: float, r: float) -> tuple[float, float, int]:
    """End point and large-arc flag of a clockwise arc from 12 o'clock covering ``value``%."""
    fraction = min(max(value, 0.0), 100.0) / 100.0
    angle = 2 * math.pi * fraction - math.pi / 2
    return round(cx + r * math.cos(angle), 2), round(cy + r * math.sin(angle), 2), 1 if fraction > 0.5 else 0


def score_colour(value) -> str:
    number = _num(value)
    if number is None:
        return AXIS
    if number >= 70:
        return "#0f9d73"
    if number >= 50:
        return "#d97706"
    return "#dc2626"


def gauge_chart(
    value, *, title: str, label: str = "", size: int = 120, colour: str | None = None, desc: str | None = None
) -> SafeString:
    number = _num(value)
    chart_id = _chart_id("gauge", title, number, label)
    text = "–" if number is None else f"{number:.1f}".rstrip("0").rstrip(".")
    out = _open_svg(chart_id, size, size, title, desc or f"{label or title}: {text} / 100", "chart-gauge")
    cx = cy = size / 2
    stroke = size * 0.12
    r = size / 2 - stroke / 2 - 2
    colour = colour or score_colour(number)
    out.append(
        f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" stroke="{GRID}" '
        f'stroke-width="{_f(stroke)}"/>'
    )
    if number is not None and number > 0:
        if number >= 100:
            out.append(
                f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="none" stroke="{colour}" '
                f'stroke-width="{_f(stroke)}" class="chart-gauge-value"/>'
            )
        else:
            x, y, large = gauge_arc(number, cx=cx, cy=cy, r=r)
            out.append(
                f'<path class="chart-gauge-value" d="M{_f(cx)},{_f(cy - r)} A{_f(r)},{_f(r)} 0 {large} 1 '
                f'{_f(x)},{_f(y)}" fill="none" stroke="{colour}" stroke-width="{_f(stroke)}" '
                f'stroke-linecap="round"/>'
            )
    out.append(
        f'<text x="{_f(cx)}" y="{_f(cy + size * 0.08)}" text-anchor="middle" font-size="{_f(size * 0.24)}" '
        f'font-weight="700" fill="#0f172a">{escape(text)}</text>'
    )
    if label:
        out.append(
            f'<text x="{_f(cx)}" y="{_f(cy + size * 0.24)}" text-anchor="middle" '
            f'font-size="{_f(size * 0.09)}" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))


def sparkline(
    values, *, title: str, width: int = 96, height: int = 24, colour: str = PALETTE[0]
) -> SafeString:
    numbers = [_num(v) for v in values]
    present = [n for n in numbers if n is not None]
    chart_id = _chart_id("spark", title, numbers)
    desc = ", ".join(fmt_value(n) for n in numbers)
    out = _open_svg(chart_id, width, height, title, desc, "chart-sparkline")
    if present:
        low, high = min(present), max(present)
        if high == low:
            low, high = low - 1, high + 1
        points = line_points(numbers, x0=2, width=width - 4, y0=2, height=height - 4, y_min=low, y_max=high)
        for d in _paths(points):
            out.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        last = next((p for p in reversed(points) if p is not None), None)
        if last:
            out.append(f'<circle cx="{_f(last[0])}" cy="{_f(last[1])}" r="2" fill="{colour}"/>')
    out.append("</svg>")
    return mark_safe("".join(out))


CHARTS = {
    "line": line_chart,
    "bar": bar_chart,
    "funnel": funnel_chart,
    "gauge": gauge_chart,
    "sparkline": sparkline,
}


def render_chart(spec: dict) -> SafeString:
    """Render a chart from a spec dict: ``{"type": "line", "labels": [...], "series": [...], ...}``."""
    spec = dict(spec or {})
    kind = spec.pop("type", "line")
    try:
        function = CHARTS[kind]
    except KeyError as exc:
        raise ValueError(f"Unknown chart type {kind!r}") from exc
    if kind in ("line", "bar"):
        return function(spec.pop("labels"), spec.pop("series"), **spec)
    if kind == "funnel":
        return function(spec.pop("stages"), **spec)
    if kind == "gauge":
        return function(spec.pop("value"), **spec)
    return function(spec.pop("values"), **spec)
