"""A figure: one set of aggregates, shown both as a chart and as a table of the same numbers.

Rows are the chart's x-axis labels (months, categories, service items); each series is a
column of the table, and a bar (or a stack) in the chart unless it is `charted=False`
(counts that explain a share, shown in the table only). Labels are already in the
request's language when the figure is built.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import format_decimal, format_percent


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"  # 0-100
    DAYS = "days"  # working days
    YUAN = "yuan"


class ChartKind(StrEnum):
    BAR = "bar"
    HORIZONTAL_BAR = "horizontal_bar"
    STACKED_BAR = "stacked_bar"
    LINE = "line"


@dataclass
class Series:
    label: str
    values: list[float | int | None]
    unit: Unit = Unit.COUNT
    charted: bool = True
    # A reference to read the others against (a time limit): drawn dashed, without dots.
    reference: bool = False


@dataclass
class Figure:
    name: str
    title: str
    description: str
    chart: ChartKind
    row_heading: str
    rows: list[str]
    series: list[Series]
    # The number of records counted; 0 means the period has no data for this figure.
    total: int
    summary: str | None = None
    notes: list[str] = field(default_factory=list)
    # Counted as things stand today, whatever the period (agencies, open complaints).
    current: bool = False

    @property
    def wide(self) -> bool:
        """Many columns: the table goes below the chart rather than beside it."""
        return len(self.series) > 2

    @property
    def empty(self) -> bool:
        return self.total == 0 or not self.rows

    @property
    def charted(self) -> list[Series]:
        return [series for series in self.series if series.charted]

    @property
    def unit(self) -> Unit:
        """The chart's y-axis unit: its first charted series'."""
        return self.charted[0].unit if self.charted else Unit.COUNT

    def table(self) -> list[tuple[str, list[str]]]:
        """Each row's label and its formatted values, one per series."""
        return [
            (row, [format_value(series.values[index], series.unit) for series in self.series])
            for index, row in enumerate(self.rows)
        ]


def format_value(value, unit: Unit) -> str:
    """A value as the page's language writes it; a dash where there is nothing to show."""
    if value is None:
        return "–"
    if unit is Unit.PERCENT:
        return format_percent(value / 100, "#,##0.0%")
    if unit is Unit.DAYS:
        return format_decimal(value, "#,##0.#")
    if unit is Unit.YUAN:
        return format_decimal(value, "#,##0.00")
    return format_decimal(value, "#,##0")


def share(part: int, whole: int) -> float | None:
    """part of whole in percent, or None when there is no whole."""
    return None if not whole else 100.0 * part / whole


def weighted_median(counts: dict[float, int]) -> float | None:
    """The median of values given with how often each occurs (the mean of the two middle
    values when the count is even)."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def nth(n: int) -> float:
        seen = 0
        for value, count in ordered:
            seen += count
            if seen > n:
                return value
        return ordered[-1][0]

    middle = total // 2
    if total % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2
