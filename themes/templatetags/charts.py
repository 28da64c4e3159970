"""``{% load charts %}`` — server-side SVG charts from ``themes.charts``.

``{% chart spec %}`` renders a spec dict (``{"type": "line", "labels": …, "series": …,
"title": …}``); ``{% gauge value title=… label=… size=… %}`` and
``{% sparkline values title=… %}`` are shortcuts. Output is safe SVG markup.
"""

from django import template

from themes import charts

register = template.Library()


@register.simple_tag
def chart(spec):
    if not spec:
        return ""
    return charts.render_chart(spec)


@register.simple_tag
def gauge(value, title="", label="", size=120):
    return charts.gauge_chart(value, title=str(title), label=str(label), size=int(size))


@register.simple_tag
def sparkline(values, title="", width=96, height=24):
    return charts.sparkline(values or [], title=str(title), width=int(width), height=int(height))
