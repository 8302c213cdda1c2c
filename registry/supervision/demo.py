"""Demo supervision: the daily job's escalations already made, and supervisors' evaluations
of how regulators handled concluded complaints.

Runs after the other packages' demo data, which already hold overdue work of every kind
(complaints at each step, a blacklist decision, engagements, lapsed signatures). The one
pending credit-repair application is dated back a month, so that a repair decision is
overdue too. Deterministic for a seed; does nothing once an evaluation exists.
"""

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from blacklist.models import RepairApplication, RepairStatus
from ratings.complaints.models import CONCLUDED_STATUSES, Complaint
from registry.accounts.models import Account
from registry.accounts.permissions import SYSTEM
from registry.accounts.roles import Role
from registry.agencies.demo import office_moment, seeded
from registry.dates import local_today
from registry.db import db
from registry.supervision.escalation import escalate_overdue
from registry.supervision.evaluations import handler_id
from registry.supervision.models import RegulatorEvaluation

REMARKS = (
    "受理及时，调查中听取了双方意见，办结理由写得清楚，投诉人能看懂。",
    "办结超过时限数日，但处理结论有事实依据，程序规范。",
    "对机构的答复核实不够充分，建议今后现场核查。",
    "全程在时限内完成，沟通及时，处理公正。",
)


def load(seed: int, counts: Counter) -> None:
    """Add the evaluations and escalations, unless an evaluation exists already."""
    if db.session.execute(select(RegulatorEvaluation.id).limit(1)).first() is not None:
        return
    rng = seeded(f"{seed}-supervision")
    today = local_today()
    _date_back_pending_repair(rng, today)
    supervisors = list(
        db.session.execute(
            select(Account)
            .where(Account.role == Role.SUPERVISOR.value)
            .order_by(Account.email != "supervisor@example.com", Account.id)
            .limit(2)
        ).scalars()
    )
    complaints = [
        complaint
        for complaint in db.session.execute(
            select(Complaint)
            .where(Complaint.status.in_([s.value for s in CONCLUDED_STATUSES]))
            .order_by(Complaint.id)
        ).scalars()
        if handler_id(complaint) is not None
    ]
    for number, complaint in enumerate(complaints[:4]):
        for supervisor in supervisors[: 1 + number % 2]:
            evaluated_on = complaint.concluded_on + timedelta(days=rng.randint(1, 5))
            moment = office_moment(rng, min(evaluated_on, today))
            db.session.add(
                RegulatorEvaluation(
                    supervisor_id=supervisor.id,
                    complaint_id=complaint.id,
                    regulator_id=handler_id(complaint),
                    timeliness=rng.randint(2, 5),
                    fairness=rng.randint(3, 5),
                    remarks=rng.choice(REMARKS),
                    created_at=moment,
                    updated_at=moment,
                )
            )
            counts["regulator evaluations"] += 1
    db.session.flush()
    escalated = len(escalate_overdue(SYSTEM, today))
    if escalated:  # a count of nothing would read as a change
        counts["escalations"] += escalated


def _date_back_pending_repair(rng, today) -> None:
    application = db.session.execute(
        select(RepairApplication)
        .where(RepairApplication.status == RepairStatus.PENDING.value)
        .order_by(RepairApplication.id)
        .limit(1)
    ).scalar_one_or_none()
    if application is not None and application.applied_on > today - timedelta(days=30):
        application.applied_on = today - timedelta(days=30)
        application.applied_at = office_moment(rng, application.applied_on)
