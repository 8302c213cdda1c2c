"""Complaints, their evidence files, regulators' conflicts of interest, commitment breaches.

Complaint.status, one service per arrow (ratings.complaints.services):

    submitted --accept--> accepted --agency responds--> investigating --conclude--> substantiated
        |                    |      (or, once the agency's        |                 unsubstantiated
        +--not accept-->     |       response is overdue, the     |
           not_accepted      |       regulator proceeds without)  |
        |                    |                                    |
        +--------------------+------------------------------------+--withdraw--> withdrawn

`accepted` means "accepted, waiting for the agency's response" (the agency is accountable);
`investigating` means the regulator weighs both sides (the assignee is accountable).

Deadlines are stored as a start date and a number of working days, never as a computed
date (a holiday notice entered later moves them); each complaint keeps the limits that were
in force when it was filed:
- acceptance: accept_days after filed_on;
- the agency's response: response_days after accepted_on;
- the conclusion: conclude_days + extension_days after accepted_on.
"""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import db, utcnow
from registry.uploads.models import FileLink


def _one_of(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value.value}'" for value in values))


class ComplaintCategory(StrEnum):
    OVERCHARGING = "overcharging"
    DELAY = "delay"
    POOR_QUALITY = "poor_quality"
    MISCONDUCT = "misconduct"
    FORCED_DESIGNATION = "forced_designation"
    FALSIFIED_REPORT = "falsified_report"
    OTHER = "other"

    @property
    def label(self):
        return CATEGORY_LABELS[self]

    @property
    def breaks_commitment(self) -> bool:
        return self in BREACH_CATEGORIES


CATEGORY_LABELS = {
    ComplaintCategory.OVERCHARGING: _l("Overcharging"),
    ComplaintCategory.DELAY: _l("Delay beyond the promised time limit"),
    ComplaintCategory.POOR_QUALITY: _l("Poor quality of work"),
    ComplaintCategory.MISCONDUCT: _l("Misconduct or bribery"),
    ComplaintCategory.FORCED_DESIGNATION: _l("Forced designation or monopoly"),
    ComplaintCategory.FALSIFIED_REPORT: _l("Falsified report"),
    ComplaintCategory.OTHER: _l("Other"),
}

# The promises of the signed commitment letter a substantiated complaint of these breaks:
# compliant fees, the time limits, truthful reports (DESIGN §4, Commitment breach).
BREACH_CATEGORIES = frozenset(
    {
        ComplaintCategory.OVERCHARGING,
        ComplaintCategory.DELAY,
        ComplaintCategory.FALSIFIED_REPORT,
    }
)


class ComplaintStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    NOT_ACCEPTED = "not_accepted"
    INVESTIGATING = "investigating"
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    ComplaintStatus.SUBMITTED: _l("Submitted"),
    ComplaintStatus.ACCEPTED: _l("Accepted, awaiting the agency's response"),
    ComplaintStatus.NOT_ACCEPTED: _l("Not accepted"),
    ComplaintStatus.INVESTIGATING: _l("Under investigation"),
    ComplaintStatus.SUBSTANTIATED: _l("Substantiated"),
    ComplaintStatus.UNSUBSTANTIATED: _l("Unsubstantiated"),
    ComplaintStatus.WITHDRAWN: _l("Withdrawn"),
}

OPEN_STATUSES = frozenset(
    {ComplaintStatus.SUBMITTED, ComplaintStatus.ACCEPTED, ComplaintStatus.INVESTIGATING}
)
CONCLUDED_STATUSES = frozenset({ComplaintStatus.SUBSTANTIATED, ComplaintStatus.UNSUBSTANTIATED})


class Severity(StrEnum):
    MINOR = "minor"
    MAJOR = "major"
    SERIOUS = "serious"

    @property
    def label(self):
        return SEVERITY_LABELS[self]


SEVERITY_LABELS = {
    Severity.MINOR: _l("Minor"),
    Severity.MAJOR: _l("Major"),
    Severity.SERIOUS: _l("Serious"),
}


class Party(StrEnum):
    """Who added a file or wrote a text: the complainant, the agency, or a regulator."""

    COMPLAINANT = "complainant"
    AGENCY = "agency"
    REGULATOR = "regulator"


class Stage(StrEnum):
    """Which submission a file came with."""

    COMPLAINT = "complaint"
    RESPONSE = "response"
    REBUTTAL = "rebuttal"


STAGE_PARTY = {
    Stage.COMPLAINT: Party.COMPLAINANT,
    Stage.RESPONSE: Party.AGENCY,
    Stage.REBUTTAL: Party.COMPLAINANT,
}


class Complaint(db.Model):
    __tablename__ = "complaint"
    __table_args__ = (
        CheckConstraint(_one_of("status", ComplaintStatus), name="status_known"),
        CheckConstraint(_one_of("category", ComplaintCategory), name="category_known"),
        CheckConstraint(
            f"severity IS NULL OR {_one_of('severity', Severity)}", name="severity_known"
        ),
        # A severity exactly when substantiated.
        CheckConstraint(
            "(status = 'substantiated' AND severity IS NOT NULL)"
            " OR (status <> 'substantiated' AND severity IS NULL)",
            name="severity_when_substantiated",
        ),
        CheckConstraint(
            "accept_days > 0 AND response_days > 0 AND conclude_days > 0", name="limits_positive"
        ),
        CheckConstraint(
            "extension_days IS NULL OR (extension_days > 0 AND extension_reason IS NOT NULL)",
            name="extension_with_reason",
        ),
        Index("ix_complaint_agency_status", "agency_id", "status"),
        Index("ix_complaint_complainant", "complainant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown to the parties: TS-<year filed>-<id, five digits>; set as soon as the id is known.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    complainant_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    engagement_id: Mapped[int | None] = mapped_column(ForeignKey("engagement.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True, default=ComplaintStatus.SUBMITTED)
    severity: Mapped[str | None] = mapped_column(String(10))
    # The regulator accountable for accepting and concluding it.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    filed_on: Mapped[date]
    # The time limits in force when it was filed, in working days.
    accept_days: Mapped[int]
    response_days: Mapped[int]
    conclude_days: Mapped[int]
    # Accepted or not accepted: when and by whom; the reason when not accepted.
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    accepted_on: Mapped[date | None]
    not_accepted_reason: Mapped[str | None] = mapped_column(Text)
    # The agency's one response, and the complainant's one rebuttal of it.
    response_text: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]
    responded_on: Mapped[date | None]
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # Set when the regulator went on without the agency's response, after its deadline.
    proceeded_at: Mapped[datetime | None]
    rebuttal_text: Mapped[str | None] = mapped_column(Text)
    rebutted_at: Mapped[datetime | None]
    # The one extension of the conclusion deadline, by a reviewer.
    extension_days: Mapped[int | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_at: Mapped[datetime | None]
    extended_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    conclusion_reasons: Mapped[str | None] = mapped_column(Text)
    concluded_at: Mapped[datetime | None]
    concluded_on: Mapped[date | None] = mapped_column(index=True)
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    complainant = relationship("Account", foreign_keys=[complainant_id])
    agency = relationship("Agency")
    engagement = relationship("Engagement")
    assignee = relationship("Account", foreign_keys=[assignee_id])
    decided_by = relationship("Account", foreign_keys=[decided_by_id])
    responded_by = relationship("Account", foreign_keys=[responded_by_id])
    extended_by = relationship("Account", foreign_keys=[extended_by_id])
    concluded_by = relationship("Account", foreign_keys=[concluded_by_id])
    files: Mapped[list["ComplaintFile"]] = relationship(
        back_populates="complaint", order_by="ComplaintFile.id"
    )
    breach: Mapped["CommitmentBreach | None"] = relationship(back_populates="complaint")

    def __repr__(self) -> str:
        return f"<Complaint {self.reference} {self.status}>"

    @property
    def status_enum(self) -> ComplaintStatus:
        return ComplaintStatus(self.status)

    @property
    def category_enum(self) -> ComplaintCategory:
        return ComplaintCategory(self.category)

    @property
    def severity_enum(self) -> Severity | None:
        return Severity(self.severity) if self.severity else None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_concluded(self) -> bool:
        return self.status in CONCLUDED_STATUSES

    @property
    def shown_to_agency(self) -> bool:
        """The agency learns of a complaint once a regulator accepted it (and keeps seeing it,
        even if it is later withdrawn); a complaint never accepted stays between the
        complainant and the regulators."""
        return self.accepted_on is not None

    @property
    def conclusion_days(self) -> int:
        """Working days from acceptance to the conclusion deadline, extension included."""
        return self.conclude_days + (self.extension_days or 0)

    def files_of(self, stage: Stage) -> list["ComplaintFile"]:
        return [file for file in self.files if file.stage == stage]


class ComplaintFile(FileLink, db.Model):
    """An evidence file of a complaint, the agency's response or the complainant's rebuttal."""

    __tablename__ = "complaint_file"
    __table_args__ = (
        CheckConstraint(_one_of("party", Party), name="party_known"),
        CheckConstraint(_one_of("stage", Stage), name="stage_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    party: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20))

    complaint: Mapped[Complaint] = relationship(back_populates="files")


class Conflict(db.Model):
    """A regulator's declared conflict of interest with an agency, in force until ended."""

    __tablename__ = "conflict_of_interest"
    __table_args__ = (
        Index("ix_conflict_of_interest_regulator_agency", "regulator_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    regulator_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(Text)

    regulator = relationship("Account")
    agency = relationship("Agency")

    @property
    def in_force(self) -> bool:
        return self.ended_at is None


class CommitmentBreach(db.Model):
    """A substantiated complaint that broke the agency's signed commitment (DESIGN §4).

    signature_id is the agency's signature valid on the day the complaint was filed, or
    None when the agency held no valid signature then: the breach still counts.
    """

    __tablename__ = "commitment_breach"
    __table_args__ = (
        CheckConstraint(_one_of("category", sorted(BREACH_CATEGORIES)), name="category_breaks"),
        CheckConstraint(_one_of("severity", Severity), name="severity_known"),
        Index("ix_commitment_breach_agency", "agency_id", "recorded_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    signature_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment_signature.id"), index=True
    )
    # Copied from the complaint, so the rating engine and the blacklist rules read breaches alone.
    category: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_on: Mapped[date]

    complaint: Mapped[Complaint] = relationship(back_populates="breach")
    agency = relationship("Agency")
    signature = relationship("CommitmentSignature")
