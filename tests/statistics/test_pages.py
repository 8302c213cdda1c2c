"""The statistics pages and chart images: who may open them, bad periods, what a chart may
contain, and that the public page shows totals only."""

import re
from datetime import date

import pytest

from tests.statistics.conftest import (
    COMPLAINANT,
    COMPLAINT_TEXT,
    ENGLISH,
    ENTERPRISE,
    page_text,
)

PUBLIC_CHARTS = [
    "agencies-by-category",
    "agencies-by-stars",
    "complaints-by-category",
    "complaints-by-outcome",
    "handling-time",
    "on-time-delivery",
    "overcharge-by-item",
    "blacklist-by-ground",
]
NAMESPACE = re.compile(r'xmlns(:\w+)?="[^"]*"')


@pytest.fixture
def busy(records, make_service_item):
    """A month with a complaint of each kind of outcome, deliveries and a listing."""
    item = make_service_item("CH-001", name="地形测量")
    records.complaint(date(2026, 11, 2))
    records.concluded(date(2026, 11, 2), date(2026, 11, 16))
    records.engagement(
        item, date(2026, 11, 2), fee=1500, delivered_on=date(2026, 11, 20), late_working_days=0
    )
    records.listing(records.agency, "falsified_report", date(2026, 11, 3))
    return records


# --- who may open what -------------------------------------------------------------------


def test_anyone_may_read_the_public_statistics_with_the_red_list_link(client, busy):
    response = client.get("/statistics", headers=ENGLISH)
    assert response.status_code == 200
    text = page_text(response)
    assert 'href="/red-list"' in text
    assert text.count('data-testid="chart"') == len(PUBLIC_CHARTS)
    assert "Open complaints by stage" not in text  # the regulators' figure


@pytest.mark.parametrize("role", ["regulator", "reviewer", "supervisor"])
def test_regulators_reviewers_and_supervisors_read_every_figure(client, login_as, busy, role):
    login_as(role)
    text = page_text(client.get("/regulator/statistics", headers=ENGLISH))
    assert "Open complaints by stage" in text
    assert client.get("/regulator/statistics/charts/open-complaints.svg").status_code == 200
    assert client.get("/regulator/statistics/report").status_code == 200


@pytest.mark.parametrize("role", ["agency", "enterprise", "public", "admin"])
@pytest.mark.parametrize(
    "url",
    [
        "/regulator/statistics",
        "/regulator/statistics/report",
        "/regulator/statistics/charts/open-complaints.svg",
    ],
)
def test_other_accounts_may_not_open_the_regulators_statistics(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


def test_visitors_are_sent_to_sign_in_for_the_regulators_statistics(client, clock):
    response = client.get("/regulator/statistics")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_public_chart_route_serves_no_regulator_only_figure(client, clock):
    assert client.get("/statistics/charts/open-complaints.svg").status_code == 404
    assert client.get("/statistics/charts/nothing.svg").status_code == 404


# --- the public page shows totals, never a person ------------------------------------------


def test_the_public_page_shows_no_personal_data(client, busy):
    for language in ({}, ENGLISH):
        text = page_text(client.get("/statistics?year=2026&month=11", headers=language))
        for private in (COMPLAINANT, COMPLAINT_TEXT, ENTERPRISE, "13900001111", "张联系"):
            assert private not in text
        assert busy.agency.name not in text  # aggregates only: no agency is named either


# --- bad periods ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "Not a valid integer value"),
        ("year=2026.5", "Not a valid integer value"),
        ("year=1999", "Choose a year from 2016 to 2026."),
        ("year=2027", "Choose a year from 2016 to 2026."),
        ("year=99999999999999999999", "Choose a year from 2016 to 2026."),
        ("year=2026&month=0", "Choose a month from 1 to 12."),
        ("year=2026&month=13", "Choose a month from 1 to 12."),
        ("month=5", "Choose the year of the month too."),
        ("year=2026&month=12", "That month has not begun yet."),
    ],
)
def test_a_bad_period_is_refused_with_a_message(client, clock, query, message):
    page = client.get(f"/statistics?{query}", headers=ENGLISH)
    assert page.status_code == 400
    assert message in page_text(page)
    assert 'data-testid="chart"' not in page_text(page)
    chart = client.get(f"/statistics/charts/handling-time.svg?{query}", headers=ENGLISH)
    assert chart.status_code == 400
    assert chart.mimetype == "text/plain"
    assert message in chart.get_data(as_text=True)


def test_the_monthly_report_needs_a_month(client, login_as, clock):
    login_as("regulator")
    page = client.get("/regulator/statistics/report?year=2026", headers=ENGLISH)
    assert page.status_code == 400
    assert "Choose a month." in page_text(page)


def test_an_unknown_chart_language_is_refused(client, clock):
    response = client.get("/statistics/charts/handling-time.svg?lang=fr", headers=ENGLISH)
    assert response.status_code == 400


def test_a_period_without_records_says_so_instead_of_drawing_empty_charts(client, busy):
    text = page_text(client.get("/statistics?year=2019", headers=ENGLISH))
    # The agencies are counted as they stand today; every figure of 2019 is empty.
    assert text.count("No data for this period.") == len(PUBLIC_CHARTS) - 2
    assert text.count('data-testid="chart"') == 2
    svg = client.get("/statistics/charts/handling-time.svg?year=2019&lang=en").get_data(
        as_text=True
    )
    assert "No data for this period" in svg


# --- the charts ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PUBLIC_CHARTS)
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_chart_is_an_svg_image_with_no_script_and_nothing_to_fetch(client, busy, name, language):
    response = client.get(f"/statistics/charts/{name}.svg?year=2026&lang={language}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml")
    assert "<script" not in svg.lower()
    assert not re.search(r"https?://", NAMESPACE.sub("", svg))
    assert "Noto Sans CJK SC" in svg
    assert "WenQuanYi Micro Hei" in svg
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script" not in policy
    assert response.headers["Cache-Control"] == "public, max-age=600"
    assert response.headers["Content-Language"] == language.replace("_", "-")


def test_a_chart_speaks_the_language_of_its_address(client, busy):
    english = client.get("/statistics/charts/agencies-by-category.svg?lang=en")
    chinese = client.get("/statistics/charts/agencies-by-category.svg?lang=zh_CN")
    assert "Surveying and mapping" in english.get_data(as_text=True)
    assert "测绘" in chinese.get_data(as_text=True)
    assert "Surveying and mapping" not in chinese.get_data(as_text=True)


def test_an_unchanged_chart_is_not_sent_again(client, busy):
    first = client.get("/statistics/charts/complaints-by-outcome.svg?lang=en")
    again = client.get(
        "/statistics/charts/complaints-by-outcome.svg?lang=en",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


def test_the_regulators_charts_are_cached_privately(client, login_as, busy):
    login_as("regulator")
    response = client.get("/regulator/statistics/charts/handling-time.svg?year=2026&month=11")
    assert response.headers["Cache-Control"] == "private, max-age=600"


def test_every_chart_of_a_page_has_its_table(client, busy):
    text = page_text(client.get("/statistics?year=2026&month=11", headers=ENGLISH))
    for name in PUBLIC_CHARTS:
        assert f'data-testid="table-{name}"' in text
        assert f"/statistics/charts/{name}.svg?year=2026&month=11&lang=en" in text
    assert "CH-001 地形测量" in text  # the overcharging table, in text


# --- the monthly report ------------------------------------------------------------------


def test_the_monthly_report_is_last_month_by_default_and_printable(client, login_as, busy):
    login_as("supervisor")
    text = page_text(client.get("/regulator/statistics/report", headers=ENGLISH))
    assert 'data-testid="report-month">Oct 2026<' in text
    assert "data-print" in text
    chosen = page_text(
        client.get("/regulator/statistics/report?year=2026&month=11", headers=ENGLISH)
    )
    assert 'data-testid="report-month">Nov 2026<' in chosen
    assert "/regulator/statistics/charts/handling-time.svg?year=2026&month=11" in chosen
