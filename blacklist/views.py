"""Blacklist pages: the public list, the regulators' cases and decisions, the agency's own
cases with its objection and repair applications. A case someone may not read is a 404."""

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

from blacklist import queries, repair, services
from blacklist.checks import BlacklistError, require_decider, shown_day
from blacklist.forms import (
    CaseFilterForm,
    DecideForm,
    ObjectionForm,
    ProposeForm,
    PublicListForm,
    RepairDecisionForm,
    RepairForm,
    RevokeForm,
)
from blacklist.models import BlacklistCase, CaseFile, RepairApplication
from blacklist.permissions import (
    actions_for,
    answers_for_agency,
    can_decide_case,
    can_propose_case,
    can_read_case,
    is_reviewer,
)
from blacklist.rules import rule_label
from registry.accounts.confirmation import note_refusal, password_confirmed_limit
from registry.accounts.forms import ConfirmForm
from registry.accounts.permissions import allow, anyone, is_agency_user, is_regulator, signed_in
from registry.actions import confirmed_action, created_once
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db
from registry.uploads.services import attachment_response

bp = Blueprint("blacklist", __name__)


# A decision confirmed by password: wrong passwords count like failed sign-ins.
password_limit = password_confirmed_limit("blacklist-decision")


# --- the public list -----------------------------------------------------------------------


@bp.route("/blacklist")
@allow(anyone)
def public_list():
    """Listings in force today (or past ones with ?history=1), searchable, in pages."""
    form = PublicListForm(request.args)
    if not form.validate():
        return render_template("blacklist/public_list.html", form=form, page=None), 400
    today = local_today()
    query = queries.public_listings(today, history=form.history.data, q=form.q.data or "")
    return render_template(
        "blacklist/public_list.html",
        form=form,
        page=_paginate(query),
        today=today,
        outcome=queries.outcome,
    )


# --- regulators ----------------------------------------------------------------------------


@bp.route("/regulator/blacklist")
@allow(is_regulator)
def cases():
    filters = CaseFilterForm(request.args)
    if not filters.validate():
        return render_template("blacklist/cases.html", filters=filters, page=None), 400
    today = local_today()
    page = _paginate(queries.cases_for_regulators(filters.state.data or "open", today))
    return render_template(
        "blacklist/cases.html",
        filters=filters,
        page=page,
        steps={case.id: queries.next_step(case, today) for case in page.items},
        repairs=queries.pending_repairs(),
        today=today,
    )


@bp.route("/regulator/agencies/<int:agency_id>/blacklist/propose", methods=["GET", "POST"])
@allow(can_propose_case)
def propose(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = ProposeForm()
    complaints = queries.substantiated_complaints_of(agency.id)
    form.complaint_ids.choices = [(c.id, _complaint_choice(c)) for c in complaints]
    recorded = created_once(
        form,
        lambda: services.propose_case(current_user, agency, form.proposal()),
        refusal=BlacklistError,
        done=_("Proposal recorded. Notify the agency so that it may object."),
        then=lambda case: url_for("blacklist.case", case_id=case.id),
    )
    if recorded:
        return recorded
    if request.method == "GET":
        form.legal_basis.data = current_app.config["BLACKLIST_RULES"][0]["legal_basis"]
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "blacklist/propose.html",
        form=form,
        agency=agency,
        open_cases=db.session.execute(
            queries.cases_for_regulators("open", local_today(), agency.id)
        )
        .scalars()
        .all(),
    ), status


def _complaint_choice(complaint) -> str:
    return _(
        "%(reference)s · %(category)s · %(severity)s · concluded %(day)s",
        reference=complaint.reference,
        category=complaint.category_enum.label,
        severity=complaint.severity_enum.label,
        day=complaint.concluded_on.isoformat(),
    )


@bp.route("/regulator/blacklist/<int:case_id>")
@allow(is_regulator)
def case(case_id: int):
    return _case_page(db.get_or_404(BlacklistCase, case_id), regulator=True)


@bp.route("/regulator/blacklist/<int:case_id>/notify", methods=["GET", "POST"])
@allow(can_propose_case)
def notify(case_id: int):
    case = db.get_or_404(BlacklistCase, case_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            deadline = services.notify_case(current_user, case)
        except BlacklistError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(
                _("The agency is notified; it may object until %(due)s.", due=_day(deadline.due)),
                "success",
            )
        return redirect(url_for("blacklist.case", case_id=case_id))
    return render_template(
        "blacklist/confirm_notify.html",
        case=case,
        form=form,
        days=current_app.config["BLACKLIST_OBJECTION_WORKING_DAYS"],
    )


@bp.route("/regulator/blacklist/<int:case_id>/decide", methods=["GET", "POST"])
@allow(is_reviewer)
@password_limit
def decide(case_id: int):
    case = _decidable_or_redirect(case_id)
    form = DecideForm()
    if request.method == "GET":
        form.deciding_authority.data = current_app.config["BLACKLIST_AUTHORITY"]
    decided = confirmed_action(
        form,
        lambda: services.decide_case(current_user, case, form.decision()),
        refusal=BlacklistError,
        on_refusal=note_refusal,
        done=_("The agency is listed; the public list shows it now.")
        if form.outcome.data == "listed"
        else _("The proposal is rejected."),
        then=url_for("blacklist.case", case_id=case_id),
    )
    return decided or _decision_page("blacklist/decide.html", case, form)


@bp.route("/regulator/blacklist/<int:case_id>/revoke", methods=["GET", "POST"])
@allow(is_reviewer)
@password_limit
def revoke(case_id: int):
    case = _decidable_or_redirect(case_id)
    form = RevokeForm()
    revoked = confirmed_action(
        form,
        lambda: services.revoke_listing(current_user, case, form.reason.data, form.password.data),
        refusal=BlacklistError,
        on_refusal=note_refusal,
        done=_("The listing is revoked; it left the public list."),
        then=url_for("blacklist.case", case_id=case_id),
    )
    return revoked or _decision_page("blacklist/revoke.html", case, form)


@bp.route("/regulator/blacklist/repairs/<int:application_id>", methods=["GET", "POST"])
@allow(is_reviewer)
@password_limit
def decide_repair(application_id: int):
    application = db.get_or_404(RepairApplication, application_id)
    case = _decidable_or_redirect(application.case_id)
    form = RepairDecisionForm()
    approve = form.outcome.data == "approve"
    decided = confirmed_action(
        form,
        lambda: repair.decide_repair(
            current_user, application, approve, form.reasons.data, form.password.data
        ),
        refusal=BlacklistError,
        on_refusal=note_refusal,
        done=_("Credit repair approved; the agency left the public list.")
        if approve
        else _("Credit repair refused; the agency is told why."),
        then=url_for("blacklist.case", case_id=case.id),
    )
    return decided or _decision_page(
        "blacklist/decide_repair.html", case, form, application=application
    )


def _decidable_or_redirect(case_id: int) -> BlacklistCase:
    """The case, if this reviewer may decide it; else back to it, saying why."""
    case = db.get_or_404(BlacklistCase, case_id)
    if not can_decide_case(current_user, case):
        try:
            require_decider(current_user, case)
        except BlacklistError as error:
            flash(str(error), "danger")
        abort(redirect(url_for("blacklist.case", case_id=case.id)))
    return case


def _decision_page(template: str, case: BlacklistCase, form, **extra):
    status = 400 if form.errors or form.form_errors else 200
    today = local_today()
    return render_template(
        template,
        case=case,
        form=form,
        today=today,
        objection_deadline=queries.objection_deadline(case, today),
        **extra,
    ), status


# --- the agency ----------------------------------------------------------------------------


@bp.route("/my/agency/blacklist")
@allow(is_agency_user)
def my_cases():
    agency = current_user.agency
    if agency is None:  # an account still waiting to be linked to its agency
        return render_template("blacklist/my_cases.html", agency=None, page=None)
    today = local_today()
    page = _paginate(queries.cases_of_agency(agency.id))
    return render_template(
        "blacklist/my_cases.html",
        agency=agency,
        page=page,
        today=today,
        deadlines={case.id: queries.objection_deadline(case, today) for case in page.items},
    )


@bp.route("/my/agency/blacklist/<int:case_id>")
@allow(is_agency_user)
def my_case(case_id: int):
    return _case_page(_own_case_or_404(case_id), regulator=False)


@bp.route("/my/agency/blacklist/<int:case_id>/object", methods=["GET", "POST"])
@allow(is_agency_user)
def object_to_case(case_id: int):
    case = _own_case_or_404(case_id)
    form = ObjectionForm()
    sent = created_once(
        form,
        lambda: services.file_objection(current_user, case, form.statement.data, form.files.data),
        refusal=BlacklistError,
        done=_("Your objection was sent; a reviewer reads it before deciding."),
        then=url_for("blacklist.my_case", case_id=case_id),
    )
    return sent or _agency_form("blacklist/object.html", case, form)


@bp.route("/my/agency/blacklist/<int:case_id>/repair", methods=["GET", "POST"])
@allow(is_agency_user)
def apply_repair(case_id: int):
    case = _own_case_or_404(case_id)
    form = RepairForm()
    sent = created_once(
        form,
        lambda: repair.apply_for_repair(current_user, case, form.statement.data, form.files.data),
        refusal=BlacklistError,
        done=_("Your application was sent; a reviewer decides on it."),
        then=url_for("blacklist.my_case", case_id=case_id),
    )
    return sent or _agency_form(
        "blacklist/repair.html", case, form, opens_on=repair.next_application_on(case)
    )


def _agency_form(template: str, case: BlacklistCase, form, **extra):
    status = 400 if form.errors or form.form_errors else 200
    today = local_today()
    return render_template(
        template,
        case=case,
        form=form,
        today=today,
        objection_deadline=queries.objection_deadline(case, today),
        **extra,
    ), status


def _own_case_or_404(case_id: int) -> BlacklistCase:
    case = db.session.get(BlacklistCase, case_id)
    if case is None or not answers_for_agency(current_user, case):
        abort(404)
    return case


# --- both ----------------------------------------------------------------------------------


@bp.route("/blacklist/cases/<int:case_id>/files/<int:link_id>")
@allow(signed_in)
def case_file(case_id: int, link_id: int):
    """A file of an objection or a repair application: to regulators and the agency."""
    case = db.session.get(BlacklistCase, case_id)
    if case is None or not can_read_case(current_user, case):
        abort(404)
    link = db.session.get(CaseFile, link_id)
    if link is None or link.case_id != case.id:
        abort(404)
    return attachment_response(link.file)


def _case_page(case: BlacklistCase, *, regulator: bool):
    today = local_today()
    deadline = queries.objection_deadline(case, today)
    window = deadline is not None and not deadline.is_overdue
    return render_template(
        "blacklist/case.html",
        case=case,
        regulator=regulator,
        today=today,
        state=case.state_on(today),
        outcome=queries.outcome(case, today) if case.listed_from else None,
        objection_deadline=deadline,
        actions=actions_for(current_user, case, today, window),
        next_step=queries.next_step(case, today) if regulator else None,
        source=None if case.is_manual else rule_label(case.source),
        repair_opens_on=repair.next_application_on(case) if case.listed_from else None,
        pending_repair=repair.pending_application(case),
    )


def _paginate(query):
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def _day(day) -> str:
    return shown_day(day)


@bp.app_context_processor
def blacklist_rules():
    """Let every template ask who may decide a case (the case page's buttons)."""
    return {"can_decide_case": can_decide_case}
