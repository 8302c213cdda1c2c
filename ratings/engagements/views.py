"""Engagement pages: each party's list, recording one, the engagement itself and each step."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ratings.engagements import extensions, permissions, queries, services
from ratings.engagements.draws import draw_by_code
from ratings.engagements.eligibility import new_engagement_refusal
from ratings.engagements.forms import (
    AgencyLookupForm,
    EngagementForm,
    ExtensionDecisionForm,
    ExtensionForm,
    PartyFilterForm,
    ReasonForm,
    RegulatorFilterForm,
)
from ratings.engagements.models import ExtensionRequest
from registry.accounts.forms import ConfirmForm
from registry.accounts.permissions import (
    allow,
    is_agency_user,
    is_enterprise_user,
    is_regulator,
)
from registry.actions import confirmed_action, created_once
from registry.agencies.categories import PUBLIC_STATUSES, AgencyStatus
from registry.agencies.credit_code import normalise_credit_code
from registry.agencies.models import Agency
from registry.agencies.names import normalise_name
from registry.agencies.queries import fees_in_force
from registry.dates import local_today
from registry.db import LIKE_ESCAPE, contains_pattern, db

bp = Blueprint("engagements", __name__)

LOOKUP_LIMIT = 20


# --- lists ---------------------------------------------------------------------------------


@bp.route("/my/enterprise/engagements")
@allow(is_enterprise_user)
def enterprise_list():
    enterprise = current_user.enterprise
    if enterprise is None:
        return _unlinked("my_enterprise.overview")
    filters = PartyFilterForm(request.args)
    if not filters.validate():
        abort(400)
    today = local_today()
    page = _paginate(queries.engagements(enterprise_id=enterprise.id, status=filters.status.data))
    return render_template(
        "engagements/enterprise_list.html",
        enterprise=enterprise,
        filters=filters,
        page=page,
        rows=queries.progress_of(page.items, today),
        to_review=queries.awaiting_review(enterprise.id),
        draws=db.session.execute(queries.draws_of(enterprise.id).limit(10)).scalars().all(),
        today=today,
    )


@bp.route("/my/agency/engagements")
@allow(is_agency_user)
def agency_list():
    agency = current_user.agency
    if agency is None:
        return _unlinked("my_agency.overview")
    filters = PartyFilterForm(request.args)
    if not filters.validate():
        abort(400)
    today = local_today()
    page = _paginate(queries.engagements(agency_id=agency.id, status=filters.status.data))
    return render_template(
        "engagements/agency_list.html",
        agency=agency,
        filters=filters,
        page=page,
        rows=queries.progress_of(page.items, today),
        counts=queries.action_counts(agency_id=agency.id),
        overdue=len(queries.overdue_engagements(today, queries.engagements(agency_id=agency.id))),
        today=today,
    )


@bp.route("/regulator/engagements")
@allow(is_regulator)
def regulator_list():
    filters = RegulatorFilterForm(request.args)
    if not filters.validate():
        return render_template("engagements/regulator_list.html", filters=filters, page=None), 400
    today = local_today()
    page = _paginate(
        queries.engagements(
            status=filters.status.data,
            agency_query=(filters.agency.data or "").strip() or None,
            overdue_on=today if filters.overdue.data else None,
        )
    )
    return render_template(
        "engagements/regulator_list.html",
        filters=filters,
        page=page,
        rows=queries.progress_of(page.items, today),
        today=today,
    )


def _paginate(query):
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def _unlinked(endpoint: str):
    flash(_("Your account is not linked to an organisation yet."), "warning")
    return redirect(url_for(endpoint))


# --- recording -----------------------------------------------------------------------------


@bp.route("/my/enterprise/engagements/new", methods=["GET", "POST"])
@allow(is_enterprise_user)
def record():
    """Find the agency, then record the engagement for one of its fees in force."""
    enterprise = current_user.enterprise
    if enterprise is None:
        return _unlinked("my_enterprise.overview")
    code = request.args.get("agency")
    if not code:
        return _lookup()
    agency = db.session.execute(
        select(Agency).where(Agency.credit_code == normalise_credit_code(code))
    ).scalar_one_or_none()
    if agency is None or agency.status not in PUBLIC_STATUSES:
        abort(404)
    draw = None
    if request.args.get("draw"):
        draw = draw_by_code(request.args["draw"])
        if draw is None or draw.enterprise_id != enterprise.id:
            abort(404)
    today = local_today()
    offers = fees_in_force(agency.id, today)
    form = EngagementForm()
    form.service_item.choices = [
        (offer.service_item_id, offer.service_item.name) for offer in offers
    ]
    if not form.is_submitted():
        form.start_date.data = today
        if draw is not None:
            form.service_item.data = draw.service_item_id
        elif len(offers) == 1:
            form.service_item.data = offers[0].service_item_id
    recorded = created_once(
        form,
        lambda: services.record_engagement(
            current_user, enterprise, _engagement_details(form, agency, draw)
        ),
        refusal=services.EngagementError,
        done=_("Engagement recorded. The agency is asked to confirm it."),
        then=lambda engagement: url_for("engagements.show", engagement_id=engagement.id),
    )
    if recorded:
        return recorded
    return render_template(
        "engagements/record.html",
        agency=agency,
        offers=offers,
        form=form,
        draw=draw,
        refusal=new_engagement_refusal(agency),
        today=today,
    ), (400 if form.errors or form.form_errors else 200)


def _engagement_details(form, agency, draw) -> services.EngagementDetails:
    return services.EngagementDetails(
        agency_id=agency.id,
        service_item_id=form.service_item.data,
        agreed_fee=form.agreed_fee.data,
        start_date=form.start_date.data,
        project=form.project.data or "",
        fair_draw_id=draw.id if draw else None,
    )


def _lookup():
    form = AgencyLookupForm(request.args)
    found = None
    if "q" in request.args and form.validate():
        text = form.q.data.strip()
        found = (
            db.session.execute(
                select(Agency)
                .where(
                    Agency.status == AgencyStatus.ACTIVE.value,
                    (Agency.credit_code == normalise_credit_code(text))
                    | Agency.name_normalised.like(
                        contains_pattern(normalise_name(text)), escape=LIKE_ESCAPE
                    ),
                )
                .order_by(Agency.name_pinyin)
                .limit(LOOKUP_LIMIT)
            )
            .scalars()
            .all()
        )
    return render_template("engagements/lookup.html", form=form, found=found, limit=LOOKUP_LIMIT), (
        400 if form.errors else 200
    )


# --- one engagement ------------------------------------------------------------------------


def _visible(engagement_id: int):
    """The engagement if the user may see it; 404 otherwise, so others learn nothing."""
    engagement = queries.engagement_detail(engagement_id)
    if engagement is None or not permissions.can_see_engagement(current_user, engagement):
        abort(404)
    return engagement


@bp.route("/engagements/<int:engagement_id>")
@allow(permissions.can_use_engagement_pages)
def show(engagement_id: int):
    engagement = _visible(engagement_id)
    today = local_today()
    deadline = queries.deadline_of(engagement, today)
    return render_template(
        "engagements/show.html",
        engagement=engagement,
        deadline=deadline,
        accountable=queries.accountable(engagement),
        today=today,
        can=permissions,
    )


def _step(engagement_id: int, *, party, ready, form, act, done: str, creates=False, **page):
    """One step of the lifecycle: a page that explains it, then the service on submit.

    Someone other than the party whose step it is gets 403; the party, when the step is not
    possible now (out of order, already done), reads why: on the page, and from the
    service if it submits anyway. A step that `creates` a row (an extension request) runs
    once per form token.
    """
    engagement = _visible(engagement_id)
    if not party(current_user, engagement):
        abort(403)
    if not form.is_submitted() and not ready(current_user, engagement):
        form.form_errors.append(
            _(
                "This cannot be done now. The engagement's state: %(status)s.",
                status=engagement.status_enum.label,
            )
        )
    acted = (created_once if creates else confirmed_action)(
        form,
        lambda: act(engagement, form),
        refusal=services.EngagementError,
        done=done,
        then=url_for("engagements.show", engagement_id=engagement.id),
    )
    if acted:
        return acted
    return render_template(
        "engagements/step.html",
        engagement=engagement,
        form=form,
        deadline=queries.deadline_of(engagement, local_today()),
        **page,
    ), (400 if form.errors or getattr(form, "form_errors", None) else 200)


class StepForm(ConfirmForm):
    """A confirmation that shows a service's refusal on top."""

    def show_refusal(self, error) -> None:
        self.form_errors.append(str(error))


@bp.route("/engagements/<int:engagement_id>/accept", methods=["GET", "POST"])
@allow(is_agency_user)
def accept(engagement_id: int):
    return _step(
        engagement_id,
        party=permissions.is_engagement_agency,
        ready=permissions.can_accept,
        form=StepForm(),
        act=lambda engagement, form: services.accept_engagement(current_user, engagement),
        done=_(
            "Engagement confirmed. The enterprise is told; the deadline runs from the start date."
        ),
        title=_("Confirm this engagement?"),
        explanation=_(
            "Confirm only if your agency took this work at this fee. The time limit counts "
            "from the start date; ask for more time before the due date if you need it."
        ),
        button=_("Confirm the engagement"),
    )


@bp.route("/engagements/<int:engagement_id>/deliver", methods=["GET", "POST"])
@allow(is_agency_user)
def deliver(engagement_id: int):
    return _step(
        engagement_id,
        party=permissions.is_engagement_agency,
        ready=permissions.can_deliver,
        form=StepForm(),
        act=lambda engagement, form: services.mark_delivered(current_user, engagement),
        done=_("Marked delivered today. The enterprise is asked to confirm the delivery."),
        title=_("Mark the work delivered today?"),
        explanation=_(
            "The delivery date is today; the working days late, if any, are recorded now "
            "and count in your agency's rating."
        ),
        button=_("Mark delivered"),
    )


@bp.route("/engagements/<int:engagement_id>/confirm", methods=["GET", "POST"])
@allow(is_enterprise_user)
def confirm(engagement_id: int):
    return _step(
        engagement_id,
        party=permissions.is_engagement_enterprise,
        ready=permissions.can_confirm_delivery,
        form=StepForm(),
        act=lambda engagement, form: services.confirm_delivery(current_user, engagement),
        done=_("Delivery confirmed. You can now review the agency's work."),
        title=_("Confirm the delivery?"),
        explanation=_(
            "Confirm that you received the work. You can then review it; a confirmed "
            "delivery cannot be disputed any more."
        ),
        button=_("Confirm the delivery"),
    )


@bp.route("/engagements/<int:engagement_id>/dispute", methods=["GET", "POST"])
@allow(is_enterprise_user)
def dispute(engagement_id: int):
    return _step(
        engagement_id,
        party=permissions.is_engagement_enterprise,
        ready=permissions.can_dispute,
        form=ReasonForm(),
        act=lambda engagement, form: services.dispute_delivery(
            current_user, engagement, form.reason.data
        ),
        done=_("Delivery disputed. The agency is told your reason."),
        title=_("Dispute the delivery?"),
        explanation=_(
            "Say what is missing or wrong. The agency may deliver again; you may still "
            "confirm later, or file a complaint."
        ),
        button=_("Dispute the delivery"),
        danger=True,
    )


@bp.route("/engagements/<int:engagement_id>/cancel", methods=["GET", "POST"])
@allow(permissions.can_use_engagement_pages)
def cancel(engagement_id: int):
    declining = is_agency_user(current_user)
    return _step(
        engagement_id,
        party=permissions.is_engagement_party,
        ready=permissions.can_decline if declining else permissions.can_cancel,
        form=ReasonForm(),
        act=lambda engagement, form: services.cancel_engagement(
            current_user, engagement, form.reason.data
        ),
        done=_("Engagement declined.") if declining else _("Engagement cancelled."),
        title=_("Decline this engagement?") if declining else _("Cancel this engagement?"),
        explanation=_("The other party reads your reason. This cannot be undone."),
        button=_("Decline the engagement") if declining else _("Cancel the engagement"),
        danger=True,
    )


@bp.route("/engagements/<int:engagement_id>/extension", methods=["GET", "POST"])
@allow(is_agency_user)
def request_extension(engagement_id: int):
    today = local_today()
    return _step(
        engagement_id,
        party=permissions.is_engagement_agency,
        ready=lambda user, engagement: permissions.can_request_extension(
            user, engagement, queries.deadline_of(engagement, today)
        ),
        form=ExtensionForm(),
        act=lambda engagement, form: extensions.request_extension(
            current_user, engagement, form.extra_days.data, form.justification.data
        ),
        done=_("Request sent. The deadline moves only if the enterprise accepts it."),
        creates=True,
        title=_("Ask for more time"),
        explanation=_(
            "Ask before the due date and say why. Until the enterprise accepts, the "
            "deadline does not move."
        ),
        button=_("Send the request"),
    )


@bp.route("/engagements/<int:engagement_id>/extensions/<int:extension_id>", methods=["GET", "POST"])
@allow(is_enterprise_user)
def decide_extension(engagement_id: int, extension_id: int):
    extension = db.get_or_404(ExtensionRequest, extension_id)
    if extension.engagement_id != engagement_id:
        abort(404)
    return _step(
        engagement_id,
        party=permissions.is_engagement_enterprise,
        ready=lambda user, engagement: permissions.can_decide_extension(user, extension),
        form=ExtensionDecisionForm(),
        act=lambda engagement, form: extensions.decide_extension(
            current_user, extension, form.decision.data == "accept", form.reason.data or ""
        ),
        done=_("Decision recorded. The agency is told."),
        title=_("The agency asks for more time"),
        explanation=_(
            "%(agency)s asks for %(days)d more working days: %(why)s",
            agency=extension.engagement.agency.name,
            days=extension.extra_days,
            why=extension.justification,
        ),
        button=_("Record the decision"),
    )
