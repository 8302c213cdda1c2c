"""Optional mail: with MAIL_SERVER set, each notice is also mailed once its transaction commits.

The mail is a copy in the registry's default language (the reader's own language is known
only when they read the notice); the inbox stays the record. A mail that cannot be sent is
logged and never fails the request or the job that sent the notice.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.db import db

log = logging.getLogger(__name__)
PENDING = "inbox_pending_mail"


def queue(notices) -> None:
    """Write a mail per notice, to be sent when the session's transaction commits."""
    config = current_app.config
    if not config.get("MAIL_SERVER") or not notices:
        return
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):
        messages = [_message(notice, config) for notice in notices if notice.recipient.active]
    db.session.info.setdefault(PENDING, []).extend(messages)


def _message(notice, config) -> EmailMessage:
    text = notice.rendered()
    message = EmailMessage()
    message["Subject"] = text.subject
    message["From"] = config["MAIL_FROM"]
    message["To"] = notice.recipient.email
    lines = [text.body] if text.body else []
    url = _notice_url(notice, config)
    if url:
        lines.append(_("Read it in your inbox: %(url)s", url=url))
    message.set_content("\n\n".join(lines) or text.subject)
    return message


def _notice_url(notice, config) -> str | None:
    """The notice's full URL: the request's own address, or MAIL_SITE_URL in commands."""
    site = request.url_root if has_request_context() else config["MAIL_SITE_URL"]
    if not site:
        return None
    path = current_app.url_map.bind("localhost").build("inbox.show", {"notice_id": notice.id})
    return site.rstrip("/") + path


@event.listens_for(Session, "after_commit")
def _send_after_commit(session) -> None:
    if session.in_nested_transaction():  # a savepoint released; the transaction goes on
        return
    messages = session.info.pop(PENDING, None)
    if messages:
        send(current_app.config, messages)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_rollback(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def send(config, messages: list[EmailMessage]) -> None:
    """Deliver the mails over one SMTP connection; a failure is logged, never raised."""
    try:
        with smtplib.SMTP(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
        ) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            for message in messages:
                smtp.send_message(message)
    except (smtplib.SMTPException, OSError):
        log.exception("inbox: %d notice mail(s) could not be sent", len(messages))
