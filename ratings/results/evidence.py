"""Each agency's evidence as of a day, read set-wise: SQL aggregates grouped by agency and
month of age, never a loop over review rows (DESIGN §5; ratings.method reads the buckets).

Month age is the number of calendar months between the evidence's local date and the
rating's day (evidence of November 2026 is age 0 on 29 November 2026, of October age 1).
The window is the ages 0 to window_months - 1: from the first day of the oldest month up to
the rating's day itself; evidence dated after that day does not count, so a result can be
recomputed as of its own date.

What counts, for an agency:
- reviews: not hidden by a regulator (a hidden review, whose reason is public, says
  nothing about the agency's work: it counts neither in the average nor in the number of
  reviews), by the local month they were posted; each review's total of its four scores;
- supervisor evaluations: by the day of their last change, each score 1-5;
- the inspection: the latest not withdrawn in the window (ratings.assessments);
- complaints: substantiated, by severity and the month they were concluded;
- engagements: those confirmed in the window, and the confirmed ones delivered late
  (late_working_days > 0, fixed at delivery); overcharges: engagements the agency took on
  (not awaiting it, not cancelled) that started in the window with an agreed fee above the
  limit in force;
- committed: its commitment letter is valid on the day (registry.commitments);
- blacklisted: the listing dates on the agency row count the day (registry.agencies.listing).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter, itemgetter

from sqlalchemy import (
    Connection,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from ratings.assessments.models import Inspection, SupervisorEvaluation
from ratings.complaints.models import Complaint
from ratings.complaints.queries import substantiated_select
from ratings.engagements.models import Engagement, EngagementStatus, Review
from ratings.method import Evidence, MonthBucket
from ratings.months import month_start
from ratings.results.configured import current_method
from ratings.results.models import RatingMonth
from registry.agencies.listing import listed_on
from registry.agencies.models import Agency
from registry.commitments.queries import commitments_of
from registry.dates import registry_zone
from registry.db import IdScope, db

# Agencies read together (large batches are selected by their id range: IdScope).
BATCH = 5000
# Engagements whose agreed fee the agency accepted: an overcharge in them counts.
TAKEN_ON = (
    EngagementStatus.OPEN.value,
    EngagementStatus.DELIVERED.value,
    EngagementStatus.CONFIRMED.value,
    EngagementStatus.DISPUTED.value,
)


class MonthCheck:
    """What reading the evidence rows found of the monthly rows (RatingMonth) the session hook
    keeps: the agencies whose kept rows differ from what their evidence rows give, and those
    agencies' grouped review rows (agency_id, age, count, total) and confirmed engagement rows
    (agency_id, age, confirmed, overdue), from which month_tuples builds their rows again;
    and the agencies that keep any row (only theirs need deleting first)."""

    def __init__(self) -> None:
        self.stale: set[int] = set()
        self.keeping: set[int] = set()
        self.review_rows: list[tuple] = []
        self.confirmed_rows: list[tuple] = []

    def add_batch(self, ids: list[int], review_rows, confirmed_rows, kept_parts) -> None:
        """Compare one batch: review_rows and confirmed_rows carry a fifth column, 1 where
        a kept row of that month holds the same figures; kept_parts, per agency that keeps
        rows, how many in the window hold a review part and a confirmed part. An agency's kept rows
        equal its evidence exactly when every grouped row has its equal and there are no
        other kept parts, which these counts tell without reading the kept rows."""
        stale = {row[0] for row in review_rows if not row[4]}
        stale.update(row[0] for row in confirmed_rows if not row[4])
        reviews = Counter(map(itemgetter(0), review_rows))
        confirmed = Counter(map(itemgetter(0), confirmed_rows))
        kept = {agency_id: (int(parts), int(more)) for agency_id, parts, more in kept_parts}
        self.keeping.update(kept)
        stale.update(
            agency_id
            for agency_id in ids
            if kept.get(agency_id, (0, 0)) != (reviews[agency_id], confirmed[agency_id])
        )
        if stale:
            self.stale |= stale
            self.review_rows += [row for row in review_rows if row[0] in stale]
            self.confirmed_rows += [row for row in confirmed_rows if row[0] in stale]


@dataclass(frozen=True)
class Reading:
    """The rows one batch's evidence statements returned, agency id first: the agencies
    (id, listed on the day), grouped reviews and confirmed engagements (agency_id, age,
    count, total; checked: a fifth column, 1 if the kept monthly row agrees, else 0), evaluations,
    complaints, inspections, overcharges, and (checked) the kept monthly rows' parts."""

    agencies: list
    reviews: list
    confirmed: list
    evaluations: list
    complaints: list
    inspections: list
    overcharges: list
    kept_parts: list | None


def evidence_for(
    agency_ids: list[int] | None,
    as_of: date,
    *,
    maintained: bool = False,
    months_out: MonthCheck | None = None,
    reading: Reading | None = None,
) -> dict[int, Evidence]:
    """The evidence of each agency (None: every agency) as of a local date.

    maintained: read reviews and confirmed engagements from the monthly rows the session hook
    keeps (RatingMonth; only as of today), instead of the rows themselves. months_out, when
    given (as of today), learns which agencies' monthly rows differ from their evidence rows
    (compared in the same statements that read the evidence) and what their rows should be.
    reading: the rows of the agencies' evidence already read (read_evidence, one batch).
    """
    if agency_ids is None:
        agency_ids = list(db.session.execute(select(Agency.id).order_by(Agency.id)).scalars())
    ids = sorted(set(agency_ids))
    if reading is not None:
        return _evidence_of_batch(as_of, reading, months_out)
    found: dict[int, Evidence] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        reading = read_evidence(
            db.session.connection(),
            batch,
            as_of,
            maintained=maintained,
            checked=months_out is not None,
        )
        found.update(_evidence_of_batch(as_of, reading, months_out))
    return found


def read_evidence(
    connection: Connection,
    ids: list[int],
    as_of: date,
    *,
    maintained: bool = False,
    checked: bool = False,
) -> Reading:
    """Run one batch's evidence statements on a connection (the session's, or the full
    recompute's second one, which reads the next batch while the session rates this one).
    maintained: reviews and confirmed engagements from the monthly rows; checked: from the
    evidence rows, each compared with the kept monthly row. A few agencies (a refresh after
    a change of evidence) are read in one statement: on PostgreSQL each statement is a round
    trip, and the refresh runs in the request that changed the evidence."""
    scope = IdScope(ids)
    day = (as_of, current_method()["window_months"], str(registry_zone()))
    prefix = "month_" if maintained else "checked_" if checked else ""
    names = [
        "agencies",
        prefix + "reviews",
        prefix + "confirmed",
        "evaluations",
        "complaints",
        "inspections",
        "overcharges",
    ] + (["kept_parts"] if checked else [])
    if scope.by_range:
        statements = _statements(*day, by_range=True)
        parts = [scope.rows(connection, statements[name]) for name in names]
    else:  # a few agencies (a refresh): one round trip, not seven or eight
        merged = _merged(*day, tuple(names))
        parts = merged.split(scope.rows(connection, merged.statement))
    if not checked:
        parts.append(None)
    return Reading(*parts)


def _evidence_of_batch(
    as_of: date, reading: Reading, months_out: MonthCheck | None
) -> dict[int, Evidence]:
    agencies = [row[0] for row in reading.agencies]
    listed = {row[0] for row in reading.agencies if row[1]}
    reviews = _buckets(reading.reviews)
    evaluations = _buckets(reading.evaluations)
    complaints = _complaint_buckets(reading.complaints)
    inspections = dict(reading.inspections)
    engagements: dict[int, list[int]] = {}
    for row in reading.confirmed:
        totals = engagements.get(row[0])
        if totals is None:
            engagements[row[0]] = [int(row[2]), int(row[3] or 0)]
        else:
            totals[0] += int(row[2])
            totals[1] += int(row[3] or 0)
    overcharges = dict(reading.overcharges)
    if months_out is not None:
        months_out.add_batch(agencies, reading.reviews, reading.confirmed, reading.kept_parts)
    commitments = commitments_of(agencies, as_of)
    found = {}
    for agency_id in agencies:
        confirmed, overdue = engagements.get(agency_id, (0, 0))
        found[agency_id] = Evidence(
            reviews=reviews.get(agency_id, ()),
            evaluations=evaluations.get(agency_id, ()),
            inspection=inspections.get(agency_id),
            complaints=complaints.get(agency_id, {}),
            confirmed_engagements=confirmed,
            overdue_engagements=overdue,
            overcharges=overcharges.get(agency_id, 0),
            committed=commitments[agency_id].signed,
            blacklisted=agency_id in listed,
        )
    return found


@lru_cache(maxsize=32)
def _statements(as_of: date, months: int, zone: str, *, by_range: bool) -> dict[str, Select]:
    """The statements of one rating day, built once (a batch only binds its agencies): their
    month-age CASE expressions cost more to build than a small batch costs to run."""
    window = Window(as_of, months, by_range)
    return {
        "agencies": select(Agency.id, case((listed_on(as_of), 1), else_=0)).where(
            window.on(Agency.id)
        ),
        "reviews": window.reviews(),
        "evaluations": window.evaluations(),
        "complaints": window.complaints(),
        "inspections": window.inspections(),
        "confirmed": window.confirmed(),
        "overcharges": window.overcharges(),
        "month_reviews": window.month_reviews(),
        "month_confirmed": window.month_confirmed(),
        "checked_reviews": window.checked(
            window.reviews(), RatingMonth.reviews, RatingMonth.review_points
        ),
        "checked_confirmed": window.checked(
            window.confirmed(), RatingMonth.confirmed, RatingMonth.overdue
        ),
        "kept_parts": window.kept_parts(),
    }


@lru_cache(maxsize=32)
def _merged(as_of: date, months: int, zone: str, names: tuple[str, ...]) -> "Merged":
    """The named statements of a day for a list of agencies, as one."""
    statements = _statements(as_of, months, zone, by_range=False)
    return Merged([statements[name] for name in names])


class Merged:
    """Several grouped statements as one UNION ALL, and its rows split back into each one's.

    A row is its statement's position, then that statement's numbers (padded with NULLs to
    the widest), then its text column if it has one (a complaint's severity): the branches of
    a union must agree on each column's type."""

    def __init__(self, statements: list[Select]):
        parts = [statement.subquery() for statement in statements]
        width = max(sum(not _is_text(column) for column in part.c) for part in parts)
        self.layouts = []  # per statement: how many numbers, and where its text goes
        branches = []
        for position, part in enumerate(parts):
            numbers = [column for column in part.c if not _is_text(column)]
            texts = [index for index, column in enumerate(part.c) if _is_text(column)]
            label = part.c[texts[0]] if texts else null()
            padding = [null()] * (width - len(numbers))
            branches.append(select(literal_column(str(position)), *numbers, *padding, label))
            self.layouts.append((len(numbers), texts[0] if texts else None))
        self.statement = union_all(*branches)

    def split(self, rows) -> list[list]:
        """The merged rows as each statement's own rows, in the statements' order."""
        found: list[list] = [[] for _ in self.layouts]
        for row in rows:
            count, text_at = self.layouts[row[0]]
            values = row[1 : 1 + count]
            if text_at is not None:
                values = (*values[:text_at], row[-1], *values[text_at:])
            found[row[0]].append(tuple(values))
        return found


def _is_text(column) -> bool:
    return isinstance(column.type, String)


def month_index(day: date) -> int:
    """A local date's calendar month as RatingMonth.month: year x 12 + month - 1."""
    return day.year * 12 + day.month - 1


MONTH_COLUMNS = ("agency_id", "month", "reviews", "review_points", "confirmed", "overdue")


def month_tuples(as_of: date, review_rows, confirmed_rows) -> list[tuple]:
    """RatingMonth rows, as tuples in MONTH_COLUMNS order, from the grouped evidence rows
    (agency_id, age, count, total, ...): a review row and a confirmed row of the same agency
    and month make one row."""
    last = month_index(as_of)
    found = {(row[0], last - row[1]): [row[2], row[3], 0, 0] for row in review_rows}
    for row in confirmed_rows:
        key = (row[0], last - row[1])
        figures = found.get(key)
        if figures is None:
            found[key] = [0, 0, row[2], row[3] or 0]
        else:
            figures[2] = row[2]
            figures[3] = row[3] or 0
    return [(*key, *figures) for key, figures in found.items()]


class Window:
    """The window of a rating day and its evidence as grouped selects (agency_id first)."""

    def __init__(self, as_of: date, months: int, by_range: bool):
        self.as_of = as_of
        self.months = months
        self.by_range = by_range
        self.since = month_start(as_of, months - 1)

    def on(self, agency_column):
        """SQL: the column holds one of the batch's agencies (or one in its id range)."""
        return IdScope.condition(agency_column, self.by_range)

    def age(self, column, bounds: list) -> object:
        """SQL: the month age of a column, given each month's first value (newest first):
        the first age whose bound the value reaches, else the oldest. A binary search of
        nested CASEs (about 5 comparisons a row for 24 months, not up to 23): the grouped
        selects evaluate it for every evidence row."""
        return self._age_between(column, bounds, 0, len(bounds) - 1)

    def _age_between(self, column, bounds: list, low: int, high: int):
        """SQL: the age, known to be between low and high."""
        if low == high:
            return literal(low)
        middle = (low + high) // 2
        return case(
            (column >= bounds[middle], self._age_between(column, bounds, low, middle)),
            else_=self._age_between(column, bounds, middle + 1, high),
        )

    def day_bounds(self) -> list[date]:
        return [month_start(self.as_of, age) for age in range(self.months)]

    def moment_bounds(self) -> list[datetime]:
        """Each month's first local midnight as stored timestamps are (naive UTC)."""
        return [_utc(day) for day in self.day_bounds()]

    def reviews(self) -> Select:
        age = self.age(Review.created_at, self.moment_bounds()).label("age")
        scores = Review.quality + Review.timeliness + Review.fee_compliance + Review.conduct
        return (
            select(Review.agency_id, age, func.count(), func.sum(scores))
            .where(
                self.on(Review.agency_id),
                Review.hidden_at.is_(None),
                Review.created_at >= _utc(self.since),
                Review.created_at < _utc(self.as_of + timedelta(days=1)),
            )
            .group_by(Review.agency_id, age)
        )

    def evaluations(self) -> Select:
        day = SupervisorEvaluation.evaluated_on
        age = self.age(day, self.day_bounds()).label("age")
        return (
            select(
                SupervisorEvaluation.agency_id,
                age,
                func.count(),
                func.sum(SupervisorEvaluation.score),
            )
            .where(self.on(SupervisorEvaluation.agency_id), day >= self.since, day <= self.as_of)
            .group_by(SupervisorEvaluation.agency_id, age)
        )

    def complaints(self) -> Select:
        found = (
            substantiated_select(self.since, self.as_of)
            .where(self.on(Complaint.agency_id))
            .subquery()
        )
        age = self.age(found.c.concluded_on, self.day_bounds()).label("age")
        return select(found.c.agency_id, found.c.severity, age, func.count()).group_by(
            found.c.agency_id, found.c.severity, age
        )

    def inspections(self) -> Select:
        """The latest counted inspection in the window (of two on a day, the later entered)."""
        ranked = (
            select(
                Inspection.agency_id,
                Inspection.score,
                func.row_number()
                .over(
                    partition_by=Inspection.agency_id,
                    order_by=(Inspection.inspected_on.desc(), Inspection.id.desc()),
                )
                .label("position"),
            )
            .where(
                self.on(Inspection.agency_id),
                Inspection.withdrawn_at.is_(None),
                Inspection.inspected_on >= self.since,
                Inspection.inspected_on <= self.as_of,
            )
            .subquery("ranked_inspection")
        )
        return select(ranked.c.agency_id, ranked.c.score).where(ranked.c.position == 1)

    def confirmed(self) -> Select:
        age = self.age(Engagement.confirmed_on, self.day_bounds()).label("age")
        late = case((Engagement.late_working_days > 0, 1), else_=0)
        return (
            select(Engagement.agency_id, age, func.count(), func.sum(late))
            .where(
                self.on(Engagement.agency_id),
                _unindexed(Engagement.status) == EngagementStatus.CONFIRMED.value,
                Engagement.confirmed_on >= self.since,
                Engagement.confirmed_on <= self.as_of,
            )
            .group_by(Engagement.agency_id, age)
        )

    def month_reviews(self) -> Select:
        return self._months(RatingMonth.reviews, RatingMonth.review_points)

    def month_confirmed(self) -> Select:
        return self._months(RatingMonth.confirmed, RatingMonth.overdue)

    def _months(self, count, total) -> Select:
        """Kept monthly rows in the window: (agency_id, age, count, total) where count > 0."""
        last = month_index(self.as_of)
        return select(RatingMonth.agency_id, last - RatingMonth.month, count, total).where(
            self.on(RatingMonth.agency_id),
            RatingMonth.month > last - self.months,
            RatingMonth.month <= last,
            count > 0,
        )

    def checked(self, grouped: Select, count, total) -> Select:
        """The grouped rows (agency_id, age, count, total) and a fifth column, 1 where the
        kept monthly row of that agency and month holds the same count and total, else 0."""
        rows = grouped.subquery()
        agency_id, age, found, found_total = rows.c
        same = case((and_(count == found, total == found_total), 1), else_=0)
        kept = and_(
            RatingMonth.agency_id == agency_id,
            RatingMonth.month == month_index(self.as_of) - age,
        )
        return select(agency_id, age, found, found_total, same).outerjoin(RatingMonth, kept)

    def kept_parts(self) -> Select:
        """Per agency that keeps monthly rows (of any month), how many from the window's
        first month on hold a review part and how many a confirmed part (any figure not 0)."""
        month = RatingMonth
        since = month.month >= month_index(self.since)

        def holding(*figures):
            held = and_(since, or_(*(figure != 0 for figure in figures)))
            return func.sum(case((held, 1), else_=0))

        return (
            select(
                month.agency_id,
                holding(month.reviews, month.review_points),
                holding(month.confirmed, month.overdue),
            )
            .where(self.on(month.agency_id))
            .group_by(month.agency_id)
        )

    def overcharges(self) -> Select:
        return (
            select(Engagement.agency_id, func.count())
            .where(
                self.on(Engagement.agency_id),
                Engagement.overcharge_fen > 0,
                _unindexed(Engagement.status).in_(TAKEN_ON),
                Engagement.start_date >= self.since,
                Engagement.start_date <= self.as_of,
            )
            .group_by(Engagement.agency_id)
        )


@lru_cache(maxsize=1 << 16)
def _bucket(age, count, total) -> MonthBucket:
    """One month's bucket; equal buckets are shared (they are immutable, and most agencies
    have months of one to a few reviews, so building them dominated the full recompute)."""
    return MonthBucket(int(age), int(count), int(total))


_AGE = attrgetter("age")


def _unindexed(status):
    """SQL: the status, as an expression no index of it can serve (the same value). Nearly
    every engagement of a grown registry is confirmed, yet SQLite's planner preferred the
    status index to the agencies' id range and scanned every engagement for each batch
    (0.4 s a batch of 5,000 agencies with 2,000,000 engagements, against 0.05 s)."""
    return status.concat("")


def _buckets(rows) -> dict[int, tuple[MonthBucket, ...]]:
    """Rows (agency_id, age, count, total, ...) as each agency's buckets in age order."""
    found: dict[int, list] = {}
    for row in rows:
        buckets = found.get(row[0])
        if buckets is None:
            found[row[0]] = [_bucket(row[1], row[2], row[3])]
        else:
            buckets.append(_bucket(row[1], row[2], row[3]))
    return {agency_id: tuple(sorted(buckets, key=_AGE)) for agency_id, buckets in found.items()}


def _complaint_buckets(rows) -> dict[int, dict]:
    found: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for agency_id, severity, age, count in rows:
        found[agency_id][severity].append(_bucket(age, count, count))
    return {
        agency_id: {
            severity: tuple(sorted(buckets, key=_AGE))
            for severity, buckets in sorted(by_severity.items())
        }
        for agency_id, by_severity in found.items()
    }


def local_date(moment: datetime) -> date:
    """The local date of a stored (naive UTC) timestamp."""
    return moment.replace(tzinfo=UTC).astimezone(registry_zone()).date()


def _utc(day: date) -> datetime:
    """The local midnight starting a day, as a naive UTC timestamp."""
    local = datetime.combine(day, time.min, tzinfo=registry_zone())
    return local.astimezone(UTC).replace(tzinfo=None)
