"""Server-rendered SVG charts, readable at a glance and without colour: every bar carries its label and its value
as text. Bars (horizontal) for categories with long names, columns (vertical) for up to a year of months. Each
chart is an image with a name (`role="img"`, `aria-label`); the page puts the data table beside it.

Colours are KERN UX's (dark blue 700 for bars, neutral 950 for text), given as attributes so the SVG also draws
without the stylesheet (PDF, print); app.css sets the same through KERN's CSS variables for its dark theme.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_COLOUR = "#2044aa"  # --kern-color-darkblue-700
TEXT_COLOUR = "#131525"  # --kern-color-neutral-950
AXIS_COLOUR = "#5b6185"  # --kern-color-neutral-600
WIDTH = 640
MAX_COLUMNS = 13  # more categories than this are drawn as bars: column labels would not fit


@dataclass(frozen=True)
class Bar:
    """One category: its name, its value, and the value as written (e.g. "83,3 %")."""

    label: str
    value: float
    text: str


def _svg(title: str, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" focusable="false" '
        f'font-family="Fira Sans, sans-serif">' + "".join(body) + "</svg>")


def _described(title: str, bars: list[Bar]) -> str:
    """The chart's accessible name: its title and every value ("Beiträge: Jan. 2026 12, Feb. 2026 9")."""
    return f"{title}: " + ", ".join(f"{bar.label} {bar.text}" for bar in bars)


def bar_chart(title: str, bars: list[Bar]) -> Markup:
    """Horizontal bars, each with its label above and its value after it; the longest bar fills the width."""
    row, top = 46, 6
    height = top + row * len(bars) + 4
    largest = max((bar.value for bar in bars), default=0) or 1
    room = WIDTH - 80  # what is left beside the value text
    body = []
    for number, bar in enumerate(bars):
        y = top + number * row
        length = round(room * bar.value / largest) if bar.value > 0 else 0
        body.append(f'<text class="chart__text" x="0" y="{y + 13}" font-size="14" fill="{TEXT_COLOUR}">'
                    f"{escape(bar.label)}</text>")
        body.append(f'<rect class="chart__bar" x="0" y="{y + 19}" width="{max(length, 2)}" height="18" '
                    f'fill="{BAR_COLOUR if length else AXIS_COLOUR}"/>')
        body.append(f'<text class="chart__text chart__value" x="{max(length, 2) + 6}" y="{y + 33}" font-size="14" '
                    f'font-weight="bold" fill="{TEXT_COLOUR}">{escape(bar.text)}</text>')
    return _svg(_described(title, bars), height, body)


def column_chart(title: str, bars: list[Bar]) -> Markup:
    """Vertical columns on a base line, the value above each and the label below; beyond MAX_COLUMNS bars."""
    if len(bars) > MAX_COLUMNS:
        return bar_chart(title, bars)
    plot_top, plot_height, label_room = 24, 180, 40
    height = plot_top + plot_height + label_room
    largest = max((bar.value for bar in bars), default=0) or 1
    slot = WIDTH / max(len(bars), 1)
    width = min(slot * 0.7, 64)
    base = plot_top + plot_height
    body = [f'<line class="chart__axis" x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{AXIS_COLOUR}" '
            f'stroke-width="1"/>']
    for number, bar in enumerate(bars):
        middle = slot * number + slot / 2
        length = round(plot_height * bar.value / largest) if bar.value > 0 else 0
        body.append(f'<rect class="chart__bar" x="{middle - width / 2:.1f}" y="{base - length}" width="{width:.1f}" '
                    f'height="{length}" fill="{BAR_COLOUR}"/>')
        body.append(f'<text class="chart__text chart__value" x="{middle:.1f}" y="{base - length - 6}" '
                    f'font-size="13" font-weight="bold" text-anchor="middle" fill="{TEXT_COLOUR}">'
                    f"{escape(bar.text)}</text>")
        first, _space, second = bar.label.rpartition(" ") if " " in bar.label else (bar.label, "", "")
        body.append(f'<text class="chart__text" x="{middle:.1f}" y="{base + 17}" font-size="12" '
                    f'text-anchor="middle" fill="{TEXT_COLOUR}">{escape(first)}'
                    f'<tspan x="{middle:.1f}" dy="15">{escape(second)}</tspan></text>')
    return _svg(_described(title, bars), height, body)

