"""The audit log is a hash chain that the database will not let anyone rewrite."""

import itertools

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from registry.accounts.permissions import SYSTEM
from registry.audit.models import AuditChainHead, AuditEvent
from registry.audit.services import chain_hash, record, verify_chain
from registry.db import db


def write_events(count):
    for number in range(count):
        record("test.event", actor=SYSTEM, details={"n": number, "text": '中文 "quoted"'})
    db.session.commit()


def tamper(sql: str) -> None:
    """Change audit rows behind the application's back, as a database admin could."""
    db.session.rollback()
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.exec_driver_sql(sql)


def test_each_event_links_to_the_one_before(app):
    write_events(3)
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
        assert after.hash == chain_hash(after.prev_hash, after.hashed_fields())
    head = db.session.get(AuditChainHead, 1)
    assert (head.seq, head.hash) == (3, events[-1].hash)


def test_an_intact_chain_verifies(app):
    write_events(5)
    report = verify_chain()
    assert report.intact
    assert report.checked == 5


def test_an_empty_log_verifies(app):
    assert verify_chain().intact


def test_the_database_refuses_to_update_an_event(app):
    write_events(1)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE audit_event SET action = 'forged'"))
    db.session.rollback()


def test_the_database_refuses_to_delete_an_event(app):
    write_events(1)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_event"))
    db.session.rollback()


def test_an_altered_event_is_caught(app):
    write_events(4)
    tamper("UPDATE audit_event SET details_json = '{\"n\":99}' WHERE seq = 2")
    report = verify_chain()
    assert not report.intact
    assert report.broken_seq == 2
    assert "altered" in report.problem


def test_an_altered_event_with_a_recomputed_hash_breaks_the_next_link(app):
    write_events(4)
    event = db.session.execute(select(AuditEvent).where(AuditEvent.seq == 2)).scalar_one()
    fields = {**event.hashed_fields(), "action": "forged"}
    forged_hash = chain_hash(event.prev_hash, fields)
    tamper(f"UPDATE audit_event SET action = 'forged', hash = '{forged_hash}' WHERE seq = 2")
    report = verify_chain()
    assert report.broken_seq == 3
    assert "does not link" in report.problem


def test_a_deleted_event_is_caught(app):
    write_events(4)
    tamper("DELETE FROM audit_event WHERE seq = 3")
    report = verify_chain()
    assert report.broken_seq == 4
    assert "missing" in report.problem


def test_events_deleted_from_the_end_are_caught(app):
    write_events(4)
    tamper("DELETE FROM audit_event WHERE seq >= 3")
    report = verify_chain()
    assert not report.intact
    assert "3..4" in report.problem


def test_cli_verify_exits_zero_when_intact(runner):
    write_events(2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact: 2 events" in result.output


def test_cli_verify_exits_non_zero_naming_the_broken_event(runner):
    write_events(3)
    tamper("UPDATE audit_event SET actor_label = 'someone else' WHERE seq = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event 2" in result.output


def test_an_event_is_written_in_the_same_transaction_as_the_change(app):
    record("test.event", actor=SYSTEM)
    db.session.rollback()
    assert db.session.execute(select(AuditEvent)).first() is None
    assert db.session.get(AuditChainHead, 1).seq == 0
