"""The one shape of a page's write: a confirmed form runs one service call, then commits
and moves on, or rolls back and shows the refusal on the form, nothing half-written. A form
that creates something does it once per one-time token (created_once)."""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from registry.db import db
from registry.submissions import services as submissions


def confirmed_action(
    form: FlaskForm,
    act: Callable[[], Any],
    *,
    refusal: type[Exception],
    done: str,
    then: str | Callable[[Any], str],
    on_refusal: Callable[[Exception], None] | None = None,
) -> Response | None:
    """Run `act` when the form is submitted and valid.

    - `act` succeeds: commit, flash `done` and return the redirect to `then` (a URL, or a
      function of what `act` returned, for a row it created);
    - `act` raises `refusal`: roll back, call `on_refusal` (e.g. to count a wrong password),
      show the refusal on the form (its `show_refusal`) and return None;
    - the form was not submitted or is invalid: return None.
    On None the view renders the form again (with a 400 when it has errors).
    """
    if not form.validate_on_submit():
        return None
    try:
        result = act()
    except refusal as error:
        _refused(form, error, on_refusal)
        return None
    db.session.commit()
    flash(done, "success")
    return redirect(then(result) if callable(then) else then)


def created_once(
    form: FlaskForm,
    act: Callable[[], Any],
    *,
    refusal: type[Exception] | tuple[type[Exception], ...],
    done: str | Callable[[Any], str] | None,
    then: str | Callable[[Any], str],
    created: Callable[[Any], Any] | None = None,
    on_refusal: Callable[[Exception], None] | None = None,
    after: Callable[[Any], None] | None = None,
) -> Response | None:
    """confirmed_action for a form that creates something (its class mixes in CreatesOnce):
    `act` runs at most once per one-time token of the form.

    - the token is new: it is recorded first, then `act` runs; the token row notes what was
      created (`created(result)`, or the result if it is a row) and its address (`then`),
      and both are committed together; `done` (a text, or a function of the result) is
      flashed, `after(result)` runs (e.g. to sign a new account in); the redirect follows;
    - this account already sent the token (a retried POST, a double click, a second worker
      at the same moment, which waits for the first): nothing runs again, no row, event or
      notice is added; an info flash and the redirect to what the first submission created
      (a registration, sent before anyone was signed in: to the sign-in page);
    - the token is missing, malformed or another account's: roll back, show why on the form
      with a fresh token, return None (what was typed is kept);
    - `act` raises `refusal`: as confirmed_action (the token is rolled back with the rest,
      so the same form can be sent again once corrected).
    """
    if not form.validate_on_submit():
        return None
    try:
        submission = submissions.claim(current_user, form.sent_token(), request.endpoint or "")
    except submissions.AlreadySubmitted as replay:
        db.session.rollback()
        return _shown_again(replay.submission)
    except submissions.TokenRefused as error:
        db.session.rollback()
        form.refuse_token(str(error))
        return None
    try:
        result = act()
    except refusal as error:
        _refused(form, error, on_refusal)
        return None
    url = then(result) if callable(then) else then
    row = created(result) if created is not None else result
    submissions.record_result(submission, row if isinstance(row, db.Model) else None, url)
    db.session.commit()
    if done is not None:
        flash(done(result) if callable(done) else done, "success")
    if after is not None:
        after(result)
    return redirect(url)


def shown_if_submitted(form: FlaskForm) -> Response | None:
    """For a step before the creating one (a confirmation page): when the form's token
    already created something, the answer a replay gets (see created_once); else None."""
    submission = submissions.earlier_submission(
        current_user, form.sent_token(), request.endpoint or ""
    )
    return None if submission is None else _shown_again(submission)


def _refused(form: FlaskForm, error: Exception, on_refusal) -> None:
    db.session.rollback()
    if on_refusal is not None:
        on_refusal(error)
    form.show_refusal(error)


def _shown_again(submission) -> Response:
    """The answer to a replayed submission: what the first one created."""
    if submission.account_id is None:
        flash(
            _(
                "This registration was already received. Sign in with the email address "
                "and password you chose."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    flash(_("This was already submitted: here it is."), "info")
    return redirect(submission.url or url_for("public.workspace"))
