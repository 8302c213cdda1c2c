"""The engagement pages: each party sees its own engagements and acts on them; others see
nothing; regulators see all, filtered."""

from datetime import date

import pytest
from sqlalchemy import select

from ratings.engagements import services
from ratings.engagements.models import Engagement, EngagementStatus, ExtensionRequest
from registry.db import db
from tests.conftest import post_form
from tests.ratings.engagements.conftest import ENGLISH, accepted, count, recorded


def page_text(client, url: str) -> str:
    response = client.get(url, headers=ENGLISH)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_an_enterprise_finds_the_agency_and_records_an_engagement(client, auth, world):
    auth.login(world.enterprise_user.email)
    found = page_text(client, "/my/enterprise/engagements/new?q=澄信")
    assert world.agency.name in found
    form_page = page_text(
        client, f"/my/enterprise/engagements/new?agency={world.agency.credit_code}"
    )
    assert "promised within 5 working days" in form_page
    assert "Government cap" in form_page
    response = post_form(
        client,
        f"/my/enterprise/engagements/new?agency={world.agency.credit_code}",
        {
            "service_item": world.item.id,
            "agreed_fee": "880.00",
            "start_date": "2026-09-28",
            "project": "二期厂房",
        },
    )
    assert response.status_code == 302
    engagement = db.session.execute(select(Engagement)).scalar_one()
    assert engagement.overcharge_fen == 8000
    shown = page_text(client, response.headers["Location"])
    assert "above the published maximum" in shown
    assert "Awaiting the agency" in shown


def test_bad_input_keeps_what_was_typed_and_writes_nothing(client, auth, world):
    auth.login(world.enterprise_user.email)
    response = post_form(
        client,
        f"/my/enterprise/engagements/new?agency={world.agency.credit_code}",
        {
            "service_item": world.item.id,
            "agreed_fee": "",
            "start_date": "2026-01-02",
            "project": "三期",
        },
        headers=ENGLISH,
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'value="三期"' in text
    assert 'value="2026-01-02"' in text
    assert count(Engagement) == 0
    too_early = post_form(
        client,
        f"/my/enterprise/engagements/new?agency={world.agency.credit_code}",
        {"service_item": world.item.id, "agreed_fee": "700", "start_date": "2026-01-02"},
        headers=ENGLISH,
    )
    assert too_early.status_code == 400
    assert "at most 90 days ago" in too_early.get_data(as_text=True)
    no_service = post_form(
        client,
        f"/my/enterprise/engagements/new?agency={world.agency.credit_code}",
        {"agreed_fee": "700", "start_date": "2026-09-28"},
        headers=ENGLISH,
    )
    assert "Choose one of the agency" in no_service.get_data(as_text=True)
    assert count(Engagement) == 0


def test_a_suspended_agency_cannot_be_engaged_through_the_page(client, auth, world):
    world.agency.status = "suspended"
    db.session.commit()
    auth.login(world.enterprise_user.email)
    page = page_text(client, f"/my/enterprise/engagements/new?agency={world.agency.credit_code}")
    assert "cannot take new engagements" in page
    response = post_form(
        client,
        f"/my/enterprise/engagements/new?agency={world.agency.credit_code}",
        {"service_item": world.item.id, "agreed_fee": "700", "start_date": "2026-09-28"},
    )
    assert response.status_code == 400
    assert count(Engagement) == 0


def test_the_agency_confirms_and_delivers_through_the_pages(client, auth, world, clock):
    engagement = recorded(world)
    auth.login(world.agency_user.email)
    listing = page_text(client, "/my/agency/engagements")
    assert "1 to confirm" in listing
    assert "To act: the agency" in listing
    assert "Confirm this engagement?" in page_text(client, f"/engagements/{engagement.id}/accept")
    assert post_form(client, f"/engagements/{engagement.id}/accept").status_code == 302
    clock.set(date(2026, 10, 13))
    assert post_form(client, f"/engagements/{engagement.id}/deliver").status_code == 302
    db.session.expire_all()
    engagement = db.session.get(Engagement, engagement.id)
    assert engagement.status == EngagementStatus.DELIVERED
    assert engagement.late_working_days == 2  # due Saturday 10 October; 12 and 13 worked
    shown = page_text(client, f"/engagements/{engagement.id}")
    assert "2 working days late" in shown
    assert "To act: the enterprise" in shown


def test_a_step_out_of_order_says_why_and_changes_nothing(client, auth, world):
    engagement = recorded(world)
    auth.login(world.agency_user.email)
    page = client.get(f"/engagements/{engagement.id}/deliver", headers=ENGLISH)
    assert page.status_code == 400
    assert "This cannot be done now" in page.get_data(as_text=True)
    response = post_form(client, f"/engagements/{engagement.id}/deliver", headers=ENGLISH)
    assert response.status_code == 400
    assert "Confirm the engagement before you mark it delivered." in response.get_data(as_text=True)
    assert db.session.get(Engagement, engagement.id).status == EngagementStatus.AWAITING_AGENCY


def test_the_other_partys_step_is_forbidden(client, auth, world):
    engagement = recorded(world)
    auth.login(world.agency_user.email)
    assert post_form(client, f"/engagements/{engagement.id}/confirm").status_code == 403
    auth.logout()
    auth.login(world.enterprise_user.email)
    assert post_form(client, f"/engagements/{engagement.id}/accept").status_code == 403
    assert db.session.get(Engagement, engagement.id).status == EngagementStatus.AWAITING_AGENCY


def test_extensions_through_the_pages(client, auth, world):
    engagement = accepted(world)
    auth.login(world.agency_user.email)
    response = post_form(
        client,
        f"/engagements/{engagement.id}/extension",
        {"extra_days": "2", "justification": "等待规划部门复核"},
    )
    assert response.status_code == 302
    extension = db.session.execute(select(ExtensionRequest)).scalar_one()
    auth.logout()
    auth.login(world.enterprise_user.email)
    url = f"/engagements/{engagement.id}/extensions/{extension.id}"
    refused = post_form(client, url, {"decision": "refuse", "reason": ""}, headers=ENGLISH)
    assert refused.status_code == 400
    assert "Give the reason for refusing" in refused.get_data(as_text=True)
    assert post_form(client, url, {"decision": "accept", "reason": ""}).status_code == 302
    assert "+ 2 working days extension" in page_text(client, f"/engagements/{engagement.id}")


def test_an_agency_user_cannot_see_another_agencys_engagements(
    client, auth, world, make_account, make_agency
):
    engagement = recorded(world)
    other = make_account("agency")
    make_agency("active", users=[other])
    auth.login(other.email)
    assert client.get(f"/engagements/{engagement.id}").status_code == 404
    assert post_form(client, f"/engagements/{engagement.id}/accept").status_code == 404
    listing = page_text(client, "/my/agency/engagements")
    assert world.enterprise.name not in listing
    assert world.item.name not in listing


def test_another_enterprise_cannot_see_the_engagement(
    client, auth, world, make_account, make_enterprise
):
    engagement = recorded(world)
    other = make_account("enterprise")
    make_enterprise(users=[other])
    auth.login(other.email)
    assert client.get(f"/engagements/{engagement.id}").status_code == 404
    assert world.agency.name not in page_text(client, "/my/enterprise/engagements")


def test_a_public_account_cannot_open_engagements(client, login_as, world):
    engagement = recorded(world)
    login_as("public")
    assert client.get(f"/engagements/{engagement.id}").status_code == 403


def test_regulators_see_all_and_filter_overdue_agency_and_state(
    client, login_as, world, clock, make_agency, publish_fee
):
    late = accepted(world, project="逾期项目")
    on_time = recorded(world, start_date=date(2026, 10, 20), project="未到期项目")
    other_agency = make_agency("active", name="江阴远方测绘有限公司")
    publish_fee(other_agency, world.item)
    other = recorded(world, agency_id=other_agency.id, project="他家项目")
    clock.set(date(2026, 10, 14))
    login_as("regulator")
    everything = page_text(client, "/regulator/engagements")
    assert all(p in everything for p in ("逾期项目", "未到期项目", "他家项目"))
    overdue = page_text(client, "/regulator/engagements?overdue=y")
    assert "逾期项目" in overdue
    assert "overdue by 3 working days" in overdue
    assert "未到期项目" not in overdue
    by_agency = page_text(client, "/regulator/engagements?agency=远方")
    assert "他家项目" in by_agency
    assert "逾期项目" not in by_agency
    by_code = page_text(client, f"/regulator/engagements?agency={other_agency.credit_code}")
    assert "他家项目" in by_code
    by_state = page_text(client, "/regulator/engagements?status=open")
    assert "逾期项目" in by_state
    assert "他家项目" not in by_state
    assert client.get("/regulator/engagements?status=nonsense").status_code == 400
    assert {late.id, on_time.id, other.id}


def test_each_step_notifies_the_other_party_with_a_working_link(client, auth, world):
    recorded(world)
    auth.login(world.agency_user.email)
    inbox = page_text(client, "/inbox/")
    assert "recorded an engagement with your agency" in inbox


@pytest.mark.parametrize("url", ["/my/enterprise/engagements", "/my/enterprise/draws/new"])
def test_an_enterprise_user_without_an_enterprise_is_sent_to_link_one(client, login_as, url):
    login_as("enterprise")
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/my/enterprise/")


def test_overdue_notices_are_sent_once_per_due_date(world, clock):
    from tests.ratings.engagements.conftest import notices_of

    accepted(world)
    clock.set(date(2026, 10, 14))
    assert services.send_overdue_notices() == 1
    services.send_overdue_notices()
    db.session.commit()
    assert notices_of(world.agency_user).count("engagement.overdue") == 1


def test_open_work_lists_each_deadline_with_the_accountable_person(world, clock):
    from ratings.engagements.queries import open_work

    late = accepted(world)
    waiting = recorded(world, start_date=date(2026, 10, 12))
    clock.set(date(2026, 10, 14))
    rows = open_work(clock.today())
    assert [row.engagement.id for row in rows] == [late.id, waiting.id]
    assert rows[0].deadline.overdue_working_days == 3
    assert (rows[0].accountable.party, rows[0].accountable.person) == ("agency", "李机构")
    assert rows[1].accountable.person == "张联系", "not confirmed: the agency's contact person"
