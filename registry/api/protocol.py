"""How the API speaks HTTP: errors that say what was wrong, parameter parsing, caching."""

from copy import deepcopy

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from registry.db import db
from registry.errors import error_response

PUBLIC_CACHE = "public, max-age=60"
PRIVATE_CACHE = "private, no-store"


class ApiError(HTTPException):
    """An HTTP error whose message says what was wrong with this request."""

    def __init__(self, status: int, message: str):
        super().__init__(description=message)
        self.code = status


def answer_api_error(error: ApiError):
    """errorhandler: the error as {"error": {"code", "message"}} with its own message."""
    db.session.rollback()
    return error_response(error.code, error.description)


def describe_problems(messages: dict) -> str:
    """marshmallow's nested error messages as one sentence per parameter."""
    return " ".join(
        _("%(parameter)s: %(problem)s.", parameter=name, problem=str(problem).rstrip("."))
        for name, problem in _flatten(messages)
    )


def _flatten(messages, name: str | None = None):
    if isinstance(messages, dict):
        for key, nested in messages.items():
            yield from _flatten(nested, str(key))
    elif isinstance(messages, list):
        for problem in messages:
            yield from _flatten(problem, name)
    else:
        yield name, messages


class QueryParser(FlaskParser):
    """webargs' parser, answering a bad parameter with a 400 that names it (not a 422)."""

    DEFAULT_VALIDATION_STATUS = 400  # also what flask-smorest documents

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        # webargs nests the messages under the location ("query"), which says nothing.
        messages = error.messages.get("query", error.messages)
        raise ApiError(400, describe_problems(messages))


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose parameter errors are ours, and whose reads are cached."""

    ARGUMENTS_PARSER = QueryParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.after_request(cache_for_readers)

    @staticmethod
    def conditional(view):
        """Document the conditional GET that cache_for_readers answers.

        flask-smorest's own @etag documents it (ETag, If-None-Match, 304), but answers a
        match by raising, through the error handlers; the flag alone gives its documentation.
        """
        view._apidoc = {**deepcopy(getattr(view, "_apidoc", {})), "etag": True}
        return view


def cache_for_readers(response):
    """after_request: Cache-Control on successful reads; a strong ETag and 304s on bodies.

    Anonymous readers share cached copies for a minute; a signed-in user's copy is never
    stored. A streamed body (CSV) is not read back to hash it.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    response.headers["Cache-Control"] = (
        PRIVATE_CACHE if current_user.is_authenticated else PUBLIC_CACHE
    )
    if not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
    return response
