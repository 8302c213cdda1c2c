"""Fair selection pages: an enterprise asks for a draw; anyone re-runs a stored one."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ratings.engagements import draws, queries
from ratings.engagements.forms import DrawForm, DrawLookupForm
from ratings.engagements.permissions import acts_for_enterprise
from ratings.engagements.services import EngagementError
from registry.accounts.permissions import allow, anyone, is_enterprise_user
from registry.actions import created_once
from registry.agencies.models import ServiceItem
from registry.db import db

bp = Blueprint("draws", __name__)


@bp.route("/my/enterprise/draws/new", methods=["GET", "POST"])
@allow(is_enterprise_user)
def new():
    enterprise = current_user.enterprise
    if enterprise is None:
        flash(_("Your account is not linked to an organisation yet."), "warning")
        return redirect(url_for("my_enterprise.overview"))
    form = DrawForm()
    items = db.session.execute(
        select(ServiceItem).where(ServiceItem.retired_on.is_(None)).order_by(ServiceItem.code)
    ).scalars()
    form.service_item.choices = [(item.id, f"{item.code} {item.name}") for item in items]
    drawn = created_once(
        form,
        lambda: draws.draw_agency(
            current_user,
            enterprise,
            db.session.get(ServiceItem, form.service_item.data),
            form.stars(),
        ),
        refusal=EngagementError,
        done=lambda draw: _(
            "Drawn: %(agency)s. Record the engagement when you have agreed the fee.",
            agency=draw.chosen_agency.name,
        ),
        then=lambda draw: url_for("draws.show", code=draw.code),
    )
    if drawn:
        return drawn
    return render_template("engagements/draw_new.html", form=form), (
        400 if form.errors or form.form_errors else 200
    )


@bp.route("/draws")
@allow(anyone)
def lookup():
    form = DrawLookupForm(request.args)
    if "code" in request.args and form.validate():
        draw = draws.draw_by_code(form.code.data)
        if draw is not None:
            return redirect(url_for("draws.show", code=draw.code))
        form.code.errors = [*form.code.errors, _("No draw has this reference.")]
    return render_template("engagements/draw_lookup.html", form=form), (400 if form.errors else 200)


@bp.route("/draws/<code>")
@allow(anyone)
def show(code: str):
    """The draw as stored, and the same draw worked out again from its seed and candidates."""
    draw = draws.draw_by_code(code)
    if draw is None:
        abort(404)
    return render_template(
        "engagements/draw.html",
        draw=draw,
        candidates=list(zip(draw.candidate_codes, queries.draw_candidates(draw), strict=True)),
        rerun=draws.rerun(draw),
        separator=draws.SEPARATOR,
        is_owner=acts_for_enterprise(current_user, draw.enterprise_id),
    )
