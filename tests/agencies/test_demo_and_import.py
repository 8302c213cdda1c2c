"""Demo data (flask demo load / generate) and the regulators' CSV import (flask agencies import)."""

import csv
import random
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.agencies import demo
from registry.agencies.credit_code import CreditCodeError, check_credit_code, generate_credit_code
from registry.agencies.fees import FeeOffer, offer_problem
from registry.agencies.models import Agency, FeeCap, FeeSchedule, ServiceItem
from registry.agents.models import TownAgent
from registry.audit.models import AuditEvent
from registry.db import db

HEADER = [
    "credit_code",
    "name",
    "category",
    "district",
    "town",
    "address",
    "contact_person",
    "phone",
    "legal_representative",
    "email",
    "business_scope",
    "status",
]
CODES = [generate_credit_code(random.Random(number)) for number in range(4)]
WRONG_CHECK = CODES[3][:-1] + ("0" if CODES[3][-1] != "0" else "1")


@pytest.fixture
def demo_mode(app):
    app.config["DEMO_MODE"] = True


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def events(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    return list(db.session.execute(query).scalars())


def all_agencies() -> list[Agency]:
    return list(db.session.execute(select(Agency).order_by(Agency.id)).scalars())


def region_towns(app) -> set[str]:
    return {town for towns in app.config["REGION_TOWNS"].values() for town in towns}


def passes_catalogue_rules(schedule: FeeSchedule) -> bool:
    offer = FeeOffer(
        fee_min=schedule.fee_min,
        fee_max=schedule.fee_max,
        basis=schedule.basis,
        promised_days=schedule.promised_days,
        effective_from=schedule.effective_from,
    )
    return offer_problem(schedule.service_item, offer) is None


# --- demo load ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["load"], ["generate", "--agencies", "5"]])
def test_demo_data_is_refused_outside_demo_mode(runner, command):
    result = runner.invoke(args=["demo", *command])
    assert result.exit_code != 0
    assert "DEMO_MODE=1" in result.output
    assert count(Agency) == 0
    assert count(ServiceItem) == 0


@pytest.mark.demo_data("load")
def test_demo_load_builds_a_registry_of_the_regions_kinds_and_towns(app, demo_data):
    result = demo_data["load"]
    assert result.exit_code == 0, result.output
    assert "320 agencies" in result.output
    agencies = all_agencies()
    assert len(agencies) >= 300
    assert len({agency.category for agency in agencies}) >= 10
    assert {agency.town for agency in agencies} == region_towns(app)
    assert len({agency.name for agency in agencies}) == len(agencies)
    assert all(agency.name.endswith(("公司", "（普通合伙）")) for agency in agencies)
    assert all(agency.phone.startswith("0510-8") and agency.name_pinyin for agency in agencies)
    statuses = {agency.status for agency in agencies}
    assert statuses >= {"active", "pending", "suspended", "deregistered"}
    stopped = [agency for agency in agencies if agency.status in ("suspended", "deregistered")]
    assert all(agency.status_reason for agency in stopped)
    assert all(agency.qualifications for agency in agencies)


@pytest.mark.demo_data("load")
def test_demo_credit_codes_are_valid_except_the_accepted_exceptions(app):
    exceptions = []
    for agency in all_agencies():
        if agency.credit_code_exception:
            exceptions.append(agency)
            with pytest.raises(CreditCodeError) as error:
                check_credit_code(agency.credit_code)
            assert error.value.claimable
        else:
            assert check_credit_code(agency.credit_code) == agency.credit_code
    assert 1 <= len(exceptions) <= 2
    assert all(agency.status == "active" for agency in exceptions)


@pytest.mark.demo_data("load")
def test_demo_fees_keep_to_the_caps_and_statutory_days_and_show_changes(app):
    schedules = list(db.session.execute(select(FeeSchedule)).scalars())
    assert 25 <= count(ServiceItem) <= 40
    assert all(passes_catalogue_rules(schedule) for schedule in schedules)
    assert {schedule.agency.status for schedule in schedules} == {"active"}
    ended = [schedule for schedule in schedules if schedule.effective_to is not None]
    assert ended
    for old in ended:
        successor = [
            s
            for s in schedules
            if (s.agency_id, s.service_item_id) == (old.agency_id, old.service_item_id)
            and s.effective_from == old.effective_to
        ]
        assert len(successor) == 1
    caps = list(db.session.execute(select(FeeCap)).scalars())
    assert any(cap.effective_to is not None for cap in caps)
    assert all(item.procedure.count("\n") >= 2 for item in db.session.scalars(select(ServiceItem)))


@pytest.mark.demo_data("load")
def test_demo_town_agents_serve_every_town_and_some_training_has_lapsed(app):
    agents = list(db.session.execute(select(TownAgent)).scalars())
    per_town = {town: sum(agent.town == town for agent in agents) for town in region_towns(app)}
    assert all(1 <= number <= 3 for number in per_town.values())
    today, months = date.today(), app.config["AGENT_TRAINING_VALID_MONTHS"]
    current = [agent.training_current_on(today, months) for agent in agents]
    assert any(current)
    assert not all(current)


@pytest.mark.demo_data("load")
def test_demo_load_twice_changes_nothing_the_second_time(runner, demo_mode, demo_data):
    first = demo_data["load"]
    rows = (count(Agency), count(FeeSchedule), count(ServiceItem), count(TownAgent))
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == second.exit_code == 0
    assert "already loaded; nothing changed" in second.output
    assert (count(Agency), count(FeeSchedule), count(ServiceItem), count(TownAgent)) == rows
    [event] = events("demo.loaded")
    assert event.actor_label == "system"
    assert event.details["agencies"] == rows[0]
    # Besides its own event, the demo writes only what the daily job would have: the
    # escalations (registry/supervision/demo.py) and the monthly rating runs behind the
    # rating history (ratings/results/demo.py); the second load writes nothing.
    actions = db.session.execute(select(AuditEvent.action).distinct()).scalars()
    assert set(actions) <= {"demo.loaded", "supervision.escalated", "rating_run.finished"}


@pytest.mark.slow
def test_demo_load_is_the_same_for_the_same_seed(app, runner, demo_mode):
    catalogue = {item.code: item for item in demo.demo_catalogue()}
    region, today = app.config["REGION_TOWNS"], date(2026, 1, 15)

    def names(seed):
        plans = demo.plan_agencies(seed, today, catalogue, region)
        return [(plan.agency.credit_code, plan.agency.name) for plan in plans]

    assert names(7) == names(7)
    assert names(7) != names(8)
    runner.invoke(args=["demo", "load", "--seed", "7"])
    assert {agency.name for agency in all_agencies()} == {name for _code, name in names(7)}


# --- demo generate --------------------------------------------------------------------------


def test_generate_adds_agencies_with_unique_valid_codes_and_fees(runner, demo_mode):
    result = runner.invoke(args=["demo", "generate", "--agencies", "500", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "500 agencies" in result.output
    assert count(ServiceItem) == len(demo.demo_catalogue())
    agencies = all_agencies()
    assert len(agencies) == 500
    assert len({agency.credit_code for agency in agencies}) == 500
    assert all(check_credit_code(agency.credit_code) for agency in agencies)
    assert len({agency.name for agency in agencies}) == 500
    schedules = list(db.session.execute(select(FeeSchedule)).scalars())
    assert schedules
    assert all(passes_catalogue_rules(schedule) for schedule in schedules)
    [event] = events("demo.generated")
    assert event.details["agencies"] == 500


@pytest.mark.demo_data("load")
def test_generate_again_continues_the_codes_after_the_demo_registry(runner, demo_mode):
    runner.invoke(args=["demo", "generate", "--agencies", "40"])
    result = runner.invoke(args=["demo", "generate", "--agencies", "40"])
    assert result.exit_code == 0, result.output
    codes = [agency.credit_code for agency in all_agencies()]
    assert len(codes) == len(set(codes)) == 320 + 80
    assert count(ServiceItem) == len(demo.demo_catalogue())


# --- import ---------------------------------------------------------------------------------


def row(code: str, **overrides) -> dict:
    values = {
        "credit_code": code,
        "name": "江阴市澄远测绘有限公司",
        "category": "surveying",
        "district": "江阴市",
        "town": "澄江街道",
        "address": "江阴市澄江街道人民中路18号",
        "contact_person": "王明",
        "phone": "0510-86123456",
        "legal_representative": "李强",
        "email": "",
        "business_scope": "工程测量；不动产测绘",
        "status": "",
    }
    values.update(overrides)
    return values


def write_csv(path, rows: list[dict], *, bom: bool = False, header=HEADER):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def good_rows() -> list[dict]:
    return [
        row(CODES[0], email="Info@ChengYuan.example.com"),
        row(CODES[1], name="无锡澄源环境科技有限公司", category="environmental", town="华士镇"),
        row(CODES[2], name="江苏申港安全评价咨询有限公司", category="safety", status="pending"),
    ]


def test_import_creates_the_agencies_and_records_each(runner, tmp_path):
    result = runner.invoke(args=["agencies", "import", write_csv(tmp_path / "a.csv", good_rows())])
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated" in result.output
    first, second, third = all_agencies()
    assert (first.credit_code, first.email, first.status) == (
        CODES[0],
        "info@chengyuan.example.com",
        "active",
    )
    assert first.verified_at is not None
    assert (second.category, second.town, second.name_initials) == (
        "environmental",
        "华士镇",
        "wxcyhjkjyxgs",
    )
    assert third.status == "pending"
    imported = events("agency.imported")
    assert [event.details["line"] for event in imported] == [2, 3, 4]
    assert {event.details["source"] for event in imported} == {"a.csv"}


def test_import_reads_a_file_with_a_byte_order_mark(runner, tmp_path):
    path = write_csv(tmp_path / "bom.csv", good_rows()[:1], bom=True)
    result = runner.invoke(args=["agencies", "import", path])
    assert result.exit_code == 0, result.output
    assert [agency.credit_code for agency in all_agencies()] == [CODES[0]]


def bad_file(tmp_path) -> str:
    rows = [
        row(CODES[0]),
        row(WRONG_CHECK),
        row(CODES[1], category="测绘", town="上海镇", phone=""),
        row(CODES[0], name="江阴市重复测绘有限公司"),
        row(CODES[2], status="suspended"),
    ]
    return write_csv(tmp_path / "bad.csv", rows)


def test_import_reports_bad_rows_by_line_and_imports_nothing(runner, tmp_path):
    result = runner.invoke(args=["agencies", "import", bad_file(tmp_path)])
    assert result.exit_code != 0
    for expected in (
        "line 3: credit_code:",
        "line 4: category: “测绘” is not a category code",
        "line 4: town: “上海镇” is not a town of 江阴市",
        "line 4: phone: is required",
        f"line 5: credit_code: {CODES[0]} appears again (first on line 2)",
        "line 6: status: “suspended” cannot be imported",
        "4 row(s) refused; nothing imported",
    ):
        assert expected in result.output
    assert count(Agency) == 0
    assert count(AuditEvent) == 0


def test_import_with_skip_invalid_imports_the_good_rows(runner, tmp_path):
    result = runner.invoke(args=["agencies", "import", bad_file(tmp_path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated" in result.output
    assert "4 refused" in result.output
    assert [agency.credit_code for agency in all_agencies()] == [CODES[0]]


def test_reimporting_the_same_file_changes_nothing(runner, tmp_path):
    path = write_csv(tmp_path / "a.csv", good_rows())
    runner.invoke(args=["agencies", "import", path])
    recorded = count(AuditEvent)
    result = runner.invoke(args=["agencies", "import", path])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated (recorded in the audit log), 3 unchanged" in result.output
    assert count(AuditEvent) == recorded
    assert count(Agency) == 3


def test_a_changed_row_updates_the_agency_and_is_audited(runner, tmp_path):
    runner.invoke(args=["agencies", "import", write_csv(tmp_path / "a.csv", good_rows())])
    rows = good_rows()
    rows[0].update(address="江阴市高新区长江路9号", town="高新区", status="pending")
    result = runner.invoke(args=["agencies", "import", write_csv(tmp_path / "b.csv", rows)])
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated" in result.output
    assert "2 unchanged" in result.output
    agency = all_agencies()[0]
    assert (agency.town, agency.address, agency.status) == (
        "高新区",
        "江阴市高新区长江路9号",
        "active",
    )
    [event] = events("agency.import_updated")
    assert event.object_id == str(agency.id)
    assert event.details["changed"] == {
        "town": ["澄江街道", "高新区"],
        "address": ["江阴市澄江街道人民中路18号", "江阴市高新区长江路9号"],
    }


def test_a_deregistered_agency_is_not_changed_by_an_import(runner, tmp_path, make_agency):
    agency = make_agency("deregistered", credit_code=CODES[0])
    path = write_csv(tmp_path / "a.csv", good_rows())
    refused = runner.invoke(args=["agencies", "import", path])
    assert refused.exit_code != 0
    assert "line 2: credit_code: this agency is deregistered" in refused.output
    assert count(Agency) == 1
    skipped = runner.invoke(args=["agencies", "import", path, "--skip-invalid"])
    assert skipped.exit_code == 0, skipped.output
    assert "2 created" in skipped.output
    db.session.refresh(agency)
    assert agency.name == "江阴测试测绘有限公司1"


def test_import_refuses_a_file_without_the_columns(runner, tmp_path):
    path = write_csv(tmp_path / "a.csv", good_rows(), header=HEADER[:7])
    result = runner.invoke(args=["agencies", "import", path])
    assert result.exit_code != 0
    assert "missing: phone, legal_representative, email, business_scope" in result.output
    assert count(Agency) == 0
