"""The service catalogue: kept by regulators, read by everyone."""

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

from registry.accounts.forms import ConfirmForm
from registry.accounts.permissions import allow, anyone, is_regulator
from registry.actions import created_once
from registry.agencies.catalogue import (
    CatalogueError,
    catalogue_query,
    create_service_item,
    listed_lines,
    offers_in_force,
    reinstate_service_item,
    retire_service_item,
    service_item_by_code,
    set_fee_cap,
    update_service_item,
)
from registry.agencies.catalogue_forms import (
    CatalogueFilterForm,
    FeeCapForm,
    NewServiceItemForm,
    PublicCatalogueFilterForm,
    RetireForm,
    ServiceItemForm,
)
from registry.agencies.models import ServiceItem
from registry.dates import local_today
from registry.db import db

bp = Blueprint("catalogue", __name__)


# --- public ----------------------------------------------------------------------------


@bp.route("/services")
@allow(anyone)
def index():
    filters = PublicCatalogueFilterForm(request.args)
    query = catalogue_query(include_retired=bool(filters.retired.data), **filters.criteria())
    return render_template(
        "catalogue/index.html", page=_paginate(query), filters=filters, today=local_today()
    )


@bp.route("/services/<code>")
@allow(anyone)
def show(code: str):
    item = _item_or_404(code)
    today = local_today()
    return render_template(
        "catalogue/show.html",
        item=item,
        today=today,
        cap=item.cap_in_force_on(today),
        offers=offers_in_force(item, today),
        conditions=listed_lines(item.acceptance_conditions),
        materials=listed_lines(item.materials),
        steps=listed_lines(item.procedure),
        can_edit=is_regulator(current_user),
    )


# --- regulators ------------------------------------------------------------------------


@bp.route("/regulator/catalogue")
@allow(is_regulator)
def manage():
    filters = CatalogueFilterForm(request.args)
    query = catalogue_query(include_retired=True, **filters.criteria())
    return render_template(
        "catalogue/manage.html", page=_paginate(query), filters=filters, today=local_today()
    )


@bp.route("/regulator/catalogue/new", methods=["GET", "POST"])
@allow(is_regulator)
def create():
    form = NewServiceItemForm()
    created = created_once(
        form,
        lambda: create_service_item(
            current_user, form.code.data, form.details(), form.cap_details()
        ),
        refusal=CatalogueError,
        done=lambda item: _("Service item %(code)s created.", code=item.code),
        then=lambda item: url_for("catalogue.edit", code=item.code),
    )
    return created or render_template("catalogue/new.html", form=form)


@bp.route("/regulator/catalogue/<code>/edit", methods=["GET", "POST"])
@allow(is_regulator)
def edit(code: str):
    item = _item_or_404(code)
    form = ServiceItemForm(obj=item)
    if form.validate_on_submit():
        try:
            update_service_item(current_user, item, form.details(), form.cap_details())
        except CatalogueError as error:
            db.session.rollback()
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(_("Service item %(code)s saved.", code=item.code), "success")
            return redirect(url_for("catalogue.edit", code=item.code))
    today = local_today()
    return render_template(
        "catalogue/edit.html", item=item, form=form, today=today, cap=item.cap_in_force_on(today)
    )


@bp.route("/regulator/catalogue/<code>/cap", methods=["GET", "POST"])
@allow(is_regulator)
def set_cap(code: str):
    item = _item_or_404(code)
    form = FeeCapForm()
    saved = created_once(
        form,
        lambda: set_fee_cap(current_user, item, form.cap_details()),
        refusal=CatalogueError,
        done=_("New fee cap for %(code)s saved.", code=item.code),
        then=url_for("catalogue.edit", code=item.code),
    )
    return saved or render_template(
        "catalogue/set_cap.html", item=item, form=form, today=local_today()
    )


@bp.route("/regulator/catalogue/<code>/retire", methods=["GET", "POST"])
@allow(is_regulator)
def retire(code: str):
    item = _item_or_404(code)
    form = RetireForm()
    if form.validate_on_submit():
        try:
            retire_service_item(current_user, item, form.retired_on.data)
        except CatalogueError as error:
            db.session.rollback()
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(_("Service item %(code)s retired.", code=item.code), "success")
            return redirect(url_for("catalogue.edit", code=item.code))
    return render_template("catalogue/confirm_retire.html", item=item, form=form)


@bp.route("/regulator/catalogue/<code>/reinstate", methods=["GET", "POST"])
@allow(is_regulator)
def reinstate(code: str):
    item = _item_or_404(code)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            reinstate_service_item(current_user, item)
        except CatalogueError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Service item %(code)s is back in the catalogue.", code=item.code), "success")
        return redirect(url_for("catalogue.edit", code=item.code))
    return render_template("catalogue/confirm_reinstate.html", item=item, form=form)


def _item_or_404(code: str) -> ServiceItem:
    item = service_item_by_code(code)
    if item is None:
        abort(404)
    return item


def _paginate(query):
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
