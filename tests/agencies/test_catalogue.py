"""The service catalogue: regulators keep it, caps keep their history, everyone reads it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from registry.accounts.permissions import PermissionDenied
from registry.agencies.catalogue import (
    CapDetails,
    CatalogueError,
    ServiceItemDetails,
    create_service_item,
    listed_lines,
    reinstate_service_item,
    retire_service_item,
    service_item_by_code,
    set_fee_cap,
    update_service_item,
)
from registry.agencies.models import FeeCap, FeeSchedule, ServiceItem, fen
from registry.audit.labels import action_label, object_label
from registry.audit.models import AuditEvent
from registry.dates import local_today
from registry.db import db
from tests.conftest import post_form

ENGLISH = {"Accept-Language": "en"}
OUTSIDERS = ["agency", "enterprise", "supervisor", "admin"]
ITEM_FORM = {
    "name": "不动产测绘",
    "category": "surveying",
    "pricing_type": "market",
    "unit": "宗",
    "statutory_days": "10",
    "legal_basis": "《中华人民共和国测绘法》",
    "acceptance_conditions": "不动产权属清楚",
    "materials": "1. 申请书\n2. 权属证明",
    "procedure": "1. 受理\n2. 外业测量\n3. 出具成果",
}


def details(**overrides) -> ServiceItemDetails:
    values = {
        "name": "工程测量",
        "category": "surveying",
        "legal_basis": "《测绘法》第二十七条",
        "pricing_type": "market",
        "unit": "项",
        "statutory_days": 15,
        "acceptance_conditions": "委托书已签订",
        "materials": "申请书",
        "procedure": "受理\n测量\n出具报告",
    }
    return ServiceItemDetails(**{**values, **overrides})


def a_cap(amount: str = "800", effective_from: date = date(2024, 1, 1)) -> CapDetails:
    return CapDetails(cap=Decimal(amount), basis="苏价服〔2024〕2号", effective_from=effective_from)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def item_count() -> int:
    return db.session.execute(select(func.count()).select_from(ServiceItem)).scalar_one()


def cap_count() -> int:
    return db.session.execute(select(func.count()).select_from(FeeCap)).scalar_one()


@pytest.fixture
def regulator(make_account):
    return make_account("regulator")


# --- services ---------------------------------------------------------------------------


def test_a_guided_item_is_created_with_its_first_cap_and_audited(regulator):
    item = create_service_item(
        regulator, "  ch-001 ", details(pricing_type="government_guided"), a_cap("800")
    )
    db.session.commit()
    assert item.code == "CH-001"
    assert [(cap.cap_fen, cap.effective_to) for cap in item.caps] == [(fen(Decimal(800)), None)]
    created, cap_set = events("service_item.created"), events("service_item.cap_set")
    assert created[0].details["code"] == "CH-001"
    assert Decimal(cap_set[0].details["cap"]) == 800


def test_full_width_code_is_stored_plain(regulator):
    item = create_service_item(regulator, "ＣＨ－００２", details())
    assert item.code == "CH-002"


def test_a_duplicate_code_is_refused_whatever_its_case(regulator, make_service_item):
    make_service_item("CH-001")
    with pytest.raises(CatalogueError) as refused:
        create_service_item(regulator, " ch-001", details())
    assert refused.value.field == "code"
    db.session.rollback()
    assert item_count() == 1


@pytest.mark.parametrize("code", ["", "CH 001", "CH_001", "-CH", "测绘-1", "C" * 31])
def test_a_code_other_than_letters_digits_and_dashes_is_refused(regulator, code):
    with pytest.raises(CatalogueError):
        create_service_item(regulator, code, details())
    db.session.rollback()
    assert item_count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"statutory_days": 0}, "statutory_days"),
        ({"name": "   "}, "name"),
        ({"procedure": "\r\n"}, "procedure"),
        ({"materials": ""}, "materials"),
        ({"category": "astrology"}, "category"),
        ({"pricing_type": "free"}, "pricing_type"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_saved(regulator, overrides, field):
    with pytest.raises(CatalogueError) as refused:
        create_service_item(regulator, "CH-009", details(**overrides))
    assert refused.value.field == field
    db.session.rollback()
    assert item_count() == 0


def test_a_guided_item_without_a_cap_is_refused(regulator):
    with pytest.raises(CatalogueError) as refused:
        create_service_item(regulator, "CH-010", details(pricing_type="government_guided"))
    assert refused.value.field == "cap"
    db.session.rollback()
    assert item_count() == 0


@pytest.mark.parametrize("amount", ["-1", "12.345", "NaN", "Infinity"])
def test_a_negative_or_malformed_cap_is_refused(regulator, amount):
    with pytest.raises(CatalogueError):
        create_service_item(
            regulator, "CH-011", details(pricing_type="government_guided"), a_cap(amount)
        )
    db.session.rollback()
    assert (item_count(), cap_count()) == (0, 0)


def test_a_market_priced_item_has_no_cap(regulator, make_service_item):
    with pytest.raises(CatalogueError):
        create_service_item(regulator, "CH-012", details(), a_cap())
    item = make_service_item(pricing="market")
    with pytest.raises(CatalogueError):
        set_fee_cap(regulator, item, a_cap())
    db.session.rollback()
    assert cap_count() == 0


def test_corrections_change_everything_but_the_code_and_record_what_changed(
    regulator, make_service_item
):
    item = make_service_item("CH-020", statutory_days=20)
    update_service_item(regulator, item, details(name="更正后的名称", statutory_days=12))
    db.session.commit()
    assert (item.code, item.name, item.statutory_days) == ("CH-020", "更正后的名称", 12)
    recorded = events("service_item.updated")[0].details
    assert recorded["code"] == "CH-020"
    assert recorded["changes"]["statutory_days"] == {"from": 20, "to": 12}
    assert "code" not in recorded["changes"]


def test_resubmitting_the_same_text_with_crlf_line_ends_changes_nothing(
    regulator, make_service_item
):
    item = make_service_item("CH-021")
    same = details(
        name=item.name,
        legal_basis=item.legal_basis,
        unit=item.unit,
        statutory_days=item.statutory_days,
        acceptance_conditions=item.acceptance_conditions,
        materials=item.materials,
        procedure=item.procedure.replace("\n", "\r\n"),
    )
    update_service_item(regulator, item, same)
    db.session.commit()
    assert events("service_item.updated") == []


def test_switching_a_market_item_to_guided_needs_a_cap(regulator, make_service_item):
    item = make_service_item("CH-022", pricing="market")
    with pytest.raises(CatalogueError) as refused:
        update_service_item(regulator, item, details(pricing_type="government_guided"))
    assert refused.value.field == "cap"
    db.session.rollback()
    assert db.session.get(ServiceItem, item.id).pricing_type == "market"

    item = db.session.get(ServiceItem, item.id)
    update_service_item(regulator, item, details(pricing_type="government_guided"), a_cap("500"))
    db.session.commit()
    assert item.cap_in_force_on(local_today()).cap == Decimal(500)


def test_switching_a_guided_item_to_market_ends_its_cap_and_keeps_the_history(
    regulator, make_service_item
):
    item = make_service_item("CH-023", pricing="government_guided", cap="1000")
    update_service_item(regulator, item, details(pricing_type="market"))
    db.session.commit()
    assert item.cap_in_force_on(local_today()) is None
    assert item.cap_in_force_on(date(2021, 6, 1)).cap == Decimal(1000)
    assert events("service_item.updated")[0].details["cap_ended_on"] == local_today().isoformat()


def test_a_new_cap_ends_the_old_one_which_stays_in_force_for_past_dates(
    regulator, make_service_item
):
    item = make_service_item("CH-030", pricing="government_guided", cap="1000")
    old_cap = item.caps[0]
    new_cap = set_fee_cap(regulator, item, a_cap("1200", effective_from=date(2025, 3, 1)))
    db.session.commit()
    assert old_cap.effective_to == date(2025, 3, 1)
    assert old_cap.cap_fen == fen(Decimal(1000)), "the old cap row is not edited"
    assert item.cap_in_force_on(date(2025, 2, 28)) is old_cap
    assert item.cap_in_force_on(date(2025, 3, 1)) is new_cap
    assert events("service_item.cap_set")[0].details["replaces"] == old_cap.id


def test_a_cap_cannot_start_before_the_cap_in_force(regulator, make_service_item):
    item = make_service_item("CH-031", pricing="government_guided", cap="1000")
    with pytest.raises(CatalogueError) as refused:
        set_fee_cap(regulator, item, a_cap("900", effective_from=date(2019, 12, 31)))
    assert refused.value.field == "cap_effective_from"
    db.session.rollback()
    assert cap_count() == 1


def test_a_retired_item_is_kept_and_can_be_reinstated(regulator, make_service_item):
    item = make_service_item("CH-040")
    retire_service_item(regulator, item, local_today())
    db.session.commit()
    assert service_item_by_code("CH-040").retired_on == local_today()
    reinstate_service_item(regulator, item)
    db.session.commit()
    assert item.retired_on is None
    assert len(events("service_item.retired")) == len(events("service_item.reinstated")) == 1


def test_an_item_cannot_be_retired_in_the_past_nor_twice(regulator, make_service_item):
    item = make_service_item("CH-041")
    with pytest.raises(CatalogueError):
        retire_service_item(regulator, item, local_today() - timedelta(days=1))
    retire_service_item(regulator, item, local_today())
    with pytest.raises(CatalogueError):
        retire_service_item(regulator, item, local_today())


@pytest.mark.parametrize("role", OUTSIDERS)
def test_only_regulators_may_change_the_catalogue(make_account, make_service_item, role):
    outsider = make_account(role)
    item = make_service_item("CH-050", pricing="government_guided")
    attempts = [
        lambda: create_service_item(outsider, "CH-051", details()),
        lambda: update_service_item(outsider, item, details()),
        lambda: set_fee_cap(outsider, item, a_cap(effective_from=date(2026, 1, 1))),
        lambda: retire_service_item(outsider, item, local_today()),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()


def test_catalogue_actions_have_readable_labels(app):
    assert action_label("service_item.cap_set") != "service_item.cap_set"
    assert object_label("service_item") != "service_item"


def test_listed_lines_drop_their_own_numbering_but_keep_numbers_in_the_text():
    text = "1. 受理\r\n\r\n2、 勘察\n（3）3.5米以上另计\n四、出具报告"
    assert listed_lines(text) == ["受理", "勘察", "3.5米以上另计", "出具报告"]


# --- regulator pages ---------------------------------------------------------------------


def test_a_regulator_creates_an_item_through_the_form(client, login_as):
    login_as("regulator")
    response = post_form(client, "/regulator/catalogue/new", {**ITEM_FORM, "code": "bdc-01"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/regulator/catalogue/BDC-01/edit")
    assert service_item_by_code("BDC-01").materials == "1. 申请书\n2. 权属证明"


def test_a_duplicate_code_is_shown_on_the_form_with_what_was_typed(
    client, login_as, make_service_item
):
    make_service_item("BDC-01")
    login_as("regulator")
    response = post_form(
        client,
        "/regulator/catalogue/new",
        {**ITEM_FORM, "code": "bdc-01", "name": "重复的事项"},
        headers=ENGLISH,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already has the code BDC-01" in page
    assert 'value="重复的事项"' in page
    assert item_count() == 1


def test_a_guided_item_without_a_cap_is_refused_on_the_form(client, login_as):
    login_as("regulator")
    response = post_form(
        client,
        "/regulator/catalogue/new",
        {**ITEM_FORM, "code": "BDC-02", "pricing_type": "government_guided"},
        headers=ENGLISH,
    )
    assert response.status_code == 200
    assert "needs a fee cap" in response.get_data(as_text=True)
    assert item_count() == 0


def test_zero_statutory_days_are_refused_on_the_form(client, login_as):
    login_as("regulator")
    response = post_form(
        client,
        "/regulator/catalogue/new",
        {**ITEM_FORM, "code": "BDC-03", "statutory_days": "0"},
        headers=ENGLISH,
    )
    assert response.status_code == 200
    assert "between 1 and" in response.get_data(as_text=True)
    assert item_count() == 0


def test_the_edit_form_saves_corrections_but_not_the_code(client, login_as, make_service_item):
    make_service_item("BDC-10")
    login_as("regulator")
    response = post_form(
        client, "/regulator/catalogue/BDC-10/edit", {**ITEM_FORM, "code": "HACK-1"}
    )
    assert response.status_code == 302
    item = service_item_by_code("BDC-10")
    assert (item.code, item.name, item.statutory_days) == ("BDC-10", "不动产测绘", 10)


def test_switching_to_guided_on_the_edit_form_without_a_cap_is_refused(
    client, login_as, make_service_item
):
    make_service_item("BDC-11", pricing="market")
    login_as("regulator")
    response = post_form(
        client,
        "/regulator/catalogue/BDC-11/edit",
        {**ITEM_FORM, "pricing_type": "government_guided", "name": "改为政府指导价"},
        headers=ENGLISH,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "needs a fee cap" in page
    assert 'value="改为政府指导价"' in page
    item = service_item_by_code("BDC-11")
    assert (item.pricing_type, item.name, item.caps) == ("market", "测试服务1", [])


def test_a_negative_cap_is_refused_on_the_cap_page_and_the_old_cap_stays(
    client, login_as, make_service_item
):
    make_service_item("BDC-20", pricing="government_guided", cap="1000")
    login_as("regulator")
    response = post_form(
        client,
        "/regulator/catalogue/BDC-20/cap",
        {"cap": "-5", "cap_basis": "文件", "cap_effective_from": "2026-01-01"},
        headers=ENGLISH,
    )
    assert response.status_code == 200
    assert "cannot be negative" in response.get_data(as_text=True)
    caps = service_item_by_code("BDC-20").caps
    assert [(cap.cap_fen, cap.effective_to) for cap in caps] == [(100_000, None)]


def test_a_new_cap_is_set_through_the_cap_page(client, login_as, make_service_item):
    make_service_item("BDC-21", pricing="government_guided", cap="1000")
    login_as("regulator")
    response = post_form(
        client,
        "/regulator/catalogue/BDC-21/cap",
        {"cap": "1234.50", "cap_basis": "苏价服〔2026〕1号", "cap_effective_from": "2026-01-01"},
    )
    assert response.status_code == 302
    caps = service_item_by_code("BDC-21").caps
    assert [(cap.cap_fen, cap.effective_to) for cap in caps] == [
        (100_000, date(2026, 1, 1)),
        (123_450, None),
    ]


def test_retiring_asks_for_confirmation_then_retires(client, login_as, make_service_item):
    make_service_item("BDC-30")
    login_as("regulator")
    confirmation = client.get("/regulator/catalogue/BDC-30/retire", headers=ENGLISH)
    assert "Retire BDC-30" in confirmation.get_data(as_text=True)
    assert service_item_by_code("BDC-30").retired_on is None

    today = local_today().isoformat()
    response = post_form(client, "/regulator/catalogue/BDC-30/retire", {"retired_on": today})
    assert response.status_code == 302
    assert service_item_by_code("BDC-30").retired_on == local_today()

    assert client.get("/regulator/catalogue/BDC-30/reinstate").status_code == 200
    assert post_form(client, "/regulator/catalogue/BDC-30/reinstate").status_code == 302
    assert service_item_by_code("BDC-30").retired_on is None


def test_a_retirement_date_in_the_past_is_refused_on_the_form(client, login_as, make_service_item):
    make_service_item("BDC-31")
    login_as("regulator")
    response = post_form(client, "/regulator/catalogue/BDC-31/retire", {"retired_on": "2020-01-01"})
    assert response.status_code == 200
    assert service_item_by_code("BDC-31").retired_on is None


def test_the_regulator_list_includes_retired_items(client, login_as, make_service_item):
    make_service_item("BDC-40")
    retired = make_service_item("BDC-41")
    retired.retired_on = date(2024, 1, 1)
    db.session.commit()
    login_as("reviewer")
    page = client.get("/regulator/catalogue").get_data(as_text=True)
    assert "BDC-40" in page
    assert "BDC-41" in page


REGULATOR_FORMS = [
    "/regulator/catalogue/new",
    "/regulator/catalogue/REG-1/edit",
    "/regulator/catalogue/REG-1/cap",
    "/regulator/catalogue/REG-1/retire",
    "/regulator/catalogue/REG-1/reinstate",
]
REGULATOR_PAGES = ["/regulator/catalogue", *REGULATOR_FORMS]


@pytest.mark.parametrize("path", REGULATOR_PAGES)
def test_regulators_and_reviewers_open_the_regulator_pages(
    client, login_as, make_service_item, path
):
    make_service_item("REG-1", pricing="government_guided")
    login_as("reviewer")
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_cannot_open_or_post_to_the_regulator_pages(
    client, login_as, make_service_item, role
):
    make_service_item("REG-1", pricing="government_guided")
    login_as(role)
    for path in REGULATOR_PAGES:
        assert client.get(path).status_code == 403, path
    form = {**ITEM_FORM, "code": "REG-2", "retired_on": local_today().isoformat()}
    for path in REGULATOR_FORMS:
        assert post_form(client, path, form).status_code == 403, path
    item = service_item_by_code("REG-1")
    assert (item_count(), item.retired_on, len(item.caps)) == (1, None, 1)


def test_anonymous_visitors_are_sent_to_sign_in(client, make_service_item):
    make_service_item("REG-1")
    for path in REGULATOR_FORMS:
        response = post_form(client, path, {**ITEM_FORM, "code": "REG-2"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert item_count() == 1


def test_an_unknown_code_is_not_found(client, login_as):
    assert client.get("/services/NOPE-1").status_code == 404
    login_as("regulator")
    assert client.get("/regulator/catalogue/NOPE-1/edit").status_code == 404


# --- public pages ------------------------------------------------------------------------


def test_the_item_page_shows_conditions_materials_and_procedure_escaped(client, make_service_item):
    item = make_service_item("PUB-1", statutory_days=7)
    item.materials = "1. 申请书\n2. <script>alert(1)</script>"
    db.session.commit()
    page = client.get("/services/pub-1", headers=ENGLISH).get_data(as_text=True)
    assert "<li>材料齐全</li>" in page
    assert "<li>申请书</li>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    for step in ("受理", "办理", "出具报告"):
        assert f'<li class="list-group-item">{step}</li>' in page
    assert "7 working days" in page


def test_the_item_page_shows_the_cap_in_force_and_its_history(client, regulator, make_service_item):
    item = make_service_item("PUB-2", pricing="government_guided", cap="1000", unit="宗")
    set_fee_cap(regulator, item, a_cap("1200", effective_from=date(2025, 3, 1)))
    db.session.commit()
    page = client.get("/services/PUB-2", headers=ENGLISH).get_data(as_text=True)
    assert "Cap in force today: CN¥1,200.00 per 宗" in page
    assert "CN¥1,000.00 / 宗" in page, "the old cap is in the history"


def test_the_item_page_lists_active_agencies_with_their_fee_in_force(
    client, make_service_item, make_agency
):
    item = make_service_item("PUB-3")
    active = make_agency("active", name="江阴公开测绘有限公司")
    suspended = make_agency("suspended", name="江阴暂停测绘有限公司")
    ended = make_agency("active", name="江阴停办测绘有限公司")
    for agency, to in ((active, None), (suspended, None), (ended, date(2024, 1, 1))):
        db.session.add(
            FeeSchedule(
                agency_id=agency.id,
                service_item_id=item.id,
                fee_min_fen=50_000,
                fee_max_fen=80_000,
                unit=item.unit,
                basis="成本加合理利润",
                promised_days=5,
                effective_from=date(2023, 1, 1),
                effective_to=to,
            )
        )
    db.session.commit()
    page = client.get("/services/PUB-3", headers=ENGLISH).get_data(as_text=True)
    assert "江阴公开测绘有限公司" in page
    assert f"/agencies/{active.credit_code}" in page
    assert "CN¥500.00 – CN¥800.00" in page
    assert "江阴暂停测绘有限公司" not in page
    assert "江阴停办测绘有限公司" not in page


def test_retired_items_are_hidden_from_the_public_list_unless_asked_for(client, make_service_item):
    make_service_item("PUB-10")
    retired = make_service_item("PUB-11")
    upcoming = make_service_item("PUB-12")
    retired.retired_on = local_today()
    upcoming.retired_on = local_today() + timedelta(days=30)
    db.session.commit()
    page = client.get("/services").get_data(as_text=True)
    assert "PUB-10" in page
    assert "PUB-11" not in page
    assert "PUB-12" in page, "an item still listed until its retirement day"
    assert "PUB-11" in client.get("/services?retired=y").get_data(as_text=True)
    assert client.get("/services/PUB-11").status_code == 200, "its page stays readable"


def test_the_public_list_filters_by_category_pricing_and_text(client, make_service_item):
    make_service_item("PUB-20", category="surveying", name="地籍测绘")
    make_service_item("PUB-21", category="environmental", name="环评报告书")
    make_service_item("PUB-22", category="surveying", pricing="government_guided")
    assert _codes(client, "/services?category=environmental") == ["PUB-21"]
    assert _codes(client, "/services?pricing=government_guided") == ["PUB-22"]
    assert _codes(client, "/services?q=地籍") == ["PUB-20"]
    assert _codes(client, "/services?q=pub-21") == ["PUB-21"]
    assert _codes(client, "/services?q=100%25") == []


def test_the_public_list_is_paginated(app, client, make_service_item):
    app.config["PAGE_SIZE"] = 5
    for number in range(12):
        make_service_item(f"PG-{number:02d}")
    assert _codes(client, "/services?page=3") == ["PG-10", "PG-11"]


def _codes(client, path: str) -> list[str]:
    page = client.get(path).get_data(as_text=True)
    return sorted(
        {code for code in _code_cells(page) if code.startswith(("PUB-", "PG-"))},
    )


def _code_cells(page: str) -> list[str]:
    marker = '<code class="small">'
    return [chunk.split("</code>", 1)[0] for chunk in page.split(marker)[1:]]
