"""Error pages: HTML for people, JSON {"error": {"code", "message"}} under /api/."""

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
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
    413: _l("What you sent is too large. Files may be at most %(limit)s."),
    429: _l("Too many attempts. Please wait a few minutes, then try again."),
    500: _l("Something went wrong on our side. It has been logged; please try again later."),
    503: _l("The service is temporarily unavailable. Please try again later."),
}
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
    413: "too_large",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, code: str | None = None, headers=None):
    """The error as JSON under /api/, else as the HTML error page."""
    if wants_json():
        body = {"error": {"code": code or CODES.get(status, "error"), "message": str(message)}}
        response = jsonify(body)
    else:
        response = render_template(
            "errors/error.html", status=status, title=TITLES.get(status, status), message=message
        )
    return response, status, headers or {}


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
        db.session.rollback()
        return error_response(500, MESSAGES[500], code=CODES[500])

    @app.errorhandler(InternalServerError)
    def internal(error):
        log.exception("internal error on %s", request.path)
        db.session.rollback()
        return error_response(500, MESSAGES[500])
