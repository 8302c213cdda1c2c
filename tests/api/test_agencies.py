"""API v1 agencies: the search as a list with pages, and one agency's profile."""

import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.agencies.credit_code import ALPHABET, generate_credit_code
from registry.agencies.models import Qualification
from registry.db import db

ENGLISH = {"Accept-Language": "en"}
PLACEHOLDERS = {
    "stars": None,
    "rating_status": "unrated",
    "score": None,
    "blacklisted": False,
    "commitment": {"signed": False, "valid_until": None},
}


def names(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return {item["name"] for item in response.json["items"]}


def bad_request(response) -> str:
    """The message of a 400 in the API's error shape."""
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert response.content_type == "application/json"
    assert response.json["error"]["code"] == "bad_request"
    return response.json["error"]["message"]


def test_the_list_carries_the_designs_fields(client, agencies):
    response = client.get("/api/v1/agencies", query_string={"q": "环评"})
    assert response.json == {
        "items": [
            {
                "credit_code": agencies["huanping"].credit_code,
                "name": "江阴环评咨询有限公司",
                "category": "environmental",
                "region": {"district": "江阴市", "town": "华士镇"},
                "status": "active",
                **PLACEHOLDERS,
            }
        ],
        "page": 1,
        "per_page": 20,
        "total": 1,
    }


def test_only_active_and_suspended_agencies_are_listed(client, agencies):
    assert names(client.get("/api/v1/agencies")) == {
        "江阴环评咨询有限公司",
        "江阴市长江测绘有限公司",
        "ＡＢＣ测绘（江阴）有限公司",
        "澄江环保科技有限公司",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "环"}, {"江阴环评咨询有限公司", "澄江环保科技有限公司"}),
        ({"q": "jyhp"}, {"江阴环评咨询有限公司"}),
        ({"category": "environmental"}, {"江阴环评咨询有限公司", "澄江环保科技有限公司"}),
        ({"region": "青阳镇"}, {"ＡＢＣ测绘（江阴）有限公司"}),
        (
            {"region": "江阴市", "category": "surveying"},
            {"江阴市长江测绘有限公司", "ＡＢＣ测绘（江阴）有限公司"},
        ),
        ({"q": "%"}, set()),
    ],
)
def test_filters_narrow_the_list(client, agencies, params, expected):
    assert names(client.get("/api/v1/agencies", query_string=params)) == expected


def test_a_credit_code_finds_its_agency(client, agencies):
    code = agencies["cehui"].credit_code.lower()
    assert names(client.get("/api/v1/agencies", query_string={"q": code})) == {
        "江阴市长江测绘有限公司"
    }


def test_the_service_filter_keeps_agencies_with_a_fee_in_force(
    client, agencies, make_service_item, offer
):
    item = make_service_item(code="HP-01")
    offer(agencies["huanping"], item)
    offer(agencies["cehui"], item, effective_to=date(2024, 6, 1))
    response = client.get("/api/v1/agencies", query_string={"service_item": "HP-01"})
    assert names(response) == {"江阴环评咨询有限公司"}


def test_min_stars_keeps_agencies_shown_with_at_least_that_many(client, agencies):
    for agency, stars in zip(list(agencies.values())[:2], (4, 2), strict=True):
        agency.stars, agency.rating_status, agency.score = stars, "rated", 50.0 + stars * 10
    db.session.commit()
    four = next(iter(agencies.values())).name

    assert names(client.get("/api/v1/agencies", query_string={"min_stars": 3})) == {four}
    response = client.get("/api/v1/agencies", query_string={"min_stars": 1, "sort": "stars"})
    assert [item["stars"] for item in response.json["items"]] == [4, 2]
    assert response.json["items"][0]["name"] == four


def test_include_blacklisted_is_accepted(client, agencies):
    response = client.get("/api/v1/agencies", query_string={"include_blacklisted": 1})
    assert response.json["total"] == 4


def test_sorting_by_name_follows_pinyin(client, agencies):
    response = client.get("/api/v1/agencies", query_string={"sort": "name"})
    assert [item["name"] for item in response.json["items"]] == [
        "ＡＢＣ测绘（江阴）有限公司",
        "澄江环保科技有限公司",
        "江阴环评咨询有限公司",
        "江阴市长江测绘有限公司",
    ]


def test_pages_carry_the_total(client, make_agency):
    for number in range(5):
        make_agency("active", name=f"江阴测绘{number}有限公司")
    first = client.get("/api/v1/agencies", query_string={"per_page": 2})
    last = client.get("/api/v1/agencies", query_string={"per_page": 2, "page": 3})
    assert (len(first.json["items"]), first.json["total"]) == (2, 5)
    assert (len(last.json["items"]), last.json["page"], last.json["total"]) == (1, 3, 5)
    every = (
        first.json["items"]
        + client.get("/api/v1/agencies", query_string={"per_page": 2, "page": 2}).json["items"]
        + last.json["items"]
    )
    assert len({item["credit_code"] for item in every}) == 5


def test_a_page_past_the_end_is_empty_with_the_total(client, agencies):
    response = client.get("/api/v1/agencies", query_string={"page": 50})
    assert response.status_code == 200
    assert response.json == {"items": [], "page": 50, "per_page": 20, "total": 4}


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"per_page": 101}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"page": -1}, "page"),
        ({"page": 0}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": "9" * 5000}, "page"),
        ({"category": "nonsense"}, "category"),
        ({"region": "某镇"}, "region"),
        ({"sort": "stars!"}, "sort"),
        ({"service_item": "NO-SUCH"}, "service_item"),
        ({"service_item": "A\x00B"}, "service_item"),
        ({"min_stars": 6}, "min_stars"),
        ({"min_stars": "many"}, "min_stars"),
        ({"include_blacklisted": "maybe"}, "include_blacklisted"),
        ({"q": "x" * 10_000}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "环评\x1b[31m"}, "q"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(client, params, named):
    message = bad_request(client.get("/api/v1/agencies", query_string=params, headers=ENGLISH))
    assert message.startswith(f"{named}: ")


def test_per_page_above_100_says_the_limit(client):
    message = bad_request(client.get("/api/v1/agencies?per_page=101", headers=ENGLISH))
    assert message == "per_page: must be a whole number from 1 to 100."


def test_invalid_utf8_in_the_url_is_not_an_error(client, agencies):
    response = client.get("/api/v1/agencies?q=%E6%B5%8B%FF%FE")
    assert response.status_code == 200
    assert response.json["items"] == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=120))
def test_any_text_is_an_answer_never_a_crash(client, q):
    response = client.get("/api/v1/agencies", query_string={"q": q})
    assert response.status_code in (200, 400)
    assert set(response.json) in ({"items", "page", "per_page", "total"}, {"error"})


def test_the_profile_has_identity_qualifications_fees_and_history(
    client, make_agency, make_service_item, offer
):
    agency = make_agency("active", name="江阴澄源环境科技有限公司")
    db.session.add(
        Qualification(
            agency_id=agency.id,
            name="测绘资质证书",
            level="乙级",
            number="A-1",
            issuer="江苏省自然资源厅",
            valid_from=date(2020, 1, 1),
            valid_until=date(2099, 1, 1),
        )
    )
    db.session.commit()
    item = make_service_item(code="CH-01", name="地形测量")
    offer(agency, item, fee_min_fen=50000, effective_to=date(2024, 6, 1))
    offer(agency, item, effective_from=date(2024, 6, 1))
    profile = client.get(f"/api/v1/agencies/{agency.credit_code.lower()}").json
    assert profile["name"] == "江阴澄源环境科技有限公司"
    assert profile["credit_code"] == agency.credit_code
    assert profile["credit_code_exception"] is None
    assert {key: profile[key] for key in PLACEHOLDERS} == {
        **PLACEHOLDERS,
        "commitment": {
            "signed": False,
            "valid_until": None,
            "status": "never_signed",
            "receipt": None,
        },
    }
    assert profile["qualifications"] == [
        {
            "name": "测绘资质证书",
            "level": "乙级",
            "number": "A-1",
            "issuer": "江苏省自然资源厅",
            "valid_from": "2020-01-01",
            "valid_until": "2099-01-01",
            "valid_today": True,
        }
    ]
    assert profile["services"] == [
        {
            "item_code": "CH-01",
            "item_name": "地形测量",
            "pricing_type": "market",
            "statutory_days": 20,
            "fee_min": "800.00",
            "fee_max": "1200.50",
            "unit": "项",
            "basis": "按面积计费",
            "promised_days": 10,
            "effective_from": "2024-06-01",
            "effective_to": None,
        }
    ]
    history = profile["fee_history"]
    assert [entry["item_code"] for entry in history] == ["CH-01"]
    assert [fee["fee_min"] for fee in history[0]["schedules"]] == ["800.00", "500.00"]
    assert "certificate" not in str(profile)


def test_a_suspended_agency_shows_why(client, make_agency):
    agency = make_agency("suspended")
    agency.status_reason = "资质过期"
    db.session.commit()
    profile = client.get(f"/api/v1/agencies/{agency.credit_code}").json
    assert (profile["status"], profile["status_reason"]) == ("suspended", "资质过期")


@pytest.mark.parametrize("code", ["123", "not-a-code", "91320281MA1XXXXXXI", "9132028%FF"])
def test_a_malformed_code_is_a_400_saying_why(client, code):
    message = bad_request(client.get(f"/api/v1/agencies/{code}", headers=ENGLISH))
    assert "code" in message or "Character" in message


def test_a_wrong_check_character_says_which_it_should_be(client):
    code = generate_credit_code(random.Random(1))
    wrong = code[:-1] + next(char for char in ALPHABET if char != code[-1])
    message = bad_request(client.get(f"/api/v1/agencies/{wrong}", headers=ENGLISH))
    assert f"should be {code[-1]}" in message


def test_a_code_a_regulator_accepted_despite_the_check_is_found(client, make_agency):
    code = generate_credit_code(random.Random(2))
    wrong = code[:-1] + next(char for char in ALPHABET if char != code[-1])
    agency = make_agency("active", credit_code=wrong)
    agency.credit_code_exception = "营业执照原件核验无误"
    db.session.commit()
    profile = client.get(f"/api/v1/agencies/{wrong}").json
    assert profile["credit_code_exception"] == "营业执照原件核验无误"


def test_an_unknown_valid_code_is_a_404(client):
    response = client.get("/api/v1/agencies/91350100M000100Y43")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert response.json["error"]["message"]


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_unverified_agencies_are_a_404(client, make_agency, status):
    agency = make_agency(status)
    assert client.get(f"/api/v1/agencies/{agency.credit_code}").status_code == 404


@pytest.mark.parametrize("limit", [1000, 2])
def test_the_total_stays_exact_and_pages_follow_one_order_past_the_search_limit(
    app, client, make_agency, limit
):
    """Past the limit the list walks indexes for early pages and sorts for deep ones."""
    app.config["SEARCH_COUNT_LIMIT"] = limit
    for name in ("江阴测绘院", "无锡江阴测绘", "江阴测绘", "苏州江阴测绘", "江阴测绘地理信息"):
        make_agency("active", name=f"{name}有限公司" if name != "江阴测绘" else name)
    pages = [
        client.get("/api/v1/agencies", query_string={"q": "江阴测绘", "per_page": 2, "page": page})
        for page in (1, 2, 3, 4)
    ]
    assert [page.json["total"] for page in pages] == [5, 5, 5, 5]
    assert [item["name"] for page in pages for item in page.json["items"]] == [
        "江阴测绘",
        "江阴测绘地理信息有限公司",
        "江阴测绘院有限公司",
        "无锡江阴测绘有限公司",
        "苏州江阴测绘有限公司",
    ]


def test_the_list_without_a_query_counts_every_listed_agency(app, client, agencies):
    app.config["SEARCH_COUNT_LIMIT"] = 1
    response = client.get("/api/v1/agencies", query_string={"per_page": 1, "page": 2})
    assert response.json["total"] == 4
    assert [item["name"] for item in response.json["items"]] == ["澄江环保科技有限公司"]
