"""What the rating engine reads: per agency and set-wise, as of a date, within a window."""

from datetime import date, timedelta

from sqlalchemy import select

from ratings.assessments import services
from ratings.assessments.models import SupervisorEvaluation
from ratings.assessments.queries import (
    EvaluationSummary,
    evaluation_summaries,
    evaluations_by_agency,
    evaluations_within,
    latest_inspection_by_agency,
    latest_inspections,
    window_since,
)
from ratings.months import month_age
from registry.db import db
from tests.ratings.assessments.conftest import recorded

AS_OF = date(2026, 11, 28)


def test_a_window_of_24_months_starts_on_the_first_day_of_its_oldest_month():
    assert window_since(AS_OF, 24) == date(2024, 12, 1)
    assert window_since(date(2026, 11, 30), 24) == date(2024, 12, 1)
    assert window_since(date(2026, 12, 1), 24) == date(2025, 1, 1)
    assert window_since(date(2026, 2, 28), 12) == date(2025, 3, 1)
    assert window_since(date(2028, 2, 29), 12) == date(2027, 3, 1)
    assert window_since(date(2026, 1, 31), 1) == date(2026, 1, 1)


def test_the_window_starts_where_the_rating_methods_month_ages_do():
    """Its first day is the oldest counted month's (age months - 1); the day before is older."""
    for as_of in (AS_OF + timedelta(days=offset) for offset in range(0, 400, 7)):
        since = window_since(as_of, 24)
        assert month_age(since, as_of) == 23
        assert month_age(since - timedelta(days=1), as_of) == 24


def test_the_latest_inspection_in_the_window_counts_per_agency(app, clock, regulator, make_agency):
    old, recent, _uninspected, outside = (make_agency("active") for _ in range(4))
    recorded(regulator, old, date(2025, 1, 10), 60)
    newest = recorded(regulator, old, date(2026, 6, 1), 91)
    recorded(regulator, old, date(2026, 3, 1), 70)
    recorded(regulator, recent, date(2024, 12, 1), 55)  # the window's first day
    recorded(regulator, outside, date(2024, 11, 30), 99)  # the day before it

    found = latest_inspection_by_agency(None, AS_OF, 24)
    assert set(found) == {old.id, recent.id}
    assert (found[old.id].inspection_id, found[old.id].score) == (newest.id, 91)
    assert found[recent.id].inspected_on == date(2024, 12, 1)


def test_as_of_an_earlier_date_later_inspections_do_not_count(app, clock, regulator, agency):
    recorded(regulator, agency, date(2025, 5, 1), 64)
    recorded(regulator, agency, date(2026, 5, 1), 88)
    assert latest_inspection_by_agency([agency.id], date(2026, 1, 1), 24)[agency.id].score == 64


def test_of_two_inspections_on_one_day_the_later_entry_counts(app, clock, regulator, agency):
    recorded(regulator, agency, date(2026, 5, 1), 40)
    second = recorded(regulator, agency, date(2026, 5, 1), 80)
    assert latest_inspection_by_agency([agency.id], AS_OF, 24)[agency.id].inspection_id == (
        second.id
    )


def test_a_withdrawn_inspection_never_counts(app, clock, regulator, agency):
    only = recorded(regulator, agency, date(2026, 5, 1), 10)
    services.withdraw_inspection(regulator, only, "录入错误")
    db.session.commit()
    assert latest_inspection_by_agency([agency.id], AS_OF, 24) == {}


def test_latest_inspections_is_one_statement_the_engine_can_join(
    app, clock, regulator, make_agency
):
    agencies = [make_agency("active") for _ in range(30)]
    for number, agency in enumerate(agencies):
        recorded(regulator, agency, date(2026, 1, 1 + number % 28), 50 + number)
        recorded(regulator, agency, date(2025, 1, 1), 1)
    rows = db.session.execute(latest_inspections(date(2024, 11, 29), AS_OF)).all()
    assert len(rows) == 30
    assert {row.agency_id: row.score for row in rows} == {
        agency.id: 50 + number for number, agency in enumerate(agencies)
    }
    sub = latest_inspections(date(2024, 11, 29), AS_OF).subquery()
    assert db.session.execute(select(sub.c.score).where(sub.c.score > 75)).scalars().all()


def evaluation(supervisor, agency, score: int, day: date) -> SupervisorEvaluation:
    row = SupervisorEvaluation(
        supervisor_id=supervisor.id,
        agency_id=agency.id,
        year=day.year,
        quarter=(day.month - 1) // 3 + 1,
        score=score,
        evaluated_on=day,
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_evaluations_in_the_window_are_read_per_agency(app, make_account, make_agency):
    first, second = make_account("supervisor"), make_account("supervisor")
    one, other, quiet = make_agency("active"), make_agency("active"), make_agency("active")
    evaluation(first, one, 5, date(2026, 10, 1))
    evaluation(second, one, 2, date(2025, 2, 1))
    evaluation(first, one, 1, date(2024, 11, 30))  # the day before the window
    evaluation(first, other, 4, date(2026, 11, 28))  # the window's last day

    found = evaluations_by_agency(None, AS_OF, 24)
    assert set(found) == {one.id, other.id}
    assert [(fact.score, fact.evaluated_on) for fact in found[one.id]] == [
        (2, date(2025, 2, 1)),
        (5, date(2026, 10, 1)),
    ]
    assert {fact.supervisor_id for fact in found[one.id]} == {first.id, second.id}
    assert evaluations_by_agency([quiet.id], AS_OF, 24) == {}
    assert evaluation_summaries([one.id, other.id, quiet.id], AS_OF, 24) == {
        one.id: EvaluationSummary(2, 3.5),
        other.id: EvaluationSummary(1, 4.0),
    }
    rows = db.session.execute(evaluations_within(date(2026, 1, 1), AS_OF)).all()
    assert sorted(row.score for row in rows) == [4, 5]
