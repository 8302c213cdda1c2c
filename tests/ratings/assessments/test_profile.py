"""The public profile shows the latest inspection's score and day, and how many supervisor
evaluations there were with their average; never the findings or remarks."""

from datetime import date

import pytest

from ratings.assessments import services
from ratings.assessments.services import EvaluationDetails
from ratings.results.evidence import evidence_for
from registry.db import db
from tests.ratings.assessments.conftest import ENGLISH, recorded


def profile(client, agency) -> str:
    response = client.get(f"/agencies/{agency.credit_code}", headers=ENGLISH)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_profile_shows_the_latest_inspection_and_the_evaluations(
    client, clock, regulator, make_account, agency
):
    recorded(regulator, agency, date(2026, 3, 2), 70, findings="内部检查结论")
    wrong = recorded(regulator, agency, date(2026, 11, 1), 12)
    services.withdraw_inspection(regulator, wrong, "录入错误")
    recorded(regulator, agency, date(2026, 9, 15), 87)
    for score in (5, 4, 4):
        services.evaluate_agency(
            make_account("supervisor"), agency, EvaluationDetails(score, "不公开的备注")
        )
    db.session.commit()

    page = profile(client, agency)
    assert "Inspections and supervisor evaluations" in page
    assert '<span class="fw-semibold" data-testid="inspection-score">87</span>' in page
    assert "Sep 15, 2026" in page
    assert "3 evaluations, average 4.3 / 5" in page
    assert "内部检查结论" not in page, "findings are not public"
    assert "不公开的备注" not in page, "remarks are not public"
    assert "Since Dec 1, 2024" in page


def test_an_agency_without_assessments_says_so(client, clock, agency):
    page = profile(client, agency)
    assert 'data-testid="latest-inspection">' in page
    assert page.count(">none<") == 2


@pytest.mark.parametrize(
    ("day", "in_window"),
    [(date(2024, 11, 30), False), (date(2024, 12, 1), True)],
    ids=["the day before the rating's first day", "the rating's first day"],
)
def test_the_profile_shows_an_inspection_exactly_when_the_rating_counts_it(
    client, clock, regulator, agency, day, in_window
):
    """As of 28 November 2026 the rating counts from 1 December 2024 (24 calendar months)."""
    recorded(regulator, agency, day, 77)

    shown = '<span class="fw-semibold" data-testid="inspection-score">77</span>' in profile(
        client, agency
    )
    counted = evidence_for([agency.id], clock.today())[agency.id].inspection == 77
    assert (shown, counted) == (in_window, in_window)
