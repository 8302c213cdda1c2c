"""Demo blacklist cases, one or more in every state, on the demo agencies.

proposed (by a regulator, and by a rule), notified (window open: the demo agency's own case,
so agency@example.com may object; window closed, the decision overdue), objection filed,
listed (one with a repair application waiting, one whose term ended yesterday and is not
recorded yet), rejected, expired, repaired and revoked. The deciding reviewer is a demo
account of its own, so reviewer@example.com may decide the open cases. Deterministic for a
seed; does nothing when a case exists.
"""

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from blacklist.models import BlacklistCase, CaseState, RepairApplication, RepairStatus
from blacklist.services import refresh_listing
from ratings.working_days import current_calendar
from registry.accounts.models import Account
from registry.accounts.roles import Role
from registry.agencies.categories import AgencyStatus
from registry.agencies.demo import office_moment, person_name, seeded
from registry.agencies.models import Agency
from registry.commitments.services import add_months
from registry.dates import local_today
from registry.db import db

AUTHORITY = "江阴市行政审批局"
FACTS = {
    "falsified_report": "该机构于{day}为江阴某精密机械有限公司出具的地形测量报告中，多处高程数据"
    "与现场复测结果不符，且报告所附原始记录系事后补签，经调查属实。",
    "serious_overcharging": "该机构在{day}前后承接的三项环评报告表编制业务中，实际收费分别超出"
    "平台公示最高标准45%、60%和52%，并以“加急费”名义另行收费，经调查属实。",
    "repeated_delays": "该机构近一年承接的12项业务中有7项超过承诺时限，最长超期38个工作日，"
    "经约谈后仍未改正（最近一次约谈：{day}）。",
    "misconduct": "该机构工作人员于{day}向委托企业明示可“协调审批部门加快办理”并索取费用，"
    "经核查存在以不正当手段承揽业务的行为。",
    "commitment_breach": "该机构签署信用承诺书后，于{day}前一年内两次因超标准收费被投诉且经"
    "调查属实，违反承诺书第二条。",
    "repeated_complaints": "该机构一年内两次被投诉且经调查属实，情节严重（最近一次办结：{day}）。",
}
BASIS = "《江阴市中介机构信用管理办法》第十八条第（{item}）项"
OBJECTION = (
    "我方对拟列入黑名单的事实有异议：相关报告数据系委托方提供，我方已于发现问题后主动更正并"
    "重新出具报告，未造成实际损失。请求不予列入。附更正后的报告及往来函件。"
)
REPAIR = (
    "我方已全面整改：退还多收费用，对相关责任人予以处分，建立报告三级复核和收费公示核对制度，"
    "并完成全员合规培训。附整改报告、退费凭证及培训记录。"
)


@dataclass(frozen=True)
class Plan:
    """One demo case: its state, ground, and how many days ago it began (and was decided)."""

    state: CaseState
    ground: str
    proposed_ago: int
    source: str = "manual"
    listed_ago: int | None = None
    term_years: int = 1
    ended_ago: int | None = None
    repair: str | None = None  # "pending" or "approved"
    window_closed: bool = False
    objected: bool = True


PLANS = (
    Plan(CaseState.PROPOSED, "misconduct", 3),
    Plan(CaseState.PROPOSED, "falsified_report", 1, source="falsified_report"),
    Plan(CaseState.NOTIFIED, "serious_overcharging", 6),  # the demo agency's; window open
    Plan(CaseState.NOTIFIED, "repeated_delays", 40, window_closed=True),  # decision overdue
    Plan(CaseState.OBJECTION_FILED, "falsified_report", 25),
    Plan(
        CaseState.LISTED,
        "serious_overcharging",
        230,
        listed_ago=200,
        term_years=2,
        repair="pending",
    ),
    Plan(CaseState.LISTED, "commitment_breach", 60, listed_ago=30, objected=False),
    # Its term ended yesterday; `flask blacklist expire` has not recorded it yet.
    Plan(CaseState.LISTED, "repeated_complaints", 400, listed_ago=366, objected=False),
    Plan(CaseState.REJECTED, "misconduct", 90),
    Plan(CaseState.EXPIRED, "falsified_report", 500, listed_ago=470),
    Plan(
        CaseState.REPAIRED,
        "serious_overcharging",
        330,
        listed_ago=300,
        term_years=3,
        ended_ago=50,
        repair="approved",
    ),
    Plan(CaseState.REVOKED, "repeated_complaints", 130, listed_ago=100, ended_ago=20),
)


def load(seed: int, counts: Counter) -> None:
    """Add the demo cases, unless a case exists already."""
    if db.session.execute(select(BlacklistCase.id).limit(1)).first() is not None:
        return
    rng = seeded(f"{seed}-blacklist")
    agencies = _agencies(rng)
    if len(agencies) < len(PLANS):
        return
    proposer = _account("regulator@example.com", "blacklist.regulator@demo.example", "周建国")
    reviewer = _disabled("blacklist.reviewer@demo.example", Role.REVIEWER, "陈立新", None)
    today = local_today()
    for number, (plan, agency) in enumerate(zip(PLANS, agencies, strict=False), start=1):
        case = _case(rng, plan, agency, proposer, reviewer, today, number)
        db.session.add(case)
        db.session.flush()
        if plan.repair:
            _repair(rng, case, agency, plan, reviewer, today)
        _mirror_listing(case, agency, today)
        counts[f"blacklist_{plan.state.value}"] += 1
    db.session.flush()


def _agencies(rng) -> list[Agency]:
    """The demo agency first (for its notified case), then others of the active ones."""
    demo_id = db.session.execute(
        select(Account.agency_id).where(Account.email == "agency@example.com")
    ).scalar()
    active = list(
        db.session.execute(
            select(Agency).where(Agency.status == AgencyStatus.ACTIVE).order_by(Agency.credit_code)
        ).scalars()
    )
    others = [agency for agency in active if agency.id != demo_id]
    chosen = rng.sample(others, min(len(PLANS), len(others)))
    demo = next((agency for agency in active if agency.id == demo_id), None)
    if demo is not None:
        chosen.insert(2, demo)  # PLANS[2]: notified, window open
        chosen = chosen[: len(PLANS)]
    return chosen


def _case(rng, plan: Plan, agency, proposer, reviewer, today: date, number: int):
    proposed_on = today - timedelta(days=plan.proposed_ago)
    ground_item = {"falsified_report": "二", "commitment_breach": "三"}.get(plan.ground, "一")
    case = BlacklistCase(
        agency_id=agency.id,
        state=plan.state.value,
        ground=plan.ground,
        facts=FACTS[plan.ground].format(day=(proposed_on - timedelta(days=20)).isoformat()),
        legal_basis=BASIS.format(item=ground_item),
        source=plan.source,
        proposed_by_id=None if plan.source != "manual" else proposer.id,
        proposed_at=office_moment(rng, proposed_on),
        proposed_on=proposed_on,
    )
    if plan.state == CaseState.PROPOSED:
        return case
    notified_on = _notified_on(plan, proposed_on, today)
    case.notified_by_id = proposer.id
    case.notified_at = office_moment(rng, notified_on)
    case.notified_on = notified_on
    case.objection_days = 10
    if plan.state == CaseState.NOTIFIED:
        return case
    if plan.objected:
        objected_on = current_calendar().add_working_days(notified_on, 4)
        case.objection_text = OBJECTION
        case.objection_at = office_moment(rng, objected_on)
        case.objection_by_id = _staff(rng, agency).id
    if plan.state == CaseState.OBJECTION_FILED:
        return case
    decided_on = today - timedelta(days=plan.listed_ago or plan.proposed_ago - 20)
    case.decided_by_id = reviewer.id
    case.decided_at = office_moment(rng, decided_on)
    case.decided_on = decided_on
    case.deciding_authority = AUTHORITY
    case.decision_number = f"澄审信黑〔{decided_on.year}〕{number}号"
    if plan.state == CaseState.REJECTED:
        case.decision_reasons = "现有证据不足以认定情节严重，异议理由部分成立，决定不予列入。"
        return case
    case.decision_reasons = "事实清楚，证据确凿，异议理由不成立，决定列入黑名单。"
    case.term_years = plan.term_years
    case.listed_from = decided_on
    case.listed_until = add_months(decided_on, 12 * plan.term_years) - timedelta(days=1)
    _end(rng, case, plan, reviewer, today)
    return case


def _notified_on(plan: Plan, proposed_on: date, today: date) -> date:
    """The day after the proposal, but for an open window a day the window still covers."""
    if plan.state == CaseState.NOTIFIED and not plan.window_closed:
        return today - timedelta(days=2)
    return proposed_on + timedelta(days=1)


def _end(rng, case: BlacklistCase, plan: Plan, reviewer, today: date) -> None:
    if plan.state == CaseState.EXPIRED:
        case.ended_on = case.listed_until + timedelta(days=1)
        case.ended_at = office_moment(rng, case.ended_on)
    elif plan.state in (CaseState.REPAIRED, CaseState.REVOKED):
        case.ended_on = today - timedelta(days=plan.ended_ago)
        case.ended_at = office_moment(rng, case.ended_on)
        case.ended_by_id = reviewer.id
        case.end_reason = (
            "整改到位，准予信用修复。"
            if plan.state == CaseState.REPAIRED
            else "所依据的两件投诉经行政复议撤销，列入决定依据不足，予以撤销。"
        )


def _repair(rng, case: BlacklistCase, agency: Agency, plan: Plan, reviewer, today: date):
    staff = _staff(rng, agency)
    if plan.repair == "pending":
        applied_on = today - timedelta(days=5)
    else:
        applied_on = case.ended_on - timedelta(days=15)
    application = RepairApplication(
        case_id=case.id,
        statement=REPAIR,
        status=RepairStatus.PENDING.value if plan.repair == "pending" else RepairStatus.APPROVED,
        applied_by_id=staff.id,
        applied_at=office_moment(rng, applied_on),
        applied_on=applied_on,
    )
    if plan.repair == "approved":
        application.decided_by_id = reviewer.id
        application.decided_at = case.ended_at
        application.decided_on = case.ended_on
        application.decision_reasons = case.end_reason
    db.session.add(application)


def _mirror_listing(case: BlacklistCase, agency: Agency, today: date) -> None:
    """The agency row carries its listing's dates; kept after expiry, cleared after an end."""
    if (
        case.state == CaseState.LISTED and case.listed_until < today
    ) or case.state == CaseState.EXPIRED:
        agency.listed_from, agency.listed_until = case.listed_from, case.listed_until
    else:
        refresh_listing(agency, today)


def _account(email: str, fallback: str, name: str) -> Account:
    """The demo regulator, or (before `flask demo accounts`) a disabled one of our own."""
    for address in (email, fallback):
        account = db.session.execute(select(Account).where(Account.email == address)).scalar()
        if account is not None:
            return account
    return _disabled(fallback, Role.REGULATOR, name, None)


def _staff(rng, agency: Agency) -> Account:
    """A staff account of the agency (its existing one, or a disabled one made here)."""
    account = db.session.execute(
        select(Account).where(Account.agency_id == agency.id).order_by(Account.id).limit(1)
    ).scalar()
    if account is not None:
        return account
    email = f"staff.{agency.credit_code.lower()}@demo.example"
    return _disabled(email, Role.AGENCY, person_name(rng), agency.id)


def _disabled(email: str, role: Role, name: str, agency_id: int | None) -> Account:
    account = Account(
        email=email,
        display_name=name,
        role=role.value,
        agency_id=agency_id,
        active=False,
        # Nobody signs in as these accounts: a random password, cheaply hashed.
        password_hash=generate_password_hash(secrets.token_hex(16), method="pbkdf2:sha256:1000"),
    )
    db.session.add(account)
    db.session.flush()
    return account
