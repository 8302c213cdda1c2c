"""Blacklist cases, their files and linked complaints, and credit-repair applications.

BlacklistCase.state, one service per arrow (blacklist.services, blacklist.repair):

    proposed --notify--> notified --object--> objection_filed
        |                   |                       |
        +-------------------+--- decide: listed ----+--> listed --> expired (term ended)
        |                   |    (after the window  |          \\-> repaired (repair approved)
        |                   |     or an objection)  |           \\-> revoked (listing was wrong)
        +-------------------+--- decide: rejected --+--> rejected

A reviewer may also reject a proposal before the agency is notified (a rule's proposal that
does not hold up): refusing to list needs no hearing of the agency.

Whether a listing counts on a day is computed from listed_from/listed_until (inclusive):
a case recorded `listed` whose last day has passed is shown as expired at once, before
`flask blacklist expire` records the state. The objection window is stored as its start
(notified_on) and its number of working days, never as a computed date.
"""

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import db, utcnow
from registry.uploads.models import FileLink


def _one_of(column: str, values) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in values))


class CaseState(StrEnum):
    PROPOSED = "proposed"
    NOTIFIED = "notified"
    OBJECTION_FILED = "objection_filed"
    LISTED = "listed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REPAIRED = "repaired"
    REVOKED = "revoked"

    @property
    def label(self):
        return STATE_LABELS[self]


STATE_LABELS = {
    CaseState.PROPOSED: _l("Proposed"),
    CaseState.NOTIFIED: _l("Agency notified"),
    CaseState.OBJECTION_FILED: _l("Objection filed"),
    CaseState.LISTED: _l("On the blacklist"),
    CaseState.REJECTED: _l("Rejected"),
    CaseState.EXPIRED: _l("Expired"),
    CaseState.REPAIRED: _l("Removed after credit repair"),
    CaseState.REVOKED: _l("Revoked"),
}

# Waiting for a decision: a second case of the same ground cannot be opened meanwhile.
OPEN_STATES = frozenset({CaseState.PROPOSED, CaseState.NOTIFIED, CaseState.OBJECTION_FILED})
# Ever listed: these cases are public (the list, the profile's history, the API).
LISTING_STATES = frozenset(
    {CaseState.LISTED, CaseState.EXPIRED, CaseState.REPAIRED, CaseState.REVOKED}
)
ENDED_STATES = frozenset({CaseState.EXPIRED, CaseState.REPAIRED, CaseState.REVOKED})


class Ground(StrEnum):
    """The category of the breach a case is about."""

    FALSIFIED_REPORT = "falsified_report"
    SERIOUS_OVERCHARGING = "serious_overcharging"
    REPEATED_DELAYS = "repeated_delays"
    MISCONDUCT = "misconduct"
    COMMITMENT_BREACH = "commitment_breach"
    REPEATED_COMPLAINTS = "repeated_complaints"
    OTHER = "other"

    @property
    def label(self):
        return GROUND_LABELS[self]


GROUND_LABELS = {
    Ground.FALSIFIED_REPORT: _l("Falsified report"),
    Ground.SERIOUS_OVERCHARGING: _l("Serious overcharging"),
    Ground.REPEATED_DELAYS: _l("Repeated delays beyond the time limits"),
    Ground.MISCONDUCT: _l("Bribery or other serious misconduct"),
    Ground.COMMITMENT_BREACH: _l("Repeated breach of the signed commitment"),
    Ground.REPEATED_COMPLAINTS: _l("Repeated substantiated complaints"),
    Ground.OTHER: _l("Other serious breach of trust"),
}

MANUAL = "manual"


class FileStage(StrEnum):
    OBJECTION = "objection"
    REPAIR = "repair"


class RepairStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"

    @property
    def label(self):
        return REPAIR_STATUS_LABELS[self]


REPAIR_STATUS_LABELS = {
    RepairStatus.PENDING: _l("Waiting for a reviewer"),
    RepairStatus.APPROVED: _l("Approved"),
    RepairStatus.REFUSED: _l("Not approved"),
}

case_complaint = Table(
    "blacklist_case_complaint",
    db.metadata,
    Column("case_id", ForeignKey("blacklist_case.id"), primary_key=True),
    Column("complaint_id", ForeignKey("complaint.id"), primary_key=True, index=True),
)


class BlacklistCase(db.Model):
    __tablename__ = "blacklist_case"
    __table_args__ = (
        CheckConstraint(_one_of("state", CaseState), name="state_known"),
        CheckConstraint(_one_of("ground", Ground), name="ground_known"),
        CheckConstraint("term_years IS NULL OR term_years BETWEEN 1 AND 3", name="term_sensible"),
        CheckConstraint("objection_days IS NULL OR objection_days > 0", name="window_positive"),
        # Every listing, current or ended, says who decided it, by which decision, for how long.
        CheckConstraint(
            f"state NOT IN ({', '.join(repr(s.value) for s in sorted(LISTING_STATES))})"
            " OR (decision_number IS NOT NULL AND deciding_authority IS NOT NULL"
            " AND term_years IS NOT NULL AND listed_from IS NOT NULL"
            " AND listed_until >= listed_from AND decided_by_id IS NOT NULL)",
            name="listing_complete",
        ),
        Index("ix_blacklist_case_agency_state", "agency_id", "state"),
        Index("ix_blacklist_case_state_listed", "state", "listed_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    state: Mapped[str] = mapped_column(String(20), default=CaseState.PROPOSED)
    ground: Mapped[str] = mapped_column(String(30))
    facts: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    # "manual", or the id of the automatic rule that proposed it (config BLACKLIST_RULES).
    source: Mapped[str] = mapped_column(String(40), default=MANUAL)
    # None when a rule proposed it.
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    proposed_on: Mapped[date]
    # The notice: the objection window is objection_days working days after notified_on.
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    notified_at: Mapped[datetime | None]
    notified_on: Mapped[date | None]
    objection_days: Mapped[int | None]
    # The agency's one objection (private: the agency and regulators read it).
    objection_text: Mapped[str | None] = mapped_column(Text)
    objection_at: Mapped[datetime | None]
    objection_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # The decision: listed or rejected, by a reviewer who did not propose the case.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[datetime | None]
    decided_on: Mapped[date | None]
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    decision_number: Mapped[str | None] = mapped_column(String(100), unique=True)
    deciding_authority: Mapped[str | None] = mapped_column(String(200))
    term_years: Mapped[int | None]
    listed_from: Mapped[date | None]
    listed_until: Mapped[date | None]  # the last day the listing counts
    # The end of a listing: expired (the system), repaired or revoked (a reviewer).
    ended_at: Mapped[datetime | None]
    ended_on: Mapped[date | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    end_reason: Mapped[str | None] = mapped_column(Text)

    agency = relationship("Agency")
    proposed_by = relationship("Account", foreign_keys=[proposed_by_id])
    notified_by = relationship("Account", foreign_keys=[notified_by_id])
    objection_by = relationship("Account", foreign_keys=[objection_by_id])
    decided_by = relationship("Account", foreign_keys=[decided_by_id])
    ended_by = relationship("Account", foreign_keys=[ended_by_id])
    complaints = relationship(
        "Complaint", secondary=case_complaint, order_by="Complaint.id", lazy="selectin"
    )
    files: Mapped[list["CaseFile"]] = relationship(
        back_populates="case", order_by="CaseFile.id", lazy="selectin"
    )
    repairs: Mapped[list["RepairApplication"]] = relationship(
        back_populates="case", order_by="RepairApplication.id"
    )

    def __repr__(self) -> str:
        return f"<BlacklistCase {self.id} {self.state}>"

    def state_on(self, day: date) -> CaseState:
        """The state as the dates have it on `day`: a listing past its last day has expired."""
        state = CaseState(self.state)
        if state == CaseState.LISTED and self.listed_until is not None and self.listed_until < day:
            return CaseState.EXPIRED
        return state

    def listed_on(self, day: date) -> bool:
        return self.state_on(day) == CaseState.LISTED and self.listed_from <= day

    @property
    def ground_enum(self) -> Ground:
        return Ground(self.ground)

    @property
    def is_manual(self) -> bool:
        return self.source == MANUAL

    @property
    def shown_to_agency(self) -> bool:
        """The agency learns of a case when it is notified; a proposal dropped before then
        stays between the regulators."""
        return self.notified_at is not None

    @property
    def proposer_id(self) -> int | None:
        """Who answers for the proposal: its author, or, for a rule's proposal, the regulator
        who adopted it by notifying the agency. The decision needs someone else."""
        return self.proposed_by_id if self.proposed_by_id is not None else self.notified_by_id

    def files_of(self, stage: FileStage, application_id: int | None = None) -> list["CaseFile"]:
        return [
            f
            for f in self.files
            if f.stage == stage and (application_id is None or f.repair_id == application_id)
        ]


class CaseFile(FileLink, db.Model):
    """A file the agency sent with its objection or with a repair application."""

    __tablename__ = "blacklist_case_file"
    __table_args__ = (CheckConstraint(_one_of("stage", FileStage), name="stage_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("blacklist_case.id"), index=True)
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repair_application.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))

    case: Mapped[BlacklistCase] = relationship(back_populates="files")


PENDING_REPAIR = text("status = 'pending'")


class RepairApplication(db.Model):
    """信用修复: a listed agency's rectification, and a reviewer's decision on it."""

    __tablename__ = "repair_application"
    __table_args__ = (
        CheckConstraint(_one_of("status", RepairStatus), name="status_known"),
        CheckConstraint(
            "status = 'pending' OR (decided_by_id IS NOT NULL AND decision_reasons IS NOT NULL)",
            name="decided_with_reasons",
        ),
        # One application waiting at a time per case.
        Index(
            "uq_repair_application_pending",
            "case_id",
            unique=True,
            sqlite_where=PENDING_REPAIR,
            postgresql_where=PENDING_REPAIR,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("blacklist_case.id"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=RepairStatus.PENDING)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_on: Mapped[date]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[datetime | None]
    decided_on: Mapped[date | None]
    decision_reasons: Mapped[str | None] = mapped_column(Text)

    case: Mapped[BlacklistCase] = relationship(back_populates="repairs")
    applied_by = relationship("Account", foreign_keys=[applied_by_id])
    decided_by = relationship("Account", foreign_keys=[decided_by_id])

    @property
    def status_enum(self) -> RepairStatus:
        return RepairStatus(self.status)

    @property
    def files(self) -> list[CaseFile]:
        return self.case.files_of(FileStage.REPAIR, self.id)
