"""The audit log, for regulators and administrators."""

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from registry.accounts.permissions import allow, can_read_audit_log
from registry.audit.forms import AuditFilterForm
from registry.audit.models import AuditEvent
from registry.audit.queries import event_exists, filtered_events, known_actions
from registry.db import db

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@allow(can_read_audit_log)
def index():
    form = AuditFilterForm(request.args, actions=known_actions())
    if not form.validate():
        return render_template("audit/index.html", form=form, page=None), 400
    query = filtered_events(
        actor=form.actor.data,
        action=form.action.data,
        object_type=form.object_type.data,
        object_id=form.object_id.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("audit/index.html", form=form, page=page)


@bp.route("/<int:seq>")
@allow(can_read_audit_log)
def show(seq: int):
    event = db.first_or_404(select(AuditEvent).where(AuditEvent.seq == seq))
    return render_template("audit/show.html", event=event, has_next=event_exists(seq + 1))
