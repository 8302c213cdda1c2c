"""The inbox notices of a blacklist case: the agency hears of the notice, the decision and the
end of its listing; regulators of proposals, objections and repair applications to decide.

Texts carry plain params (the agency's name, the ground's code, dates, reasons), so each
reader sees them in their own language; the link opens the case as that reader may see it.
"""

from flask_babel import lazy_gettext as _l

from blacklist.models import BlacklistCase
from registry.accounts.roles import REGULATOR_ROLES, Role
from registry.inbox.kinds import register_kind
from registry.inbox.services import notify_agency, notify_role

KINDS = {
    "blacklist.proposed": (
        _l("Blacklist proposal about %(agency)s"),
        _l(
            "A listing of %(agency)s on the blacklist was proposed. Check the facts, then "
            "notify the agency so that it may object, or have a reviewer reject it."
        ),
    ),
    "blacklist.notified": (
        _l("Your agency may be put on the blacklist"),
        _l(
            "The regulator proposes to list %(agency)s on the blacklist. Read the ground and "
            "the facts; you may object, with evidence, until %(objection_due)s."
        ),
    ),
    "blacklist.objection_filed": (
        _l("%(agency)s objected to its blacklist proposal"),
        _l("Read the objection, then a reviewer who did not propose the case decides."),
    ),
    "blacklist.listed": (
        _l("Your agency is on the blacklist until %(listed_until)s"),
        _l(
            "Decision %(decision_number)s of %(authority)s lists %(agency)s on the blacklist "
            "from %(listed_from)s to %(listed_until)s. Reasons: %(reasons)s"
        ),
    ),
    "blacklist.rejected": (
        _l("The blacklist proposal about %(agency)s is rejected"),
        _l("A reviewer decided not to list %(agency)s on the blacklist. Reasons: %(reasons)s"),
    ),
    "blacklist.expired": (
        _l("Your agency's blacklist listing has ended"),
        _l("The listing of %(agency)s ended with its term on %(listed_until)s."),
    ),
    "blacklist.revoked": (
        _l("Your agency's blacklist listing is revoked"),
        _l(
            "A reviewer revoked the listing of %(agency)s; the record stays, marked revoked. "
            "Reason: %(reason)s"
        ),
    ),
    "blacklist.repair_applied": (
        _l("Credit repair application from %(agency)s"),
        _l("A reviewer who did not propose the case approves or refuses it, with reasons."),
    ),
    "blacklist.repaired": (
        _l("Credit repair approved: %(agency)s is off the blacklist"),
        _l("The reviewer approved your application and ended the listing. Reasons: %(reasons)s"),
    ),
    "blacklist.repair_refused": (
        _l("Credit repair refused"),
        _l(
            "The reviewer refused the application of %(agency)s. Reasons: %(reasons)s. "
            "You may apply again from %(again_on)s."
        ),
    ),
}

for _key, (_subject, _body) in KINDS.items():
    register_kind(_key, _subject, _body)


def agency_link(case: BlacklistCase):
    return ("blacklist.my_case", {"case_id": case.id})


def regulator_link(case: BlacklistCase):
    return ("blacklist.case", {"case_id": case.id})


def params(case: BlacklistCase, **extra) -> dict:
    return {"agency": case.agency.name, "ground": case.ground, **extra}


def tell_agency(kind: str, case: BlacklistCase, *, key="", **extra) -> None:
    """Every active staff account of the case's agency."""
    notify_agency(
        case.agency_id,
        kind,
        params=params(case, **extra),
        link=agency_link(case),
        dedupe_key=f"{kind}:{case.id}{key}",
    )


def tell_regulators(kind: str, case: BlacklistCase, *, reviewers_only=False, key="", **extra):
    """Every active regulator and reviewer (or the reviewers alone): whoever acts next."""
    roles = [Role.REVIEWER] if reviewers_only else REGULATOR_ROLES
    notify_role(
        roles,
        kind,
        params=params(case, **extra),
        link=regulator_link(case),
        dedupe_key=f"{kind}:{case.id}{key}",
    )
