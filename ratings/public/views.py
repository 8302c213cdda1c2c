"""Public rating pages: the methodology (with examples the engine computes) and the red list."""

from flask import Blueprint, current_app, render_template, request
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import Optional

from ratings.complaints.models import Severity
from ratings.method import SEVERITIES
from ratings.public.methodology import examples
from ratings.public.red_list import red_list_since, red_listed
from ratings.results.configured import current_method
from ratings.results.queries import latest_run
from registry.accounts.permissions import allow, anyone
from registry.dates import local_today
from registry.db import db

bp = Blueprint("ratings_public", __name__)


class PageForm(FlaskForm):
    class Meta:
        csrf = False

    page = IntegerField(validators=[Optional()])


@bp.route("/methodology")
@allow(anyone)
def methodology():
    """How stars are computed, every number read from the method in force."""
    method = current_method()
    typical, uncommitted = examples(method)
    return render_template(
        "ratings/methodology.html",
        method=method,
        severities=SEVERITIES,
        severity_labels={severity: Severity(severity).label for severity in SEVERITIES},
        typical=typical,
        uncommitted=uncommitted,
        override_months=current_app.config["RATING_OVERRIDE_MAX_MONTHS"],
        red_list_months=current_app.config["RED_LIST_MONTHS"],
        run=latest_run(),
    )


@bp.route("/red-list")
@allow(anyone)
def red_list():
    """Agencies at ★5 throughout the last months, without a substantiated complaint."""
    form = PageForm(request.args)
    if not form.validate():
        return render_template("ratings/red_list.html", page=None, form=form), 400
    today = local_today()
    months = current_app.config["RED_LIST_MONTHS"]
    page = db.paginate(
        red_listed(today, months), per_page=current_app.config["PAGE_SIZE"], error_out=False
    )
    return render_template(
        "ratings/red_list.html",
        page=page,
        form=form,
        today=today,
        months=months,
        since=red_list_since(today, months),
    )
