"""The rating on the public pages: the profile's breakdown, the history chart, the API's
rating block, and the search by stars."""

import html
import re
from datetime import date

from ratings.results.queries import latest_run
from ratings.results.recompute import check, recompute_all
from registry.db import db
from tests.ratings.results.conftest import ENGLISH, agency_row, snapshots_of


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(True))))


def graded(world, evidence):
    """The world's agency, ★2: inspected at 90, four good reviews, three complaints."""
    agency = world.agency
    evidence.inspection(agency, date(2026, 6, 1), 90)
    for day in (date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)):
        evidence.review(agency, day, (5, 5, 4, 5))
    evidence.complaint(agency, date(2026, 9, 1), "minor")
    evidence.complaint(agency, date(2026, 9, 2), "major")
    evidence.complaint(agency, date(2025, 9, 2), "minor")
    return agency


def test_the_profile_explains_each_component_in_words(client, world, evidence):
    agency = graded(world, evidence)

    text = page_text(client.get(f"/agencies/{agency.credit_code}", headers=ENGLISH))

    assert "Star rating" in text
    assert "3 substantiated complaints in 24 months −22.5 points" in text
    assert "Inspection: the latest in 24 months scored 90 of 100." in text
    assert re.search(r"Reviews: [\d.]+ of 100 from 4 reviews and 0 supervisor evaluations", text)
    assert "prior of 3.5 out of 5 worth 5 reviews" in text
    assert "0 of 4 confirmed engagements delivered late −0 points" in text
    assert "Method v1, as of Sep 28, 2026." in text
    assert f'src="/agencies/{agency.credit_code}/rating-history.svg"' in client.get(
        f"/agencies/{agency.credit_code}"
    ).get_data(True)


def test_the_profile_names_the_cap_and_the_regulators_adjustment(
    client, world, evidence, make_account
):
    from ratings.overrides.models import RatingOverride
    from registry.db import db

    agency = world.agency
    evidence.inspection(agency, date(2026, 6, 1), 98)
    text = page_text(client.get(f"/agencies/{agency.credit_code}", headers=ENGLISH))
    assert "At most ★3: no valid commitment letter." in text

    db.session.add(
        RatingOverride(
            agency_id=agency.id,
            state="approved",
            stars=2,
            reason="现场检查发现台账造假",
            ends_on=date(2026, 12, 31),
            proposed_by_id=make_account("regulator").id,
            starts_on=date(2026, 9, 20),
        )
    )
    db.session.commit()
    text = page_text(client.get(f"/agencies/{agency.credit_code}", headers=ENGLISH))

    assert "Adjusted by the regulator to ★2 (the method gives ★3) until Dec 31, 2026." in text
    assert "Reason: 现场检查发现台账造假" in text


def test_an_agency_without_evidence_is_not_rated(client, world):
    text = page_text(client.get(f"/agencies/{world.agency.credit_code}", headers=ENGLISH))
    assert "Not rated: too little evidence in the rating window." in text
    assert "Reviews: too few to count (0 reviews and 0 supervisor evaluations" in text


def test_the_history_chart_is_an_svg_of_its_own(client, world, evidence):
    agency = graded(world, evidence)

    response = client.get(f"/agencies/{agency.credit_code}/rating-history.svg", headers=ENGLISH)

    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    body = response.get_data(True)
    assert body.startswith("<svg")
    assert "<script" not in body
    assert " style=" not in body
    assert "Stars of 江阴澄信测绘有限公司 over time" in body
    assert client.get("/agencies/91350100M000100Y43/rating-history.svg").status_code == 404


def test_the_api_profile_carries_the_rating_with_its_breakdown(client, world, evidence):
    agency = graded(world, evidence)
    row = agency_row(agency)

    rating = client.get(f"/api/v1/agencies/{agency.credit_code}").json["rating"]

    assert rating["stars"] == row.stars == 2
    assert rating["computed_stars"] == 2
    assert (rating["status"], rating["score"]) == ("rated", row.score)
    assert (rating["method_version"], rating["as_of"]) == ("v1", "2026-09-28")
    assert rating["override"] is None
    assert rating["caps"] == []  # ★2 is under the cap of an uncommitted agency
    assert rating["components"]["inspection"] == 90
    assert rating["components"]["counts"]["complaints"] == {"minor": 2, "major": 1, "serious": 0}
    assert rating["components"]["reviews"]["prior"] == 3.5


def test_the_search_filters_and_sorts_by_stars(client, world, evidence, make_agency):
    graded(world, evidence)
    best = make_agency("active", name="江阴优秀测绘有限公司")
    evidence.inspection(best, date(2026, 6, 1), 95)  # ★3: no commitment letter
    make_agency("active", name="江阴未评测绘有限公司")

    response = client.get("/", query_string={"q": "测绘", "sort": "stars"}, headers=ENGLISH)
    text = page_text(response)
    assert text.index("江阴优秀测绘") < text.index("江阴澄信测绘") < text.index("江阴未评测绘")
    assert "Not rated" in text

    narrowed = page_text(client.get("/", query_string={"min_stars": "3"}, headers=ENGLISH))
    assert "江阴优秀测绘" in narrowed
    assert "江阴澄信测绘" not in narrowed


def test_a_run_that_changed_nothing_moves_the_day_shown_without_writing_the_agency(
    client, world, evidence
):
    agency = graded(world, evidence)
    before = len(snapshots_of(agency))

    report = recompute_all(date(2026, 9, 30))
    db.session.commit()

    assert report.changed == 0
    assert len(snapshots_of(agency)) == before
    assert agency_row(agency).rating_as_of == date(2026, 9, 28)  # the row was not written
    run = latest_run()
    assert (run.as_of, run.agencies, run.changed) == (date(2026, 9, 30), 1, 0)
    text = page_text(client.get(f"/agencies/{agency.credit_code}", headers=ENGLISH))
    assert "Method v1, as of Sep 30, 2026." in text
    api = client.get(f"/api/v1/agencies/{agency.credit_code}").json["rating"]
    assert api["as_of"] == "2026-09-30"
    assert check() == []

    # A later run as of an earlier day is the one whose results stand.
    recompute_all(date(2026, 9, 29))
    db.session.commit()
    api = client.get(f"/api/v1/agencies/{agency.credit_code}").json["rating"]
    assert api["as_of"] == "2026-09-29"
    assert check() == []
