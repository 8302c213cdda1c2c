"""Error pages: HTML for people, JSON {"error": {"code", "message"}} under /api/.

Two last resorts for the database: when it cannot be reached (or may not be written), a 503
page that needs nothing from it, with Retry-After; when two people's writes collide on a
unique or foreign key that no service checked first, a 409 asking to reload and check.
"""

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from registry.accounts.permissions import PermissionDenied
from registry.db import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood. Check what you entered and try again."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have permission to do this."),
    404: _l("This page does not exist, or is no longer available."),
    405: _l("This page cannot be used that way."),
    409: _l("Someone else changed this at the same moment; reload the page and check."),
    413: _l("What you sent is too large. Files may be at most %(limit)s."),
    429: _l("Too many attempts. Please wait a few minutes, then try again."),
    500: _l("Something went wrong on our side. It has been logged; please try again later."),
    503: _l("The service is temporarily unavailable. Please try again later."),
}
DATABASE_UNAVAILABLE_MESSAGE = _l(
    "The registry's database is not available at the moment. Please try again in a few "
    "minutes. If you were saving something, check afterwards whether it was saved."
)
CSRF_MESSAGE = _l(
    "The form expired or did not come from this site. Go back, reload the page and "
    "submit it again; what you typed is still in the form."
)
TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in required"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    429: _l("Too many requests"),
    500: _l("Server error"),
    503: _l("Unavailable"),
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int,
    message: str,
    code: str | None = None,
    headers=None,
    template: str = "errors/error.html",
):
    """The error as JSON under /api/, else as the HTML error page."""
    if wants_json():
        body = {"error": {"code": code or CODES.get(status, "error"), "message": str(message)}}
        response = jsonify(body)
    else:
        response = render_template(
            template, status=status, title=TITLES.get(status, status), message=message
        )
    return response, status, headers or {}


# Driver errors of a database that is away, read-only or full, rather than of a query.
UNAVAILABLE_ERRORS = (OperationalError, PoolTimeout)
# A unique or foreign key refused a write: SQLite's extended codes, PostgreSQL's SQLSTATEs.
CONFLICT_SQLITE = frozenset(
    {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_FOREIGNKEY"}
)
CONFLICT_SQLSTATES = frozenset({"23505", "23503", "23P01"})
# PostgreSQL gave up one of two transactions waiting on each other (a deadlock, or a
# serialisation failure): nothing was written, and trying again will work.
RETRY_SQLSTATES = frozenset({"40P01", "40001"})


def database_unavailable(error: SQLAlchemyError) -> bool:
    """Whether the error says the database cannot be used now, not that a query was wrong."""
    if isinstance(error, UNAVAILABLE_ERRORS):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def conflicting_write(error: SQLAlchemyError) -> bool:
    """Whether the write collided with another made at the same moment: a unique or foreign
    key refused it, or PostgreSQL ended one of two transactions waiting on each other; as
    opposed to a NOT NULL or CHECK constraint, which only a bug breaks."""
    if isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in RETRY_SQLSTATES:
        return True
    if not isinstance(error, IntegrityError):
        return False
    original = error.orig
    sqlite_name = getattr(original, "sqlite_errorname", None)
    if sqlite_name:
        return sqlite_name in CONFLICT_SQLITE
    return getattr(original, "sqlstate", None) in CONFLICT_SQLSTATES


def _roll_back() -> None:
    """End the failed transaction; on a lost connection even that may fail."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback failed after a database error", exc_info=True)
        db.session.close()


def _not_stored(response):
    """Neither a browser nor a proxy keeps an answer that says "try again"."""
    body, status, headers = response
    return body, status, {**dict(headers), "Cache-Control": "no-store"}


def _message_for(status: int, app_config) -> str:
    if status == 413:
        megabytes = app_config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return MESSAGES[413] % {"limit": f"{megabytes} MB"}
    return MESSAGES.get(status, MESSAGES[500])


def register(app: Flask) -> None:
    """Install the handlers for HTTP errors, CSRF failures, refused permissions and crashes."""

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        db.session.rollback()
        return error_response(400, CSRF_MESSAGE, code="csrf_failed")

    @app.errorhandler(PermissionDenied)
    def permission_denied(error):
        db.session.rollback()
        return error_response(403, MESSAGES[403])

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        status = error.code or 500
        if status >= 500:
            log.error("HTTP %s on %s", status, request.path)
        headers = [h for h in error.get_headers() if h[0].lower() != "content-type"]
        return error_response(status, _message_for(status, app.config), headers=headers)

    @app.errorhandler(Exception)
    def crashed(error):
        log.exception("unhandled error on %s", request.path)
        _roll_back()
        return error_response(500, MESSAGES[500], code=CODES[500])

    @app.errorhandler(SQLAlchemyError)
    def database_error(error):
        if conflicting_write(error):
            log.warning("conflicting write on %s %s: %s", request.method, request.path, error.orig)
            _roll_back()
            return _not_stored(error_response(409, MESSAGES[409]))
        if database_unavailable(error):
            log.error("database unavailable on %s %s: %s", request.method, request.path, error)
            _roll_back()
            # Every template asks Flask-Login for the account, which would read the database
            # again: this page is rendered as for a visitor. The session itself is untouched.
            g._login_user = current_app.login_manager.anonymous_user()
            retry_after = str(current_app.config["UNAVAILABLE_RETRY_AFTER_SECONDS"])
            return _not_stored(
                error_response(
                    503,
                    DATABASE_UNAVAILABLE_MESSAGE,
                    headers={"Retry-After": retry_after},
                    template="errors/unavailable.html",
                )
            )
        return crashed(error)

    @app.errorhandler(InternalServerError)
    def internal(error):
        log.exception("internal error on %s", request.path)
        db.session.rollback()
        return error_response(500, MESSAGES[500])
