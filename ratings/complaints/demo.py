"""Demo complaints in every state, overdue ones included, with evidence, responses,
rebuttals, conclusions, commitment breaches and declared conflicts of interest.

load(seed, counts) is deterministic for a seed and does nothing once a complaint exists.
It builds on the demo registry (agencies, the demo accounts, engagements if loaded): the
demo enterprise user complains about the demo agency, so both see work in several states;
the other complainants are members of the public it adds (who never sign in).
"""

import hashlib
import secrets
from collections import Counter
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ratings.complaints import demo_data as words
from ratings.complaints.models import (
    BREACH_CATEGORIES,
    CommitmentBreach,
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    Conflict,
    Party,
    Stage,
)
from ratings.complaints.queries import signature_valid_on
from ratings.engagements.models import Engagement
from ratings.working_days import current_calendar
from registry.accounts.models import Account
from registry.accounts.roles import REGULATOR_ROLES, Role
from registry.agencies.categories import AgencyStatus
from registry.agencies.demo import office_moment, person_name, seeded
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db
from registry.uploads.models import StoredFile

PUBLIC_COMPLAINANTS = 4
# (status, category, working days since filing, extras). Extras: "files", "rebuttal",
# "extended", "proceeded", "late" (acceptance or response overdue), "engagement".
PLAN = [
    ("submitted", "overcharging", 1, {"files"}),
    ("submitted", "delay", 9, {"late"}),
    ("submitted", "misconduct", 3, {"assigned"}),
    ("not_accepted", "other", 12, set()),
    ("accepted", "delay", 8, {"files", "engagement"}),
    ("accepted", "overcharging", 20, {"late"}),
    ("investigating", "poor_quality", 15, {"files"}),
    ("investigating", "overcharging", 22, {"files", "rebuttal", "engagement"}),
    ("investigating", "falsified_report", 40, {"late"}),
    ("investigating", "delay", 33, {"extended"}),
    ("investigating", "forced_designation", 25, {"proceeded"}),
    ("substantiated", "overcharging", 45, {"files", "rebuttal"}),
    ("substantiated", "delay", 60, {"engagement"}),
    ("substantiated", "falsified_report", 80, {"files"}),
    ("substantiated", "misconduct", 70, set()),
    ("unsubstantiated", "overcharging", 50, {"rebuttal"}),
    ("withdrawn", "poor_quality", 6, set()),
    ("withdrawn", "delay", 30, set()),
]
DEMO_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
)
DEMO_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64 + b"\xff\xd9"


def load(seed: int, counts: Counter) -> None:
    """Add the demo complaints and conflicts, unless a complaint exists already."""
    if db.session.execute(select(Complaint.id).limit(1)).first() is not None:
        return
    regulators = _regulators()
    agencies = list(
        db.session.execute(
            select(Agency).where(Agency.status == AgencyStatus.ACTIVE).order_by(Agency.credit_code)
        ).scalars()
    )
    if not regulators or len(agencies) < 3:
        return
    rng = seeded(f"{seed}-complaints")
    today = local_today()
    demo_enterprise = _account("enterprise@example.com")
    demo_agency_id = getattr(_account("agency@example.com"), "agency_id", None)
    public = _public_complainants(rng, counts)
    for number, (status, category, age, extras) in enumerate(PLAN):
        ours = number % 3 == 0 and demo_enterprise is not None
        complainant = demo_enterprise if ours else public[number % len(public)]
        agency = _agency(rng, agencies, demo_agency_id, number)
        engagement = _engagement(complainant, agency) if "engagement" in extras else None
        if engagement is not None:
            agency = engagement.agency
        complaint = _complaint(
            rng, today, complainant, agency, category, age, regulators, engagement
        )
        _advance(rng, today, complaint, ComplaintStatus(status), extras, regulators)
        counts["complaints"] += 1
        counts["complaint_files"] += len(complaint.files)
        counts["commitment_breaches"] += complaint.breach is not None
    _conflicts(rng, today, regulators, agencies, demo_agency_id, counts)
    db.session.flush()


def _account(email: str) -> Account | None:
    return db.session.execute(select(Account).where(Account.email == email)).scalar_one_or_none()


def _regulators() -> list[Account]:
    """The demo regulator and reviewer first (their queues have work), then the others."""
    found = list(
        db.session.execute(
            select(Account)
            .where(Account.role.in_([r.value for r in REGULATOR_ROLES]), Account.active.is_(True))
            .order_by(Account.id)
        ).scalars()
    )
    preferred = ("regulator@example.com", "reviewer@example.com")
    return sorted(
        found,
        key=lambda a: (
            a.email not in preferred,
            preferred.index(a.email) if a.email in preferred else 0,
        ),
    )


def _public_complainants(rng, counts: Counter) -> list[Account]:
    """Members of the public who filed demo complaints; nobody signs in as them."""
    found = []
    for number in range(1, PUBLIC_COMPLAINANTS + 1):
        email = f"citizen{number}@demo.example"
        account = _account(email)
        if account is None:
            account = Account(
                email=email,
                display_name=person_name(rng),
                role=Role.PUBLIC.value,
                password_hash=generate_password_hash(
                    secrets.token_hex(16), method="pbkdf2:sha256:1000"
                ),
            )
            db.session.add(account)
            counts["public_accounts"] += 1
        found.append(account)
    db.session.flush()
    return found


def _agency(rng, agencies: list[Agency], demo_agency_id, number: int) -> Agency:
    """Every third complaint is about the demo agency, so its user has complaints to answer."""
    if demo_agency_id is not None and number % 3 == 1:
        return next((a for a in agencies if a.id == demo_agency_id), agencies[0])
    return rng.choice(agencies)


def _engagement(complainant, agency: Agency) -> Engagement | None:
    """One of the complainant's enterprise's engagements, if the demo has any."""
    if complainant is None or complainant.enterprise_id is None:
        return None
    return db.session.execute(
        select(Engagement)
        .where(Engagement.enterprise_id == complainant.enterprise_id)
        .order_by((Engagement.agency_id == agency.id).desc(), Engagement.id)
        .limit(1)
    ).scalar_one_or_none()


def _before(today: date, working_days: int) -> date:
    """The day `working_days` working days before today."""
    calendar, day = current_calendar(), today
    while calendar.working_days_between(day, today) < working_days:
        day -= timedelta(days=1)
    return day


def _after(day: date, working_days: int, today: date) -> date:
    return min(current_calendar().add_working_days(day, working_days), today)


def _complaint(rng, today, complainant, agency, category, age, regulators, engagement):
    config = current_app.config
    filed_on = _before(today, age)
    complaint = Complaint(
        complainant_id=complainant.id,
        agency_id=agency.id,
        agency=agency,
        engagement_id=engagement.id if engagement else None,
        category=category,
        text=rng.choice(words.COMPLAINTS[category]),
        status=ComplaintStatus.SUBMITTED.value,
        filed_at=office_moment(rng, filed_on),
        filed_on=filed_on,
        accept_days=config["COMPLAINT_ACCEPT_WORKING_DAYS"],
        response_days=config["COMPLAINT_RESPONSE_WORKING_DAYS"],
        conclude_days=config["COMPLAINT_CONCLUDE_WORKING_DAYS"],
    )
    db.session.add(complaint)
    db.session.flush()
    complaint.reference = f"TS-{filed_on.year}-{complaint.id:05d}"
    return complaint


def _advance(rng, today, complaint, status, extras, regulators) -> None:
    """Walk the complaint through the workflow to `status`, dating each step."""
    regulator = regulators[0]
    if "files" in extras:
        _file(rng, complaint, Stage.COMPLAINT, complaint.complainant_id, complaint.filed_on)
    if "assigned" in extras or status != ComplaintStatus.SUBMITTED:
        complaint.assignee_id = regulator.id
    if status == ComplaintStatus.SUBMITTED:
        return
    if (
        status == ComplaintStatus.WITHDRAWN
        and "late" not in extras
        and complaint.filed_on > _before(today, 10)
    ):
        _withdraw(rng, today, complaint)
        return
    decided_on = _after(complaint.filed_on, 6 if "late" in extras else rng.randint(1, 4), today)
    complaint.decided_at = office_moment(rng, decided_on)
    complaint.decided_by_id = regulator.id
    if status == ComplaintStatus.NOT_ACCEPTED:
        complaint.status = status.value
        complaint.not_accepted_reason = rng.choice(words.NOT_ACCEPTED_REASONS)
        return
    complaint.accepted_on = decided_on
    complaint.status = ComplaintStatus.ACCEPTED.value
    if status == ComplaintStatus.ACCEPTED:
        return
    if status == ComplaintStatus.WITHDRAWN:
        _withdraw(rng, today, complaint)
        return
    staff = _staff(complaint.agency_id)
    if "proceeded" in extras or staff is None:
        proceeded_on = _after(decided_on, complaint.response_days + 1, today)
        complaint.proceeded_at = office_moment(rng, proceeded_on)
    else:
        responded_on = _after(decided_on, rng.randint(3, complaint.response_days), today)
        complaint.response_text = rng.choice(words.RESPONSES)
        complaint.responded_at = office_moment(rng, responded_on)
        complaint.responded_on = responded_on
        complaint.responded_by_id = staff.id
        if rng.random() < 0.5:
            _file(rng, complaint, Stage.RESPONSE, staff.id, responded_on)
        if "rebuttal" in extras:
            rebutted_on = _after(responded_on, 2, today)
            complaint.rebuttal_text = rng.choice(words.REBUTTALS)
            complaint.rebutted_at = office_moment(rng, rebutted_on)
            _file(rng, complaint, Stage.REBUTTAL, complaint.complainant_id, rebutted_on)
    complaint.status = ComplaintStatus.INVESTIGATING.value
    if "extended" in extras:
        complaint.extension_days = 15
        complaint.extension_reason = rng.choice(words.EXTENSION_REASONS)
        complaint.extended_at = office_moment(rng, _after(decided_on, 25, today))
        complaint.extended_by_id = regulators[min(1, len(regulators) - 1)].id
    if status == ComplaintStatus.INVESTIGATING:
        return
    _conclude(rng, today, complaint, status, decided_on, regulator)


def _conclude(rng, today, complaint, status, decided_on, regulator) -> None:
    concluded_on = _after(decided_on, rng.randint(18, 28), today)
    complaint.status = status.value
    complaint.concluded_at = office_moment(rng, concluded_on)
    complaint.concluded_on = concluded_on
    complaint.concluded_by_id = regulator.id
    if status == ComplaintStatus.UNSUBSTANTIATED:
        complaint.conclusion_reasons = rng.choice(words.UNSUBSTANTIATED_REASONS)
        return
    complaint.severity = {"falsified_report": "serious", "overcharging": "major"}.get(
        complaint.category, "minor"
    )
    complaint.conclusion_reasons = words.SUBSTANTIATED_REASONS[complaint.category]
    if complaint.category in BREACH_CATEGORIES:
        signature = signature_valid_on(complaint.agency_id, complaint.filed_on)
        db.session.add(
            CommitmentBreach(
                complaint=complaint,
                agency_id=complaint.agency_id,
                signature_id=signature.id if signature else None,
                category=complaint.category,
                severity=complaint.severity,
                recorded_at=complaint.concluded_at,
                recorded_on=concluded_on,
            )
        )


def _withdraw(rng, today, complaint) -> None:
    complaint.status = ComplaintStatus.WITHDRAWN.value
    complaint.withdrawn_at = office_moment(rng, _after(complaint.filed_on, 5, today))
    complaint.withdrawal_reason = rng.choice(words.WITHDRAWAL_REASONS)


def _staff(agency_id: int) -> Account | None:
    return db.session.execute(
        select(Account).where(Account.agency_id == agency_id).order_by(Account.id).limit(1)
    ).scalar_one_or_none()


def _file(rng, complaint, stage: Stage, account_id, day: date) -> None:
    names = {
        Stage.COMPLAINT: ["收费发票.pdf", "合同扫描件.pdf", "现场照片.jpg"],
        Stage.RESPONSE: ["情况说明.pdf", "企业确认单.pdf"],
        Stage.REBUTTAL: ["授权委托书.pdf", "往来邮件.pdf"],
    }[stage]
    name = rng.choice(names)
    data = DEMO_JPEG if name.endswith(".jpg") else DEMO_PDF
    data = data.replace(b"trailer", f"% {complaint.reference} {name}\ntrailer".encode())
    stored = StoredFile(
        filename=name,
        content_type="image/jpeg" if name.endswith(".jpg") else "application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by_id=account_id,
        created_at=office_moment(rng, day),
    )
    complaint.files.append(
        ComplaintFile(
            file=stored,
            party=Party.AGENCY.value if stage == Stage.RESPONSE else Party.COMPLAINANT.value,
            stage=stage.value,
            added_by_id=account_id,
            added_at=stored.created_at,
        )
    )


def _conflicts(rng, today, regulators, agencies, demo_agency_id, counts: Counter) -> None:
    """The demo regulator declared one conflict still in force, and ended another."""
    others = [a for a in agencies if a.id != demo_agency_id]
    in_force, ended = rng.sample(others, 2)
    regulator = regulators[0]
    db.session.add(
        Conflict(
            regulator_id=regulator.id,
            agency_id=in_force.id,
            reason=words.CONFLICT_REASONS[0],
            declared_at=office_moment(rng, today - timedelta(days=200)),
        )
    )
    db.session.add(
        Conflict(
            regulator_id=regulator.id,
            agency_id=ended.id,
            reason=words.CONFLICT_REASONS[1],
            declared_at=office_moment(rng, today - timedelta(days=400)),
            ended_at=office_moment(rng, today - timedelta(days=30)),
            ended_reason=words.CONFLICT_END_REASON,
        )
    )
    counts["conflicts"] += 2
