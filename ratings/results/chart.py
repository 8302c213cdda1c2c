"""The rating history as a step chart, drawn on the server as SVG (no script, no CDN): the
geometry here, the markup in templates/ratings/rating_history.svg."""

from dataclasses import dataclass
from datetime import date, timedelta

from ratings.results.queries import Point

WIDTH, HEIGHT = 600, 160
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 26
# A single result still gets a line: drawn over this many days up to its date.
MIN_SPAN_DAYS = 30


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    rated: bool


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    segments: tuple[Segment, ...]
    rises: tuple[tuple[float, float, float], ...]  # x, y from, y to
    star_rows: tuple[tuple[int, float], ...]  # stars, y
    first: date
    last: date
    plot_left: int
    plot_right: int
    baseline: float


def star_y(stars: int | None) -> float:
    """Stars 1-5 up the plot; no stars on the baseline."""
    plot = HEIGHT - TOP - BOTTOM
    return TOP + plot - (stars or 0) * plot / 5


def history_chart(points: list[Point], until: date | None) -> Chart:
    """Each result held from its date to the next one's (the last one to `until`)."""
    first = points[0].as_of if points else (until or date.today())
    last = max([until or first, *(point.as_of for point in points)])
    if (last - first).days < MIN_SPAN_DAYS:
        first = last - timedelta(days=MIN_SPAN_DAYS)
    span = (last - first).days
    right = WIDTH - RIGHT

    def x(day: date) -> float:
        return round(LEFT + (day - first).days * (right - LEFT) / span, 1)

    segments, rises = [], []
    for index, point in enumerate(points):
        end = points[index + 1].as_of if index + 1 < len(points) else last
        y = star_y(point.stars)
        segments.append(Segment(x(point.as_of), y, x(end), point.stars is not None))
        if index:
            rises.append((x(point.as_of), star_y(points[index - 1].stars), y))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        segments=tuple(segments),
        rises=tuple(rises),
        star_rows=tuple((stars, star_y(stars)) for stars in range(1, 6)),
        first=first,
        last=last,
        plot_left=LEFT,
        plot_right=right,
        baseline=star_y(None),
    )
