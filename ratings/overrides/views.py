"""Regulators' pages for star overrides: the queue, one override, proposing from the agency's
page, a reviewer's decision (confirmed by password) and revocation (confirmed on a page)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ratings.assessments.models import ASSESSED_STATUSES
from ratings.overrides import queries, services
from ratings.overrides.forms import (
    DecideOverrideForm,
    OverrideFilterForm,
    ProposeOverrideForm,
    RevokeOverrideForm,
)
from ratings.overrides.models import OverrideState, RatingOverride
from ratings.overrides.permissions import (
    can_decide_override,
    can_propose_override,
    can_revoke_override,
    is_reviewer,
)
from registry.accounts.confirmation import note_refusal, password_confirmed_limit
from registry.accounts.permissions import allow
from registry.actions import created_once
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db

bp = Blueprint("overrides", __name__, url_prefix="/regulator")
bp.add_app_template_global(queries.shown_state, "override_shown_state")


# A decision confirmed by password: wrong passwords count like failed sign-ins.
password_limit = password_confirmed_limit("override-decision")


@bp.route("/overrides")
@allow(can_propose_override)
def queue():
    """Overrides by state: proposals to decide first."""
    filters = OverrideFilterForm(request.args)
    if not filters.validate():
        return render_template("overrides/queue.html", filters=filters, page=None), 400
    today = local_today()
    query = queries.overrides_for_regulators(filters.show.data or "proposed", today)
    return render_template(
        "overrides/queue.html",
        filters=filters,
        page=db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False),
        today=today,
    )


@bp.route("/agencies/<int:agency_id>/overrides/propose", methods=["GET", "POST"])
@allow(can_propose_override)
def propose(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = ProposeOverrideForm()
    today = local_today()
    proposed = created_once(
        form,
        lambda: services.propose_override(current_user, agency, form.proposal()),
        refusal=services.OverrideError,
        done=_("Override proposed; a reviewer who did not propose it decides."),
        then=lambda override: url_for("overrides.show", override_id=override.id),
    )
    if proposed:
        return proposed
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "overrides/propose.html",
        agency=agency,
        form=form,
        today=today,
        latest_end=services.latest_end(today),
        history=db.session.execute(
            queries.overrides_for_regulators("all", today, agency.id).limit(10)
        )
        .scalars()
        .all(),
    ), status


@bp.route("/overrides/<int:override_id>")
@allow(can_propose_override)
def show(override_id: int):
    override = db.get_or_404(RatingOverride, override_id)
    today = local_today()
    return render_template(
        "overrides/show.html",
        override=override,
        today=today,
        shown=queries.shown_state(override, today),
        state_label=services.state_label(override),
        may_decide=override.state == OverrideState.PROPOSED
        and can_decide_override(current_user, override),
        may_revoke=queries.shown_state(override, today) == "in_force"
        and can_revoke_override(current_user),
    )


@bp.route("/overrides/<int:override_id>/decide", methods=["GET", "POST"])
@allow(is_reviewer)
@password_limit
def decide(override_id: int):
    override = _decidable_or_redirect(override_id)
    form = DecideOverrideForm()
    if form.validate_on_submit():
        approve = form.outcome.data == "approve"
        try:
            services.decide_override(
                current_user, override, form.outcome.data, form.reasons.data, form.password.data
            )
        except services.OverrideError as error:
            db.session.rollback()
            note_refusal(error)
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(
                _("Override approved: the agency shows these stars, marked as adjusted.")
                if approve
                else _("Proposal rejected: the computed grade stands."),
                "success",
            )
            return redirect(url_for("overrides.show", override_id=override.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("overrides/decide.html", override=override, form=form), status


@bp.route("/overrides/<int:override_id>/revoke", methods=["GET", "POST"])
@allow(can_revoke_override)
def revoke(override_id: int):
    override = db.get_or_404(RatingOverride, override_id)
    if queries.shown_state(override, local_today()) != "in_force":
        flash(_("Only an override in force can be revoked."), "info")
        return redirect(url_for("overrides.show", override_id=override.id))
    form = RevokeOverrideForm()
    if form.validate_on_submit():
        try:
            services.revoke_override(current_user, override, form.reason.data)
        except services.OverrideError as error:
            db.session.rollback()
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(_("Override revoked: the computed grade is shown again."), "success")
            return redirect(url_for("overrides.show", override_id=override.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("overrides/revoke.html", override=override, form=form), status


def _decidable_or_redirect(override_id: int) -> RatingOverride:
    """The override, if this reviewer may decide it; else back to it, saying why."""
    override = db.get_or_404(RatingOverride, override_id)
    if not can_decide_override(current_user, override):
        try:
            services.require_decider(current_user, override)
        except services.OverrideError as error:
            flash(str(error), "danger")
        abort(redirect(url_for("overrides.show", override_id=override.id)))
    if override.state != OverrideState.PROPOSED:
        flash(
            _("This proposal is already decided: %(state)s.", state=services.state_label(override)),
            "info",
        )
        abort(redirect(url_for("overrides.show", override_id=override.id)))
    return override


@bp.app_template_global()
def override_card(agency: Agency) -> dict:
    """For the regulator's agency page: the override in force, the open proposal, a form."""
    today = local_today()
    in_force = queries.overrides_in_force([agency.id], today).get(agency.id)
    return {
        "rated": agency.status in ASSESSED_STATUSES,
        "in_force": in_force,
        "pending": services.open_proposal(agency.id),
        "form": ProposeOverrideForm(formdata=None),
        "latest_end": services.latest_end(today),
        "today": today,
    }
