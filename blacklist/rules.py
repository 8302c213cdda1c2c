"""Automatic proposals: configurable rules that propose a case, never a listing.

Each rule of config BLACKLIST_RULES counts an agency's evidence in a window ending today:
- substantiated complaints concluded within `months` of at least `min_severity` (serious
  counts as major too) or of `category`; or
- commitment breaches recorded within `months` (`breaches`).
When the count reaches `count`, the rule proposes a case with its ground and legal basis,
the rule's id as its source, and the evidence linked. It does not when:
- the agency already has an open case or a listing in force from this rule or on its
  ground (an open or listed case blocks a new one);
- every piece of evidence is already linked to an earlier case of the rule (a rejected
  proposal is not proposed again from the same evidence; new evidence reopens the question).
So running a scan twice creates nothing new. Scans run when a complaint is concluded
(on_complaint_concluded) and in `flask blacklist scan`.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from blacklist.checks import BlacklistError, blocking_case
from blacklist.models import OPEN_STATES, BlacklistCase, CaseState, Ground, case_complaint
from blacklist.services import Proposal, open_case
from ratings.complaints.models import CommitmentBreach, Complaint
from ratings.complaints.queries import substantiated_complaints
from registry.accounts.permissions import SYSTEM
from registry.agencies.categories import PUBLIC_STATUSES
from registry.agencies.models import Agency
from registry.commitments.services import add_months
from registry.dates import local_today
from registry.db import db

SEVERITY_RANK = {"minor": 1, "major": 2, "serious": 3}
RULE_LABELS = {
    "serious_complaints": _l("Serious substantiated complaints within the window"),
    "major_complaints": _l("Major or serious substantiated complaints within the window"),
    "falsified_report": _l("A substantiated falsified report"),
    "commitment_breaches": _l("Commitment breached repeatedly within the window"),
}
# A case of the rule in one of these (as the dates have it) blocks a new one.
BLOCKING_STATES = OPEN_STATES | {CaseState.LISTED}


@dataclass(frozen=True)
class Rule:
    id: str
    count: int
    months: int
    ground: Ground
    legal_basis: str
    min_severity: str | None = None
    category: str | None = None
    breaches: bool = False

    @classmethod
    def from_config(cls, entry: dict) -> "Rule":
        return cls(
            id=entry["id"],
            count=int(entry["count"]),
            months=int(entry["months"]),
            ground=Ground(entry["ground"]),
            legal_basis=entry["legal_basis"],
            min_severity=entry.get("min_severity"),
            category=entry.get("category"),
            breaches=bool(entry.get("breaches")),
        )

    @property
    def label(self) -> str:
        return str(RULE_LABELS.get(self.id, self.id))


@dataclass(frozen=True)
class Evidence:
    complaint_id: int
    reference: str
    day: date


def configured_rules() -> list[Rule]:
    return [Rule.from_config(entry) for entry in current_app.config["BLACKLIST_RULES"]]


def rule_label(source: str) -> str:
    """What a case's source is called: a rule's description, or its id if unknown."""
    return str(RULE_LABELS.get(source, source))


def scan_agency(agency_id: int, today: date | None = None) -> list[BlacklistCase]:
    """Apply every rule to one agency; return the cases proposed (none, usually)."""
    today = today or local_today()
    agency = db.session.get(Agency, agency_id)
    if agency is None or agency.status not in PUBLIC_STATUSES:
        return []
    proposed = []
    for rule in configured_rules():
        case = _apply(rule, agency, today)
        if case is not None:
            proposed.append(case)
    return proposed


def scan_all(today: date | None = None) -> list[BlacklistCase]:
    """Apply every rule to every agency with substantiated complaints in the longest window."""
    today = today or local_today()
    rules = configured_rules()
    if not rules:
        return []
    since = add_months(today, -max(rule.months for rule in rules))
    agency_ids = sorted(
        set(substantiated_complaints(since, today))
        | set(
            db.session.execute(
                select(CommitmentBreach.agency_id).where(CommitmentBreach.recorded_on >= since)
            ).scalars()
        )
    )
    proposed = []
    for agency_id in agency_ids:
        proposed.extend(scan_agency(agency_id, today))
    return proposed


def on_complaint_concluded(sender=None, complaint: Complaint | None = None, **_extra) -> None:
    """Signal receiver: scan the concluded complaint's agency (see the module docstring)."""
    if complaint is not None:
        scan_agency(complaint.agency_id)


def _apply(rule: Rule, agency: Agency, today: date) -> BlacklistCase | None:
    evidence = _evidence(rule, agency.id, today)
    if len(evidence) < rule.count:
        return None
    if _blocked(rule, agency.id, today):
        return None
    linked = _linked_to_rule(rule, agency.id)
    if all(item.complaint_id in linked for item in evidence):
        return None
    try:
        return open_case(agency, _proposal(rule, evidence), source=rule.id, actor=SYSTEM)
    except BlacklistError:
        return None  # an open case on the ground appeared meanwhile: nothing to add


def _evidence(rule: Rule, agency_id: int, today: date) -> list[Evidence]:
    since = add_months(today, -rule.months)
    if rule.breaches:
        rows = db.session.execute(
            select(CommitmentBreach.complaint_id, Complaint.reference, CommitmentBreach.recorded_on)
            .join(Complaint, Complaint.id == CommitmentBreach.complaint_id)
            .where(
                CommitmentBreach.agency_id == agency_id,
                CommitmentBreach.recorded_on >= since,
                CommitmentBreach.recorded_on <= today,
            )
            .order_by(CommitmentBreach.recorded_on, CommitmentBreach.id)
        ).all()
        return [Evidence(row.complaint_id, row.reference, row.recorded_on) for row in rows]
    found = substantiated_complaints(since, today, [agency_id]).get(agency_id, [])
    return [
        Evidence(item.complaint_id, item.reference, item.concluded_on)
        for item in found
        if _qualifies(rule, item.category, item.severity)
    ]


def _qualifies(rule: Rule, category: str, severity: str) -> bool:
    if rule.category is not None and category != rule.category:
        return False
    if rule.min_severity is not None:
        return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK[rule.min_severity]
    return True


def _blocked(rule: Rule, agency_id: int, today: date) -> bool:
    if blocking_case(agency_id, rule.ground, today) is not None:
        return True
    cases = db.session.execute(
        select(BlacklistCase).where(
            BlacklistCase.agency_id == agency_id, BlacklistCase.source == rule.id
        )
    ).scalars()
    return any(case.state_on(today) in BLOCKING_STATES for case in cases)


def _linked_to_rule(rule: Rule, agency_id: int) -> set[int]:
    """Complaints already linked to a case of this rule for this agency."""
    return set(
        db.session.execute(
            select(case_complaint.c.complaint_id)
            .join(BlacklistCase, BlacklistCase.id == case_complaint.c.case_id)
            .where(BlacklistCase.agency_id == agency_id, BlacklistCase.source == rule.id)
        ).scalars()
    )


def _proposal(rule: Rule, evidence: list[Evidence]) -> Proposal:
    """The facts in the registry's language (they are the case's record, like a letter)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        facts = _(
            "Proposed automatically by the rule “%(rule)s”: %(count)d within %(months)d "
            "months (at least %(needed)d needed): %(references)s.",
            rule=rule.label,
            count=len(evidence),
            months=rule.months,
            needed=rule.count,
            references=", ".join(f"{item.reference} ({item.day.isoformat()})" for item in evidence),
        )
    return Proposal(
        ground=rule.ground.value,
        facts=facts,
        legal_basis=rule.legal_basis,
        complaint_ids=[item.complaint_id for item in evidence],
    )
