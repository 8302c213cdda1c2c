"""Claiming a form's one-time token before what it creates, remembering what that was, and
forgetting old tokens."""

import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from registry.audit.labels import describe
from registry.audit.services import object_type_of, record
from registry.db import db, utcnow
from registry.submissions.models import FormSubmission

TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")

NOT_VALID = _l(
    "This form's one-time code is missing or not valid, so nothing was saved. Check what "
    "you entered and submit it again."
)
ANOTHER_ACCOUNT = _l(
    "This form was opened by another account, so nothing was saved. Check what you "
    "entered and submit it again."
)

describe(actions={"form_submission.purged": _l("Old one-time form codes deleted")})


class TokenRefused(Exception):
    """The token cannot be used here: missing, malformed, another account's or another form's."""


class AlreadySubmitted(Exception):
    """This account already sent this token: `submission` says what it created."""

    def __init__(self, submission: FormSubmission):
        super().__init__(submission.token)
        self.submission = submission


def new_token() -> str:
    """A fresh token, for a form shown for the first time (32 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def claim(account, token: str | None, endpoint: str) -> FormSubmission:
    """Record the token's first use, before anything is created, in the caller's transaction.

    - a new token: its row, to be completed by `record_result` and committed with what the
      form creates (either both exist or neither);
    - a token this account already sent to this page, committed or being committed at this
      moment: AlreadySubmitted (the second insert waits for the first transaction: on
      PostgreSQL the unique index holds it until the first commits or rolls back; SQLite
      writes one transaction at a time);
    - missing, malformed, or sent by another account (or to another page): TokenRefused.
    """
    if not _well_formed(token):
        raise TokenRefused(str(NOT_VALID))
    account_id = _id_of(account)
    submission = FormSubmission(token=token, account_id=account_id, endpoint=endpoint)
    try:
        with db.session.begin_nested():
            db.session.add(submission)
    except IntegrityError:
        first = db.session.execute(
            select(FormSubmission).where(FormSubmission.token == token)
        ).scalar_one()
        if first.account_id != account_id:
            raise TokenRefused(str(ANOTHER_ACCOUNT)) from None
        if first.endpoint != endpoint:
            raise TokenRefused(str(NOT_VALID)) from None
        raise AlreadySubmitted(first) from None
    return submission


def earlier_submission(account, token: str | None, endpoint: str) -> FormSubmission | None:
    """This account's committed submission of the token to this page, if any (for a step
    that comes before the creating one, such as a confirmation page)."""
    if not _well_formed(token):
        return None
    return db.session.execute(
        select(FormSubmission).where(
            FormSubmission.token == token,
            FormSubmission.account_id.is_not_distinct_from(_id_of(account)),
            FormSubmission.endpoint == endpoint,
        )
    ).scalar_one_or_none()


def record_result(submission: FormSubmission, created, url: str) -> None:
    """Note what the submission created (a row, or None) and the address that shows it."""
    if created is not None:
        submission.object_type = object_type_of(created)
        submission.object_id = str(created.id)
    submission.url = url
    db.session.flush()


def purge_submissions() -> int:
    """Delete the tokens older than FORM_SUBMISSION_KEEP_DAYS (a replay comes within minutes;
    a form's CSRF token expires much sooner than that); how many went. Audited when any did;
    the caller commits (meant for a step of `flask jobs daily`)."""
    days = current_app.config["FORM_SUBMISSION_KEEP_DAYS"]
    before = utcnow() - timedelta(days=days)
    deleted = db.session.execute(
        delete(FormSubmission).where(FormSubmission.created_at < before)
    ).rowcount
    if deleted:
        record(
            "form_submission.purged",
            details={"deleted": deleted, "created_before": before.isoformat(timespec="seconds")},
        )
    return deleted


def _well_formed(token) -> bool:
    return isinstance(token, str) and TOKEN_PATTERN.fullmatch(token) is not None


def _id_of(account) -> int | None:
    """The signed-in account's id; None before anyone signs in (a registration)."""
    return account.id if getattr(account, "is_authenticated", False) else None
