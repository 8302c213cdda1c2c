"""The public search: fragments of any length, initials, codes, filters; input is literal."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.agencies.models import FeeSchedule
from registry.db import db


@pytest.fixture
def agencies(make_agency):
    """A few agencies with names that exercise every kind of query."""
    return {
        "huanping": make_agency(
            "active", name="江阴环评咨询有限公司", category="environmental", town="华士镇"
        ),
        "cehui": make_agency("active", name="江阴市长江测绘有限公司", town="澄江街道"),
        "abc": make_agency("active", name="ＡＢＣ测绘（江阴）有限公司", town="青阳镇"),
        "suspended": make_agency(
            "suspended", name="澄江环保科技有限公司", category="environmental"
        ),
        "pending": make_agency("pending", name="江阴环境检测有限公司", category="environmental"),
        "gone": make_agency("deregistered", name="江阴环宇评价有限公司", category="environmental"),
    }


def found(client, **params):
    page = client.get("/", query_string=params)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    text = page.get_data(as_text=True)
    if 'data-testid="results"' not in text:
        return set()
    section = text.split('data-testid="results"', 1)[1].split("</section>", 1)[0]
    return {line.split(">")[-1] for line in section.split("</span>") if "fw-semibold" in line}


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("环", {"江阴环评咨询有限公司", "澄江环保科技有限公司"}),
        ("环评", {"江阴环评咨询有限公司"}),
        ("长江测", {"江阴市长江测绘有限公司"}),
        ("jyhp", {"江阴环评咨询有限公司"}),
        ("JYSCJ", {"江阴市长江测绘有限公司"}),
        ("changjiang", {"江阴市长江测绘有限公司"}),
        ("abc", {"ＡＢＣ测绘（江阴）有限公司"}),
        ("ＡＢＣ测绘(江阴", {"ＡＢＣ测绘（江阴）有限公司"}),
    ],
)
def test_names_are_found_by_fragments_initials_and_pinyin(client, agencies, q, names):
    assert found(client, q=q) == names


def test_pending_and_deregistered_agencies_are_never_listed(client, agencies):
    assert found(client, q="江阴环") == {"江阴环评咨询有限公司"}


def test_a_credit_code_finds_its_agency_in_any_case(client, agencies):
    code = agencies["cehui"].credit_code
    assert found(client, q=f" {code.lower()} ") == {"江阴市长江测绘有限公司"}


def test_filters_narrow_the_results(client, agencies):
    assert found(client, category="environmental") == {
        "江阴环评咨询有限公司",
        "澄江环保科技有限公司",
    }
    assert found(client, town="江阴市|青阳镇") == {"ＡＢＣ测绘（江阴）有限公司"}


def test_the_service_filter_keeps_agencies_with_a_fee_in_force(client, agencies, make_service_item):
    item = make_service_item(code="HP-01")
    db.session.add(
        FeeSchedule(
            agency_id=agencies["huanping"].id,
            service_item_id=item.id,
            fee_min_fen=1,
            fee_max_fen=2,
            unit="项",
            basis="x",
            promised_days=5,
            effective_from=date(2024, 1, 1),
        )
    )
    db.session.add(
        FeeSchedule(
            agency_id=agencies["cehui"].id,
            service_item_id=item.id,
            fee_min_fen=1,
            fee_max_fen=2,
            unit="项",
            basis="x",
            promised_days=5,
            effective_from=date(2024, 1, 1),
            effective_to=date(2024, 6, 1),
        )
    )
    db.session.commit()
    assert found(client, service="HP-01") == {"江阴环评咨询有限公司"}


def test_the_search_stays_in_the_url_and_pages(app, client, make_agency):
    app.config["PAGE_SIZE"] = 2
    for number in range(5):
        make_agency("active", name=f"江阴测绘{number}有限公司")
    page = client.get("/?q=测绘&page=2").get_data(as_text=True)
    assert "q=%E6%B5%8B%E7%BB%98&amp;page=3" in page or "page=3&amp;q=" in page


@pytest.mark.parametrize(
    "params",
    [
        {"category": "nonsense"},
        {"town": "某镇"},
        {"q": "x" * 10_000},
        {"q": "a\x00b"},
        {"sort": "stars!"},
        {"service": "NO-SUCH"},
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, params):
    response = client.get("/", query_string=params, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)


def test_invalid_utf8_in_the_url_is_not_an_error(client, agencies):
    assert client.get("/?q=%E6%B5%8B%FF%FE").status_code == 200


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '""',
        "*",
        "%",
        "_",
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "环 OR 测",
        "^江",
        "江阴*",
        "'",
        "\\",
        "a:b",
        "{name_pinyin}: x",
    ],
)
def test_query_syntax_is_taken_literally(client, agencies, q):
    assert client.get("/", query_string={"q": q}).status_code == 200
    assert found(client, q="%") == set()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=40).filter(lambda s: not any(ord(c) < 32 for c in s)))
def test_any_text_is_a_valid_query(client, q):
    assert client.get("/", query_string={"q": q}).status_code == 200
