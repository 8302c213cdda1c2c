"""The agency registry: create_app() is the one composition root of every package."""

import importlib
import logging

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from registry import config
from registry.config import PROJECT_ROOT
from registry.db import configure_sqlite, discard_lost_connections
from registry.extensions import babel, bootstrap, csrf, db, init_limiter, login_manager, migrate
from registry.security import SecureCookiesOverHttps

log = logging.getLogger(__name__)

# Every package's models, so that metadata (and migrations) always see all tables.
MODEL_MODULES = (
    "registry.accounts.models",
    "registry.audit.models",
    "registry.uploads.models",
    "registry.agencies.models",
    "registry.agents.models",
    "registry.inbox.models",
    "registry.commitments.models",
    "ratings.models",
    "ratings.engagements.models",
    "ratings.complaints.models",
    "ratings.assessments.models",
    "ratings.overrides.models",
    "ratings.results.models",
    "blacklist.models",
    "registry.supervision.models",
    "registry.submissions.models",
)

# What an account with a temporary password may still open.
PASSWORD_CHANGE_EXEMPT = frozenset(
    {
        "auth.change_password",
        "auth.logout",
        "i18n.switch_language",
        "static",
        "bootstrap.static",
        "public.healthz",
    }
)


def create_app(config_overrides: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, errors, commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    configure(app, config_overrides)
    init_extensions(app)
    register_blueprints(app)
    connect_signals(app)
    register_request_hooks(app)
    register_errors(app)
    register_commands(app)
    return app


def configure(app: Flask, overrides: dict | None) -> None:
    """Load configuration and trust exactly the configured number of proxies."""
    config.load(app, overrides)
    log_where_gunicorn_logs()
    app.json.ensure_ascii = False  # Chinese stays readable in JSON (UTF-8 is declared)
    app.wsgi_app = SecureCookiesOverHttps(app.wsgi_app)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


def log_where_gunicorn_logs() -> None:
    """Under gunicorn, the registry's records (a crash's traceback, a database outage) go to
    gunicorn's error log with its own, instead of only to the workers' standard error."""
    gunicorn = logging.getLogger("gunicorn.error")
    root = logging.getLogger()
    if gunicorn.handlers and not root.handlers:
        for handler in gunicorn.handlers:
            root.addHandler(handler)
        root.setLevel(gunicorn.level)


def init_extensions(app: Flask) -> None:
    """Bind the database, migrations, login, CSRF, languages, rate limits and Bootstrap."""
    from registry import i18n
    from registry.accounts.loader import init_login
    from registry.accounts.permissions import (
        can_manage_accounts,
        can_read_audit_log,
        is_agency_user,
        is_enterprise_user,
        is_regulator,
    )
    from registry.agencies.listing import listed_today
    from registry.audit.labels import action_label, object_label
    from registry.security import init_security

    for module in MODEL_MODULES:
        importlib.import_module(module)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(app, db.engine)
        discard_lost_connections(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.install_template_gettext(app)
    i18n.install_cached_formats(app)
    init_limiter(app)
    bootstrap.init_app(app)
    init_login(app, login_manager)
    init_security(app)
    with app.app_context():
        warn_about_text_search()
    app.jinja_env.globals.update(
        can_manage_accounts=can_manage_accounts,
        is_regulator=is_regulator,
        is_agency_user=is_agency_user,
        is_enterprise_user=is_enterprise_user,
        can_read_audit_log=can_read_audit_log,
        listed_today=listed_today,
        action_label=action_label,
        object_label=object_label,
        html_lang=i18n.html_lang,
        current_language=i18n.current_language,
        LANGUAGE_NAMES=i18n.LANGUAGE_NAMES,
    )
    app.jinja_env.add_extension("jinja2.ext.do")


def warn_about_text_search() -> None:
    """Say at startup, in the log, when the database cannot search Chinese names."""
    from sqlalchemy.exc import SQLAlchemyError

    from registry.db import text_search_problem

    if db.engine.dialect.name != "postgresql":
        return
    try:
        with db.engine.connect() as connection:
            problem = text_search_problem(connection)
    except SQLAlchemyError:
        return  # the database is down; /healthz says so
    if problem:
        log.warning("search: %s", problem)


def register_blueprints(app: Flask) -> None:
    """Mount every package's pages; static files are public."""
    from blacklist.views import bp as blacklist
    from ratings.assessments.views import bp as assessments
    from ratings.calendar_views import bp as calendar
    from ratings.complaints.views import bp as complaints
    from ratings.engagements.draw_views import bp as draws
    from ratings.engagements.review_views import bp as reviews
    from ratings.engagements.views import bp as engagements
    from ratings.overrides.views import bp as overrides
    from ratings.public.views import bp as ratings_public
    from ratings.results.views import bp as ratings_results
    from registry import i18n
    from registry.accounts.permissions import declare_public_endpoints
    from registry.accounts.views import admin, auth
    from registry.agencies import views as agency_views
    from registry.agencies.catalogue_views import bp as catalogue
    from registry.agencies.regulator_views import bp as agency_admin
    from registry.agents.views import bp as agents
    from registry.api import init_api
    from registry.audit.views import bp as audit
    from registry.commitments.views import bp as commitments
    from registry.inbox.views import bp as inbox
    from registry.public.views import bp as public
    from registry.statistics.views import bp as statistics
    from registry.supervision.views import bp as supervision

    for blueprint in (
        public,
        auth,
        admin,
        audit,
        i18n.bp,
        catalogue,
        agents,
        calendar,
        inbox,
        agency_views.register,
        agency_views.my_agency,
        agency_views.my_enterprise,
        agency_views.files,
        agency_admin,
        commitments,
        assessments,
        engagements,
        reviews,
        draws,
        complaints,
        overrides,
        ratings_public,
        ratings_results,
        blacklist,
        supervision,
        statistics,
    ):
        app.register_blueprint(blueprint)
    init_api(app)
    declare_public_endpoints(app, "static", "bootstrap.static")


def connect_signals(app: Flask) -> None:
    """Let a higher layer react to a lower one's events (the blacklist's rules, to conclusions)."""
    import blacklist

    blacklist.init_app(app)


def register_request_hooks(app: Flask) -> None:
    """Enforce access rules, and send accounts with a temporary password to change it."""
    from registry.accounts.permissions import enforce_access_rules

    app.before_request(enforce_access_rules)

    @app.before_request
    def require_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_EXEMPT
        ):
            flash(_("Choose a new password before you continue."), "warning")
            return redirect(url_for("auth.change_password"))
        return None


def register_errors(app: Flask) -> None:
    """Error pages and JSON errors."""
    from registry import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    """flask accounts / audit / backup / demo / translations commands, and the blacklist's."""
    from blacklist.cli import blacklist_cli
    from ratings.results.cli import ratings_cli
    from registry.backup import backup_cli
    from registry.cli import register
    from registry.jobs import jobs_cli

    register(app)
    app.cli.add_command(backup_cli)
    app.cli.add_command(blacklist_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(ratings_cli)
    app.extensions["demo_loaders"] = demo_loaders()


def demo_loaders() -> list:
    """`flask demo load`'s steps after the core registry, each after what it builds on."""
    from blacklist import demo as blacklist_demo
    from ratings.assessments import demo as assessments_demo
    from ratings.complaints import demo as complaints_demo
    from ratings.engagements import demo as engagements_demo
    from ratings.overrides import demo as overrides_demo
    from ratings.results import demo as results_demo
    from registry.commitments import demo as commitments_demo
    from registry.supervision import demo as supervision_demo

    return [
        commitments_demo.load,
        engagements_demo.load,
        complaints_demo.load,
        assessments_demo.load,
        blacklist_demo.load,
        overrides_demo.load,  # before the ratings: the approved one counts
        results_demo.load,  # last: rates every agency on all the evidence above
        supervision_demo.load,  # escalates the overdue work above; evaluates regulators
    ]
