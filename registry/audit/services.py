"""Writing and checking the audit chain.

record() is the one way events are written: in the caller's transaction, so an event
exists exactly when the change it records was committed. Each event's hash is
SHA-256(previous hash + canonical JSON of its fields); the chain head row is locked while
an event is added, so concurrent writers queue instead of forking the chain.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import has_request_context, request
from sqlalchemy import select

from registry.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from registry.db import db, utcnow

SYSTEM_ACTOR = "system"
ANONYMOUS_ACTOR = "anonymous"
HEAD_ID = 1


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, fields: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def record(
    action: str,
    *,
    actor=None,
    actor_label: str | None = None,
    obj=None,
    details: dict | None = None,
) -> AuditEvent:
    """Append an event for `action` by `actor` (an Account, or None for the system) on `obj`."""
    head = _locked_head()
    account = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        seq=head.seq + 1,
        occurred_at=utcnow(),
        actor_id=account.id if account else None,
        actor_label=actor_label or _label(account),
        action=action,
        object_type=object_type_of(obj),
        object_id=None if obj is None else str(obj.id),
        details_json=canonical_json(details or {}),
        ip=request.remote_addr if has_request_context() else None,
        prev_hash=head.hash,
    )
    event.hash = chain_hash(event.prev_hash, event.hashed_fields())
    head.seq, head.hash = event.seq, event.hash
    db.session.add(event)
    return event


def _label(account) -> str:
    if account is not None:
        return account.email
    return ANONYMOUS_ACTOR if has_request_context() else SYSTEM_ACTOR


def _locked_head() -> AuditChainHead:
    """The head, locked until the transaction ends. Taken before the caller's pending changes
    are flushed: a flushed update would lock its row first, the order registry.db.lock
    avoids (the head, then rows)."""
    with db.session.no_autoflush:
        head = db.session.execute(
            select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
        ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH)
        db.session.add(head)
    return head


def object_type_of(obj) -> str | None:
    """How the log names `obj`'s kind: its table."""
    if obj is None:
        return None
    return getattr(obj, "__tablename__", type(obj).__name__.lower())


@dataclass
class ChainReport:
    checked: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(progress: Callable[[int], None] | None = None, batch: int = 2000) -> ChainReport:
    """Walk the chain from the first event and report the first break, if any.

    Cases: an event whose stored hash does not match its fields (altered); an event whose
    prev_hash is not its predecessor's hash, or a gap in seq (an event deleted); a head that
    points past the last event (events deleted from the end).
    """
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    rows = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    ).scalars()
    for event in rows:
        problem = _link_problem(event, expected_seq, prev_hash)
        if problem:
            return ChainReport(checked, prev_hash, broken_seq=event.seq, problem=problem)
        expected_seq, prev_hash, checked = event.seq + 1, event.hash, checked + 1
        if progress and checked % batch == 0:
            progress(checked)
    head = db.session.get(AuditChainHead, HEAD_ID)
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev_hash):
        return ChainReport(
            checked,
            prev_hash,
            broken_seq=expected_seq,
            problem=f"events {expected_seq}..{head.seq} are missing from the end of the log",
        )
    return ChainReport(checked, prev_hash)


def _link_problem(event: AuditEvent, expected_seq: int, prev_hash: str) -> str | None:
    if event.seq != expected_seq:
        return f"events {expected_seq}..{event.seq - 1} are missing before event {event.seq}"
    if event.prev_hash != prev_hash:
        return f"event {event.seq} does not link to the event before it"
    if chain_hash(event.prev_hash, event.hashed_fields()) != event.hash:
        return f"event {event.seq} was altered after it was written"
    return None
