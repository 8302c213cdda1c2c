"""Demo star overrides: one approved and in force, one proposal waiting for a reviewer.

The proposals are regulator@example.com's (or a disabled demo regulator's before `flask demo
accounts`); the approved one was decided by a demo reviewer of its own, so
reviewer@example.com may decide the waiting one. Runs after the blacklist demo (the agencies
are active and not listed) and before the ratings are computed (the approved override
counts in the stored results). Deterministic for a seed; does nothing when an override exists.
"""

import secrets
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ratings.overrides.models import OverrideState, RatingOverride
from registry.accounts.models import Account
from registry.accounts.roles import Role
from registry.agencies.categories import AgencyStatus
from registry.agencies.demo import office_moment, seeded
from registry.agencies.models import Agency
from registry.commitments.services import add_months
from registry.dates import local_today
from registry.db import db

DEMO_REGULATOR = "regulator@example.com"
APPROVED_REASON = (
    "该机构在2026年汛期应急测绘任务中连续作业、按时保质完成全部12项任务，相关企业和乡镇"
    "书面反映良好；其评价数量较少、计算星级未能反映实际服务水平，建议在复核期内上调。"
)
APPROVED_DECISION = "经核对应急任务记录和企业书面意见，理由充分，同意上调至复核期结束。"
PENDING_REASON = (
    "群众来信反映该机构近期多次要求企业“先交费后排期”，正在核查中；核查期间建议将展示星级"
    "下调，核查结束后视结果撤销或另行处理。"
)


def load(seed: int, counts: Counter) -> None:
    """Add the two demo overrides, unless an override exists already."""
    if db.session.execute(select(RatingOverride.id).limit(1)).first() is not None:
        return
    agencies = _agencies(seeded(f"{seed}-overrides"))
    if len(agencies) < 2:
        return
    rng = seeded(f"{seed}-overrides-times")
    regulator = _account(DEMO_REGULATOR, "override.regulator@demo.example", Role.REGULATOR)
    reviewer = _account(None, "override.reviewer@demo.example", Role.REVIEWER)
    today = local_today()
    proposed_on, approved_on = today - timedelta(days=20), today - timedelta(days=18)
    db.session.add_all(
        [
            RatingOverride(
                agency_id=agencies[0].id,
                state=OverrideState.APPROVED.value,
                stars=4,
                reason=APPROVED_REASON,
                ends_on=add_months(today, 5),
                proposed_by_id=regulator.id,
                proposed_at=office_moment(rng, proposed_on),
                decided_by_id=reviewer.id,
                decided_at=office_moment(rng, approved_on),
                starts_on=approved_on,
                decision_reasons=APPROVED_DECISION,
            ),
            RatingOverride(
                agency_id=agencies[1].id,
                state=OverrideState.PROPOSED.value,
                stars=2,
                reason=PENDING_REASON,
                ends_on=add_months(today, 3),
                proposed_by_id=regulator.id,
                proposed_at=office_moment(rng, today - timedelta(days=2)),
            ),
        ]
    )
    db.session.flush()
    counts["star overrides"] += 2


def _agencies(rng) -> list[Agency]:
    """Two active agencies not on the blacklist, neither of them the demo agency."""
    demo_id = db.session.execute(
        select(Account.agency_id).where(Account.email == "agency@example.com")
    ).scalar()
    candidates = [
        agency
        for agency in db.session.execute(
            select(Agency)
            .where(Agency.status == AgencyStatus.ACTIVE, Agency.listed_from.is_(None))
            .order_by(Agency.credit_code)
        ).scalars()
        if agency.id != demo_id
    ]
    return rng.sample(candidates, min(2, len(candidates)))


def _account(email: str | None, fallback: str, role: Role) -> Account:
    """The demo account, or a disabled one of our own that nobody signs in as."""
    for address in (email, fallback):
        if address is None:
            continue
        account = db.session.execute(select(Account).where(Account.email == address)).scalar()
        if account is not None:
            return account
    account = Account(
        email=fallback,
        display_name="刘审核" if role == Role.REVIEWER else "周建国",
        role=role.value,
        active=False,
        password_hash=generate_password_hash(secrets.token_hex(16), method="pbkdf2:sha256:1000"),
    )
    db.session.add(account)
    db.session.flush()
    return account
