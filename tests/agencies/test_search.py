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


def listed(client, **params) -> list[str]:
    """The names on the result page, in their order."""
    page = client.get("/", query_string=params)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    text = page.get_data(as_text=True)
    if 'data-testid="results"' not in text:
        return []
    section = text.split('data-testid="results"', 1)[1].split("</section>", 1)[0]
    return [line.split(">")[-1] for line in section.split("</span>") if "fw-semibold" in line]


@pytest.fixture
def ranked(make_agency):
    """Names around 江阴测绘: exactly it, beginning with it, holding it further in."""
    names = [
        "无锡江阴测绘有限公司",
        "江阴测绘院有限公司",
        "苏州江阴测绘有限公司",
        "江阴测绘",
        "江阴测绘地理信息有限公司",
        "澄江测绘有限公司",
    ]
    for name in names:
        make_agency("active", name=name, category="environmental" if "院" in name else "surveying")
    return names


@pytest.mark.parametrize("limit", [1000, 4])
def test_relevance_lists_the_exact_name_then_names_beginning_with_it_then_the_others(
    app, client, ranked, limit
):
    """Names beginning with the query in character order (地 before 院), the others in the
    order they joined the registry. With a count limit of 4 the pages are read by walking
    indexes, not by sorting, and only the first 4 results are offered."""
    app.config.update(PAGE_SIZE=2, SEARCH_COUNT_LIMIT=limit)
    names = [name for page in (1, 2, 3) for name in listed(client, q="江阴测绘", page=page)]
    ranking = [
        "江阴测绘",
        "江阴测绘地理信息有限公司",
        "江阴测绘院有限公司",
        "无锡江阴测绘有限公司",
        "苏州江阴测绘有限公司",
    ]
    assert names == ranking[:limit]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "江阴测绘"},
        {"q": "测绘"},
        {"q": "测"},
        {"q": "江阴"},
        {"q": "cehui"},
        {"q": "jy"},
        {"q": "测绘", "sort": "name"},
        {"q": "测绘", "category": "surveying"},
        {"category": "surveying"},
        {"town": "江阴市|澄江街道"},
    ],
)
def test_walked_pages_are_the_pages_of_the_sorted_results(app, client, ranked, params):
    """Past the count limit a page is read by walking an index: it must be the same page."""
    app.config.update(PAGE_SIZE=25, SEARCH_COUNT_LIMIT=1000)
    everything = listed(client, **params)
    assert len(everything) >= 3, "the fixture should give this query several results"
    app.config.update(PAGE_SIZE=2, SEARCH_COUNT_LIMIT=len(everything) - 1)
    pages = (len(everything) - 1 + 1) // 2
    walked = [name for page in range(1, pages + 1) for name in listed(client, page=page, **params)]
    assert walked == everything[: len(everything) - 1]


def test_more_matches_than_the_limit_are_not_counted_and_the_page_says_so(app, english, ranked):
    app.config.update(PAGE_SIZE=2, SEARCH_COUNT_LIMIT=3)
    text = english.get("/", query_string={"q": "测绘"}).get_data(as_text=True)
    assert "More than 3 agencies match; the first 3 are listed." in text
    assert "in all" not in text
    assert "page=2" in text
    assert "page=3" not in text


def test_a_count_within_the_limit_is_exact(app, english, ranked):
    app.config.update(PAGE_SIZE=2, SEARCH_COUNT_LIMIT=6)
    text = english.get("/", query_string={"q": "测绘"}).get_data(as_text=True)
    assert "6 in all, page 1 of 3" in text
    assert "More than" not in text


@pytest.mark.parametrize(("limit", "page", "pages"), [(1000, 4, 3), (3, 3, 2), (3, 10**9, 2)])
def test_a_page_past_the_results_says_how_many_pages_there_are(
    app, english, ranked, limit, page, pages
):
    app.config.update(PAGE_SIZE=2, SEARCH_COUNT_LIMIT=limit)
    response = english.get("/", query_string={"q": "测绘", "page": page})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f"There is no page {page}: the results listed fill {pages} pages." in text
    assert f"page={pages}" in text, "the pager leads back to the last page"
    assert f"page {page} of" not in text


@pytest.mark.parametrize("page", ["-3", "0", "x", "9" * 5000])
def test_a_page_number_that_is_not_one_shows_the_first_page(client, ranked, page):
    assert listed(client, q="江阴测绘", page=page)[0] == "江阴测绘"


def test_a_short_fragment_with_punctuation_is_matched_literally(client, make_agency):
    """FTS5 skips "+" in a phrase; the search still wants the characters as typed."""
    make_agency("active", name="江阴A+B测绘有限公司")
    make_agency("active", name="ＡＢＣ测绘（江阴）有限公司")
    assert found(client, q="+b") == {"江阴A+B测绘有限公司"}
    assert found(client, q="b测") == {"江阴A+B测绘有限公司"}
