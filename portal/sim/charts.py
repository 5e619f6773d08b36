"""Server-rendered SVG bar charts: no JavaScript, readable by screen readers, readable on a phone.

The bars are an SVG that stretches to the width it is given; the figures around it (the scale and the
first and last day) are HTML text beside it, so they stay the page's text size at 360 px as at
1280 px (text inside a scaled SVG shrinks with it). The SVG carries ``role="img"`` with a title and
a description summing it up; each bar has its own ``<title>`` (a tooltip and an accessible name).
Pages show the same numbers in a table as the text alternative.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from domain.sim.types import KB_PER_MB, DataQuota
from portal.core import formats

WIDTH, HEIGHT = 720, 200
MIN_SLOTS = 7  # a chart is at least a week wide: one day is one bar, not a wall across the page


@dataclass(frozen=True)
class Bar:
    day: date
    value: float  # MB


def usage_bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str) -> SafeString:
    if not bars:
        return format_html('<p class="help">{}</p>', _("No usage recorded for this period."))
    top = max(max(bar.value for bar in bars), 1.0)
    step = WIDTH / max(len(bars), MIN_SLOTS)
    bar_w = max(step * 0.7, 1.0)
    total = sum(bar.value for bar in bars)
    rects = []
    for index, bar in enumerate(bars):
        height = HEIGHT * bar.value / top
        x = index * step + (step - bar_w) / 2
        y = HEIGHT - height
        label = f"{formats.day_of_month(bar.day)}: {format_mb(bar.value)}"
        rects.append((f"{x:.1f}", f"{y:.1f}", f"{bar_w:.1f}", f"{height:.1f}", label))
    grid = format_html_join("", '<line x1="0" x2="{}" y1="{}" y2="{}" class="grid"/>',
                            ((WIDTH, y, y) for y in (0.5, HEIGHT / 2, HEIGHT - 0.5)))
    body = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}</title></rect>',
                            rects)
    first, last = bars[0].day, bars[-1].day
    description = _("Daily data use from %(first)s to %(last)s: %(total)s in all, at most %(top)s in a day.") % {
        "first": formats.day(first), "last": formats.day(last), "total": format_mb(total), "top": format_mb(top)}
    svg = format_html(
        '<svg class="usage-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'preserveAspectRatio="none"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        WIDTH, HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description, grid, body,
    )
    return format_html(
        '<div class="chart"><div class="chart-scale" aria-hidden="true"><span>{}</span><span>{}</span>'
        '<span>0</span></div>{}<div class="chart-days" aria-hidden="true"><span>{}</span><span>{}</span></div>'
        "</div>",
        format_mb(top), format_mb(top / 2), svg, formats.day_of_month(first), formats.day_of_month(last),
    )


def format_mb(value: float) -> str:
    """A chart's figure (megabytes) as the portal writes data amounts: ``850 MB``, ``1.2 GB``."""
    return formats.data_amount(DataQuota(kb=max(0, round(value * KB_PER_MB))))
