"""A complaint's timeline: what happened, as each party may see it."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ratings.complaints.models import Complaint, ComplaintFile, Stage
from ratings.complaints.permissions import sees_people


@dataclass
class TimelineEntry:
    at: datetime
    what: object  # a lazy string
    by: str | None = None
    text: str | None = None
    files: list[ComplaintFile] = field(default_factory=list)
    note: object | None = None


def timeline(complaint: Complaint, viewer) -> list[TimelineEntry]:
    """What happened, oldest first, as this viewer may see it: parties see roles ("the
    regulator", "the complainant"), regulators see names; the agency never sees the
    complainant's account, nor anything before acceptance but the filing itself."""
    names = sees_people(viewer, complaint)
    entries = [
        TimelineEntry(
            complaint.filed_at,
            _l("Complaint filed"),
            by=_complainant_name(complaint, viewer, names),
            text=complaint.text,
            files=complaint.files_of(Stage.COMPLAINT),
        )
    ]
    regulator = _l("The regulator")
    if complaint.decided_at is not None:
        entries.append(
            TimelineEntry(
                complaint.decided_at,
                _l("Accepted") if complaint.accepted_on else _l("Not accepted"),
                by=_person(complaint.decided_by, names, regulator),
                text=complaint.not_accepted_reason,
            )
        )
    if complaint.proceeded_at is not None:
        entries.append(
            TimelineEntry(
                complaint.proceeded_at,
                _l("Investigation started without the agency's response"),
                by=_person(complaint.assignee, names, regulator),
            )
        )
    if complaint.responded_at is not None:
        entries.append(
            TimelineEntry(
                complaint.responded_at,
                _l("The agency responded"),
                by=complaint.agency.name
                + (f" ({complaint.responded_by.display_name})" if names else ""),
                text=complaint.response_text,
                files=complaint.files_of(Stage.RESPONSE),
            )
        )
    if complaint.rebutted_at is not None:
        entries.append(
            TimelineEntry(
                complaint.rebutted_at,
                _l("The complainant rebutted the response"),
                by=_complainant_name(complaint, viewer, names),
                text=complaint.rebuttal_text,
                files=complaint.files_of(Stage.REBUTTAL),
            )
        )
    if complaint.extended_at is not None:
        entries.append(
            TimelineEntry(
                complaint.extended_at,
                _l(
                    "Conclusion deadline extended by %(days)d working days",
                    days=complaint.extension_days,
                ),
                by=_person(complaint.extended_by, names, _l("A reviewer")),
                text=complaint.extension_reason,
            )
        )
    if complaint.concluded_at is not None:
        entries.append(
            TimelineEntry(
                complaint.concluded_at,
                complaint.status_enum.label,
                by=_person(complaint.concluded_by, names, regulator),
                text=complaint.conclusion_reasons,
                note=complaint.severity_enum.label if complaint.severity_enum else None,
            )
        )
    if complaint.breach is not None:
        entries.append(
            TimelineEntry(
                complaint.breach.recorded_at,
                _l("Recorded as a breach of the agency's commitment letter"),
            )
        )
    if complaint.withdrawn_at is not None:
        entries.append(
            TimelineEntry(
                complaint.withdrawn_at,
                _l("Withdrawn by the complainant"),
                by=_complainant_name(complaint, viewer, names),
                text=complaint.withdrawal_reason or None,
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _person(account, names: bool, role_label) -> str | None:
    if account is None:
        return str(role_label)
    return account.display_name if names else str(role_label)


def _complainant_name(complaint: Complaint, viewer, names: bool) -> str:
    if complaint.complainant_id == getattr(viewer, "id", None):
        return str(_l("You"))
    if names:
        return f"{complaint.complainant.display_name} <{complaint.complainant.email}>"
    return str(_l("The complainant"))
