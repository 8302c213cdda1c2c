"""Pages: supervisors evaluate agencies; regulators record and withdraw inspections; an
agency's staff read their inspections; reports are served to those allowed."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ratings.assessments import queries, services
from ratings.assessments.forms import (
    SCORE_WORDS,
    AgencyFinderForm,
    EvaluationForm,
    InspectionFilterForm,
    InspectionForm,
    WithdrawInspectionForm,
)
from ratings.assessments.models import (
    ASSESSED_STATUSES,
    Inspection,
    SupervisorEvaluation,
    quarter_of,
)
from ratings.assessments.permissions import can_read_inspections, is_supervisor
from registry.accounts.permissions import allow, is_agency_user, is_regulator, signed_in
from registry.actions import created_once
from registry.agencies.models import Agency
from registry.dates import local_today
from registry.db import db
from registry.uploads.services import attachment_response

bp = Blueprint("assessments", __name__)
# The templates of other packages (navigation, workspace) ask the same rule as the guards.
bp.add_app_template_global(is_supervisor)


@bp.app_template_global()
def quarter_name(year: int, quarter: int) -> str:
    return services.quarter_name(year, quarter)


# --- supervisors --------------------------------------------------------------------------------


@bp.route("/supervisor/evaluations")
@allow(is_supervisor)
def my_evaluations():
    """The supervisor's evaluations, newest quarter first, and a box to find an agency."""
    year, quarter = quarter_of(local_today())
    return render_template(
        "assessments/my_evaluations.html",
        page=_paginate(queries.evaluations_by(current_user.id)),
        finder=AgencyFinderForm(formdata=None),
        year=year,
        quarter=quarter,
    )


@bp.route("/supervisor/agencies")
@allow(is_supervisor)
def find_agency():
    """Agencies to evaluate, by part of the name or a credit code."""
    finder = AgencyFinderForm(request.args)
    year, quarter = quarter_of(local_today())
    if not finder.validate():
        return render_template("assessments/find_agency.html", finder=finder, page=None), 400
    page = _paginate(queries.assessed_agencies(finder.q.data))
    return render_template(
        "assessments/find_agency.html",
        finder=finder,
        page=page,
        evaluated=queries.evaluations_in_quarter(
            current_user.id, [agency.id for agency in page.items], year, quarter
        ),
        year=year,
        quarter=quarter,
    )


@bp.route("/supervisor/agencies/<int:agency_id>/evaluation", methods=["GET", "POST"])
@allow(is_supervisor)
def evaluate(agency_id: int):
    """Evaluate an agency for this quarter, or change this quarter's evaluation."""
    agency = _assessed_or_404(agency_id)
    year, quarter = quarter_of(local_today())
    current = queries.evaluation_of(current_user.id, agency.id, year, quarter)
    form = EvaluationForm(obj=current) if request.method == "GET" else EvaluationForm()
    if current is not None and request.method == "GET":
        form.evaluation_id.data = str(current.id)

    def offer_change(_refusal) -> None:
        # Offered as a change from now on: the next submit corrects that evaluation.
        found = queries.evaluation_of(current_user.id, agency.id, year, quarter)
        form.evaluation_id.data = str(found.id) if found else ""

    saved = created_once(
        form,
        lambda: _save_evaluation(agency, form),
        refusal=services.AssessmentError,
        on_refusal=offer_change,
        done=lambda message: message,
        then=url_for("assessments.my_evaluations"),
    )
    if saved:
        return saved
    if form.is_submitted():
        current = queries.evaluation_of(current_user.id, agency.id, year, quarter)
    return render_template(
        "assessments/evaluate.html",
        agency=agency,
        form=form,
        current=current,
        year=year,
        quarter=quarter,
        score_words=SCORE_WORDS,
    ), (400 if form.errors or form.form_errors else 200)


def _save_evaluation(agency: Agency, form: EvaluationForm) -> str:
    """Submit a new evaluation, or change the one the form was opened with; the flash text."""
    if not form.evaluation_id.data:
        services.evaluate_agency(current_user, agency, form.details())
        return _("Your evaluation of %(agency)s is saved.", agency=agency.name)
    evaluation_id = _int_or_none(form.evaluation_id.data)
    evaluation = evaluation_id and db.session.get(SupervisorEvaluation, evaluation_id)
    if not evaluation or evaluation.agency_id != agency.id:
        abort(404)
    if services.change_evaluation(current_user, evaluation, form.details()):
        return _("Your evaluation of %(agency)s is changed.", agency=agency.name)
    return _("Nothing changed in your evaluation of %(agency)s.", agency=agency.name)


# --- regulators -------------------------------------------------------------------------------


@bp.route("/regulator/inspections")
@allow(is_regulator)
def inspections():
    filters = InspectionFilterForm(request.args)
    if not filters.validate():
        return render_template("assessments/inspections.html", filters=filters, page=None), 400
    return render_template(
        "assessments/inspections.html",
        filters=filters,
        page=_paginate(queries.inspections_for_regulators(**filters.criteria())),
    )


@bp.route("/regulator/agencies/<int:agency_id>/inspections")
@allow(is_regulator)
def agency_inspections(agency_id: int):
    """An agency's inspections and what supervisors said of it."""
    agency = db.get_or_404(Agency, agency_id)
    today = local_today()
    evaluations = db.session.execute(queries.evaluations_of(agency.id).limit(10)).scalars().all()
    return render_template(
        "assessments/agency_inspections.html",
        agency=agency,
        page=_paginate(queries.inspections_of(agency.id)),
        evaluations=evaluations,
        summary=queries.assessment_summary(agency.id, today),
    )


@bp.route("/regulator/agencies/<int:agency_id>/evaluations")
@allow(is_regulator)
def agency_evaluations(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    return render_template(
        "assessments/agency_evaluations.html",
        agency=agency,
        page=_paginate(queries.evaluations_of(agency.id)),
    )


@bp.route("/regulator/agencies/<int:agency_id>/inspections/new", methods=["GET", "POST"])
@allow(is_regulator)
def record_inspection(agency_id: int):
    agency = db.get_or_404(Agency, agency_id)
    form = InspectionForm()
    today = local_today()
    form.inspected_on.render_kw = {"max": today.isoformat()}
    if request.method == "GET":
        form.inspected_on.data = today
    recorded = created_once(
        form,
        lambda: services.record_inspection(current_user, agency, form.details()),
        refusal=services.AssessmentError,
        done=_("Inspection recorded; the staff of %(agency)s are told.", agency=agency.name),
        then=lambda inspection: url_for("assessments.inspection", inspection_id=inspection.id),
    )
    if recorded:
        return recorded
    return render_template(
        "assessments/record_inspection.html",
        agency=agency,
        form=form,
        assessed=agency.status in ASSESSED_STATUSES,
    ), (400 if form.errors or form.form_errors else 200)


@bp.route("/regulator/inspections/<int:inspection_id>")
@allow(is_regulator)
def inspection(inspection_id: int):
    return render_template(
        "assessments/inspection.html", inspection=db.get_or_404(Inspection, inspection_id)
    )


@bp.route("/regulator/inspections/<int:inspection_id>/withdraw", methods=["GET", "POST"])
@allow(is_regulator)
def withdraw_inspection(inspection_id: int):
    """Confirm, with the reason, that an inspection was entered in error."""
    inspection = db.get_or_404(Inspection, inspection_id)
    if inspection.withdrawn_at is not None:
        flash(_("This inspection is already withdrawn."), "info")
        return redirect(url_for("assessments.inspection", inspection_id=inspection.id))
    form = WithdrawInspectionForm()
    if form.validate_on_submit():
        try:
            services.withdraw_inspection(current_user, inspection, form.reason.data)
        except services.AssessmentError as error:
            db.session.rollback()
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(_("Inspection withdrawn; it no longer counts. The agency is told."), "success")
            return redirect(url_for("assessments.inspection", inspection_id=inspection.id))
    return render_template("assessments/confirm_withdraw.html", inspection=inspection, form=form), (
        400 if form.errors or form.form_errors else 200
    )


# --- the agency's staff -------------------------------------------------------------------------


@bp.route("/my/agency/inspections")
@allow(is_agency_user)
def my_inspections():
    agency = current_user.agency
    if agency is None:
        return redirect(url_for("my_agency.overview"))
    return render_template(
        "assessments/my_inspections.html",
        agency=agency,
        page=_paginate(queries.inspections_of(agency.id)),
    )


# --- files ------------------------------------------------------------------------------------


@bp.route("/files/inspections/<int:inspection_id>/report")
@allow(signed_in)
def report(inspection_id: int):
    """An inspection's report, as an attachment, to regulators and the agency's staff only."""
    inspection = db.get_or_404(Inspection, inspection_id)
    if inspection.report is None or not can_read_inspections(current_user, inspection.agency):
        abort(404)
    return attachment_response(inspection.report)


def _assessed_or_404(agency_id: int) -> Agency:
    """An agency supervisors may evaluate; others (pending ones are private) are not found."""
    agency = db.get_or_404(Agency, agency_id)
    if agency.status not in ASSESSED_STATUSES:
        abort(404)
    return agency


def _paginate(query):
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
