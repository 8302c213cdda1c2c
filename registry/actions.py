"""The one shape of a page's write: a confirmed form runs one service call, then commits
and moves on, or rolls back and shows the refusal on the form, nothing half-written."""

from collections.abc import Callable
from typing import Any

from flask import flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from registry.db import db


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
        db.session.rollback()
        if on_refusal is not None:
            on_refusal(error)
        form.show_refusal(error)
        return None
    db.session.commit()
    flash(done, "success")
    return redirect(then(result) if callable(then) else then)
