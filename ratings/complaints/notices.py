"""The inbox notices of the complaint workflow: the complainant hears of every step, the
agency of acceptance and the outcome, the assignee of assignment, responses and rebuttals.

Texts carry only plain params (reference, agency name, dates, reasons), so each reader
sees them in their own language; the link opens the complaint as that reader may see it.
"""

from flask_babel import lazy_gettext as _l

from ratings.complaints.models import Complaint
from registry.inbox.kinds import register_kind
from registry.inbox.services import notify, notify_agency

KINDS = {
    "complaints.filed": (
        _l("Complaint %(reference)s received"),
        _l(
            "Your complaint about %(agency)s was received on %(filed_on)s. A regulator "
            "decides by %(accept_due)s whether to accept it."
        ),
    ),
    "complaints.new": (
        _l("New complaint %(reference)s about %(agency)s"),
        _l("Decide by %(accept_due)s whether to accept it; take it or have it assigned."),
    ),
    "complaints.accepted": (
        _l("Complaint %(reference)s accepted"),
        _l(
            "The regulator accepted your complaint about %(agency)s. The agency must respond "
            "by %(response_due)s; the regulator concludes by %(conclusion_due)s."
        ),
    ),
    "complaints.to_answer": (
        _l("Complaint %(reference)s to answer"),
        _l(
            "A regulator accepted a complaint about your agency. Respond with your account "
            "of the facts and any evidence by %(response_due)s."
        ),
    ),
    "complaints.not_accepted": (
        _l("Complaint %(reference)s not accepted"),
        _l("The regulator did not accept your complaint about %(agency)s. Reason: %(reason)s"),
    ),
    "complaints.assigned": (
        _l("Complaint %(reference)s assigned to you"),
        _l("You now handle the complaint about %(agency)s. Open it to see its deadline."),
    ),
    "complaints.responded": (
        _l("The agency responded to complaint %(reference)s"),
        _l(
            "%(agency)s responded. Weigh both sides and conclude by %(conclusion_due)s; the "
            "complainant may rebut the response first."
        ),
    ),
    "complaints.response_received": (
        _l("The agency responded to your complaint %(reference)s"),
        _l(
            "Read the response of %(agency)s. You may rebut it once, with evidence, before "
            "the regulator concludes."
        ),
    ),
    "complaints.proceeded": (
        _l("Complaint %(reference)s is under investigation"),
        _l(
            "The agency's response was due on %(response_due)s and did not arrive; the "
            "regulator investigates without it."
        ),
    ),
    "complaints.rebutted": (
        _l("The complainant rebutted the response to complaint %(reference)s"),
        _l("Read the rebuttal before you conclude."),
    ),
    "complaints.extended": (
        _l("Conclusion of complaint %(reference)s extended"),
        _l("A reviewer extended the deadline to %(conclusion_due)s. Reason: %(reason)s"),
    ),
    "complaints.substantiated": (
        _l("Complaint %(reference)s found substantiated"),
        _l(
            "The regulator concluded that the complaint about %(agency)s is substantiated. "
            "Reasons: %(reasons)s"
        ),
    ),
    "complaints.unsubstantiated": (
        _l("Complaint %(reference)s found unsubstantiated"),
        _l(
            "The regulator concluded that the complaint about %(agency)s is not "
            "substantiated. Reasons: %(reasons)s"
        ),
    ),
    "complaints.breach": (
        _l("Breach of your commitment letter recorded"),
        _l(
            "Complaint %(reference)s was substantiated in a matter your commitment letter "
            "covers. It is recorded as a breach of the letter and counts in your rating and "
            "in the blacklist rules."
        ),
    ),
    "complaints.withdrawn": (
        _l("Complaint %(reference)s withdrawn"),
        _l("The complainant withdrew the complaint about %(agency)s."),
    ),
}

for _key, (_subject, _body) in KINDS.items():
    register_kind(_key, _subject, _body)


def _link(complaint: Complaint):
    return ("complaints.show", {"complaint_id": complaint.id})


def _params(complaint: Complaint, **extra) -> dict:
    return {"reference": complaint.reference, "agency": complaint.agency.name, **extra}


def tell(recipients, kind: str, complaint: Complaint, **params) -> None:
    """Notify accounts (once per complaint and kind)."""
    notify(
        recipients,
        kind,
        params=_params(complaint, **params),
        link=_link(complaint),
        dedupe_key=f"{kind}:{complaint.id}",
    )


def tell_complainant(kind: str, complaint: Complaint, **params) -> None:
    tell(complaint.complainant_id, kind, complaint, **params)


def tell_agency(kind: str, complaint: Complaint, **params) -> None:
    """Notify every active staff account of the complained-about agency."""
    notify_agency(
        complaint.agency_id,
        kind,
        params=_params(complaint, **params),
        link=_link(complaint),
        dedupe_key=f"{kind}:{complaint.id}",
    )
