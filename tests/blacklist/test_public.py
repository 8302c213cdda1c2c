"""What the public sees: the list and its history, the API and the CSV agreeing with it, and
the consequences of a listing on the profile, the agency API and the search."""

import csv
import io
from datetime import date

from blacklist import repair, services
from registry.db import db
from tests.blacklist.conftest import (
    ENGLISH,
    decision,
    listed,
    objected,
    page_text,
    reread,
    upload,
)
from tests.conftest import PASSWORD


def _listed_in_2026(parties, clock, **kwargs):
    clock.set(date(2026, 9, 29))
    return listed(parties, **kwargs)


def test_the_public_list_shows_each_listing_in_force(client, parties, clock):
    _listed_in_2026(parties, clock)
    page = page_text(client.get("/blacklist", headers=ENGLISH))
    for shown in (
        "江阴华澄测绘有限公司",
        parties.agency.credit_code,
        "Falsified report",
        "《江阴市中介机构信用管理办法》第十八条",
        "江阴市行政审批局",
        "澄审信黑〔2026〕1号",
        "Sep 29, 2026",
        "Sep 28, 2027",
    ):
        assert shown in page
    assert "报告数据系客户提供" not in page, "the objection stays private"
    assert "江阴明远工程咨询有限公司" not in page


def test_the_public_list_is_searchable_by_name_or_code(client, parties, clock):
    _listed_in_2026(parties, clock)
    assert "江阴华澄测绘" in page_text(client.get("/blacklist?q=华澄"))
    assert "江阴华澄测绘" in page_text(client.get(f"/blacklist?q={parties.agency.credit_code}"))
    page = page_text(client.get("/blacklist?q=明远", headers=ENGLISH))
    assert "江阴华澄测绘" not in page
    assert "No listing matches." in page


def test_the_public_list_comes_in_pages(app, client, parties, clock, make_agency):
    app.config["PAGE_SIZE"] = 2
    clock.set(date(2026, 9, 29))
    for number in range(3):
        parties.agency = make_agency("active", name=f"江阴分页测绘有限公司{number}")
        parties.staff.agency_id = parties.agency.id
        db.session.commit()
        listed(parties, number=f"澄审信黑〔2026〕{number + 10}号")
    first = page_text(client.get("/blacklist", headers=ENGLISH))
    assert first.count('data-testid="listing"') == 2
    assert "3 in all, page 1 of 2" in first
    assert page_text(client.get("/blacklist?page=2")).count('data-testid="listing"') == 1


def test_revoked_repaired_and_expired_listings_move_to_the_history(client, parties, clock):
    revoked = _listed_in_2026(parties, clock)
    services.revoke_listing(parties.reviewer, revoked, "投诉经复查撤销。", PASSWORD)
    db.session.commit()
    assert "江阴华澄测绘" not in page_text(client.get("/blacklist"))
    history = page_text(client.get("/blacklist?history=1", headers=ENGLISH))
    assert "Revoked: the listing was wrong" in history
    assert "Sep 29, 2026" in history

    expired = listed(parties, number="澄审信黑〔2026〕2号")
    clock.set(date(2027, 9, 29))  # the day after its last day: not recorded yet
    history = page_text(client.get("/blacklist?history=1", headers=ENGLISH))
    assert "Ended: term expired" in history
    assert "No agency is on the blacklist today." in page_text(
        client.get("/blacklist", headers=ENGLISH)
    )
    assert reread(expired).state == "listed"


def test_the_api_lists_current_and_past_listings(client, parties, clock):
    case = _listed_in_2026(parties, clock)
    body = client.get("/api/v1/blacklist").json
    assert body["total"] == 1
    [item] = body["items"]
    assert item == {
        "agency": {"credit_code": parties.agency.credit_code, "name": "江阴华澄测绘有限公司"},
        "ground": "falsified_report",
        "legal_basis": "《江阴市中介机构信用管理办法》第十八条",
        "deciding_authority": "江阴市行政审批局",
        "decision_number": "澄审信黑〔2026〕1号",
        "decided_on": "2026-09-29",
        "listed_from": "2026-09-29",
        "listed_until": "2027-09-28",
        "status": "listed",
        "ended_on": None,
    }
    assert client.get("/api/v1/blacklist?history=1").json["total"] == 0
    clock.set(date(2027, 4, 1))
    application = repair.apply_for_repair(parties.staff, reread(case), "已整改。", [upload()])
    repair.decide_repair(parties.reviewer, application, True, "整改到位。", PASSWORD)
    db.session.commit()
    assert client.get("/api/v1/blacklist").json["items"] == []
    [past] = client.get("/api/v1/blacklist?history=1").json["items"]
    assert (past["status"], past["ended_on"]) == ("repaired", "2027-04-01")


def test_the_api_refuses_a_bad_parameter_with_a_message(client):
    response = client.get("/api/v1/blacklist?history=yes", headers=ENGLISH)
    assert response.status_code == 400
    assert "history: must be 0 or 1" in response.json["error"]["message"]


def test_the_csv_matches_the_list_with_a_bom_and_safe_cells(client, parties, clock):
    clock.set(date(2026, 9, 29))
    case = objected(parties)
    case.legal_basis = '=HYPERLINK("http://evil")'
    db.session.commit()
    services.decide_case(parties.reviewer, reread(case), decision())
    db.session.commit()
    response = client.get("/api/v1/blacklist.csv", buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    api = client.get("/api/v1/blacklist").json["items"]
    assert [row["credit_code"] for row in rows] == [item["agency"]["credit_code"] for item in api]
    assert rows[0]["legal_basis"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["status"] == "listed"


# --- consequences ------------------------------------------------------------------------------


def test_the_profile_shows_the_listing_and_its_history(client, parties, clock):
    profile = f"/agencies/{parties.agency.credit_code}"
    assert "Not on the blacklist." in page_text(client.get(profile, headers=ENGLISH))
    case = _listed_in_2026(parties, clock)
    page = page_text(client.get(profile, headers=ENGLISH))
    assert "On the blacklist until Sep 28, 2027" in page
    assert "澄审信黑〔2026〕1号" in page
    assert "报告数据系客户提供" not in page
    services.revoke_listing(parties.reviewer, reread(case), "撤销。", PASSWORD)
    db.session.commit()
    page = page_text(client.get(profile, headers=ENGLISH))
    assert "On the blacklist until" not in page
    assert "Revoked: the listing was wrong" in page


def test_the_agency_api_says_blacklisted_with_no_stars_and_the_history(client, parties, clock):
    path = f"/api/v1/agencies/{parties.agency.credit_code}"
    assert client.get(path).json["blacklisted"] is False
    _listed_in_2026(parties, clock)
    body = client.get(path).json
    assert (body["blacklisted"], body["stars"], body["rating_status"]) == (
        True,
        None,
        "blacklisted",
    )
    assert [h["decision_number"] for h in body["blacklist_history"]] == ["澄审信黑〔2026〕1号"]
    clock.set(date(2027, 9, 29))
    body = client.get(path).json
    assert body["blacklisted"] is False
    assert body["blacklist_history"][0]["status"] == "expired"


def test_a_listed_agency_is_left_out_of_default_search_results(client, parties, clock):
    _listed_in_2026(parties, clock)
    assert "江阴华澄测绘" not in page_text(client.get("/?q=华澄"))
    shown = page_text(client.get("/?q=华澄&include_blacklisted=y", headers=ENGLISH))
    assert "江阴华澄测绘" in shown
    assert "On the blacklist" in shown
    api = client.get("/api/v1/agencies?q=华澄").json
    assert api["total"] == 0
    api = client.get("/api/v1/agencies?q=华澄&include_blacklisted=1").json
    assert [item["blacklisted"] for item in api["items"]] == [True]
    clock.set(date(2027, 9, 29))
    assert "江阴华澄测绘" in page_text(client.get("/?q=华澄")), "back the day after its term"
