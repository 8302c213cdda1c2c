"""The public profile shows the latest inspection's score and day, and how many supervisor
evaluations there were with their average; never the findings or remarks."""

from datetime import date

from ratings.assessments import services
from ratings.assessments.services import EvaluationDetails
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
    assert "Since Nov 29, 2024" in page


def test_an_agency_without_assessments_says_so(client, clock, agency):
    page = profile(client, agency)
    assert 'data-testid="latest-inspection">' in page
    assert page.count(">none<") == 2
