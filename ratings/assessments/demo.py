"""Demo evaluations and inspections (call `load(seed, counts)` after the demo registry).

Inspections: most active agencies and every suspended one were inspected once or more over
the last two years (a few longer ago, outside the rating window); suspended ones scored
low. The demo agency (agency@example.com's) has a report file, and one inspection withdrawn
as entered in error, followed by the right one. Inspections are entered by
regulator@example.com when that account exists, else by the system.

Evaluations: four invited supervisors (people's deputies and CPPCC members) evaluated a
few agencies each quarter over the last eight quarters. They are disabled accounts with a
random password, like the commitment signers: nobody signs in as them. The demo supervisor
(supervisor@example.com, who does sign in with the demo password) has evaluations in past
quarters, which are final, and two in the current quarter, which it may still change.

Deterministic for a seed (and the day it runs); idempotent: each part is skipped when its
rows exist.
"""

import hashlib
import secrets
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ratings.assessments.models import (
    ASSESSED_STATUSES,
    Inspection,
    SupervisorEvaluation,
    quarter_bounds,
    quarter_of,
)
from registry.accounts.models import Account
from registry.accounts.roles import Role
from registry.agencies.categories import AgencyStatus
from registry.agencies.demo import office_moment, seeded
from registry.agencies.models import Agency
from registry.commitments.services import add_months
from registry.dates import local_today
from registry.db import db
from registry.uploads.models import StoredFile

INSPECTED_SHARE = 0.8
QUARTERS = 8
DEMO_SUPERVISOR = "supervisor@example.com"
DEMO_REGULATOR = "regulator@example.com"
DEMO_AGENCY_USER = "agency@example.com"
INVITED_SUPERVISORS = (
    ("supervisor.zhoujianguo@demo.example", "周建国（市人大代表）"),
    ("supervisor.shenlihua@demo.example", "沈丽华（市政协委员）"),
    ("supervisor.guzhendong@demo.example", "顾振东（市人大代表）"),
    ("supervisor.qianhuimin@demo.example", "钱慧敏（市政协委员）"),
)

CLEAN = (
    "现场检查：资质证书在有效期内，收费项目和标准已在平台公示，与实际收费一致；抽查{n}份"
    "成果文件，编制规范，未发现问题。",
    "抽查{n}个服务项目，均在承诺时限内办结，收费与公示标准一致，服务档案完整。",
    "按照年度检查计划开展检查：执业人员持证上岗，合同载明服务内容、收费和时限，未发现违规行为。",
)
ISSUES = (
    "部分项目未按公示时限办结",
    "个别收费项目未在平台公示",
    "成果文件存在签章不规范问题",
    "服务档案归档不完整",
    "从业人员继续教育记录缺失",
    "委托合同未载明服务时限",
    "服务场所未张贴收费标准",
    "存在超出公示标准收费的情况",
)
MINOR = "抽查{n}个服务项目，发现{issue}，已当场要求整改，限{days}个工作日内报送整改情况。"
SERIOUS = "检查发现：{issue}；{other}。已责令限期整改，列入重点监管对象，将组织复查。"
WITHDRAW_REASON = "分数录入错误，实为{score}分，已按检查记录重新录入。"

REMARKS = {
    5: ("服务规范，收费公开透明，企业反映良好。", "办理效率高，承诺时限内完成，值得推广。", ""),
    4: ("总体规范，个别项目办理时间偏长。", "收费公示清楚，服务态度好。", ""),
    3: ("服务基本到位，建议进一步压缩办理时限。", "走访企业反映一般，需加强沟通。", ""),
    2: ("企业反映收费偏高，建议监管部门关注。", "多家企业反映办理拖延，答复不及时。"),
    1: ("收到多起群众反映，存在变相收费问题，建议重点检查。", "服务质量差，企业意见较大。"),
}
REPORT_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
    b"/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
    b"4 0 obj << /Length 58 >> stream\nBT /F1 14 Tf 72 760 Td (Inspection report - demo) Tj ET\n"
    b"endstream endobj\n5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def load(seed: int, counts: Counter) -> None:
    """Add the demo inspections and evaluations, each part unless it exists already."""
    today = local_today()
    agencies = list(
        db.session.execute(
            select(Agency)
            .where(Agency.status.in_([s.value for s in ASSESSED_STATUSES]))
            .order_by(Agency.credit_code)
        ).scalars()
    )
    if not agencies:
        return
    quality = _quality(seed, agencies)
    if db.session.execute(select(Inspection.id).limit(1)).first() is None:
        _add_inspections(seed, agencies, quality, today, counts)
    _add_invited_evaluations(seed, agencies, quality, today, counts)
    _add_demo_supervisor_evaluations(seed, agencies, quality, today, counts)
    db.session.flush()


def _quality(seed: int, agencies: list[Agency]) -> dict[int, int]:
    """How good each agency is, 0–100: what inspections and evaluations scatter around."""
    rng = seeded(f"{seed}-assessments-quality")
    return {
        agency.id: (
            rng.randint(38, 62)
            if agency.status == AgencyStatus.SUSPENDED
            else max(45, min(97, round(rng.gauss(80, 10))))
        )
        for agency in agencies
    }


# --- inspections ---------------------------------------------------------------------------------


def _add_inspections(seed, agencies, quality, today: date, counts: Counter) -> None:
    rng = seeded(f"{seed}-inspections")
    regulator_id = _account_id(DEMO_REGULATOR)
    demo_agency_id = _agency_of(DEMO_AGENCY_USER)
    two_years_ago = add_months(today, -24)
    for agency in agencies:
        suspended = agency.status == AgencyStatus.SUSPENDED
        if not suspended and agency.id != demo_agency_id and rng.random() > INSPECTED_SHARE:
            continue
        # Some inspections fall a little before the rating window: they show, but do not count.
        first_day = max(
            agency.verified_at.date() + timedelta(days=20), two_years_ago - timedelta(days=90)
        )
        if first_day >= today:
            continue
        days = sorted(
            first_day + timedelta(days=rng.randint(0, (today - first_day).days))
            for _ in range(rng.randint(1, 3))
        )
        for day in days:
            score = _score(rng, quality[agency.id])
            _inspection(rng, agency, day, score, regulator_id, counts)
        if agency.id == demo_agency_id:
            _demo_agency_extras(rng, agency, today, quality[agency.id], regulator_id, counts)


def _demo_agency_extras(rng, agency, today: date, quality: int, regulator_id, counts) -> None:
    """The demo agency's latest inspection has a report; one before it was withdrawn."""
    day = today - timedelta(days=rng.randint(20, 40))
    right = _score(rng, quality)
    wrong = _inspection(rng, agency, day, max(0, right - 60), regulator_id, counts)
    wrong.withdrawn_at = office_moment(rng, day + timedelta(days=2))
    wrong.withdrawn_by_id = regulator_id
    wrong.withdraw_reason = WITHDRAW_REASON.format(score=right)
    counts["inspections_withdrawn"] += 1
    corrected = _inspection(rng, agency, day, right, regulator_id, counts)
    corrected.entered_at = office_moment(rng, day + timedelta(days=2))
    report = StoredFile(
        filename=f"检查报告-{agency.credit_code}-{day:%Y%m%d}.pdf",
        content_type="application/pdf",
        size=len(REPORT_PDF),
        sha256=hashlib.sha256(REPORT_PDF).hexdigest(),
        data=REPORT_PDF,
        uploaded_by_id=regulator_id,
    )
    corrected.report = report


def _inspection(rng, agency, day: date, score: int, regulator_id, counts) -> Inspection:
    inspection = Inspection(
        agency_id=agency.id,
        inspected_on=day,
        score=score,
        findings=_findings(rng, score),
        entered_by_id=regulator_id,
        entered_at=office_moment(rng, day + timedelta(days=rng.randint(0, 6))),
    )
    db.session.add(inspection)
    counts["inspections"] += 1
    return inspection


def _score(rng, quality: int) -> int:
    return max(0, min(100, quality + rng.randint(-8, 8)))


def _findings(rng, score: int) -> str:
    n = rng.randint(3, 8)
    if score >= 85:
        return rng.choice(CLEAN).format(n=n)
    if score >= 65:
        return MINOR.format(n=n, issue=rng.choice(ISSUES), days=rng.choice((10, 15, 20)))
    issue, other = rng.sample(ISSUES, 2)
    return SERIOUS.format(issue=issue, other=other)


# --- evaluations ---------------------------------------------------------------------------------


def _add_invited_evaluations(seed, agencies, quality, today: date, counts: Counter) -> None:
    known = set(
        db.session.execute(
            select(Account.email).where(
                Account.email.in_([email for email, _name in INVITED_SUPERVISORS])
            )
        ).scalars()
    )
    if known:
        return
    rng = seeded(f"{seed}-invited-supervisors")
    for email, name in INVITED_SUPERVISORS:
        supervisor = Account(
            email=email,
            display_name=name,
            role=Role.SUPERVISOR.value,
            active=False,
            # Nobody signs in as these accounts: a random password, cheaply hashed.
            password_hash=generate_password_hash(
                secrets.token_hex(16), method="pbkdf2:sha256:1000"
            ),
        )
        db.session.add(supervisor)
        db.session.flush()
        counts["supervisors"] += 1
        for year, quarter in _quarters(today, QUARTERS):
            for agency in rng.sample(agencies, min(len(agencies), rng.randint(4, 9))):
                _evaluation(rng, supervisor.id, agency, quality, year, quarter, today, counts)


def _add_demo_supervisor_evaluations(seed, agencies, quality, today: date, counts) -> None:
    supervisor_id = _account_id(DEMO_SUPERVISOR)
    if supervisor_id is None:
        return
    given = db.session.execute(
        select(SupervisorEvaluation.id).where(SupervisorEvaluation.supervisor_id == supervisor_id)
    ).first()
    if given is not None:
        return
    rng = seeded(f"{seed}-demo-supervisor")
    for number, (year, quarter) in enumerate(_quarters(today, QUARTERS)):
        how_many = 2 if number == 0 else rng.randint(3, 5)
        for agency in rng.sample(agencies, min(len(agencies), how_many)):
            _evaluation(rng, supervisor_id, agency, quality, year, quarter, today, counts)


def _evaluation(rng, supervisor_id, agency, quality, year, quarter, today, counts) -> None:
    first, last = quarter_bounds(year, quarter)
    last = min(last, today)
    day = first + timedelta(days=rng.randint(0, (last - first).days))
    score = max(1, min(5, round(quality[agency.id] / 20 + rng.uniform(-0.8, 0.8))))
    moment = office_moment(rng, day)
    db.session.add(
        SupervisorEvaluation(
            supervisor_id=supervisor_id,
            agency_id=agency.id,
            year=year,
            quarter=quarter,
            score=score,
            remarks=rng.choice(REMARKS[score]),
            evaluated_on=day,
            created_at=moment,
            updated_at=moment,
        )
    )
    counts["supervisor_evaluations"] += 1


def _quarters(today: date, number: int) -> list[tuple[int, int]]:
    """This quarter and the ones before it, newest first."""
    year, quarter = quarter_of(today)
    found = []
    for _ in range(number):
        found.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return found


def _account_id(email: str) -> int | None:
    return db.session.execute(select(Account.id).where(Account.email == email)).scalar()


def _agency_of(email: str) -> int | None:
    return db.session.execute(select(Account.agency_id).where(Account.email == email)).scalar()
