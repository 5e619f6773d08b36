"""Server-rendered SVG bar charts: no JavaScript, readable by screen readers.

The SVG carries ``role="img"`` with a title and a description summing it up; each bar has its own
``<title>`` (a tooltip and an accessible name). Pages show the same numbers in a table as the text
alternative.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 720, 220
PAD_LEFT, PAD_BOTTOM, PAD_TOP = 48, 28, 12


@dataclass(frozen=True)
class Bar:
    day: date
    value: float  # MB


def usage_bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str) -> SafeString:
    if not bars:
        return format_html('<p class="help">No usage recorded for this period.</p>')
    top = max(max(bar.value for bar in bars), 1.0)
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    step = plot_w / len(bars)
    bar_w = max(step * 0.7, 1.0)
    total = sum(bar.value for bar in bars)
    rects = []
    for index, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = PAD_LEFT + index * step + (step - bar_w) / 2
        y = PAD_TOP + plot_h - height
        label = f"{bar.day:%-d %b}: {format_mb(bar.value)}"
        rects.append((f"{x:.1f}", f"{y:.1f}", f"{bar_w:.1f}", f"{height:.1f}", label))
    ticks = [(PAD_TOP + plot_h * (1 - fraction), format_mb(top * fraction)) for fraction in (0, 0.5, 1)]
    axis = format_html_join("", '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
                                '<text x="{}" y="{}" class="tick">{}</text>',
                            ((PAD_LEFT, WIDTH - 8, f"{y:.1f}", f"{y:.1f}", PAD_LEFT - 6, f"{y + 4:.1f}", text)
                             for y, text in ticks))
    first, last = bars[0].day, bars[-1].day
    labels = format_html(
        '<text x="{}" y="{}" class="tick start">{}</text><text x="{}" y="{}" class="tick end">{}</text>',
        PAD_LEFT, HEIGHT - 8, f"{first:%-d %b}", WIDTH - 8, HEIGHT - 8, f"{last:%-d %b}",
    )
    body = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}</title></rect>',
                            rects)
    description = (f"Daily data use from {first:%-d %B} to {last:%-d %B %Y}: {format_mb(total)} in all, "
                   f"at most {format_mb(top)} in a day.")
    return format_html(
        '<svg class="usage-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'preserveAspectRatio="xMinYMin meet"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '{}{}{}</svg>',
        WIDTH, HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description, axis, body, labels,
    )


def format_mb(value: float) -> str:
    if value >= 1024:
        return f"{value / 1024:.1f} GB"
    return f"{value:.0f} MB"
