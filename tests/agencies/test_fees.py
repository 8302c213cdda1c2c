"""Agencies publish fees; a change supersedes the old row, so history is never lost."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.agencies.models import FeeSchedule
from registry.dates import local_today
from registry.db import db
from tests.conftest import AuthActions, post_form


@pytest.fixture
def agency_client(app, make_account, make_agency):
    """An English-reading client signed in as staff of an active agency."""
    account = make_account("agency")
    agency = make_agency("active", users=[account])
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(client).login(account.email)
    client.agency = agency
    return client


def offer(item, **overrides):
    data = {
        "service_item": item.id,
        "fee_min": "800",
        "fee_max": "1200",
        "basis": "按《工程勘察设计收费标准》计费",
        "promised_days": "10",
        "effective_from": local_today().isoformat(),
    }
    data.update(overrides)
    return data


def schedules():
    db.session.rollback()
    return db.session.execute(select(FeeSchedule).order_by(FeeSchedule.id)).scalars().all()


def test_active_agency_publishes_a_fee_shown_on_its_profile(
    agency_client, client, make_service_item
):
    item = make_service_item(name="地形图测绘")
    response = post_form(agency_client, "/my/agency/fees", offer(item))
    assert response.status_code == 302
    (schedule,) = schedules()
    assert (schedule.fee_min_fen, schedule.fee_max_fen, schedule.unit) == (80000, 120000, "项")
    page = client.get(
        f"/agencies/{agency_client.agency.credit_code}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "地形图测绘" in page
    assert "CN¥800.00" in page
    assert "CN¥1,200.00" in page


def test_a_change_ends_the_old_fee_and_keeps_it_in_the_history(
    agency_client, client, make_service_item
):
    item = make_service_item()
    today = local_today()
    post_form(agency_client, "/my/agency/fees", offer(item))
    later = today + timedelta(days=5)
    post_form(
        agency_client,
        "/my/agency/fees",
        offer(item, fee_max="1500", effective_from=later.isoformat()),
    )
    old, new = schedules()
    assert (old.effective_from, old.effective_to) == (today, later)
    assert (new.effective_from, new.effective_to, new.fee_max_fen) == (later, None, 150000)
    in_force = {row.id for row in db.session.execute(FeeSchedule.in_force_on(today)).scalars()}
    assert in_force == {old.id}
    in_force = {row.id for row in db.session.execute(FeeSchedule.in_force_on(later)).scalars()}
    assert in_force == {new.id}
    page = client.get(
        f"/agencies/{agency_client.agency.credit_code}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "Fee history" in page
    assert "CN¥1,500.00" in page


def test_a_same_day_correction_leaves_the_first_row_as_replaced(agency_client, make_service_item):
    item = make_service_item()
    post_form(agency_client, "/my/agency/fees", offer(item))
    post_form(agency_client, "/my/agency/fees", offer(item, fee_max="1100"))
    first, second = schedules()
    assert first.effective_from == first.effective_to
    assert second.effective_to is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"fee_min": "1500", "fee_max": "1200"}, "minimum fee is above the maximum"),
        ({"fee_min": "-5"}, "Number must be at least 0"),
        ({"promised_days": "30"}, "statutory limit of 20 working days"),
        ({"promised_days": "0"}, "Number must be between 1"),
        ({"effective_from": "2020-01-01"}, "cannot take effect in the past"),
        ({"fee_max": "1200.5x"}, "Not a valid decimal"),
    ],
)
def test_fee_rules_are_enforced(agency_client, make_service_item, overrides, message):
    item = make_service_item(statutory_days=20)
    page = post_form(agency_client, "/my/agency/fees", offer(item, **overrides))
    assert page.status_code == 200
    assert message in page.get_data(as_text=True)
    assert schedules() == []


def test_a_fee_above_the_government_cap_is_refused(agency_client, make_service_item):
    item = make_service_item(pricing="government_guided", cap="1000")
    page = post_form(agency_client, "/my/agency/fees", offer(item, fee_max="1000.01"))
    assert "above the government cap of 1000" in page.get_data(as_text=True)
    assert schedules() == []
    post_form(agency_client, "/my/agency/fees", offer(item, fee_max="1000"))
    assert len(schedules()) == 1


def test_a_retired_item_takes_no_new_fee(agency_client, make_service_item):
    item = make_service_item()
    item.retired_on = date(2025, 1, 1)
    db.session.commit()
    page = post_form(agency_client, "/my/agency/fees", offer(item))
    assert schedules() == []
    assert page.status_code == 200


@pytest.mark.parametrize("status", ["pending", "suspended", "rejected"])
def test_an_agency_that_is_not_active_cannot_publish(
    app, make_account, make_agency, make_service_item, status
):
    account = make_account("agency")
    make_agency(status, users=[account])
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    AuthActions(client).login(account.email)
    page = post_form(client, "/my/agency/fees", offer(make_service_item()))
    assert "Only an active agency can publish fees" in page.get_data(as_text=True)
    assert schedules() == []


def test_withdrawing_ends_the_offer_but_keeps_it_public(agency_client, client, make_service_item):
    item = make_service_item(name="宗地测绘")
    post_form(agency_client, "/my/agency/fees", offer(item))
    (schedule,) = schedules()
    tomorrow = local_today() + timedelta(days=1)
    post_form(
        agency_client,
        f"/my/agency/fees/{schedule.id}/withdraw",
        {"effective_to": tomorrow.isoformat()},
    )
    (schedule,) = schedules()
    assert schedule.effective_to == tomorrow


def test_staff_of_another_agency_cannot_withdraw_its_fee(
    app, agency_client, make_account, make_agency, make_service_item
):
    post_form(agency_client, "/my/agency/fees", offer(make_service_item()))
    (schedule,) = schedules()
    intruder_account = make_account("agency")
    make_agency("active", users=[intruder_account])
    intruder = app.test_client()
    AuthActions(intruder).login(intruder_account.email)
    response = post_form(
        intruder,
        f"/my/agency/fees/{schedule.id}/withdraw",
        {"effective_to": local_today().isoformat()},
    )
    assert response.status_code == 404
    (schedule,) = schedules()
    assert schedule.effective_to is None


def test_the_database_refuses_two_open_rows_for_one_offer(agency_client, make_service_item):
    from sqlalchemy.exc import IntegrityError

    item = make_service_item()
    post_form(agency_client, "/my/agency/fees", offer(item))
    (schedule,) = schedules()
    db.session.add(
        FeeSchedule(
            agency_id=schedule.agency_id,
            service_item_id=item.id,
            fee_min_fen=1,
            fee_max_fen=2,
            unit="项",
            basis="x",
            promised_days=1,
            effective_from=local_today(),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
