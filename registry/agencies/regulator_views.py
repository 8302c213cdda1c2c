"""Regulators' pages for agencies: the verification queue, the list, decisions on status."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from registry.accounts.models import Account
from registry.accounts.permissions import allow, is_regulator
from registry.agencies import queries, services
from registry.agencies.categories import AgencyStatus
from registry.agencies.forms import AgencyFilterForm, OptionalReasonForm, ReasonForm
from registry.agencies.models import Agency, LinkRequest
from registry.agencies.views import decide_link_request
from registry.audit.queries import filtered_events
from registry.dates import local_today
from registry.db import db

bp = Blueprint("agency_admin", __name__, url_prefix="/regulator/agencies")

# What each decision is called on its button and its confirmation page.
ACTIONS = {
    "verify": _l("Verify"),
    "reject": _l("Reject registration"),
    "suspend": _l("Suspend"),
    "reinstate": _l("Reinstate"),
    "deregister": _l("Deregister"),
}


def available_actions(agency: Agency) -> list[str]:
    return [
        name
        for name, (allowed, _target, _event) in services.TRANSITIONS.items()
        if agency.status_enum in allowed
    ]


@bp.route("/")
@allow(is_regulator)
def index():
    filters = AgencyFilterForm(request.args, statuses=list(AgencyStatus))
    query = queries.agencies_for_regulators()
    if filters.validate():
        query = queries.agencies_for_regulators(
            q=filters.q.data, status=filters.status.data, category=filters.category.data
        )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template(
        "agencies/admin_index.html",
        page=page,
        filters=filters,
        pending=queries.count_pending_registrations(),
    )


@bp.route("/queue")
@allow(is_regulator)
def queue():
    page = db.paginate(
        queries.pending_registrations(), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    links = (
        db.session.execute(
            select(LinkRequest)
            .where(LinkRequest.status == "pending")
            .order_by(LinkRequest.created_at)
        )
        .scalars()
        .all()
    )
    return render_template(
        "agencies/admin_queue.html", page=page, links=links, decide_form=OptionalReasonForm()
    )


@bp.route("/<int:agency_id>")
@allow(is_regulator)
def show(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    history = (
        db.session.execute(
            filtered_events(object_type="agency", object_id=str(agency.id)).limit(50)
        )
        .scalars()
        .all()
    )
    users = (
        db.session.execute(
            select(Account).where(Account.agency_id == agency.id).order_by(Account.email)
        )
        .scalars()
        .all()
    )
    return render_template(
        "agencies/admin_show.html",
        agency=agency,
        history=history,
        users=users,
        actions=available_actions(agency),
        action_names=ACTIONS,
        needs_code_exception=services.needs_code_exception(agency),
        offers=queries.open_offers(agency.id),
        reason_form=ReasonForm(),
        link_requests=services.pending_link_requests(agency_id=agency.id),
        decide_form=OptionalReasonForm(),
        today=local_today(),
    )


@bp.route(
    "/<int:agency_id>/<any(verify, reject, suspend, reinstate, deregister):action>",
    methods=["GET", "POST"],
)
@allow(is_regulator)
def decide(agency_id: int, action: str):
    """Confirm, then carry out, a change of the agency's status."""
    agency = db.get_or_404(Agency, agency_id)
    form = OptionalReasonForm() if action == "verify" else ReasonForm()
    if form.validate_on_submit():
        try:
            services.change_agency_status(current_user, agency, action, form.reason.data)
        except services.RegistryError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is now: %(status)s.",
                    name=agency.name,
                    status=agency.status_enum.label,
                ),
                "success",
            )
            return redirect(url_for("agency_admin.show", agency_id=agency.id))
    return render_template(
        "agencies/admin_decide.html",
        agency=agency,
        action=action,
        action_name=ACTIONS[action],
        form=form,
        needs_code_exception=services.needs_code_exception(agency),
    )


@bp.route("/<int:agency_id>/credit-code-exception", methods=["POST"])
@allow(is_regulator)
def accept_code(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for accepting this code."), "danger")
    else:
        try:
            services.accept_credit_code_exception(current_user, agency, form.reason.data)
        except services.RegistryError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(
                _("The credit code is accepted with your reason; it shows on the profile."),
                "success",
            )
    return redirect(url_for("agency_admin.show", agency_id=agency.id))


@bp.route("/links/<int:request_id>", methods=["POST"])
@allow(is_regulator)
def decide_link(request_id: int):
    return decide_link_request(request_id, "agency_admin.queue")
