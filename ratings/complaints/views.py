"""Complaint pages: filing and following (complainant), answering (agency), the queue and
the decisions (regulators), and conflicts of interest. One detail page serves every party,
showing each only what it may see; a complaint someone may not read is a 404."""

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ratings.complaints import conflicts as conflict_services
from ratings.complaints import queries, services
from ratings.complaints.forms import (
    AssignForm,
    ComplaintForm,
    ConcludeForm,
    ConfirmActionForm,
    ConflictForm,
    ExtendForm,
    FindAgencyForm,
    OptionalReasonForm,
    QueueFilterForm,
    ReasonForm,
    TextWithFilesForm,
    files_help,
)
from ratings.complaints.models import (
    OPEN_STATUSES,
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    Conflict,
)
from ratings.complaints.pages import ListPage
from ratings.complaints.permissions import (
    actions_for,
    can_file_complaint,
    can_read_complaint,
    is_reviewer,
    sees_people,
)
from ratings.complaints.timeline import timeline
from ratings.working_days import current_calendar
from registry.accounts.permissions import allow, is_agency_user, is_regulator, signed_in
from registry.actions import created_once
from registry.agencies.queries import public_agency
from registry.agencies.services import find_agency
from registry.dates import local_today
from registry.db import db
from registry.uploads.services import attachment_response

bp = Blueprint("complaints", __name__)


# --- filing and following (the complainant) ---------------------------------------------------


@bp.route("/complaints/new")
@allow(can_file_complaint)
def find_agency_page():
    """Step 1: find the agency by its name or credit code."""
    form = FindAgencyForm(request.args)
    matches = None
    if "q" in request.args and form.validate():
        matches = queries.agencies_matching(form.q.data)
    return render_template("complaints/find_agency.html", form=form, matches=matches)


@bp.route("/complaints/new/<credit_code>", methods=["GET", "POST"])
@allow(can_file_complaint)
def new(credit_code: str):
    """Step 2: what happened, with evidence; the page says who will read it."""
    agency = public_agency(credit_code)
    if agency is None:
        form = FindAgencyForm(q=credit_code)
        form.q.errors = [_("No agency with this credit code is listed in the registry.")]
        return render_template("complaints/find_agency.html", form=form, matches=[]), 404
    form = ComplaintForm()
    form.engagement.choices = [("", _("None")), *queries.engagement_choices(current_user, agency)]
    filed = created_once(
        form,
        lambda: services.file_complaint(
            current_user,
            services.ComplaintDetails(
                agency=agency,
                category=form.category.data,
                text=form.text.data,
                engagement_id=form.engagement_id(),
                files=form.files.data,
            ),
        ),
        refusal=services.ComplaintError,
        done=lambda complaint: _(
            "Your complaint %(reference)s was sent to the regulator.",
            reference=complaint.reference,
        ),
        then=lambda complaint: url_for("complaints.show", complaint_id=complaint.id),
    )
    if filed:
        return filed
    status = 400 if form.errors or form.form_errors else 200
    return render_template(
        "complaints/new.html", form=form, agency=agency, files_help=files_help()
    ), status


@bp.route("/my/complaints")
@allow(can_file_complaint)
def mine():
    page = _paginate(queries.complaints_of_complainant(current_user.id))
    return render_template("complaints/mine.html", page=page, deadlines=_deadlines(page.items))


@bp.route("/complaints/<int:complaint_id>")
@allow(signed_in)
def show(complaint_id: int):
    complaint = _readable_or_404(complaint_id)
    calendar, today = current_calendar(), local_today()
    return render_template(
        "complaints/show.html",
        complaint=complaint,
        timeline=timeline(complaint, current_user),
        actions=_actions(complaint),
        current=queries.current_deadline(complaint, calendar, today),
        response_deadline=queries.response_deadline(complaint, calendar, today),
        conclusion_deadline=queries.conclusion_deadline(complaint, calendar, today),
        names=sees_people(current_user, complaint),
    )


@bp.route("/complaints/<int:complaint_id>/files/<int:link_id>")
@allow(signed_in)
def evidence(complaint_id: int, link_id: int):
    """An evidence file, as a download, to those who may read the complaint."""
    complaint = _readable_or_404(complaint_id)
    link = db.session.get(ComplaintFile, link_id)
    if link is None or link.complaint_id != complaint.id:
        abort(404)
    return attachment_response(link.file)


@bp.route("/complaints/<int:complaint_id>/withdraw", methods=["GET", "POST"])
@allow(can_file_complaint)
def withdraw(complaint_id: int):
    complaint = _readable_or_404(complaint_id)
    form = OptionalReasonForm()
    if form.validate_on_submit():
        try:
            services.withdraw_complaint(current_user, complaint, form.reason.data)
        except services.ComplaintError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Complaint %(reference)s withdrawn.", reference=complaint.reference), "success")
        return redirect(url_for("complaints.show", complaint_id=complaint_id))
    return render_template("complaints/withdraw.html", complaint=complaint, form=form)


@bp.route("/complaints/<int:complaint_id>/rebut", methods=["GET", "POST"])
@allow(can_file_complaint)
def rebut(complaint_id: int):
    return _text_with_files(
        complaint_id,
        services.rebut_response,
        title=_l("Rebut the agency's response"),
        done=_l("Your rebuttal was added to complaint %(reference)s."),
    )


# --- the agency ---------------------------------------------------------------------------------


@bp.route("/my/agency/complaints")
@allow(is_agency_user)
def agency_index():
    agency = current_user.agency
    if agency is None:  # an account still waiting to be linked to its agency
        return render_template("complaints/agency_index.html", agency=None, page=None)
    page = _paginate(queries.complaints_of_agency(agency.id))
    return render_template(
        "complaints/agency_index.html", agency=agency, page=page, deadlines=_deadlines(page.items)
    )


@bp.route("/complaints/<int:complaint_id>/respond", methods=["GET", "POST"])
@allow(is_agency_user)
def respond(complaint_id: int):
    return _text_with_files(
        complaint_id,
        services.respond_to_complaint,
        title=_l("Respond to the complaint"),
        done=_l("Your response to complaint %(reference)s was sent to the regulator."),
    )


def _text_with_files(complaint_id: int, service, *, title, done):
    complaint = _readable_or_404(complaint_id)
    form = TextWithFilesForm()
    if form.validate_on_submit():
        try:
            service(current_user, complaint, form.text.data, form.files.data)
        except services.ComplaintError as error:
            db.session.rollback()
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(str(done) % {"reference": complaint.reference}, "success")
            return redirect(url_for("complaints.show", complaint_id=complaint_id))
    return render_template(
        "complaints/text_with_files.html",
        complaint=complaint,
        form=form,
        title=title,
        files_help=files_help(),
        response_deadline=queries.response_deadline(complaint),
    ), (400 if form.errors or form.form_errors else 200)


# --- regulators ----------------------------------------------------------------------------------


@bp.route("/regulator/complaints")
@allow(is_regulator)
def queue():
    filters = QueueFilterForm(request.args)
    filters.assignee.choices = [
        ("", _("Anyone")),
        ("me", _("Me")),
        ("none", _("Nobody yet")),
        *((str(account.id), account.display_name) for account in queries.all_regulators()),
    ]
    if not filters.validate():
        return render_template("complaints/queue.html", filters=filters, page=None), 400
    criteria = queries.QueueFilter(
        statuses=_statuses(filters.status.data),
        assignee=str(current_user.id) if filters.assignee.data == "me" else filters.assignee.data,
        agency=filters.agency.data or "",
    )
    query = queries.queue_query(current_user, criteria)
    calendar, today = current_calendar(), local_today()
    if filters.overdue.data:
        overdue = [
            complaint
            for complaint in db.session.execute(query).scalars()
            if (found := queries.current_deadline(complaint, calendar, today)) and found.is_overdue
        ]
        page = ListPage(overdue, _page_number(), current_app.config["PAGE_SIZE"])
    else:
        page = _paginate(query)
    return render_template(
        "complaints/queue.html", filters=filters, page=page, deadlines=_deadlines(page.items)
    )


@dataclass(frozen=True)
class Action:
    """A regulator's act on a complaint, confirmed on its own page."""

    form: type
    title: object
    explanation: object
    button: object
    done: object
    style: str = "primary"


ACTIONS = {
    "take": Action(
        ConfirmActionForm,
        _l("Take this complaint"),
        _l("You become the regulator accountable for deciding on it and concluding it."),
        _l("Take the complaint"),
        _l("You now handle complaint %(reference)s."),
    ),
    "assign": Action(
        AssignForm,
        _l("Assign this complaint"),
        _l(
            "The regulator you choose becomes accountable for it and is notified. Regulators "
            "who declared a conflict with this agency are not offered."
        ),
        _l("Assign"),
        _l("Complaint %(reference)s assigned."),
    ),
    "accept": Action(
        ConfirmActionForm,
        _l("Accept this complaint"),
        _l(
            "The agency is shown the complaint and its evidence (never the complainant's "
            "account) and must respond within its time limit; the conclusion deadline starts "
            "today. This cannot be undone."
        ),
        _l("Accept the complaint"),
        _l("Complaint %(reference)s accepted; the agency and the complainant are notified."),
    ),
    "refuse": Action(
        ReasonForm,
        _l("Do not accept this complaint"),
        _l(
            "The complainant is told your reason; the agency is never shown the "
            "complaint. This cannot be undone."
        ),
        _l("Do not accept"),
        _l("Complaint %(reference)s not accepted; the complainant is told why."),
        "danger",
    ),
    "proceed": Action(
        ConfirmActionForm,
        _l("Investigate without the agency's response"),
        _l(
            "The agency's response is overdue. The investigation starts without it; the agency "
            "may still respond until you conclude. This cannot be undone."
        ),
        _l("Start the investigation"),
        _l("Complaint %(reference)s is under investigation."),
    ),
    "extend": Action(
        ExtendForm,
        _l("Extend the conclusion deadline"),
        _l(
            "A complaint's conclusion deadline can be extended once, by a reviewer, with a "
            "reason the complainant reads. This cannot be undone."
        ),
        _l("Extend the deadline"),
        _l("The conclusion deadline of complaint %(reference)s is extended."),
        "warning",
    ),
    "conclude": Action(
        ConcludeForm,
        _l("Conclude this complaint"),
        _l(
            "Both parties receive the outcome and your reasons. A substantiated complaint of "
            "overcharging, delay or a falsified report is recorded as a breach of the "
            "agency's commitment letter. This cannot be undone."
        ),
        _l("Conclude"),
        _l("Complaint %(reference)s concluded; both parties are notified."),
        "danger",
    ),
}


@bp.route(
    "/regulator/complaints/<int:complaint_id>/<any(take, assign, accept, refuse, proceed, "
    "extend, conclude):action>",
    methods=["GET", "POST"],
)
@allow(is_regulator)
def act(complaint_id: int, action: str):
    complaint = _readable_or_404(complaint_id)
    if request.method == "GET" and action not in _actions(complaint):
        # A POST goes to the service, which says exactly why it cannot be done.
        flash(_("This action is not available for this complaint now."), "warning")
        return redirect(url_for("complaints.show", complaint_id=complaint_id))
    spec = ACTIONS[action]
    form = spec.form()
    if isinstance(form, AssignForm):
        form.assignee.choices = [
            (str(account.id), account.display_name)
            for account in queries.regulators_for(complaint.agency_id)
        ]
    if form.validate_on_submit():
        try:
            _perform(action, complaint, form)
        except services.ComplaintError as error:
            db.session.rollback()
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(str(spec.done) % {"reference": complaint.reference}, "success")
            return redirect(url_for("complaints.show", complaint_id=complaint_id))
    return render_template(
        "complaints/act.html",
        complaint=complaint,
        action=action,
        spec=spec,
        form=form,
        current=queries.current_deadline(complaint),
        max_extension=current_app.config["COMPLAINT_MAX_EXTENSION_WORKING_DAYS"],
    ), (400 if form.errors or form.form_errors else 200)


def _perform(action: str, complaint: Complaint, form) -> None:
    actor = current_user._get_current_object()
    if action == "take":
        services.take_complaint(actor, complaint)
    elif action == "assign":
        assignee_id = form.assignee.data
        assignee = db.session.get(type(actor), int(assignee_id)) if assignee_id.isdigit() else None
        services.assign_complaint(actor, complaint, assignee)
    elif action == "accept":
        services.accept_complaint(actor, complaint)
    elif action == "refuse":
        services.refuse_complaint(actor, complaint, form.reason.data)
    elif action == "proceed":
        services.proceed_without_response(actor, complaint)
    elif action == "extend":
        services.extend_conclusion_deadline(actor, complaint, form.days.data, form.reason.data)
    elif action == "conclude":
        services.conclude_complaint(
            actor, complaint, form.outcome.data, form.severity.data or None, form.reasons.data
        )


# --- conflicts of interest -----------------------------------------------------------------------


@bp.route("/regulator/conflicts", methods=["GET", "POST"])
@allow(is_regulator)
def conflicts():
    """Declare a conflict; see one's own (a reviewer sees everyone's, to assign fairly)."""
    form = ConflictForm()
    declared = created_once(
        form,
        lambda: conflict_services.declare_conflict(
            current_user, find_agency(form.agency.data), form.reason.data
        ),
        refusal=services.ComplaintError,
        done=_("Conflict of interest declared."),
        then=url_for("complaints.conflicts"),
    )
    if declared:
        return declared
    everyone = is_reviewer(current_user)
    page = _paginate(queries.conflicts_query(None if everyone else current_user.id))
    return render_template("complaints/conflicts.html", form=form, page=page, everyone=everyone), (
        400 if form.errors or form.form_errors else 200
    )


@bp.route("/regulator/conflicts/<int:conflict_id>/end", methods=["GET", "POST"])
@allow(is_regulator)
def end_conflict(conflict_id: int):
    conflict = db.get_or_404(Conflict, conflict_id)
    if conflict.regulator_id != current_user.id:
        abort(404)
    form = OptionalReasonForm()
    if form.validate_on_submit():
        try:
            conflict_services.end_conflict(current_user, conflict, form.reason.data)
        except services.ComplaintError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Conflict of interest ended."), "success")
        return redirect(url_for("complaints.conflicts"))
    return render_template("complaints/end_conflict.html", conflict=conflict, form=form)


# --- helpers -------------------------------------------------------------------------------------


def _readable_or_404(complaint_id: int) -> Complaint:
    """The complaint, if this user may read it; otherwise, as if it did not exist."""
    complaint = queries.complaint_for_page(complaint_id)
    if complaint is None or not can_read_complaint(current_user, complaint):
        abort(404)
    return complaint


def _actions(complaint: Complaint) -> set[str]:
    found = actions_for(current_user, complaint)
    if "proceed" in found:
        response = queries.response_deadline(complaint)
        if not response.is_overdue:
            found.discard("proceed")
    return found


def _deadlines(complaints) -> dict:
    calendar, today = current_calendar(), local_today()
    return {c.id: queries.current_deadline(c, calendar, today) for c in complaints}


def _statuses(choice: str) -> list[str]:
    if choice == "open":
        return [status.value for status in OPEN_STATUSES]
    if choice == "all":
        return [status.value for status in ComplaintStatus]
    return [choice]


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int), 1)


def _paginate(query):
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)


@bp.app_context_processor
def complaint_rules():
    """Let every template ask who may file a complaint (the workspace, the navigation)."""
    return {"can_file_complaint": can_file_complaint}
