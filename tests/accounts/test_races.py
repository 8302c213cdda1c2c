"""Two administrators acting on accounts at once: the second is refused with who acted and
when, and the system never loses its last active administrator. On PostgreSQL the acts
overlap; on SQLite they run in turn."""

from registry.accounts import services
from registry.accounts.models import Account
from registry.accounts.permissions import PermissionDenied
from registry.accounts.services import AccountError
from registry.audit.models import AuditEvent
from tests.factories import count
from tests.races import attached, names


def refused_admin(outcomes, winner) -> None:
    """One act succeeded; the other admin, no longer one, was refused: told who acted and
    when, or (SQLite, in turn: read after the first act) stopped at the permission check,
    as their next request would be."""
    assert outcomes.count(None) == 1, outcomes
    (refusal,) = [outcome for outcome in outcomes if outcome is not None]
    if isinstance(refusal, PermissionDenied):
        return
    assert isinstance(refusal, AccountError), outcomes
    names(refusal, winner)


def disabling(actor, target):
    def act():
        admin, account = attached(actor), attached(target)
        yield
        services.set_account_active(admin, account, False)

    return act


def test_two_admins_disabling_each_other_at_once_leave_one_active(make_account, race):
    first, second = make_account("admin", name="管理员甲"), make_account("admin", name="管理员乙")

    outcomes = race(disabling(first, second), disabling(second, first))

    assert count(Account, Account.role == "admin", Account.active.is_(True)) == 1
    refused_admin(outcomes, first if attached(first).active else second)
    assert count(AuditEvent, AuditEvent.action == "account.disabled") == 1


def test_two_admins_demoting_each_other_at_once_leave_one_admin(make_account, race):
    first, second = make_account("admin", name="管理员甲"), make_account("admin", name="管理员乙")

    def demoting(actor, target):
        def act():
            admin, account = attached(actor), attached(target)
            yield
            services.update_account(
                admin, account, display_name=account.display_name, role="regulator"
            )

        return act

    outcomes = race(demoting(first, second), demoting(second, first))

    assert count(Account, Account.role == "admin", Account.active.is_(True)) == 1
    refused_admin(outcomes, first if attached(first).role == "admin" else second)
    assert count(AuditEvent, AuditEvent.action == "account.role_changed") == 1


def test_an_account_disabled_twice_at_once_is_disabled_once(make_account, race):
    first, second = make_account("admin", name="管理员甲"), make_account("admin", name="管理员乙")
    target = make_account("regulator", name="周监管")

    outcomes = race(disabling(first, target), disabling(second, target))

    assert outcomes == [None, None]  # the second finds it done, as it would a moment later
    assert not attached(target).active
    assert count(AuditEvent, AuditEvent.action == "account.disabled") == 1
