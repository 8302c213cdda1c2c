"""Flask-Login wiring: sessions carry the account id and its session version."""

from flask import Flask, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.accounts.models import Account
from registry.db import db
from registry.errors import error_response


def load_account(user_id: str) -> Account | None:
    """The account for a session cookie, unless it was disabled or its sessions were ended."""
    account_id, _, version = user_id.partition(".")
    if not (account_id.isdigit() and version.isdigit()):
        return None
    account = db.session.execute(
        select(Account).where(Account.id == int(account_id))
    ).scalar_one_or_none()
    if account is None or not account.active or account.session_version != int(version):
        return None
    return account


def init_login(app: Flask, login_manager) -> None:
    """Strong session protection, the login page, and JSON 401s under /api/."""
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.needs_refresh_message = _l("Please sign in again to confirm it is you.")
    login_manager.user_loader(load_account)

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return error_response(401, _l("Please sign in to continue."))
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
