"""Agency and enterprise actions: registration, verification, status, links.

Each function checks its actor's permission, changes rows, writes the audit event, and
leaves the commit to the caller. Fee publishing lives in fees.py.
"""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.accounts.models import Account
from registry.accounts.permissions import (
    PermissionDenied,
    acts_for_agency,
    is_agency_user,
    is_enterprise_user,
    is_regulator,
    require,
)
from registry.accounts.roles import Role
from registry.accounts.services import lock_account, register_account
from registry.agencies.categories import AgencyCategory, AgencyStatus
from registry.agencies.credit_code import CreditCodeError, check_credit_code, normalise_credit_code
from registry.agencies.models import Agency, Enterprise, FeeSchedule, LinkRequest, Qualification
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, lock, utcnow

describe(
    actions={
        "agency.registered": _l("Agency registered"),
        "agency.resubmitted": _l("Registration submitted again"),
        "agency.profile_updated": _l("Agency profile changed"),
        "agency.qualification_added": _l("Qualification added"),
        "agency.qualification_removed": _l("Qualification removed"),
        "agency.verified": _l("Agency verified"),
        "agency.rejected": _l("Registration rejected"),
        "agency.suspended": _l("Agency suspended"),
        "agency.reinstated": _l("Agency reinstated"),
        "agency.deregistered": _l("Agency deregistered"),
        "agency.credit_code_exception": _l("Credit code accepted by exception"),
        "enterprise.registered": _l("Enterprise registered"),
        "link.requested": _l("Asked to act for an organisation"),
        "link.approved": _l("Link to an organisation approved"),
        "link.rejected": _l("Link to an organisation rejected"),
        "fee.published": _l("Fee published"),
        "fee.withdrawn": _l("Fee withdrawn"),
    },
    objects={
        "agency": _l("Agency"),
        "enterprise": _l("Enterprise"),
        "link_request": _l("Link request"),
    },
)


class RegistryError(ValueError):
    """A refused registry action; the message is for the user, in their language."""


@dataclass
class AgencyDetails:
    """What an agency tells the registry about itself."""

    name: str
    category: str
    district: str
    town: str
    address: str
    contact_person: str
    phone: str
    legal_representative: str
    email: str | None = None
    business_scope: str = ""


@dataclass
class QualificationDetails:
    name: str
    number: str
    issuer: str
    level: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    certificate: object | None = None  # a StoredFile


@dataclass
class Registration:
    """The outcome of a self-registration: the new account, and its agency or link request."""

    account: Account
    agency: Agency | None = None
    enterprise: Enterprise | None = None
    link_request: LinkRequest | None = None


def find_agency(credit_code: str) -> Agency | None:
    return db.session.execute(
        select(Agency).where(Agency.credit_code == normalise_credit_code(credit_code))
    ).scalar_one_or_none()


def find_enterprise(credit_code: str) -> Enterprise | None:
    return db.session.execute(
        select(Enterprise).where(Enterprise.credit_code == normalise_credit_code(credit_code))
    ).scalar_one_or_none()


def accepted_credit_code(code: str, *, checksum_claimed_genuine: bool = False) -> str:
    """A normalised code; one that fails only its checksum passes if claimed genuine."""
    try:
        return check_credit_code(code)
    except CreditCodeError as error:
        if error.claimable and checksum_claimed_genuine:
            return normalise_credit_code(code)
        raise RegistryError(str(error)) from None


def needs_code_exception(agency: Agency) -> bool:
    """The code fails its checksum and no regulator has yet accepted it with a reason."""
    if agency.credit_code_exception:
        return False
    try:
        check_credit_code(agency.credit_code)
    except CreditCodeError:
        return True
    return False


# --- self-registration -------------------------------------------------------------------


def register_agency(
    *,
    email: str,
    display_name: str,
    password: str,
    credit_code: str,
    details: AgencyDetails,
    qualifications: list[QualificationDetails],
    checksum_claimed_genuine: bool = False,
) -> Registration:
    """入驻: a new agency, pending verification; or, if it is registered, a link request."""
    code = accepted_credit_code(credit_code, checksum_claimed_genuine=checksum_claimed_genuine)
    _check_region(details)
    account = register_account(
        email=email, display_name=display_name, role=Role.AGENCY, password=password
    )
    existing = find_agency(code)
    if existing is not None:
        return Registration(account, link_request=_request_link(account, agency=existing))
    agency = Agency(credit_code=code, status=AgencyStatus.PENDING)
    _apply_details(agency, details)
    for qualification in qualifications:
        agency.qualifications.append(_new_qualification(qualification))
    db.session.add(agency)
    db.session.flush()
    account.agency_id = agency.id
    record(
        "agency.registered",
        actor=account,
        obj=agency,
        details={
            "credit_code": code,
            "name": agency.name,
            "checksum_failed": needs_code_exception(agency),
        },
    )
    return Registration(account, agency=agency)


def register_enterprise(
    *, email: str, display_name: str, password: str, credit_code: str, name: str
) -> Registration:
    """An enterprise user signs up; a second user of a known enterprise asks to be linked."""
    code = accepted_credit_code(credit_code)
    if not name.strip():
        raise RegistryError(_("Enter the enterprise's name."))
    account = register_account(
        email=email, display_name=display_name, role=Role.ENTERPRISE, password=password
    )
    existing = find_enterprise(code)
    if existing is not None:
        return Registration(account, link_request=_request_link(account, enterprise=existing))
    enterprise = Enterprise(credit_code=code)
    enterprise.set_name(name)
    db.session.add(enterprise)
    db.session.flush()
    account.enterprise_id = enterprise.id
    record(
        "enterprise.registered",
        actor=account,
        obj=enterprise,
        details={"credit_code": code, "name": enterprise.name},
    )
    return Registration(account, enterprise=enterprise)


def resubmit_registration(actor, agency: Agency, details: AgencyDetails) -> None:
    """The applicant corrects a rejected registration and sends it for verification again."""
    if not acts_for_agency(actor, agency):
        raise PermissionDenied("resubmit_registration")
    lock(agency)
    if agency.status != AgencyStatus.REJECTED:
        raise RegistryError(
            with_last_change(_("Only a rejected registration can be submitted again."), agency)
        )
    _check_region(details)
    _apply_details(agency, details)
    _set_status(actor, agency, AgencyStatus.PENDING, None, "agency.resubmitted")


def save_agency_profile(actor, agency: Agency, details: AgencyDetails) -> bool:
    """Save the agency's details; a rejected registration is thereby submitted again.

    Returns whether it was a resubmission.
    """
    lock(agency)  # a regulator's decision meanwhile decides which of the two this is
    if agency.status == AgencyStatus.REJECTED:
        resubmit_registration(actor, agency, details)
        return True
    update_agency_profile(actor, agency, details)
    return False


def update_agency_profile(actor, agency: Agency, details: AgencyDetails) -> None:
    """An agency keeps its public profile up to date (name changes are audited)."""
    if not acts_for_agency(actor, agency):
        raise PermissionDenied("update_agency_profile")
    lock(agency)  # of two saves at once, the second records its changes to the first's
    if agency.status in (AgencyStatus.DEREGISTERED,):
        raise RegistryError(
            with_last_change(_("A deregistered agency's profile can no longer be changed."), agency)
        )
    _check_region(details)
    before = _details_of(agency)
    _apply_details(agency, details)
    changed = {
        key: [before[key], value]
        for key, value in _details_of(agency).items()
        if before[key] != value
    }
    if changed:
        record("agency.profile_updated", actor=actor, obj=agency, details=changed)


def add_qualification(actor, agency: Agency, details: QualificationDetails) -> Qualification:
    if not (acts_for_agency(actor, agency) or is_regulator(actor)):
        raise PermissionDenied("add_qualification")
    qualification = _new_qualification(details)
    agency.qualifications.append(qualification)
    db.session.flush()
    record(
        "agency.qualification_added",
        actor=actor,
        obj=agency,
        details={
            "qualification_id": qualification.id,
            "name": qualification.name,
            "number": qualification.number,
        },
    )
    return qualification


def remove_qualification(actor, qualification: Qualification) -> None:
    """Remove a qualification; refused if someone removed it meanwhile."""
    agency = qualification.agency
    if not (acts_for_agency(actor, agency) or is_regulator(actor)):
        raise PermissionDenied("remove_qualification")
    lock(agency)  # the agency's list of qualifications, read afresh
    if qualification not in agency.qualifications:
        raise RegistryError(with_last_change(_("This qualification was already removed."), agency))
    record(
        "agency.qualification_removed",
        actor=actor,
        obj=agency,
        details={
            "qualification_id": qualification.id,
            "name": qualification.name,
            "number": qualification.number,
        },
    )
    agency.qualifications.remove(qualification)


# --- regulators' decisions ------------------------------------------------------------------

TRANSITIONS = {
    "verify": ({AgencyStatus.PENDING}, AgencyStatus.ACTIVE, "agency.verified"),
    "reject": ({AgencyStatus.PENDING}, AgencyStatus.REJECTED, "agency.rejected"),
    "suspend": ({AgencyStatus.ACTIVE}, AgencyStatus.SUSPENDED, "agency.suspended"),
    "reinstate": ({AgencyStatus.SUSPENDED}, AgencyStatus.ACTIVE, "agency.reinstated"),
    "deregister": (
        {AgencyStatus.ACTIVE, AgencyStatus.SUSPENDED},
        AgencyStatus.DEREGISTERED,
        "agency.deregistered",
    ),
}


def change_agency_status(actor, agency: Agency, action: str, reason: str | None) -> None:
    """A regulator verifies, rejects, suspends, reinstates or deregisters an agency.

    Cases: verify needs a pending agency whose code passes its checksum or has an accepted
    exception; every other action needs a reason, which the agency and the public see.
    """
    require(is_regulator, actor)
    allowed_from, target, event = TRANSITIONS[action]
    lock(agency)
    if agency.status_enum not in allowed_from:
        raise RegistryError(
            with_last_change(
                _(
                    "This agency is %(status)s; that cannot be done now.",
                    status=agency.status_enum.label,
                ),
                agency,
            )
        )
    reason = (reason or "").strip() or None
    if action != "verify" and not reason:
        raise RegistryError(_("Give the reason; the agency will see it."))
    if action == "verify":
        if needs_code_exception(agency):
            raise RegistryError(
                _(
                    "The credit code fails its check. Accept it with a recorded "
                    "reason before verifying the agency."
                )
            )
        agency.verified_at, agency.verified_by_id = utcnow(), actor.id
    if action == "deregister":
        _end_open_fees(agency)
    _set_status(actor, agency, target, reason, event)


def _end_open_fees(agency: Agency) -> None:
    """A deregistered agency offers nothing from today; its fee history stays public."""
    today = local_today()
    open_fees = db.session.execute(
        select(FeeSchedule).where(
            FeeSchedule.agency_id == agency.id, FeeSchedule.effective_to.is_(None)
        )
    ).scalars()
    for schedule in open_fees:
        schedule.effective_to = max(today, schedule.effective_from)


def accept_credit_code_exception(actor, agency: Agency, reason: str) -> None:
    """A regulator accepts a genuine code that fails the checksum, saying why (DESIGN §4)."""
    require(is_regulator, actor)
    reason = (reason or "").strip()
    if not reason:
        raise RegistryError(_("Give the reason for accepting this code."))
    lock(agency)
    if agency.credit_code_exception:
        raise RegistryError(
            with_last_change(_("This credit code was already accepted by exception."), agency)
        )
    if not needs_code_exception(agency):
        raise RegistryError(_("This credit code passes its check; no exception is needed."))
    agency.credit_code_exception = reason
    record(
        "agency.credit_code_exception",
        actor=actor,
        obj=agency,
        details={"credit_code": agency.credit_code, "reason": reason},
    )


# --- link requests ---------------------------------------------------------------------------


def can_decide_link(user, request: LinkRequest) -> bool:
    """Regulators, or an existing user of the same agency or enterprise."""
    if is_regulator(user):
        return True
    if request.agency_id is not None:
        return is_agency_user(user) and user.agency_id == request.agency_id
    return is_enterprise_user(user) and user.enterprise_id == request.enterprise_id


def decide_link(actor, request: LinkRequest, *, approve: bool, reason: str | None = None) -> None:
    """Approve (the account then acts for the organisation) or reject a link request."""
    if not can_decide_link(actor, request):
        raise PermissionDenied("decide_link")
    lock(request)
    if request.status != "pending":
        raise RegistryError(with_last_change(_("This request has already been decided."), request))
    request.status = "approved" if approve else "rejected"
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.reason = (reason or "").strip() or None
    if approve:
        request.account.agency_id = request.agency_id
        request.account.enterprise_id = request.enterprise_id
    record(
        "link.approved" if approve else "link.rejected",
        actor=actor,
        obj=request,
        details=_present(
            account=request.account.email,
            agency_id=request.agency_id,
            enterprise_id=request.enterprise_id,
            reason=request.reason,
        ),
    )


def request_link(actor, credit_code: str) -> LinkRequest:
    """An unlinked agency or enterprise user asks to act for a registered organisation."""
    agency_side = is_agency_user(actor)
    if not (agency_side or is_enterprise_user(actor)):
        raise PermissionDenied("request_link")
    # The account is the parent of its requests: of two sent at once, the second sees the first.
    actor = lock_account(actor)
    if actor.agency_id or actor.enterprise_id:
        raise RegistryError(_("Your account already acts for an organisation."))
    code = accepted_credit_code(credit_code, checksum_claimed_genuine=True)
    target = find_agency(code) if agency_side else find_enterprise(code)
    if target is None:
        raise RegistryError(_("No registered organisation has this credit code."))
    waiting = db.session.execute(
        select(LinkRequest).where(
            LinkRequest.account_id == actor.id, LinkRequest.status == "pending"
        )
    ).scalar()
    if waiting is not None:
        raise RegistryError(
            with_last_change(_("You already have a request waiting for a decision."), waiting)
        )
    if agency_side:
        return _request_link(actor, agency=target)
    return _request_link(actor, enterprise=target)


def pending_link_requests(
    *, agency_id: int | None = None, enterprise_id: int | None = None
) -> list[LinkRequest]:
    query = select(LinkRequest).where(LinkRequest.status == "pending")
    if agency_id is not None:
        query = query.where(LinkRequest.agency_id == agency_id)
    if enterprise_id is not None:
        query = query.where(LinkRequest.enterprise_id == enterprise_id)
    return list(db.session.execute(query.order_by(LinkRequest.created_at)).scalars())


# --- helpers -------------------------------------------------------------------------------


def _present(**values) -> dict:
    """Audit details without the fields that do not apply."""
    return {key: value for key, value in values.items() if value is not None}


def _request_link(account: Account, *, agency=None, enterprise=None) -> LinkRequest:
    link = LinkRequest(
        account_id=account.id,
        agency_id=getattr(agency, "id", None),
        enterprise_id=getattr(enterprise, "id", None),
    )
    db.session.add(link)
    db.session.flush()
    record(
        "link.requested",
        actor=account,
        obj=link,
        details=_present(agency_id=link.agency_id, enterprise_id=link.enterprise_id),
    )
    return link


def _set_status(actor, agency: Agency, status: AgencyStatus, reason, event: str) -> None:
    previous = agency.status
    agency.status, agency.status_reason, agency.status_changed_at = status, reason, utcnow()
    record(
        event,
        actor=actor,
        obj=agency,
        details={"from": previous, "to": status.value, "reason": reason},
    )


def _check_region(details: AgencyDetails) -> None:
    towns = current_app.config["REGION_TOWNS"].get(details.district)
    if towns is None or details.town not in towns:
        raise RegistryError(_("Choose a district and town of this region."))
    try:
        AgencyCategory(details.category)
    except ValueError:
        raise RegistryError(_("Choose one of the listed categories.")) from None


# The text fields an agency keeps itself (besides its name and email).
PROFILE_FIELDS = (
    "category",
    "district",
    "town",
    "address",
    "contact_person",
    "phone",
    "legal_representative",
    "business_scope",
)


def _apply_details(agency: Agency, details: AgencyDetails) -> None:
    agency.set_name(details.name)
    for field in PROFILE_FIELDS:
        setattr(agency, field, (getattr(details, field) or "").strip())
    agency.email = (details.email or "").strip().lower() or None


def _details_of(agency: Agency) -> dict:
    return {field: getattr(agency, field) for field in ("name", *PROFILE_FIELDS, "email")}


def _new_qualification(details: QualificationDetails) -> Qualification:
    if details.valid_from and details.valid_until and details.valid_until < details.valid_from:
        raise RegistryError(_("A qualification cannot expire before it starts."))
    return Qualification(
        name=details.name.strip(),
        number=details.number.strip(),
        issuer=details.issuer.strip(),
        level=(details.level or "").strip(),
        valid_from=details.valid_from,
        valid_until=details.valid_until,
        certificate_file_id=getattr(details.certificate, "id", None),
    )
