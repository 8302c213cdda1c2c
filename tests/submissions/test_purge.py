"""Old one-time tokens are forgotten after FORM_SUBMISSION_KEEP_DAYS; recent ones are kept."""

from datetime import timedelta

from registry.audit.models import AuditEvent
from registry.db import db, utcnow
from registry.submissions.models import FormSubmission
from registry.submissions.services import new_token, purge_submissions
from tests.factories import count


def submitted(days_ago: float) -> FormSubmission:
    submission = FormSubmission(
        token=new_token(),
        endpoint="complaints.new",
        url="/complaints/1",
        created_at=utcnow() - timedelta(days=days_ago),
    )
    db.session.add(submission)
    db.session.commit()
    return submission


def test_tokens_older_than_the_kept_days_are_deleted_and_the_purge_is_audited(app):
    app.config["FORM_SUBMISSION_KEEP_DAYS"] = 7
    submitted(30)
    submitted(7.1)
    recent = submitted(6.9)
    assert purge_submissions() == 2
    db.session.commit()
    kept = db.session.execute(db.select(FormSubmission.token)).scalars().all()
    assert kept == [recent.token]
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "form_submission.purged")
    ).scalar_one()
    assert event.details["deleted"] == 2


def test_a_purge_with_nothing_to_delete_writes_nothing(app):
    submitted(1)
    assert purge_submissions() == 0
    db.session.commit()
    assert count(FormSubmission) == 1
    assert count(AuditEvent) == 0
