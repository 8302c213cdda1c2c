"""Checking what users type and attach to complaints; refusals say why, about which field."""

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from ratings.complaints.evidence import EvidenceError, check_evidence, chosen, store_evidence
from ratings.complaints.models import Complaint, ComplaintCategory, ComplaintStatus, Severity, Stage
from ratings.engagements.models import Engagement
from registry.agencies.models import Agency
from registry.db import db

MAX_TEXT = 5000


class ComplaintError(ValueError):
    """A refused complaint action; the message is for the user, about the named field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def checked_category(value: str) -> ComplaintCategory:
    try:
        return ComplaintCategory(value)
    except ValueError:
        raise ComplaintError(_("Choose what the complaint is about."), "category") from None


def checked_outcome(value: str) -> ComplaintStatus:
    if value not in (ComplaintStatus.SUBSTANTIATED, ComplaintStatus.UNSUBSTANTIATED):
        raise ComplaintError(_("Choose substantiated or unsubstantiated."), "outcome")
    return ComplaintStatus(value)


def checked_severity(outcome: ComplaintStatus, value: str | None) -> str | None:
    if outcome != ComplaintStatus.SUBSTANTIATED:
        if value:
            raise ComplaintError(_("Only a substantiated complaint has a severity."), "severity")
        return None
    try:
        return Severity(value).value
    except ValueError:
        raise ComplaintError(
            _("Choose how serious the substantiated complaint is."), "severity"
        ) from None


def required_text(value: str | None, field_name: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ComplaintError(_("This field is required."), field_name)
    if len(text) > MAX_TEXT:
        raise ComplaintError(_("Write at most %(n)d characters.", n=MAX_TEXT), field_name)
    return text


def checked_engagement(actor, agency: Agency, engagement_id: int | None) -> int | None:
    """A named engagement must be the complainant's enterprise's, with this agency."""
    if engagement_id is None:
        return None
    engagement = db.session.get(Engagement, engagement_id)
    if (
        engagement is None
        or actor.enterprise_id is None
        or engagement.enterprise_id != actor.enterprise_id
        or engagement.agency_id != agency.id
    ):
        raise ComplaintError(
            _("Choose one of your enterprise's engagements with this agency, or none."),
            "engagement",
        )
    return engagement.id


def checked_files(files) -> list[FileStorage]:
    files = chosen(files)
    try:
        check_evidence(files)
    except EvidenceError as error:
        raise ComplaintError(str(error), "files") from None
    return files


def store_files(complaint: Complaint, files: list[FileStorage], actor, stage: Stage) -> None:
    try:
        store_evidence(complaint, files, actor, stage)
    except EvidenceError as error:
        raise ComplaintError(str(error), "files") from None
