"""Figures drawn as SVG by pygal, on the server, for an <img>: no script, nothing fetched.

pygal's defaults would pull its tooltip script from a CDN and write an inline script into
the SVG; here `js=[]` drops the first and an XML filter removes the second, with pygal's
comments (which carry its web addresses). The fonts are named so that Chinese renders with
the fonts the operating system has (CJK fonts are installed with the product, see README).
"""

import unicodedata
from xml.etree import ElementTree

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from registry.statistics.figures import ChartKind, Figure, Unit, format_value

FONT_FAMILY = (
    '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",'
    ' "PingFang SC", "DejaVu Sans", sans-serif'
)
STYLE = Style(
    font_family=FONT_FAMILY,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="rgba(0, 0, 0, .87)",
    foreground_strong="#212529",
    foreground_subtle="rgba(0, 0, 0, .6)",
    guide_stroke_color="#c8ccd0",
    major_guide_stroke_color="#9aa0a6",
    opacity=".85",
    opacity_hover=".95",
    title_font_size=18,
    legend_font_size=13,
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    no_data_font_size=28,
    colors=(
        "#0b4f9c",
        "#e07b00",
        "#2e8540",
        "#b8290f",
        "#6f42c1",
        "#0f8b8d",
        "#8a6d3b",
        "#d63384",
        "#6c757d",
    ),
)
WIDTH = 800
NARROW_WIDTH = 560  # beside its table: drawn smaller, so its text is not shrunk as much
HEIGHT = 420
MARGIN = 20  # pygal's default margin around the plot
TRUNCATE_LABEL = 32  # characters of a row label drawn; the table has them whole
ROW_HEIGHT = 28  # horizontal bars: the chart grows with the rows so labels stay legible

CHART_TYPES = {
    ChartKind.BAR: pygal.Bar,
    ChartKind.HORIZONTAL_BAR: pygal.HorizontalBar,
    ChartKind.STACKED_BAR: pygal.StackedBar,
    ChartKind.LINE: pygal.Line,
}
REFERENCE_LINE = {"width": 2, "dasharray": "8, 6"}


def render_svg(figure: Figure) -> bytes:
    """The figure's chart as a standalone SVG document, in the request's language."""
    chart = CHART_TYPES[figure.chart](
        js=[],
        style=STYLE,
        no_prefix=True,
        explicit_size=True,
        width=chart_size(figure)[0],
        height=chart_size(figure)[1],
        margin_left=_left_margin(figure),
        title=figure.title,
        no_data_text=_("No data for this period"),
        show_legend=len(figure.charted) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=40,
        truncate_label=TRUNCATE_LABEL,
        x_label_rotation=0 if len(figure.rows) <= 8 else 30,
        print_values=False,
        value_formatter=lambda value: format_value(value, figure.unit),
        show_y_guides=True,
        min_scale=4,
        max_scale=10,
        range=(0, 100) if figure.unit is Unit.PERCENT else None,
        include_x_axis=True,
        allow_interruptions=True,
        dots_size=5,
        stroke_style={"width": 3},
    )
    chart.add_xml_filter(_without_scripts_or_comments)
    if not figure.empty:
        # pygal draws a horizontal chart's first row at the bottom; the table reads downwards.
        order = -1 if figure.chart is ChartKind.HORIZONTAL_BAR else 1
        chart.x_labels = figure.rows[::order]
        for series in figure.charted:
            extra = {"stroke_style": REFERENCE_LINE, "show_dots": False} if series.reference else {}
            values = [_plain(value) for value in series.values[::order]]
            chart.add(series.label, values, **extra)
    return chart.render()


def chart_size(figure: Figure) -> tuple[int, int]:
    """The drawn width and height: pages give the <img> these, so nothing shifts as it loads."""
    width = WIDTH if figure.wide else NARROW_WIDTH
    if figure.chart is ChartKind.HORIZONTAL_BAR and not figure.empty:
        return width, max(HEIGHT, 140 + ROW_HEIGHT * len(figure.rows))
    return width, HEIGHT


def _left_margin(figure: Figure) -> int:
    """pygal sizes the room for row labels as if every character were narrow; a Chinese
    character is about twice as wide, so horizontal charts get the difference back."""
    if figure.chart is not ChartKind.HORIZONTAL_BAR or figure.empty:
        return MARGIN
    wide = max(sum(_is_wide(char) for char in row[:TRUNCATE_LABEL]) for row in figure.rows)
    return MARGIN + round(0.45 * STYLE.label_font_size * wide)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _plain(value):
    """pygal draws floats; None leaves a gap."""
    return None if value is None else float(value)


def _without_scripts_or_comments(root):
    """XML filter: drop <script> elements and comments wherever pygal put them."""
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag is ElementTree.Comment or str(child.tag).endswith("script"):
                parent.remove(child)
    return root
