"""Each signed-in account's inbox: notices are read in the list; acting on one marks it read.

Opening a page never changes anything: following a notice's link, marking it read and
marking all read are POSTs. A notice of someone else's inbox is answered with 404.
"""

import logging

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
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from registry.accounts.permissions import allow, signed_in
from registry.db import db
from registry.inbox import queries, services
from registry.inbox.forms import MarkAllReadForm, NoticeActionForm
from registry.inbox.models import Notice
from registry.security import safe_next

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
log = logging.getLogger(__name__)


@bp.route("/")
@allow(signed_in)
def index():
    unread_only = request.args.get("show") == "unread"
    page = db.paginate(
        queries.inbox_of(current_user, unread_only=unread_only),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "inbox/index.html",
        page=page,
        unread_only=unread_only,
        mark_all_form=MarkAllReadForm(up_to=queries.newest_notice_id(current_user)),
    )


@bp.route("/<int:notice_id>")
@allow(signed_in)
def show(notice_id: int):
    """The notice's own page, which mails link to."""
    return render_template("inbox/show.html", notice=_own_notice_or_404(notice_id))


@bp.route("/<int:notice_id>/read", methods=["POST"])
@allow(signed_in)
def mark_read(notice_id: int):
    notice = _own_notice_or_404(notice_id)
    _require_valid(NoticeActionForm())
    services.mark_read(current_user, notice)
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("inbox.index"))


@bp.route("/<int:notice_id>/open", methods=["POST"])
@allow(signed_in)
def open_link(notice_id: int):
    """Follow the notice's link, marking it read on the way."""
    notice = _own_notice_or_404(notice_id)
    _require_valid(NoticeActionForm())
    services.mark_read(current_user, notice)
    db.session.commit()
    return redirect(notice.target_url() or url_for("inbox.show", notice_id=notice.id))


@bp.route("/read", methods=["POST"])
@allow(signed_in)
def mark_all_read():
    form = MarkAllReadForm()
    _require_valid(form)
    count = services.mark_all_read(current_user, form.up_to_id())
    db.session.commit()
    if count:
        flash(
            ngettext("%(num)d notice marked as read.", "%(num)d notices marked as read.", count),
            "success",
        )
    else:
        flash(_("There was nothing left to mark as read."), "info")
    return redirect(url_for("inbox.index"))


@bp.app_template_global()
def inbox_unread_count() -> int | None:
    """The navigation's unread count: one query per request, none for visitors."""
    if not current_user.is_authenticated:
        return None
    if "inbox_unread_count" not in g:
        try:
            g.inbox_unread_count = queries.unread_count(current_user)
        except SQLAlchemyError:  # the error page of a database failure still renders
            log.warning("inbox: unread count unavailable", exc_info=True)
            g.inbox_unread_count = None
    return g.inbox_unread_count


def _own_notice_or_404(notice_id: int) -> Notice:
    notice = queries.notice_of(current_user, notice_id)
    if notice is None:
        abort(404)
    return notice


def _require_valid(form) -> None:
    # CSRFProtect refuses a POST without its token first; this is the form's own check.
    if not form.validate_on_submit():
        abort(400)
