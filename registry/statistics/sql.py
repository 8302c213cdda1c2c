"""SQL pieces the figures share: a date column's year and month, a period's bounds, and
counting rows grouped by computed keys."""

from sqlalchemy import Integer, and_, cast, extract, func, select

from registry.db import db
from registry.statistics.periods import Period


def year_month(column):
    """The year and the month of a date column, as integers on SQLite and PostgreSQL."""
    return cast(extract("year", column), Integer), cast(extract("month", column), Integer)


def in_period(column, period: Period):
    return and_(column >= period.start, column <= period.end)


def count_by(*keys, where=()) -> list[tuple]:
    """Rows of (key, ..., count). The keys are computed in a subquery and grouped outside it:
    PostgreSQL cannot tell that a GROUP BY expression holding a parameter (CASE ... THEN
    'open') is the one in the SELECT list, whose parameter is another."""
    inner = select(*(key.label(f"key{n}") for n, key in enumerate(keys))).where(*where).subquery()
    return db.session.execute(select(*inner.c, func.count()).group_by(*inner.c)).all()
