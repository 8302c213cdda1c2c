"""Who may do what: one small rule per action, used by route guards, services and templates.

Every endpoint declares its rule with @allow(rule). Requests to an endpoint without a
declared rule are refused (deny by default), and a test walks the URL map so none ships.
"""

import logging
from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user

from registry.accounts.roles import REGULATOR_ROLES, Role

log = logging.getLogger(__name__)

Rule = Callable[[object], bool]
RULE_ATTRIBUTE = "access_rule"


class PermissionDenied(Exception):
    """A service was asked to do something its actor may not do."""


class SystemActor:
    """The actor of flask commands and jobs: trusted, and recorded as "system"."""

    is_authenticated = False
    id = None
    role = "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


# --- rules ---------------------------------------------------------------------------


def anyone(user) -> bool:
    """Public: anyone, signed in or not."""
    return True


def signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def has_role(user, *roles: Role) -> bool:
    return signed_in(user) and user.role in roles


def can_manage_accounts(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_read_audit_log(user) -> bool:
    return has_role(user, Role.ADMIN, *REGULATOR_ROLES)


def is_regulator(user) -> bool:
    """Regulators and reviewers: verify agencies, keep the catalogue, agents and templates."""
    return has_role(user, *REGULATOR_ROLES)


def is_anonymous(user) -> bool:
    """Only visitors who are not signed in (self-registration)."""
    return not signed_in(user)


def is_agency_user(user) -> bool:
    """An agency staff account, linked to its agency or still waiting for the link."""
    return has_role(user, Role.AGENCY)


def is_enterprise_user(user) -> bool:
    return has_role(user, Role.ENTERPRISE)


def acts_for_agency(user, agency) -> bool:
    """The user is staff of exactly this agency."""
    return is_agency_user(user) and agency is not None and user.agency_id == agency.id


def can_see_agency_private(user, agency) -> bool:
    """Private data (certificate scans, drafts, link requests): its own staff and regulators."""
    return acts_for_agency(user, agency) or is_regulator(user)


# --- declaring and enforcing -----------------------------------------------------------


def allow(rule: Rule):
    """Declare who may use a view."""

    def decorate(view):
        setattr(view, RULE_ATTRIBUTE, rule)
        return view

    return decorate


def require(rule: Rule, user) -> None:
    """Raise PermissionDenied unless the rule lets this user act (services call this)."""
    if user is SYSTEM:
        return
    if not rule(user):
        raise PermissionDenied(rule.__name__)


def declare_public_endpoints(app: Flask, *endpoints: str) -> None:
    """Declare endpoints whose views we do not write (static files) as public."""
    app.extensions.setdefault("access_rules", {}).update(dict.fromkeys(endpoints, anyone))


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    declared = app.extensions.get("access_rules", {})
    if endpoint in declared:
        return declared[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, RULE_ATTRIBUTE, None)


def enforce_access_rules():
    """before_request: apply the endpoint's rule; no rule means no access."""
    if request.endpoint is None:  # 404 and 405 are answered by the router
        return None
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        log.error("endpoint %s declares no access rule; refusing", request.endpoint)
        abort(403)
    if rule(current_user):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    abort(403)
