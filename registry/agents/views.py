"""Town and village agents: kept by regulators, listed publicly by town."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.accounts.forms import ConfirmForm
from registry.accounts.permissions import allow, anyone, is_regulator
from registry.actions import created_once
from registry.agents import services
from registry.agents.forms import (
    AgentFilterForm,
    AgentForm,
    DirectoryFilterForm,
    NewAgentForm,
    TrainingForm,
)
from registry.agents.models import TownAgent, TrainingRecord
from registry.agents.queries import (
    agents_for_regulators,
    grouped_by_town,
    public_directory,
    training_current,
    with_current_training,
)
from registry.db import db

bp = Blueprint("agents", __name__)


@bp.route("/agents")
@allow(anyone)
def directory():
    filters = DirectoryFilterForm(request.args)
    if not filters.validate():
        return render_template("agents/directory.html", filters=filters, page=None), 400
    page = _paginate(public_directory(filters.town.data or None))
    return render_template(
        "agents/directory.html",
        filters=filters,
        page=page,
        towns=grouped_by_town(page.items),
        trained=with_current_training(page.items),
    )


@bp.route("/regulator/agents")
@allow(is_regulator)
def index():
    filters = AgentFilterForm(request.args)
    if not filters.validate():
        return render_template("agents/index.html", filters=filters, page=None), 400
    page = _paginate(agents_for_regulators(**filters.criteria()))
    return render_template(
        "agents/index.html",
        filters=filters,
        page=page,
        trained=with_current_training(page.items),
    )


@bp.route("/regulator/agents/new", methods=["GET", "POST"])
@allow(is_regulator)
def create():
    form = NewAgentForm()
    added = created_once(
        form,
        lambda: services.create_agent(current_user, form.details()),
        refusal=services.AgentError,
        done=lambda agent: _("Agent %(name)s added.", name=agent.name),
        then=lambda agent: url_for("agents.show", agent_id=agent.id),
    )
    return added or render_template("agents/edit.html", form=form, agent=None)


@bp.route("/regulator/agents/<int:agent_id>")
@allow(is_regulator)
def show(agent_id: int):
    return _show_page(_agent_or_404(agent_id), TrainingForm())


@bp.route("/regulator/agents/<int:agent_id>/edit", methods=["GET", "POST"])
@allow(is_regulator)
def edit(agent_id: int):
    agent = _agent_or_404(agent_id)
    form = AgentForm(obj=agent)
    if form.validate_on_submit():
        try:
            services.update_agent(current_user, agent, form.details())
        except services.AgentError as error:
            form.show_refusal(error)
        else:
            db.session.commit()
            flash(_("Agent %(name)s saved.", name=agent.name), "success")
            return redirect(url_for("agents.show", agent_id=agent.id))
    return render_template("agents/edit.html", form=form, agent=agent)


@bp.route("/regulator/agents/<int:agent_id>/deactivate", methods=["GET", "POST"])
@allow(is_regulator)
def deactivate(agent_id: int):
    return _confirm_active(_agent_or_404(agent_id), active=False)


@bp.route("/regulator/agents/<int:agent_id>/reactivate", methods=["GET", "POST"])
@allow(is_regulator)
def reactivate(agent_id: int):
    return _confirm_active(_agent_or_404(agent_id), active=True)


@bp.route("/regulator/agents/<int:agent_id>/trainings", methods=["POST"])
@allow(is_regulator)
def add_training(agent_id: int):
    agent = _agent_or_404(agent_id)
    form = TrainingForm()
    added = created_once(
        form,
        lambda: services.add_training(current_user, agent, form.details()),
        refusal=services.AgentError,
        done=_("Training recorded for %(name)s.", name=agent.name),
        then=url_for("agents.show", agent_id=agent.id),
    )
    return added or _show_page(agent, form)


@bp.route(
    "/regulator/agents/<int:agent_id>/trainings/<int:training_id>/remove", methods=["GET", "POST"]
)
@allow(is_regulator)
def remove_training(agent_id: int, training_id: int):
    training = db.get_or_404(TrainingRecord, training_id)
    if training.agent_id != agent_id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_training(current_user, training)
        except services.AgentError as error:
            db.session.rollback()
            flash(str(error), "warning")
        else:
            db.session.commit()
            flash(_("Training record removed."), "success")
        return redirect(url_for("agents.show", agent_id=agent_id))
    return render_template("agents/confirm_remove_training.html", training=training, form=form)


def _confirm_active(agent: TownAgent, *, active: bool):
    """GET asks for confirmation; a confirmed POST changes the agent's state."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("agents/confirm_active.html", agent=agent, active=active, form=form)
    try:
        services.set_agent_active(current_user, agent, active)
    except services.AgentError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        if active:
            flash(_("%(name)s is listed in the directory again.", name=agent.name), "success")
        else:
            flash(_("%(name)s is no longer listed in the directory.", name=agent.name), "success")
    return redirect(url_for("agents.show", agent_id=agent.id))


def _show_page(agent: TownAgent, training_form: TrainingForm):
    return render_template(
        "agents/show.html",
        agent=agent,
        form=training_form,
        training_current=training_current(agent),
    )


def _paginate(query):
    return db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)


def _agent_or_404(agent_id: int) -> TownAgent:
    return db.get_or_404(TownAgent, agent_id)
