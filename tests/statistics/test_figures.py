"""The figures against hand-made records: each count, share and median a reader can check."""

from datetime import date

import pytest
from flask_babel import force_locale

from registry.db import db
from registry.statistics import queries
from registry.statistics.figures import weighted_median
from registry.statistics.periods import month_period, twelve_months_to, year_period
from tests.statistics.conftest import ENGLISH, TODAY, page_text

NOVEMBER = month_period(2026, 11)


def values(figure, label: str) -> list:
    return next(series.values for series in figure.series if series.label == label)


def row(figure, label: str) -> list[str]:
    return next(values for row_label, values in figure.table() if row_label == label)


def test_agencies_are_counted_by_category_and_by_what_their_profile_shows(app, clock, make_agency):
    for stars in (5, 5, 3):
        agency = make_agency("active", category="surveying")
        agency.stars, agency.rating_status = stars, "rated"
    make_agency("active", category="environmental")  # unrated
    listed = make_agency("active", category="environmental")
    listed.listed_from, listed.listed_until = date(2026, 6, 1), date(2027, 5, 31)
    listed.rating_status = "blacklisted"
    ended = make_agency("active", category="safety")
    ended.listed_from, ended.listed_until = date(2024, 6, 1), date(2025, 5, 31)
    make_agency("pending", category="surveying")  # not verified: not counted
    make_agency("deregistered", category="surveying")
    db.session.commit()
    with force_locale("en"):
        categories = queries.agencies_by_category(NOVEMBER, TODAY)
        stars = queries.agencies_by_stars(NOVEMBER, TODAY)
    assert categories.rows == [
        "Surveying and mapping",
        "Environmental impact assessment",
        "Safety assessment",
    ]
    assert values(categories, "Agencies") == [3, 2, 1]
    assert dict(zip(stars.rows, values(stars, "Agencies"), strict=True)) == {
        "5 stars": 2,
        "4 stars": 0,
        "3 stars": 1,
        "2 stars": 0,
        "1 star": 0,
        "Unrated": 2,  # the ended listing no longer counts
        "Blacklisted": 1,
    }
    with force_locale("zh_CN"):
        assert queries.agencies_by_category(NOVEMBER, TODAY).rows[0] == "测绘"


def test_complaints_are_counted_by_month_filed_category_and_outcome(app, records):
    records.complaint(date(2026, 10, 12), category="delay")
    records.complaint(date(2026, 11, 2), category="overcharging")
    records.complaint(date(2026, 11, 3), category="overcharging", status="not_accepted")
    records.concluded(date(2026, 11, 2), date(2026, 11, 16))
    records.concluded(date(2026, 11, 2), date(2026, 11, 20), status="unsubstantiated")
    records.complaint(date(2025, 10, 30))  # before the twelve months
    period = twelve_months_to(TODAY)
    with force_locale("en"):
        category = queries.complaints_by_category(period, TODAY)
        outcome = queries.complaints_by_outcome(period, TODAY)
    assert category.total == outcome.total == 5
    assert category.rows[0] == "Dec 2025"
    assert category.rows[-1] == "Nov 2026"
    assert values(category, "Overcharging")[-2:] == [0, 4]
    assert values(category, "Delay beyond the promised time limit")[-2:] == [1, 0]
    assert values(outcome, "Still open")[-2:] == [1, 1]
    assert values(outcome, "Not accepted")[-1] == 1
    assert values(outcome, "Substantiated")[-1] == 1
    assert values(outcome, "Unsubstantiated")[-1] == 1
    assert "Withdrawn" not in [series.label for series in outcome.series]  # none: no column


def test_median_handling_time_counts_working_days_from_filing_to_conclusion(app, records):
    # Filed Monday 2 November 2026: 5, 10 and 15 working days to the conclusion.
    records.concluded(date(2026, 11, 2), date(2026, 11, 9))
    records.concluded(date(2026, 11, 2), date(2026, 11, 16))
    records.concluded(date(2026, 11, 2), date(2026, 11, 23), status="unsubstantiated")
    # Concluded in October after 40 working days from acceptance: beyond its own limit.
    records.concluded(date(2026, 8, 3), date(2026, 10, 30), accepted_on=date(2026, 8, 28))
    records.complaint(date(2026, 11, 2))  # open: not concluded, not counted
    with force_locale("en"):
        figure = queries.handling_time(year_period(2026, TODAY), TODAY)
    assert figure.total == 4
    medians = dict(zip(figure.rows, values(figure, "Median working days"), strict=True))
    assert medians["Nov 2026"] == 10
    assert medians["Sep 2026"] is None
    assert values(figure, "Limit (working days)")[0] == 35
    assert row(figure, "Nov 2026") == ["10", "35", "3"]
    assert figure.summary.startswith("Median over the period: 12.5 working days (limit 35)")
    assert "3 of 4 concluded within their own time limit" in figure.summary


def test_delivery_on_time_is_the_share_delivered_by_the_due_date(app, records, make_service_item):
    item = make_service_item()
    for late in (0, 0, 2):
        records.engagement(
            item, date(2026, 10, 5), delivered_on=date(2026, 11, 10), late_working_days=late
        )
    records.engagement(item, date(2026, 11, 2), status="open")  # not delivered yet
    with force_locale("en"):
        figure = queries.on_time_delivery(NOVEMBER, TODAY)
        assert row(figure, "Nov 2026") == ["66.7%", "3", "2"]
    assert figure.summary == "Over the period: 2 of 3 delivered on time (66.7%)."
    with force_locale("zh_CN"):
        figure = queries.on_time_delivery(NOVEMBER, TODAY)
        assert figure.rows == ["2026年11月"]


def test_overcharging_rate_is_per_service_item_without_cancelled_work(
    app, records, make_service_item
):
    survey = make_service_item("CH-001", name="地形测量")
    review = make_service_item("TS-001", name="施工图审查")
    records.engagement(survey, date(2026, 11, 2), fee=1500)
    records.engagement(survey, date(2026, 11, 3), fee=900)
    records.engagement(survey, date(2026, 11, 4), fee=5000, status="cancelled")
    records.engagement(review, date(2026, 11, 5), fee=1000)
    records.engagement(review, date(2026, 9, 1), fee=3000)  # before the month
    with force_locale("en"):
        figure = queries.overcharge_by_item(NOVEMBER, TODAY)
        assert figure.rows == ["CH-001 地形测量", "TS-001 施工图审查"]
        assert row(figure, "CH-001 地形测量") == ["50.0%", "2", "1", "500.00"]
        assert row(figure, "TS-001 施工图审查") == ["0.0%", "1", "0", "0.00"]
    assert figure.total == 3


def test_blacklist_listings_are_counted_by_ground_and_year_they_began(app, records, make_agency):
    first, second = make_agency("active"), make_agency("active")
    records.listing(first, "falsified_report", date(2025, 3, 1), state="expired")
    records.listing(second, "falsified_report", date(2026, 2, 1))
    records.listing(first, "serious_overcharging", date(2026, 5, 1), state="revoked")
    records.listing(second, "misconduct", date(2026, 4, 1), state="rejected")  # never listed
    with force_locale("en"):
        figure = queries.blacklist_by_ground(year_period(2026, TODAY), TODAY)
        assert figure.rows == ["2026"]
        assert values(figure, "Falsified report") == [1]
        assert values(figure, "Serious overcharging") == [1]
        both = queries.blacklist_by_ground(twelve_months_to(date(2026, 12, 31)), TODAY)
    assert both.total == 2  # January to December 2026
    assert [series.label for series in figure.series] == [
        "Falsified report",
        "Serious overcharging",
    ]


@pytest.mark.parametrize(
    ("counts", "median"),
    [({}, None), ({5: 1}, 5), ({5: 1, 10: 1}, 7.5), ({5: 2, 10: 1}, 5), ({1: 1, 2: 1, 9: 2}, 5.5)],
)
def test_the_median_weighs_each_value_by_how_often_it_occurs(counts, median):
    assert weighted_median(counts) == median


def test_the_pages_show_the_figures_in_both_languages(client, records, make_service_item):
    records.concluded(date(2026, 11, 2), date(2026, 11, 16))
    english = page_text(client.get("/statistics?year=2026&month=11", headers=ENGLISH))
    assert "Median over the period: 10 working days (limit 35)" in english
    assert "Nov 2026" in english
    chinese = page_text(client.get("/statistics?year=2026&month=11"))
    assert "2026年11月" in chinese
    assert "超额收费" in chinese  # the category's column, in Chinese
