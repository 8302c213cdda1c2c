"""Supervision pages: the deadline dashboard and its CSV export, escalating by hand, and the
supervisors' evaluations of regulators' complaint handling. Supervisors read every page here
and act only on their own evaluations; regulators and reviewers act, never evaluate."""

import csv
import io
from collections import Counter

from flask import (
    Blueprint,
    Response,
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

from ratings.complaints.models import Complaint
from ratings.complaints.pages import ListPage
from registry.accounts.permissions import allow
from registry.actions import created_once
from registry.api.exports import BOM, cell
from registry.dates import local_today
from registry.db import db
from registry.supervision import evaluations, queries
from registry.supervision.escalation import SupervisionError, escalate, escalations_for
from registry.supervision.forms import (
    SCORE_WORDS,
    ConfirmEscalationForm,
    DashboardFilterForm,
    HandlingEvaluationForm,
    RegulatorFilterForm,
)
from registry.supervision.items import Kind, deadline_items, find_item
from registry.supervision.permissions import (
    can_escalate,
    can_evaluate_regulators,
    can_read_dashboard,
)

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
bp.add_app_template_global(can_read_dashboard, "can_read_supervision")

CSV_COLUMNS = (
    "kind",
    "kind_label",
    "reference",
    "agency_credit_code",
    "agency",
    "due",
    "overdue_working_days",
    "accountable",
    "escalated_at",
)


# --- the dashboard -----------------------------------------------------------------------------


def _filters() -> DashboardFilterForm:
    form = DashboardFilterForm(request.args)
    form.accountable.choices = [
        ("", _("Anyone")),
        *([("me", _("Me"))] if can_escalate(current_user) else []),
        ("regulators", _("Regulators (not assigned)")),
        ("reviewers", _("Reviewers")),
        ("agency", _("Agencies")),
        *((str(a.id), a.display_name) for a in queries.accountable_accounts()),
    ]
    return form


@bp.route("/")
@allow(can_read_dashboard)
def dashboard():
    """Every deadline with who is accountable, the most overdue first; filters and pages."""
    filters = _filters()
    if not filters.validate():
        return _refused(filters)
    everything = deadline_items(local_today())
    items = queries.filtered(everything, filters.criteria(current_user.id))
    page = ListPage(items, filters.page.data or 1, current_app.config["PAGE_SIZE"])
    return render_template(
        "supervision/dashboard.html",
        filters=filters,
        page=page,
        escalated=escalations_for(page.items),
        summary=_summary(everything),
        threshold=current_app.config["SUPERVISION_ESCALATE_AFTER_WORKING_DAYS"],
        can_act=can_escalate(current_user),
    )


def _refused(filters: DashboardFilterForm):
    """The dashboard with the filters' errors and no list: a 400, never a 500."""
    return render_template(
        "supervision/dashboard.html",
        filters=filters,
        page=None,
        threshold=current_app.config["SUPERVISION_ESCALATE_AFTER_WORKING_DAYS"],
        can_act=can_escalate(current_user),
    ), 400


def _summary(items) -> list[tuple[Kind, int, int]]:
    """Per kind: how many items, how many overdue."""
    total = Counter(item.kind for item in items)
    overdue = Counter(item.kind for item in items if item.is_overdue)
    return [(kind, total[kind], overdue[kind]) for kind in Kind]


@bp.route("/dashboard.csv")
@allow(can_read_dashboard)
def export():
    """The filtered items as CSV (UTF-8 with a BOM, formula-safe); header only if none match."""
    filters = _filters()
    if not filters.validate():
        return _refused(filters)
    items = queries.filtered(deadline_items(local_today()), filters.criteria(current_user.id))
    escalated = escalations_for(items)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        escalation = escalated.get(item.key)
        writer.writerow(
            cell(value)
            for value in (
                item.kind.value,
                str(item.kind.label),
                item.reference,
                item.agency.credit_code,
                item.agency.name,
                item.due.isoformat(),
                item.overdue_working_days,
                item.accountable_name,
                escalation.escalated_at.isoformat(timespec="seconds") + "Z" if escalation else None,
            )
        )
    name = f"supervision-{local_today().isoformat()}.csv"
    return Response(
        BOM + buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/escalate/<kind>/<int:object_id>", methods=["GET", "POST"])
@allow(can_escalate)
def escalate_item(kind: str, object_id: int):
    """A regulator escalates an overdue item before the daily job would; confirmed first."""
    if kind not in {k.value for k in Kind}:
        abort(404)
    item = find_item(kind, object_id, local_today())
    if item is None:
        abort(404)
    form = ConfirmEscalationForm()
    if form.validate_on_submit():
        try:
            escalate(current_user, item)
        except SupervisionError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(
                _("%(reference)s escalated; the reviewers are notified.", reference=item.reference),
                "success",
            )
        return redirect(url_for("supervision.dashboard"))
    return render_template("supervision/confirm_escalation.html", item=item, form=form)


# --- the supervisors' evaluations of the regulators ------------------------------------------


@bp.route("/regulators")
@allow(can_read_dashboard)
def regulators():
    """Each regulator's evaluations by supervisors, and the concluded complaints to evaluate."""
    filters = RegulatorFilterForm(request.args)
    filters.regulator.choices = [
        ("", _("Anyone")),
        *((str(a.id), a.display_name) for a in queries.accountable_accounts()),
    ]
    if not filters.validate():
        return render_template(
            "supervision/regulators.html", filters=filters, figures=[], page=None
        ), 400
    regulator = int(filters.regulator.data) if filters.regulator.data else None
    page = db.paginate(
        queries.concluded_complaints(regulator),
        page=filters.page.data or 1,
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    mine = {}
    if can_evaluate_regulators(current_user):
        mine = queries.evaluations_by(current_user.id, [c.id for c in page.items])
    return render_template(
        "supervision/regulators.html",
        filters=filters,
        figures=queries.regulator_figures(),
        page=page,
        mine=mine,
        handling={c.id: queries.handling_of(c) for c in page.items},
    )


@bp.route("/complaints/<int:complaint_id>/evaluate", methods=["GET", "POST"])
@allow(can_evaluate_regulators)
def evaluate(complaint_id: int):
    """A supervisor evaluates (or changes their evaluation of) a complaint's handling."""
    complaint = db.get_or_404(Complaint, complaint_id)
    if not complaint.is_concluded:
        abort(404)
    existing = evaluations.evaluation_of(current_user.id, complaint.id)
    changeable = existing is None or evaluations.open_for_change(existing)
    form = HandlingEvaluationForm(obj=existing)
    if changeable:
        recorded = created_once(
            form,
            lambda: (
                evaluations.evaluate_handling(current_user, complaint, form.scores())
                if existing is None
                else evaluations.change_evaluation(current_user, existing, form.scores())
            ),
            refusal=evaluations.EvaluationError,
            done=_("Your evaluation of %(reference)s is recorded.", reference=complaint.reference),
            then=url_for("supervision.regulators"),
        )
        if recorded:
            return recorded
    status = 400 if form.errors else 200
    return render_template(
        "supervision/evaluate.html",
        complaint=complaint,
        handling=queries.handling_of(complaint),
        handler=complaint.assignee or complaint.concluded_by,
        form=form,
        existing=existing,
        changeable=changeable,
        score_words=SCORE_WORDS,
        change_days=current_app.config["SUPERVISION_EVALUATION_CHANGE_DAYS"],
    ), status
