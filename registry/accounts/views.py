"""Signing in and out, one's own password, and the administrators' account pages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import or_, select

from registry.accounts import services
from registry.accounts.forms import (
    AccountFilterForm,
    AccountForm,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    NewAccountForm,
    ResetPasswordForm,
)
from registry.accounts.models import Account
from registry.accounts.permissions import allow, anyone, can_manage_accounts, signed_in
from registry.actions import created_once
from registry.db import LIKE_ESCAPE, contains_pattern, db
from registry.extensions import limiter
from registry.security import safe_next

auth = Blueprint("auth", __name__)
admin = Blueprint("accounts", __name__, url_prefix="/admin/accounts")


def _login_email_key() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))[:254]


def _login_failed(_response) -> bool:
    return bool(g.get("login_failed"))


@auth.route("/login", methods=["GET", "POST"])
@allow(anyone)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_login_email_key,
    methods=["POST"],
    deduct_when=_login_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_login_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("public.workspace"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if outcome.account is not None:
            login_user(outcome.account, remember=form.remember.data)
            flash(_("Signed in. Welcome, %(name)s.", name=outcome.account.display_name), "success")
            if outcome.account.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")) or url_for("public.workspace"))
        g.login_failed = True
        flash(outcome.error, "danger")
    return render_template(
        "accounts/login.html", form=form, demo=current_app.config["DEMO_MODE"]
    ), (401 if g.get("login_failed") else 200)


@auth.route("/logout", methods=["POST"])
@allow(signed_in)
def logout():
    services.record_logout(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@auth.route("/account/password", methods=["GET", "POST"])
@allow(signed_in)
def change_password():
    account = current_user._get_current_object()
    form = ChangePasswordForm(account)
    if form.validate_on_submit():
        try:
            services.change_password(
                account, current=form.current_password.data, new=form.new_password.data
            )
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
            login_user(account, remember=remembered)
            flash(_("Your password is changed. Other sessions are signed out."), "success")
            return redirect(url_for("public.workspace"))
    return render_template("accounts/change_password.html", form=form)


@admin.route("/")
@allow(can_manage_accounts)
def index():
    filters = AccountFilterForm(request.args)
    query = select(Account).order_by(Account.email)
    if filters.validate():
        if filters.q.data:
            pattern = contains_pattern(filters.q.data.strip().lower())
            query = query.where(
                or_(
                    Account.email.like(pattern, escape=LIKE_ESCAPE),
                    Account.display_name.ilike(pattern, escape=LIKE_ESCAPE),
                )
            )
        if filters.role.data:
            query = query.where(Account.role == filters.role.data)
    page = db.paginate(query, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("accounts/index.html", page=page, filters=filters)


@admin.route("/new", methods=["GET", "POST"])
@allow(can_manage_accounts)
def create():
    form = NewAccountForm()
    created = created_once(
        form,
        lambda: services.create_account(
            current_user,
            email=form.email.data,
            display_name=form.display_name.data,
            role=form.role.data,
            password=form.new_password.data,
        ),
        refusal=services.AccountError,
        done=lambda account: _(
            "Account %(email)s created. Give the holder the temporary password; "
            "they must change it when they first sign in.",
            email=account.email,
        ),
        then=lambda account: url_for("accounts.edit", account_id=account.id),
    )
    return created or render_template("accounts/new.html", form=form)


@admin.route("/<int:account_id>", methods=["GET", "POST"])
@allow(can_manage_accounts)
def edit(account_id: int):
    account = _account_or_404(account_id)
    form = AccountForm(obj=account)
    if form.validate_on_submit():
        try:
            services.update_account(
                current_user, account, display_name=form.display_name.data, role=form.role.data
            )
        except services.AccountError as error:
            form.role.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Account %(email)s saved.", email=account.email), "success")
            return redirect(url_for("accounts.edit", account_id=account.id))
    return render_template("accounts/edit.html", account=account, form=form, confirm=ConfirmForm())


@admin.route("/<int:account_id>/disable", methods=["GET", "POST"])
@allow(can_manage_accounts)
def disable(account_id: int):
    account = _account_or_404(account_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        return _set_active(account, False)
    return render_template("accounts/confirm_disable.html", account=account, form=form)


@admin.route("/<int:account_id>/enable", methods=["POST"])
@allow(can_manage_accounts)
def enable(account_id: int):
    account = _account_or_404(account_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _set_active(account, True)


@admin.route("/<int:account_id>/password", methods=["GET", "POST"])
@allow(can_manage_accounts)
def reset_password(account_id: int):
    account = _account_or_404(account_id)
    form = ResetPasswordForm(account)
    if form.validate_on_submit():
        try:
            services.reset_password(current_user, account, password=form.new_password.data)
        except services.AccountError as error:
            form.new_password.errors.append(str(error))
            return render_template("accounts/reset_password.html", account=account, form=form)
        db.session.commit()
        flash(
            _(
                "Temporary password set for %(email)s; they must change it when they next sign in.",
                email=account.email,
            ),
            "success",
        )
        return redirect(url_for("accounts.edit", account_id=account.id))
    return render_template("accounts/reset_password.html", account=account, form=form)


def _set_active(account: Account, active: bool):
    try:
        services.set_account_active(current_user, account, active)
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        if active:
            flash(_("Account %(email)s enabled.", email=account.email), "success")
        else:
            flash(_("Account %(email)s disabled and signed out.", email=account.email), "success")
    return redirect(url_for("accounts.edit", account_id=account.id))


def _account_or_404(account_id: int) -> Account:
    return db.get_or_404(Account, account_id)
