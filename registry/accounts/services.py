"""Account actions. Each checks its actor's permission, writes the audit event, and leaves
the commit to the caller."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.models import Account
from registry.accounts.passwords import password_problem
from registry.accounts.permissions import can_manage_accounts, require
from registry.accounts.roles import Role
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.db import ROW_LOCK, db, lock_rows, reading_only, take_write_turn, utcnow

# Compared against when the email is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class AccountError(ValueError):
    """A refused account action; the message is for the user, in their language."""


@dataclass
class LoginOutcome:
    account: Account | None
    error: str | None = None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_account(email: str) -> Account | None:
    return db.session.execute(
        select(Account).where(Account.email == normalise_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> LoginOutcome:
    """Check a login attempt and record it, whatever its outcome.

    The password is checked before the write begins: a hash takes a tenth of a second on
    purpose, and on SQLite a write transaction holds the whole database, so people signing
    in at once would each wait for all the others' hashes. The check reads in a transaction
    of its own; the outcome is then recorded on the account as it stands when the write
    begins (a password changed in between counts as wrong).
    """
    email = normalise_email(email)
    if db.session().in_transaction():  # already writing: check in place
        matches, checked_hash = _password_matches(email, password)
    else:
        with reading_only():
            matches, checked_hash = _password_matches(email, password)
        db.session.rollback()  # ends the read; nothing was written
    account = find_account(email)
    if account is None:
        record("account.login_failed", details={"email": email[:254], "reason": "unknown_email"})
        return LoginOutcome(None, _("The email or password is incorrect."))
    if not matches or account.password_hash != checked_hash:
        record("account.login_failed", obj=account, details={"reason": "wrong_password"})
        return LoginOutcome(None, _("The email or password is incorrect."))
    if not account.active:
        record("account.login_failed", obj=account, details={"reason": "disabled"})
        return LoginOutcome(None, _("This account is disabled. Ask an administrator to enable it."))
    account.previous_login_at, account.last_login_at = account.last_login_at, utcnow()
    record("account.login", actor=account, obj=account)
    return LoginOutcome(account)


def _password_matches(email: str, password: str) -> tuple[bool, str | None]:
    """Whether the password is the account's, and the hash it was checked against (an
    unknown email is checked against a dummy, so a miss takes as long as a wrong password)."""
    account = find_account(email)
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        return False, None
    return account.check_password(password), account.password_hash


def record_logout(account: Account) -> None:
    record("account.logout", actor=account, obj=account)


def create_account(
    actor,
    *,
    email: str,
    display_name: str,
    role: Role | str,
    password: str,
    must_change_password: bool = True,
) -> Account:
    """Create an account; an admin (or the system) only."""
    require(can_manage_accounts, actor)
    email = normalise_email(email)
    role = _known_role(role)
    if find_account(email) is not None:
        raise AccountError(_("An account with this email already exists."))
    problem = password_problem(password, email=email)
    if problem:
        raise AccountError(problem)
    account = Account(
        email=email,
        display_name=display_name.strip(),
        role=role.value,
        must_change_password=must_change_password,
    )
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    record(
        "account.created",
        actor=actor,
        obj=account,
        details={"email": email, "role": role.value, "display_name": account.display_name},
    )
    return account


SELF_REGISTERED_ROLES = frozenset({Role.AGENCY, Role.ENTERPRISE, Role.PUBLIC})


def register_account(*, email: str, display_name: str, role: Role, password: str) -> Account:
    """Someone signs themselves up as agency staff, an enterprise user or a member of the public."""
    if role not in SELF_REGISTERED_ROLES:
        raise AccountError(
            _("Only agencies, enterprises and members of the public can register themselves.")
        )
    email = normalise_email(email)
    if find_account(email) is not None:
        raise AccountError(_("An account with this email already exists."))
    problem = password_problem(password, email=email)
    if problem:
        raise AccountError(problem)
    account = Account(email=email, display_name=display_name.strip(), role=role.value)
    account.set_password(password)
    db.session.add(account)
    db.session.flush()
    record(
        "account.registered",
        actor=account,
        obj=account,
        details={"email": email, "role": role.value},
    )
    return account


def change_password(account: Account, *, current: str, new: str) -> None:
    """The account holder changes their password; every other session of theirs ends."""
    if not account.check_password(current):
        raise AccountError(_("The current password is incorrect."))
    if current == new:
        raise AccountError(_("The new password must differ from the current one."))
    _replace_password(account, new, temporary=False)
    record("account.password_changed", actor=account, obj=account)


def update_account(actor, account: Account, *, display_name: str, role: Role | str) -> None:
    """An admin renames an account or changes its role."""
    require(can_manage_accounts, actor)
    role = _known_role(role)
    _lock_for_admin_change(actor, account)
    if role.value != account.role:
        _refuse_losing_last_admin(actor, account, becoming=role)
        record(
            "account.role_changed",
            actor=actor,
            obj=account,
            details={"from": account.role, "to": role.value},
        )
        account.role = role.value
        account.end_other_sessions()
    display_name = display_name.strip()
    if display_name != account.display_name:
        record(
            "account.renamed",
            actor=actor,
            obj=account,
            details={"from": account.display_name, "to": display_name},
        )
        account.display_name = display_name


def set_account_active(actor, account: Account, active: bool) -> None:
    """An admin disables an account (signing it out everywhere) or enables it again."""
    require(can_manage_accounts, actor)
    _lock_for_admin_change(actor, account)
    if account.active == active:
        return
    if not active:
        if getattr(actor, "id", None) == account.id:
            raise AccountError(_("You cannot disable your own account."))
        _refuse_losing_last_admin(actor, account, becoming=None)
        account.end_other_sessions()
    account.active = active
    record("account.enabled" if active else "account.disabled", actor=actor, obj=account)


def reset_password(actor, account: Account, *, password: str) -> None:
    """An admin sets a temporary password; the holder must change it at the next login."""
    require(can_manage_accounts, actor)
    _lock_for_admin_change(actor, account)
    _replace_password(account, password, temporary=True)
    record("account.password_reset", actor=actor, obj=account)


def _replace_password(account: Account, password: str, *, temporary: bool) -> None:
    """Set a password that passes the policy; every session of the account ends."""
    problem = password_problem(password, email=account.email)
    if problem:
        raise AccountError(problem)
    account.set_password(password)
    account.must_change_password = temporary
    account.end_other_sessions()


def lock_account(account) -> Account:
    """The account's row (also behind current_user's proxy), read afresh and held until the
    transaction ends (registry.db.lock's way): the parent of what one account may hold only
    once."""
    take_write_turn()
    return db.session.get(Account, account.id, with_for_update=ROW_LOCK, populate_existing=True)


def _lock_for_admin_change(actor, account: Account) -> None:
    """Hold the account and, when it is an administrator, every active administrator (in
    one order, so two admins acting on each other wait instead of deadlocking); then refuse
    an actor whom another admin disabled or demoted meanwhile. Of two admins disabling or
    demoting each other at once, the second is told who acted and when."""
    if account.role == Role.ADMIN:
        lock_rows(
            select(Account)
            .where(Account.role == Role.ADMIN.value, Account.active.is_(True))
            .order_by(Account.id)
        ).all()
    lock_account(account)
    if getattr(actor, "id", None) is None:
        return  # the system
    acting = db.session.get(Account, actor.id, populate_existing=True)
    if not (acting.active and acting.role == Role.ADMIN):
        raise AccountError(
            with_last_change(_("Your account can no longer manage accounts."), acting)
        )


def _known_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(_("Unknown role: %(role)s", role=role)) from None


def _refuse_losing_last_admin(actor, account: Account, *, becoming: Role | None) -> None:
    """Never leave the system without an active administrator, nor demote oneself."""
    if account.role != Role.ADMIN or becoming == Role.ADMIN:
        return
    if getattr(actor, "id", None) == account.id:
        raise AccountError(_("You cannot remove your own administrator role."))
    active_admins = db.session.execute(
        select(func.count()).where(Account.role == Role.ADMIN.value, Account.active.is_(True))
    ).scalar_one()
    if account.active and active_admins <= 1:
        raise AccountError(_("At least one active administrator must remain."))
