"""After the soak: compare what the clients were told with what the database holds.

Run in an app context on the soak's database, once the servers have stopped.

- lost: a write the server acknowledged whose row (or audit event) is absent;
- phantom: a row or decision the server never acknowledged, not explained by an attempt
  whose answer never came;
- duplicate: a second row from one attempt (a retried POST that landed twice);
- half-saved: a row without its audit event, a complaint without its notices, a decided
  complaint whose fields do not show the decision;
- double decision: one object decided twice (two acceptances, accepted and refused, a fee
  superseded or withdrawn twice, verified and rejected) or contradictory fields.
"""

import itertools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from bench.soak.ledger import Entry, Ledger, Outcome, markers_in
from ratings.assessments.models import Inspection
from ratings.complaints.models import Complaint
from ratings.engagements.models import Engagement, Review
from registry.agencies.models import FeeSchedule
from registry.audit.models import AuditEvent
from registry.db import db
from registry.inbox.models import Notice


@dataclass(frozen=True)
class Creation:
    """A kind of row a write creates, the text column holding its marker, and its event."""

    model: type
    column: str
    event_object: str | None  # the audit event's object_type, or None: found by its details


CREATIONS = {
    "complaint.filed": Creation(Complaint, "text", "complaint"),
    "engagement.recorded": Creation(Engagement, "project", "engagement"),
    "review.written": Creation(Review, "text", "review"),
    "inspection.recorded": Creation(Inspection, "findings", "inspection"),
    "fee.published": Creation(FeeSchedule, "basis", None),
}

# Transitions on an object: the audit action, and how an event names the object.
TRANSITIONS = {
    "complaint.accepted": "object",
    "complaint.not_accepted": "object",
    "complaint.responded": "object",
    "engagement.accepted": "object",
    "engagement.delivered": "object",
    "engagement.confirmed": "object",
    "agency.verified": "object",
    "agency.rejected": "object",
    "fee.withdrawn": "fee_schedule_id",
}

# Decisions that happen once per object: any two events of one group on one object are a
# double decision.
ONCE = (
    ("complaint decided", ("complaint.accepted", "complaint.not_accepted"), "object"),
    ("complaint answered", ("complaint.responded",), "object"),
    ("engagement accepted", ("engagement.accepted",), "object"),
    ("delivery confirmed", ("engagement.confirmed",), "object"),
    ("registration decided", ("agency.verified", "agency.rejected"), "object"),
    ("fee withdrawn", ("fee.withdrawn",), "fee_schedule_id"),
    ("fee superseded", ("fee.published",), "replaces"),
    ("engagement reviewed", ("review.written",), "engagement"),
)

DECIDED = ("accepted", "investigating", "substantiated", "unsubstantiated")


@dataclass
class Findings:
    """Each problem found, as a line a person can follow up."""

    lost: list[str] = field(default_factory=list)
    phantom: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    half_saved: list[str] = field(default_factory=list)
    double_decisions: list[str] = field(default_factory=list)


def compare(ledger: Ledger, since_seq: int) -> Findings:
    """Everything the ledger says against the rows and audit events after `since_seq`."""
    findings = Findings()
    events = _events_since(since_seq)
    _check_creations(ledger, events, findings)
    _check_transitions(ledger, events, findings)
    _check_decided_once(events, findings)
    _check_complaint_fields(events, findings)
    _check_fee_periods(events, findings)
    return findings


# --- rows the writes created ------------------------------------------------------------------


def _check_creations(ledger: Ledger, events: list[AuditEvent], findings: Findings) -> None:
    attempts = ledger.by_marker()
    for action, creation in CREATIONS.items():
        rows = _marked_rows(creation)
        recorded = _recorded_objects(events, action, creation)
        markers = {m for m, entries in attempts.items() if entries[0].action == action} | set(rows)
        for marker in sorted(markers):
            found, tried = rows.get(marker, []), attempts.get(marker, [])
            _judge_marker(action, marker, found, tried, findings)
            for row_id in found:
                if row_id not in recorded:
                    findings.half_saved.append(f"{action} {row_id} ({marker}): no audit event")
        if action == "complaint.filed":
            _check_notices(
                [i for ids in rows.values() for i in ids], "complaints.filed", findings, action
            )


def _judge_marker(action, marker, found: list[int], tried: list[Entry], findings) -> None:
    outcomes = Counter(_explaining(entry) for entry in tried)
    if outcomes[Outcome.ACKNOWLEDGED] and not found:
        findings.lost.append(f"{action} {marker}: acknowledged, not in the database")
    if len(found) > 1:
        findings.duplicates.append(f"{action} {marker}: {len(found)} rows {found}")
    explained = outcomes[Outcome.ACKNOWLEDGED] + outcomes[Outcome.UNKNOWN]
    if found and not explained:
        told = ", ".join(f"{e.outcome} {e.status}" for e in tried) or "never attempted"
        findings.phantom.append(f"{action} {marker}: rows {found}, but the client was told {told}")


def _explaining(entry: Entry) -> Outcome:
    """A retried POST's first copy got no answer: it may have landed, whatever the retry was
    told (a refusal "already decided", say), so it explains a row as an unknown outcome does."""
    if entry.retried and entry.outcome != Outcome.ACKNOWLEDGED:
        return Outcome.UNKNOWN
    return entry.outcome


def _marked_rows(creation: Creation) -> dict[str, list[int]]:
    column = getattr(creation.model, creation.column)
    rows = db_rows(select(creation.model.id, column).where(column.like("%SOAK-%")))
    found: dict[str, list[int]] = defaultdict(list)
    for row_id, text in rows:
        for marker in markers_in(text):
            found[marker].append(row_id)
    return found


def _recorded_objects(events, action: str, creation: Creation) -> set[int]:
    if creation.event_object is not None:
        return {_object_key(event, "object") for event in events if event.action == action}
    return {_object_key(event, "fee_schedule_id") for event in events if event.action == action}


def _check_notices(complaint_ids: list[int], kind: str, findings: Findings, action: str) -> None:
    if not complaint_ids:
        return
    complainants = dict(
        db_rows(
            select(Complaint.id, Complaint.complainant_id).where(Complaint.id.in_(complaint_ids))
        )
    )
    keys = {f"{kind}:{complaint_id}" for complaint_id in complaint_ids}
    sent = set(
        db_rows(select(Notice.dedupe_key, Notice.recipient_id).where(Notice.dedupe_key.in_(keys)))
    )
    for complaint_id in complaint_ids:
        if (f"{kind}:{complaint_id}", complainants[complaint_id]) not in sent:
            findings.half_saved.append(f"{action} {complaint_id}: no {kind} notice")


# --- transitions --------------------------------------------------------------------------------


def _check_transitions(ledger: Ledger, events: list[AuditEvent], findings: Findings) -> None:
    """Per (client, action, object): acknowledged ones recorded, recorded ones acknowledged."""
    clients = {entry.client for entry in ledger.entries}
    told: dict[tuple, Counter] = defaultdict(Counter)
    for entry in ledger.entries:
        if entry.action in TRANSITIONS:
            told[(entry.client, entry.action, entry.object_id)][_explaining(entry)] += 1
    happened = Counter(
        (event.actor_label, event.action, _object_key(event, TRANSITIONS[event.action]))
        for event in events
        if event.action in TRANSITIONS and event.actor_label in clients
    )
    for key in sorted(set(told) | set(happened), key=str):
        client, action, object_id = key
        outcomes, count = told[key], happened[key]
        if outcomes[Outcome.ACKNOWLEDGED] > count:
            findings.lost.append(f"{action} on {object_id} by {client}: acknowledged, not recorded")
        if count > outcomes[Outcome.ACKNOWLEDGED] + outcomes[Outcome.UNKNOWN]:
            told_text = ", ".join(f"{n} {o}" for o, n in outcomes.items()) or "never attempted"
            findings.phantom.append(f"{action} on {object_id} by {client}: recorded, {told_text}")


def _check_decided_once(events: list[AuditEvent], findings: Findings) -> None:
    for label, actions, key in ONCE:
        counted = Counter(_object_key(event, key) for event in events if event.action in actions)
        for object_id, count in sorted(counted.items(), key=str):
            if object_id is not None and count > 1:
                findings.double_decisions.append(f"{label} {count} times: {object_id}")


def _check_complaint_fields(events: list[AuditEvent], findings: Findings) -> None:
    """A decided complaint shows one decision: its date or its reason, and its notice."""
    touched = {
        _object_key(event, "object")
        for event in events
        if event.action in ("complaint.accepted", "complaint.not_accepted")
    }
    if not touched:
        return
    complaints = db_rows(
        select(
            Complaint.id, Complaint.status, Complaint.accepted_on, Complaint.not_accepted_reason
        ).where(Complaint.id.in_(touched))
    )
    for complaint_id, status, accepted_on, reason in complaints:
        if status == "not_accepted" and accepted_on is not None:
            findings.double_decisions.append(
                f"complaint {complaint_id}: not accepted, accepted_on set"
            )
        if status in DECIDED and reason is not None:
            findings.double_decisions.append(
                f"complaint {complaint_id}: {status}, a refusal reason"
            )
        if status in DECIDED and accepted_on is None:
            findings.half_saved.append(f"complaint {complaint_id}: {status} without accepted_on")
    accepted = [i for i, status, *_rest in complaints if status in DECIDED]
    refused = [i for i, status, *_rest in complaints if status == "not_accepted"]
    _check_notices(accepted, "complaints.accepted", findings, "complaint.accepted")
    _check_notices(refused, "complaints.not_accepted", findings, "complaint.not_accepted")


def _check_fee_periods(events: list[AuditEvent], findings: Findings) -> None:
    """Of one agency's offers of one service, at most one is in force on any day."""
    agencies = {int(e.object_id) for e in events if e.action.startswith("fee.") and e.object_id}
    if not agencies:
        return
    periods = defaultdict(list)
    for agency_id, item_id, start, end in db_rows(
        select(
            FeeSchedule.agency_id,
            FeeSchedule.service_item_id,
            FeeSchedule.effective_from,
            FeeSchedule.effective_to,
        ).where(FeeSchedule.agency_id.in_(agencies))
    ):
        if end is None or end > start:  # an empty period is never in force
            periods[(agency_id, item_id)].append((start, end))
    for (agency_id, item_id), spans in sorted(periods.items()):
        spans.sort()
        for (_start, end), (next_start, _next_end) in itertools.pairwise(spans):
            if end is None or end > next_start:
                findings.double_decisions.append(
                    f"agency {agency_id} item {item_id}: two fees in force from {next_start}"
                )


# --- helpers ------------------------------------------------------------------------------------


def _events_since(seq: int) -> list[AuditEvent]:
    return list(
        db.session.execute(
            select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq)
        ).scalars()
    )


def _object_key(event: AuditEvent, key: str):
    """The object an event is about: its object, or a number in its details."""
    if key == "object":
        return int(event.object_id) if event.object_id else None
    return json.loads(event.details_json).get(key)


def db_rows(query) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(query)]
