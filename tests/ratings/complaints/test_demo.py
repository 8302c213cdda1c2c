"""The demo complaints: every state, overdue ones, evidence, responses, rebuttals,
conclusions, breaches and conflicts; loaded once, the same for a seed."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from ratings.complaints import demo, queries
from ratings.complaints.models import (
    CommitmentBreach,
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    Conflict,
)
from registry.db import db
from tests.ratings.complaints.conftest import ENGLISH, page_text


def snapshot() -> list[tuple]:
    return list(
        db.session.execute(
            select(
                Complaint.reference, Complaint.status, Complaint.category, Complaint.filed_on
            ).order_by(Complaint.id)
        )
    )


def delete_complaints() -> None:
    """The complaints and every row that refers to one, whichever package keeps it (the
    demo's later steps link cases, escalations and evaluations to complaints)."""
    doomed = {Complaint.__tablename__}
    for table in db.metadata.sorted_tables:  # a table comes after those it refers to
        if any(key.column.table.name in doomed for key in table.foreign_keys):
            doomed.add(table.name)
    for table in reversed(db.metadata.sorted_tables):
        if table.name in doomed:
            db.session.execute(table.delete())


@pytest.mark.demo_data("accounts", "load")
def test_demo_complaints_cover_every_state_and_load_once(app, client, auth, demo_data):
    app.config["DEMO_MODE"] = True
    # `flask demo load` runs every package's loader, the complaints' among them.
    assert demo_data["load"].exit_code == 0

    states = set(db.session.execute(select(Complaint.status)).scalars())
    assert states == {status.value for status in ComplaintStatus}
    overdue = queries.open_complaint_deadlines(overdue_only=True)
    assert {d.step for d in overdue} == set(queries.Step)
    assert db.session.execute(select(func.count()).select_from(CommitmentBreach)).scalar_one() >= 3
    assert db.session.execute(
        select(func.count()).where(Complaint.rebuttal_text.is_not(None))
    ).scalar_one()
    assert db.session.execute(
        select(func.count()).where(Complaint.extension_days.is_not(None))
    ).scalar_one()
    assert db.session.execute(select(func.count()).select_from(ComplaintFile)).scalar_one()
    assert {c.ended_at is None for c in db.session.execute(select(Conflict)).scalars()} == {
        True,
        False,
    }
    assert db.session.execute(select(func.count()).select_from(Complaint)).scalar_one() == len(
        demo.PLAN
    )

    again = Counter()
    demo.load(2026, again)
    assert not again

    auth.login("enterprise@example.com", "demo-pass-2026")
    assert 'data-testid="complaint-row"' in page_text(client.get("/my/complaints"))
    auth.logout()
    auth.login("agency@example.com", "demo-pass-2026")
    assert 'data-testid="complaint-row"' in page_text(client.get("/my/agency/complaints"))
    auth.logout()
    auth.login("regulator@example.com", "demo-pass-2026")
    queue = page_text(client.get("/regulator/complaints?overdue=y", headers=ENGLISH))
    assert "overdue by" in queue


@pytest.mark.demo_data("accounts", "load")
def test_demo_complaints_are_the_same_for_a_seed(app):
    app.config["DEMO_MODE"] = True
    demo.load(7, Counter())
    db.session.commit()
    first = snapshot()
    delete_complaints()
    db.session.execute(db.delete(Conflict))
    db.session.commit()
    db.session.expunge_all()  # the rows deleted in bulk are not kept as loaded objects
    demo.load(7, Counter())
    db.session.commit()
    assert [row[1:] for row in snapshot()] == [row[1:] for row in first]
