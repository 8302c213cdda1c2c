"""Stored rating results (DESIGN.md §3 RatingSnapshot, §5).

A snapshot is one result of the rating method for one agency as of one local date: the
status, the score, the stars shown (an approved override's, or the method's), the stars the
method gave, every component and cap, and the method version. A new snapshot is written
only when the result changes; the latest one is mirrored on the agency row (stars,
rating_status, score, and its as_of as rating_as_of) so the search can filter and sort by it.

A rating run records a full recompute: every agency rated as of one day. A stored result
holds as of the later of its own date and the latest run's day (ratings.results.queries
.result_day): the run confirmed every result it did not change, so it need not write their
agency rows (on PostgreSQL, rewriting 200,000 agency rows a night cost 26 s, each new row
version entering every index of the table, trigram indexes included).
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ratings.engagements.models import Engagement, Review
from ratings.method import RatingStatus
from registry.db import db, utcnow


def _known(column: str, enum: type[StrEnum]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{member.value}'" for member in enum))


class RatingSnapshot(db.Model):
    __tablename__ = "rating_snapshot"
    __table_args__ = (
        CheckConstraint(_known("status", RatingStatus), name="status_known"),
        CheckConstraint("stars IS NULL OR stars BETWEEN 1 AND 5", name="stars_range"),
        CheckConstraint(
            "computed_stars IS NULL OR computed_stars BETWEEN 1 AND 5", name="computed_stars_range"
        ),
        # An agency's history in date order; its latest snapshot.
        Index("ix_rating_snapshot_agency_as_of", "agency_id", "as_of", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    # The local date the result is as of (time decay makes results depend on it).
    as_of: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    method_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    # The stars shown: the override's while one is in force, else the method's.
    stars: Mapped[int | None]
    # The stars the method gave (None when unrated or blacklisted).
    computed_stars: Mapped[int | None]
    score: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    # Every component, penalty and count (ratings.method.Result.components), and the caps.
    components: Mapped[dict] = mapped_column(JSON, default=dict)
    caps: Mapped[list] = mapped_column(JSON, default=list)
    # The approved override in force when the result was stored, if any.
    override_id: Mapped[int | None] = mapped_column(ForeignKey("rating_override.id"))

    # The latest run's day, loaded with the latest result (ratings.results.queries).
    run_day: Mapped[date | None] = query_expression()

    agency = relationship("Agency")
    override = relationship("RatingOverride")

    @property
    def holds_as_of(self) -> date:
        """The day the result holds as of (loaded with its run_day)."""
        return result_day(self.as_of, self.run_day)


def result_day(own: date | None, run_day: date | None) -> date | None:
    """The day a stored result holds as of: its own (its snapshot's, mirrored as the agency
    row's rating_as_of) or, when later, the latest run's day: the run rated every agency and
    confirmed the results it did not change. None for an agency never rated."""
    if own is None or run_day is None:
        return own
    return max(own, run_day)


class RatingRun(db.Model):
    """One full recompute (ratings.results.recompute.recompute_all): every agency rated as
    of a day, and how many results changed."""

    __tablename__ = "rating_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date]
    method_version: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    agencies: Mapped[int]
    changed: Mapped[int]


class RatingMonth(db.Model):
    """One agency's counted reviews and confirmed engagements of one local calendar month,
    kept by the session hook as evidence changes (ratings.results.hooks), so refreshing an
    agency after a review reads at most one row a month, however many reviews it has.

    month is year x 12 + month - 1. The full recompute reads the evidence rows themselves and
    rebuilds these rows for the window; the property tests check the two agree.
    """

    __tablename__ = "rating_month"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    reviews: Mapped[int] = mapped_column(default=0)
    review_points: Mapped[int] = mapped_column(default=0)  # the sum of the four scores
    confirmed: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)


# Covering indexes of the evidence the rating reads most (ratings.results.evidence): an
# agency's reviews in the window, and its confirmed and overcharged engagements, read from
# the index alone (defined here, by the reader, on the engagements package's tables).
Index(
    "ix_review_rating",
    Review.agency_id,
    Review.created_at,
    Review.hidden_at,
    Review.quality,
    Review.timeliness,
    Review.fee_compliance,
    Review.conduct,
)
# Overcharged engagements are few: found by range on overcharge_fen > 0, never by scanning.
Index(
    "ix_engagement_overcharge",
    Engagement.agency_id,
    Engagement.overcharge_fen,
    Engagement.start_date,
    Engagement.status,
)
Index(
    "ix_engagement_rating",
    Engagement.agency_id,
    Engagement.status,
    Engagement.confirmed_on,
    Engagement.late_working_days,
    Engagement.start_date,
    Engagement.overcharge_fen,
)

# The session hook that keeps results current is installed with the models it writes.
from ratings.results import hooks  # noqa: E402, F401
