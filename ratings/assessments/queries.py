"""Reads of evaluations and inspections: for the pages, and set-wise for the rating engine.

The rating engine (DESIGN §5) asks, for many agencies at once and as of a date:
- the latest inspection within the window that is not withdrawn (`latest_inspections`,
  `latest_inspection_by_agency`);
- the supervisor evaluations within the window (`evaluations_within`,
  `evaluations_by_agency`, `evaluation_summaries`).
A window of N months as of day D is the rating method's: from the first day of the month N - 1
months before D's month, up to D itself (ratings.months), so what the pages show is what counts.
The Select builders return plain columns, so the engine can use them as subqueries.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from flask import current_app
from sqlalchemy import Select, Subquery, bindparam, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from ratings.assessments.models import ASSESSED_STATUSES, Inspection, SupervisorEvaluation
from ratings.months import month_start
from registry.agencies.credit_code import normalise_credit_code
from registry.agencies.models import Agency
from registry.agencies.names import normalise_name
from registry.db import LIKE_ESCAPE, contains_pattern, db

# --- windows -------------------------------------------------------------------------------


def window_since(as_of: date, months: int) -> date:
    """The first day of a window of `months` calendar months ending on `as_of` (inclusive):
    the first of its oldest month, where the rating method starts counting."""
    return month_start(as_of, months - 1)


# --- for the rating engine -------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionFact:
    agency_id: int
    inspection_id: int
    inspected_on: date
    score: int


@dataclass(frozen=True)
class EvaluationFact:
    agency_id: int
    evaluation_id: int
    supervisor_id: int
    score: int
    evaluated_on: date


@dataclass(frozen=True)
class EvaluationSummary:
    count: int
    average: float


def latest_inspections(since: date, until: date) -> Select:
    """Per agency, its latest counted inspection dated from `since` to `until`.

    Columns: agency_id, inspection_id, inspected_on, score. Of two inspections on the same
    day, the one entered later counts.
    """
    ranked = (
        select(
            Inspection.agency_id,
            Inspection.id.label("inspection_id"),
            Inspection.inspected_on,
            Inspection.score,
            func.row_number()
            .over(
                partition_by=Inspection.agency_id,
                order_by=(Inspection.inspected_on.desc(), Inspection.id.desc()),
            )
            .label("position"),
        )
        .where(
            Inspection.withdrawn_at.is_(None),
            Inspection.inspected_on >= since,
            Inspection.inspected_on <= until,
        )
        .subquery("ranked_inspection")
    )
    return select(
        ranked.c.agency_id, ranked.c.inspection_id, ranked.c.inspected_on, ranked.c.score
    ).where(ranked.c.position == 1)


def latest_inspection_by_agency(
    agency_ids: Iterable[int] | None, as_of: date, months: int
) -> dict[int, InspectionFact]:
    """The latest counted inspection in the window, per agency (None: every agency)."""
    query = latest_inspections(window_since(as_of, months), as_of)
    if agency_ids is not None:
        query = query.where(query.selected_columns.agency_id.in_(list(agency_ids)))
    return {row.agency_id: InspectionFact(*row) for row in db.session.execute(query)}


def evaluations_within(since: date, until: date) -> Select:
    """Every supervisor evaluation made from `since` to `until`.

    Columns: agency_id, evaluation_id, supervisor_id, score, evaluated_on (the day of its
    last change, always inside its quarter).
    """
    return select(
        SupervisorEvaluation.agency_id,
        SupervisorEvaluation.id.label("evaluation_id"),
        SupervisorEvaluation.supervisor_id,
        SupervisorEvaluation.score,
        SupervisorEvaluation.evaluated_on,
    ).where(SupervisorEvaluation.evaluated_on >= since, SupervisorEvaluation.evaluated_on <= until)


def evaluations_by_agency(
    agency_ids: Iterable[int] | None, as_of: date, months: int
) -> dict[int, list[EvaluationFact]]:
    """The evaluations in the window, per agency, oldest first (None: every agency)."""
    query = _for_agencies(
        evaluations_within(window_since(as_of, months), as_of), SupervisorEvaluation, agency_ids
    ).order_by(SupervisorEvaluation.agency_id, SupervisorEvaluation.evaluated_on)
    found: dict[int, list[EvaluationFact]] = {}
    for row in db.session.execute(query):
        found.setdefault(row.agency_id, []).append(EvaluationFact(*row))
    return found


def evaluation_summaries(
    agency_ids: Iterable[int] | None, as_of: date, months: int
) -> dict[int, EvaluationSummary]:
    """How many evaluations each agency had in the window, and their average score."""
    query = _for_agencies(
        select(
            SupervisorEvaluation.agency_id,
            func.count(SupervisorEvaluation.id),
            func.avg(SupervisorEvaluation.score),
        )
        .where(
            SupervisorEvaluation.evaluated_on >= window_since(as_of, months),
            SupervisorEvaluation.evaluated_on <= as_of,
        )
        .group_by(SupervisorEvaluation.agency_id),
        SupervisorEvaluation,
        agency_ids,
    )
    return {
        agency_id: EvaluationSummary(count, float(average))
        for agency_id, count, average in db.session.execute(query)
    }


def _for_agencies(query: Select, model, agency_ids: Iterable[int] | None) -> Select:
    return query if agency_ids is None else query.where(model.agency_id.in_(list(agency_ids)))


# --- for the pages -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentSummary:
    """What the public profile shows: the rating window's latest inspection and evaluations."""

    since: date
    latest_inspection: InspectionFact | None
    evaluations: EvaluationSummary | None


def assessment_figures(agency_id, since, until) -> tuple[Subquery, Subquery]:
    """assessment_summary's figures as two subqueries for one agency and window: the
    evaluations' count and mean (evaluations, evaluation_average; always one row), and the
    latest counted inspection (inspection_id, inspected_on, inspection_score; one row or
    none, so join it outer), each led by its agency index.

    They agree with the set-wise queries above (of two inspections on a day, the one
    entered later counts), which rank every agency's inspections: a cost a page read on
    every visit need not pay.
    """
    evaluations = (
        select(
            func.count(SupervisorEvaluation.id).label("evaluations"),
            func.avg(SupervisorEvaluation.score).label("evaluation_average"),
        )
        .where(
            SupervisorEvaluation.agency_id == agency_id,
            SupervisorEvaluation.evaluated_on >= since,
            SupervisorEvaluation.evaluated_on <= until,
        )
        .subquery("evaluation_figures")
    )
    latest = (
        select(
            Inspection.id.label("inspection_id"),
            Inspection.inspected_on,
            Inspection.score.label("inspection_score"),
        )
        .where(
            Inspection.agency_id == agency_id,
            Inspection.withdrawn_at.is_(None),
            Inspection.inspected_on >= since,
            Inspection.inspected_on <= until,
        )
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        .limit(1)
        .subquery("latest_inspection")
    )
    return evaluations, latest


def summary_of_assessments(row, agency_id: int, since: date) -> AssessmentSummary:
    """An AssessmentSummary from a row holding assessment_figures()' columns."""
    return AssessmentSummary(
        since=since,
        latest_inspection=(
            InspectionFact(agency_id, row.inspection_id, row.inspected_on, row.inspection_score)
            if row.inspection_id is not None
            else None
        ),
        evaluations=(
            EvaluationSummary(row.evaluations, float(row.evaluation_average))
            if row.evaluations
            else None
        ),
    )


def profile_window(as_of: date) -> date:
    """The first day of the rating window (RATING_WINDOW_MONTHS) the profile shows."""
    return window_since(as_of, current_app.config["RATING_WINDOW_MONTHS"])


@cache
def _assessment_summary_statement() -> Select:
    """Built once (the profile pages run it on every visit): only its parameters change."""
    evaluations, latest = assessment_figures(
        bindparam("agency_id"), bindparam("since"), bindparam("until")
    )
    return select(evaluations, latest).select_from(evaluations.outerjoin(latest, true()))


def assessment_summary(agency_id: int, as_of: date) -> AssessmentSummary:
    """The profile's facts within the rating window (RATING_WINDOW_MONTHS) as of a day, in
    one statement."""
    since = profile_window(as_of)
    row = db.session.execute(
        _assessment_summary_statement(), {"agency_id": agency_id, "since": since, "until": as_of}
    ).one()
    return summary_of_assessments(row, agency_id, since)


def assessed_agencies(q: str | None = None) -> Select:
    """Agencies a supervisor may evaluate, by part of the name or a whole credit code."""
    query = select(Agency).where(Agency.status.in_([s.value for s in ASSESSED_STATUSES]))
    if q and q.strip():
        query = query.where(
            or_(
                Agency.credit_code == normalise_credit_code(q),
                Agency.name_normalised.like(
                    contains_pattern(normalise_name(q)), escape=LIKE_ESCAPE
                ),
            )
        )
    return query.order_by(Agency.name_normalised, Agency.id)


def evaluation_of(supervisor_id: int, agency_id: int, year: int, quarter: int):
    """The supervisor's evaluation of the agency for a quarter, or None."""
    return db.session.execute(
        select(SupervisorEvaluation).where(
            SupervisorEvaluation.supervisor_id == supervisor_id,
            SupervisorEvaluation.agency_id == agency_id,
            SupervisorEvaluation.year == year,
            SupervisorEvaluation.quarter == quarter,
        )
    ).scalar_one_or_none()


def evaluations_in_quarter(
    supervisor_id: int, agency_ids: Iterable[int], year: int, quarter: int
) -> dict[int, SupervisorEvaluation]:
    """The supervisor's evaluations of these agencies in a quarter, by agency id."""
    rows = db.session.execute(
        select(SupervisorEvaluation).where(
            SupervisorEvaluation.supervisor_id == supervisor_id,
            SupervisorEvaluation.agency_id.in_(list(agency_ids)),
            SupervisorEvaluation.year == year,
            SupervisorEvaluation.quarter == quarter,
        )
    ).scalars()
    return {evaluation.agency_id: evaluation for evaluation in rows}


def evaluations_by(supervisor_id: int) -> Select:
    """A supervisor's evaluations, newest quarter first."""
    return (
        select(SupervisorEvaluation)
        .where(SupervisorEvaluation.supervisor_id == supervisor_id)
        .options(joinedload(SupervisorEvaluation.agency))
        .order_by(
            SupervisorEvaluation.year.desc(),
            SupervisorEvaluation.quarter.desc(),
            SupervisorEvaluation.evaluated_on.desc(),
            SupervisorEvaluation.id.desc(),
        )
    )


def evaluations_of(agency_id: int) -> Select:
    """An agency's evaluations by every supervisor, newest first (for regulators)."""
    return (
        select(SupervisorEvaluation)
        .where(SupervisorEvaluation.agency_id == agency_id)
        .options(joinedload(SupervisorEvaluation.supervisor))
        .order_by(SupervisorEvaluation.evaluated_on.desc(), SupervisorEvaluation.id.desc())
    )


def inspections_of(agency_id: int) -> Select:
    """An agency's inspections, withdrawn ones included, newest first."""
    return (
        select(Inspection)
        .where(Inspection.agency_id == agency_id)
        .options(joinedload(Inspection.report))
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    )


INSPECTION_STATES = ("counted", "withdrawn")


def inspections_for_regulators(
    *,
    q: str | None = None,
    state: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Select:
    """Every inspection, filtered by agency (name or credit code), state and dates."""
    query = (
        select(Inspection)
        .join(Agency, Agency.id == Inspection.agency_id)
        .options(contains_eager(Inspection.agency), joinedload(Inspection.entered_by))
    )
    if q and q.strip():
        query = query.where(
            or_(
                Agency.credit_code == normalise_credit_code(q),
                Agency.name_normalised.like(
                    contains_pattern(normalise_name(q)), escape=LIKE_ESCAPE
                ),
            )
        )
    if state == "counted":
        query = query.where(Inspection.withdrawn_at.is_(None))
    elif state == "withdrawn":
        query = query.where(Inspection.withdrawn_at.is_not(None))
    if since is not None:
        query = query.where(Inspection.inspected_on >= since)
    if until is not None:
        query = query.where(Inspection.inspected_on <= until)
    return query.order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
