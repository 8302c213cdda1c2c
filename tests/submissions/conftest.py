"""Fixtures for one-time form tokens: every creating form of the app, ready to be sent (a
signed-in client, the rows the form needs, what to type), and readers of its hidden fields."""

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from blacklist import services as blacklist_services
from blacklist.models import BlacklistCase, RepairApplication
from ratings.assessments.models import Inspection, SupervisorEvaluation
from ratings.complaints.models import Complaint, Conflict
from ratings.engagements import services as engagement_services
from ratings.engagements.models import Engagement, ExtensionRequest, FairDraw, Review
from ratings.models import HolidayNotice
from ratings.overrides.models import RatingOverride
from registry.accounts.models import Account
from registry.accounts.permissions import SYSTEM
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.models import (
    Agency,
    Enterprise,
    FeeCap,
    FeeSchedule,
    LinkRequest,
    Qualification,
    ServiceItem,
    fen,
)
from registry.agents import services as agent_services
from registry.agents.models import TownAgent, TrainingRecord
from registry.audit.models import AuditEvent
from registry.commitments import services as commitment_services
from registry.commitments.models import CommitmentSignature, CommitmentTemplate
from registry.commitments.services import TemplateDetails
from registry.db import db
from registry.supervision.models import RegulatorEvaluation
from tests.conftest import PASSWORD
from tests.factories import (
    COMPLAINT_TEXT,
    PDF,
    Clock,
    conclude,
    investigating,
    sign_letter,
    upload,
)

ENGLISH = {"Accept-Language": "en"}
TODAY = date(2026, 9, 29)


def count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def written() -> tuple[int, int]:
    """How many audit events and notices exist: a replay must add neither."""
    from registry.inbox.models import Notice

    return count(AuditEvent), count(Notice)


class HiddenFields(HTMLParser):
    """The hidden inputs of each form of a page, by form; `of(name)` is the form holding `name`."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and attributes.get("type") == "hidden" and self.forms:
            self.forms[-1][attributes.get("name")] = attributes.get("value") or ""

    def of(self, name: str) -> dict[str, str]:
        holding = [form for form in self.forms if name in form]
        assert len(holding) == 1, f"{len(holding)} forms hold {name}"
        return holding[0]


def hidden_fields(response, name: str = "submission_token") -> dict[str, str]:
    """The hidden inputs of the page's one form that has `name`."""
    return HiddenFields(response.get_data(as_text=True)).of(name)


@dataclass
class CreatingForm:
    """A form that creates something: the page that shows it, what to type, where it is sent
    (if not back to the page), files to attach, and how many of what it creates exist."""

    page: str
    data: dict
    rows: Callable[[], int]
    action: str | None = None
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    anonymous: bool = False  # a registration: sent before anyone is signed in

    @property
    def url(self) -> str:
        return self.action or self.page

    def fields(self, hidden: dict) -> dict:
        """What the browser sends: the hidden inputs, what was typed, fresh file streams."""
        attached = {
            name: (io.BytesIO(data), filename) for name, (data, filename) in self.files.items()
        }
        return {**hidden, **self.data, **attached}


class Kit:
    """Builds, for each creating form, what it needs and signs the client in as its user."""

    def __init__(self, client, auth, clock, make_account, make_agency, make_service_item):
        self.client, self.auth, self.clock = client, auth, clock
        self.make_account, self.make_agency = make_account, make_agency
        self.make_service_item = make_service_item
        self.rng = random.Random(15)

    # --- the people and rows the forms need ----------------------------------------------------

    def signed_in(self, role: str, **kwargs) -> Account:
        account = self.make_account(role, **kwargs)
        assert self.auth.login(account.email).status_code == 302
        return account

    def agency_with_staff(self, status: str = "active"):
        staff = self.make_account("agency")
        agency = self.make_agency(status, users=[staff])
        return agency, db.session.get(Account, staff.id)

    def enterprise_of(self, account: Account) -> Enterprise:
        enterprise = Enterprise(credit_code=generate_credit_code(self.rng))
        enterprise.set_name(f"江阴测试机械有限公司{self.rng.randrange(10**6)}")
        db.session.add(enterprise)
        db.session.flush()
        db.session.get(Account, account.id).enterprise_id = enterprise.id
        db.session.commit()
        return enterprise

    def fee(self, agency, item) -> FeeSchedule:
        schedule = FeeSchedule(
            agency_id=agency.id,
            service_item_id=item.id,
            fee_min_fen=fen(Decimal("500")),
            fee_max_fen=fen(Decimal("800")),
            unit=item.unit,
            basis="按项目收费",
            promised_days=5,
            effective_from=date(2026, 1, 1),
        )
        db.session.add(schedule)
        db.session.commit()
        return schedule

    def published_template(self) -> CommitmentTemplate:
        template = commitment_services.draft_template(
            SYSTEM,
            TemplateDetails(
                title_zh="中介机构服务承诺书",
                title_en="Commitment letter",
                body_zh="一、严格执行公示的收费标准。",
                body_en="1. We charge the published fees.",
                validity_months=12,
                requires_resigning=False,
                grace_days=30,
            ),
        )
        commitment_services.publish_template(SYSTEM, template)
        db.session.commit()
        return template

    def engagement(self, *, confirmed: bool):
        """An engagement of a new enterprise with a new agency, accepted (and delivered and
        confirmed when asked); returns it with both parties' users."""
        enterprise_user = self.make_account("enterprise")
        enterprise = self.enterprise_of(enterprise_user)
        agency, staff = self.agency_with_staff()
        item = self.make_service_item()
        self.fee(agency, item)
        enterprise_user = db.session.get(Account, enterprise_user.id)
        engagement = engagement_services.record_engagement(
            enterprise_user,
            enterprise,
            engagement_services.EngagementDetails(
                agency_id=agency.id,
                service_item_id=item.id,
                agreed_fee=Decimal("700"),
                start_date=TODAY,
                project="新厂房规划放线",
            ),
        )
        engagement_services.accept_engagement(staff, engagement)
        if confirmed:
            engagement_services.mark_delivered(staff, engagement)
            engagement_services.confirm_delivery(enterprise_user, engagement)
        db.session.commit()
        return engagement, enterprise_user, staff

    def notified_case(self) -> tuple[BlacklistCase, Account]:
        agency, staff = self.agency_with_staff()
        regulator = self.make_account("regulator")
        case = blacklist_services.propose_case(
            regulator,
            agency,
            blacklist_services.Proposal(
                ground="falsified_report",
                facts="出具虚假测绘报告。",
                legal_basis="《江阴市中介机构信用管理办法》第十八条",
                complaint_ids=[],
            ),
        )
        blacklist_services.notify_case(regulator, case)
        db.session.commit()
        return case, staff

    # --- the forms ------------------------------------------------------------------------

    def complaint(self) -> CreatingForm:
        self.signed_in("public")
        agency = self.make_agency()
        return CreatingForm(
            f"/complaints/new/{agency.credit_code}",
            {"category": "overcharging", "text": COMPLAINT_TEXT, "confirm": "y"},
            lambda: count(Complaint),
        )

    def engagement_record(self) -> CreatingForm:
        self.enterprise_of(self.signed_in("enterprise"))
        agency, _staff = self.agency_with_staff()
        item = self.make_service_item()
        self.fee(agency, item)
        return CreatingForm(
            f"/my/enterprise/engagements/new?agency={agency.credit_code}",
            {
                "service_item": str(item.id),
                "agreed_fee": "700",
                "start_date": TODAY.isoformat(),
                "project": "新厂房规划放线",
            },
            lambda: count(Engagement),
        )

    def review(self) -> CreatingForm:
        engagement, enterprise_user, _staff = self.engagement(confirmed=True)
        self.auth.login(enterprise_user.email)
        scores = dict.fromkeys(("quality", "timeliness", "fee_compliance", "conduct"), "5")
        return CreatingForm(
            f"/engagements/{engagement.id}/review",
            {**scores, "text": "按时交付，收费与公示一致。"},
            lambda: count(Review),
        )

    def extension_request(self) -> CreatingForm:
        engagement, _enterprise_user, staff = self.engagement(confirmed=False)
        self.auth.login(staff.email)
        return CreatingForm(
            f"/engagements/{engagement.id}/extension",
            {"extra_days": "5", "justification": "现场条件变化，需要补测。"},
            lambda: count(ExtensionRequest),
        )

    def fair_draw(self) -> CreatingForm:
        self.enterprise_of(self.signed_in("enterprise"))
        item = self.make_service_item()
        template = self.published_template()
        for _ in range(3):
            agency, staff = self.agency_with_staff()
            self.fee(agency, item)
            sign_letter(staff, agency, template)
        return CreatingForm(
            "/my/enterprise/draws/new",
            {"service_item": str(item.id), "min_stars": ""},
            lambda: count(FairDraw),
        )

    def fee_publication(self) -> CreatingForm:
        _agency, staff = self.agency_with_staff()
        self.auth.login(staff.email)
        item = self.make_service_item()
        return CreatingForm(
            "/my/agency/fees",
            {
                "service_item": str(item.id),
                "fee_min": "500",
                "fee_max": "800",
                "basis": "按项目收费",
                "promised_days": "5",
                "effective_from": TODAY.isoformat(),
            },
            lambda: count(FeeSchedule),
        )

    def qualification(self) -> CreatingForm:
        _agency, staff = self.agency_with_staff()
        self.auth.login(staff.email)
        return CreatingForm(
            "/my/agency/qualifications",
            {
                "name": "测绘资质证书",
                "level": "乙级",
                "number": "乙测资字32000001",
                "issuer": "江苏省自然资源厅",
            },
            lambda: count(Qualification),
        )

    def link_request(self) -> CreatingForm:
        self.signed_in("agency")
        agency = self.make_agency()
        return CreatingForm(
            "/my/agency/",
            {"credit_code": agency.credit_code},
            lambda: count(LinkRequest),
            action="/my/agency/link",
        )

    def commitment_signature(self) -> CreatingForm:
        self.published_template()
        _agency, staff = self.agency_with_staff()
        self.auth.login(staff.email)
        return CreatingForm(
            "/my/agency/commitment",
            {
                "signer_name": "王承诺",
                "signer_title": "总经理",
                "consent": "y",
                "password": PASSWORD,
            },
            lambda: count(CommitmentSignature),
        )

    def objection(self) -> CreatingForm:
        case, staff = self.notified_case()
        self.auth.login(staff.email)
        return CreatingForm(
            f"/my/agency/blacklist/{case.id}/object",
            {"statement": "报告数据系客户提供，我方已复核并更正。", "final": "y"},
            lambda: count(AuditEvent, AuditEvent.action == "blacklist.objected"),
        )

    def repair_application(self) -> CreatingForm:
        case, staff = self.notified_case()
        blacklist_services.file_objection(staff, case, "报告数据系客户提供。", [upload()])
        reviewer = self.make_account("reviewer")
        blacklist_services.decide_case(
            reviewer,
            case,
            blacklist_services.Decision(
                outcome="listed",
                reasons="经复核，该机构出具虚假报告事实清楚。",
                password=PASSWORD,
                decision_number="澄审信黑〔2026〕1号",
                deciding_authority="江阴市行政审批局",
                term_years=1,
            ),
        )
        db.session.commit()
        self.clock.set(date(2027, 4, 1))  # past the six months before repair may be asked
        self.auth.login(staff.email)
        return CreatingForm(
            f"/my/agency/blacklist/{case.id}/repair",
            {"statement": "已全面整改。"},
            lambda: count(RepairApplication),
            files={"files": (PDF, "整改报告.pdf")},
        )

    def blacklist_proposal(self) -> CreatingForm:
        self.signed_in("regulator")
        agency = self.make_agency()
        return CreatingForm(
            f"/regulator/agencies/{agency.id}/blacklist/propose",
            {
                "ground": "falsified_report",
                "facts": "出具虚假测绘报告。",
                "legal_basis": "《江阴市中介机构信用管理办法》第十八条",
            },
            lambda: count(BlacklistCase),
        )

    def star_override(self) -> CreatingForm:
        self.signed_in("regulator")
        agency = self.make_agency()
        return CreatingForm(
            f"/regulator/agencies/{agency.id}/overrides/propose",
            {
                "stars": "4",
                "ends_on": "2027-03-31",
                "reason": "检查结论与评价明显不符，按程序调整。",
            },
            lambda: count(RatingOverride),
        )

    def inspection(self) -> CreatingForm:
        self.signed_in("regulator")
        agency = self.make_agency()
        return CreatingForm(
            f"/regulator/agencies/{agency.id}/inspections/new",
            {"inspected_on": TODAY.isoformat(), "score": "85", "findings": "收费公示齐全。"},
            lambda: count(Inspection),
        )

    def agency_evaluation(self) -> CreatingForm:
        self.signed_in("supervisor")
        agency = self.make_agency()
        return CreatingForm(
            f"/supervisor/agencies/{agency.id}/evaluation",
            {"score": "4", "remarks": "服务规范。"},
            lambda: count(SupervisorEvaluation),
        )

    def handling_evaluation(self) -> CreatingForm:
        agency, staff = self.agency_with_staff()
        parties = SimpleNamespace(
            agency=agency,
            staff=staff,
            complainant=self.make_account("public"),
            regulator=self.make_account("regulator"),
        )
        complaint = conclude(parties, investigating(parties))
        self.signed_in("supervisor")
        return CreatingForm(
            f"/supervision/complaints/{complaint.id}/evaluate",
            {"timeliness": "4", "fairness": "5", "remarks": "处理及时。"},
            lambda: count(RegulatorEvaluation),
        )

    def conflict(self) -> CreatingForm:
        self.signed_in("regulator")
        agency = self.make_agency()
        return CreatingForm(
            "/regulator/conflicts",
            {"agency": agency.credit_code, "reason": "配偶在该机构任职。"},
            lambda: count(Conflict),
        )

    def holiday_notice(self) -> CreatingForm:
        self.signed_in("regulator")
        return CreatingForm(
            "/regulator/calendar/2027/notice",
            {
                "title": "国务院办公厅关于2027年部分节假日安排的通知",
                "document_number": "国办发明电〔2026〕9号",
                "holidays": "2027-01-01\n2027-10-01/2027-10-07 国庆节",
                "working_days": "2027-10-09 国庆节调休",
            },
            lambda: count(HolidayNotice),
        )

    def town_agent(self) -> CreatingForm:
        self.signed_in("regulator")
        return CreatingForm(
            "/regulator/agents/new",
            {"name": "李明", "town": "华士镇", "village": "华西村", "phone": "0510-86001234"},
            lambda: count(TownAgent),
        )

    def training_record(self) -> CreatingForm:
        regulator = self.signed_in("regulator")
        agent = agent_services.create_agent(
            regulator,
            agent_services.AgentDetails(
                name="李明", town="华士镇", village="华西村", phone="0510-86001234"
            ),
        )
        db.session.commit()
        return CreatingForm(
            f"/regulator/agents/{agent.id}",
            {
                "course": "代办员业务培训",
                "completed_on": "2026-06-30",
                "hours": "16",
                "passed": "y",
            },
            lambda: count(TrainingRecord),
            action=f"/regulator/agents/{agent.id}/trainings",
        )

    def catalogue_item(self) -> CreatingForm:
        self.signed_in("regulator")
        return CreatingForm(
            "/regulator/catalogue/new",
            {
                "code": "BDC-01",
                "name": "不动产测绘",
                "category": "surveying",
                "pricing_type": "market",
                "unit": "宗",
                "statutory_days": "10",
                "legal_basis": "《中华人民共和国测绘法》",
                "acceptance_conditions": "不动产权属清楚",
                "materials": "1. 申请书\n2. 权属证明",
                "procedure": "1. 受理\n2. 外业测量\n3. 出具成果",
            },
            lambda: count(ServiceItem),
        )

    def fee_cap(self) -> CreatingForm:
        self.signed_in("regulator")
        item = self.make_service_item("CAP-01", pricing="government_guided", cap="1000")
        return CreatingForm(
            f"/regulator/catalogue/{item.code}/cap",
            {
                "cap": "1234.50",
                "cap_basis": "苏价服〔2026〕1号",
                "cap_effective_from": "2026-07-01",
            },
            lambda: count(FeeCap),
        )

    def commitment_template(self) -> CreatingForm:
        self.signed_in("regulator")
        return CreatingForm(
            "/regulator/commitments/templates/new",
            {
                "title_zh": "中介机构服务承诺书",
                "title_en": "Commitment of an intermediary agency",
                "body_zh": "一、严格执行公示的收费标准。",
                "body_en": "1. We charge the published fees.",
                "validity_months": "12",
                "grace_days": "30",
            },
            lambda: count(CommitmentTemplate),
        )

    def account(self) -> CreatingForm:
        self.signed_in("admin")
        return CreatingForm(
            "/admin/accounts/new",
            {
                "email": "li.na@example.org",
                "display_name": "李娜",
                "role": "regulator",
                "new_password": "a temporary passphrase 2026",
                "confirm": "a temporary passphrase 2026",
            },
            lambda: count(Account),
        )

    def _registration(self, page: str, fields: dict, rows) -> CreatingForm:
        account = {
            "display_name": "王经理",
            "email": "wang@registrant.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
        }
        return CreatingForm(page, {**account, **fields}, rows, anonymous=True)

    def agency_registration(self) -> CreatingForm:
        return self._registration(
            "/register/agency",
            {
                "credit_code": "91350100M000100Y43",
                "name": "江阴华澄测绘有限公司",
                "category": "surveying",
                "region": "江阴市|澄江街道",
                "address": "江阴市人民东路1号",
                "legal_representative": "李华",
                "contact_person": "王经理",
                "phone": "0510-86000001",
                "business_scope": "工程测量；不动产测绘",
            },
            lambda: count(Agency),
        )

    def enterprise_registration(self) -> CreatingForm:
        return self._registration(
            "/register/enterprise",
            {"credit_code": "91350100M000100Y43", "enterprise_name": "江阴澄星机械有限公司"},
            lambda: count(Enterprise),
        )

    def public_registration(self) -> CreatingForm:
        return self._registration("/register/public", {}, lambda: count(Account))


# Every form of the app that creates something, by the Kit method that prepares it.
CREATING_FORMS = (
    "complaint",
    "engagement_record",
    "review",
    "extension_request",
    "fair_draw",
    "fee_publication",
    "qualification",
    "link_request",
    "commitment_signature",
    "objection",
    "repair_application",
    "blacklist_proposal",
    "star_override",
    "inspection",
    "agency_evaluation",
    "handling_evaluation",
    "conflict",
    "holiday_notice",
    "town_agent",
    "training_record",
    "catalogue_item",
    "fee_cap",
    "commitment_template",
    "account",
    "agency_registration",
    "enterprise_registration",
    "public_registration",
)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(monkeypatch)
    clock.set(TODAY)
    return clock


@pytest.fixture
def kit(client, auth, clock, make_account, make_agency, make_service_item):
    return Kit(client, auth, clock, make_account, make_agency, make_service_item)
