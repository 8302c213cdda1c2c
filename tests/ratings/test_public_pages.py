"""The public rating pages: the methodology shows the engine's own numbers; the red list
follows its stated rule over the stored rating history."""

import html
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, format_decimal
from sqlalchemy import delete

from ratings.complaints.models import Complaint
from ratings.method import METHOD_V1, rate
from ratings.public.methodology import TYPICAL, UNCOMMITTED
from ratings.results.models import RatingSnapshot
from ratings.results.recompute import recompute_all
from registry import dates
from registry.accounts.models import Account
from registry.db import db

ENGLISH = {"Accept-Language": "en"}
TODAY = date(2026, 9, 29)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(dates, "now", lambda: datetime(2026, 9, 29, 2, 0, tzinfo=UTC))


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- methodology ---------------------------------------------------------------------------


def test_the_methodology_shows_the_scores_the_engine_computes(client):
    typical, capped = rate(TYPICAL, METHOD_V1), rate(UNCOMMITTED, METHOD_V1)
    page = text(client.get("/methodology", headers=ENGLISH))
    with force_locale("en"):
        for figure in (
            typical.score,
            typical.components["base"],
            typical.components["reviews"]["value"],
            typical.components["penalties"]["complaints"],
            capped.score,
        ):
            assert format_decimal(figure) in page
    assert "Rating method v1" in page
    assert f"{typical.stars} stars" in page
    assert capped.caps == ("no_valid_commitment",)
    assert f"at most {capped.stars} stars" in page


def test_the_methodology_says_when_every_agency_was_last_rated(client, make_agency):
    assert "latest-run" not in client.get("/methodology", headers=ENGLISH).get_data(True)
    for _ in range(3):
        make_agency("active")
    recompute_all(TODAY)
    db.session.commit()

    page = text(client.get("/methodology", headers=ENGLISH))

    assert "Every agency was last rated as of September 29, 2026: 3 agencies," in page


def test_the_methodology_reads_the_configured_method(app, client):
    app.config["RATING_METHOD"] = {
        **METHOD_V1,
        "version": "v1-test",
        "complaint_penalty": {"minor": 5, "major": 25, "serious": 30},
        "half_life_months": 6,
    }
    changed = rate(TYPICAL, app.config["RATING_METHOD"])
    assert changed.score != rate(TYPICAL, METHOD_V1).score
    page = text(client.get("/methodology", headers=ENGLISH))
    assert "Rating method v1-test" in page
    assert "counts half as much every 6 months" in page
    with force_locale("en"):
        assert format_decimal(changed.score) in page


def test_the_methodology_is_in_chinese_by_default(client):
    page = text(client.get("/methodology"))
    assert 'lang="zh' in page
    assert str(rate(TYPICAL, METHOD_V1).score) in page


# --- red list ------------------------------------------------------------------------------


def snapshot(agency, as_of: date, stars: int | None, status: str = "rated") -> None:
    db.session.add(
        RatingSnapshot(
            agency_id=agency.id,
            as_of=as_of,
            method_version="v1",
            status=status,
            stars=stars,
            computed_stars=stars,
            score=95.0 if stars == 5 else 70.0,
            components={},
            caps=[],
        )
    )


def five_stars_since(agency, first: date) -> None:
    """A history at ★5 from `first` to today, the mirror on the agency row too.

    It replaces the history the rating hooks stored for the agency's (empty) evidence, so
    call it after adding a complaint or a listing: the rule's other clauses are then what
    keeps the agency off the list.
    """
    db.session.execute(delete(RatingSnapshot).where(RatingSnapshot.agency_id == agency.id))
    snapshot(agency, first, 5)
    snapshot(agency, date(2026, 3, 1), 5)
    agency.stars, agency.rating_status, agency.score = 5, "rated", 95.0
    db.session.commit()


def substantiated(agency, concluded_on: date) -> None:
    complainant = Account(email="c@example.org", display_name="钱投诉", role="enterprise")
    complainant.set_password("irrelevant password 2026")
    db.session.add(complainant)
    db.session.flush()
    db.session.add(
        Complaint(
            reference=f"TS-{concluded_on.year}-00001",
            complainant_id=complainant.id,
            agency_id=agency.id,
            category="overcharging",
            text="收费超过公示标准。",
            status="substantiated",
            severity="minor",
            filed_on=concluded_on,
            accept_days=5,
            response_days=10,
            conclude_days=30,
            accepted_on=concluded_on,
            conclusion_reasons="经调查属实。",
            concluded_on=concluded_on,
        )
    )
    db.session.commit()


def red_listed(client) -> str:
    response = client.get("/red-list", headers=ENGLISH)
    assert response.status_code == 200
    return text(response)


def test_an_agency_at_five_stars_for_twelve_months_is_listed(client, make_agency):
    agency = make_agency(name="江阴诚信测绘有限公司")
    five_stars_since(agency, date(2025, 6, 1))
    page = red_listed(client)
    assert agency.name in page
    assert "5 stars throughout the last 12 months (since Sep 29, 2025)" in page


def test_an_agency_at_five_stars_for_less_than_twelve_months_is_not(client, make_agency):
    agency = make_agency(name="江阴新近测绘有限公司")
    five_stars_since(agency, date(2025, 10, 1))
    assert agency.name not in red_listed(client)


def test_a_dip_within_the_twelve_months_keeps_an_agency_off(client, make_agency):
    agency = make_agency(name="江阴起伏测绘有限公司")
    five_stars_since(agency, date(2025, 6, 1))
    snapshot(agency, date(2026, 1, 10), 4)
    db.session.commit()
    assert agency.name not in red_listed(client)


def test_the_grade_before_the_twelve_months_must_already_be_five_stars(client, make_agency):
    agency = make_agency(name="江阴升星测绘有限公司")
    five_stars_since(agency, date(2025, 10, 1))
    snapshot(agency, date(2025, 1, 1), 5)
    snapshot(agency, date(2025, 8, 1), 4)  # the grade in force 12 months ago
    db.session.commit()
    assert agency.name not in red_listed(client)


def test_an_agency_with_a_substantiated_complaint_is_not_listed(client, make_agency):
    agency = make_agency(name="江阴被诉测绘有限公司")
    substantiated(agency, date(2026, 2, 1))
    five_stars_since(agency, date(2025, 6, 1))
    assert agency.name not in red_listed(client)


def test_a_complaint_concluded_before_the_twelve_months_does_not_count(client, make_agency):
    agency = make_agency(name="江阴旧诉测绘有限公司")
    substantiated(agency, date(2025, 6, 1))
    five_stars_since(agency, date(2025, 6, 1))
    assert agency.name in red_listed(client)


def test_a_blacklisted_agency_is_not_listed(client, make_agency):
    agency = make_agency(name="江阴失信测绘有限公司")
    agency.listed_from, agency.listed_until = date(2026, 9, 1), date(2027, 8, 31)
    db.session.commit()
    five_stars_since(agency, date(2025, 6, 1))
    assert agency.name not in red_listed(client)


def test_the_red_list_is_paginated(app, client, make_agency):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        five_stars_since(make_agency(name=f"江阴红名单{number}测绘有限公司"), date(2025, 6, 1))
    first, second = red_listed(client), text(client.get("/red-list?page=2", headers=ENGLISH))
    assert first.count('data-testid="red-listed"') == 2
    assert second.count('data-testid="red-listed"') == 1
    assert client.get("/red-list?page=x").status_code == 400


def test_an_empty_red_list_says_so(client):
    assert 'data-testid="red-list-empty"' in red_listed(client)


def test_the_red_list_api_gives_the_same_agencies(client, make_agency):
    agency = make_agency(name="江阴接口测绘有限公司")
    five_stars_since(agency, date(2025, 6, 1))
    make_agency(name="江阴其他测绘有限公司")
    body = client.get("/api/v1/red-list").json
    assert (body["months"], body["since"], body["total"]) == (12, "2025-09-29", 1)
    assert body["items"][0]["credit_code"] == agency.credit_code
    assert body["items"][0]["stars"] == 5
    assert client.get("/api/v1/red-list?per_page=1000").status_code == 400
