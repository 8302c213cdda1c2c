"""Demo engagements, extensions, fair draws and reviews, in every state.

Built on the demo registry (agencies with fees, the demo enterprise) and the demo commitment
signatures; call after both: `ratings.engagements.demo.load(seed, counts)`. Deterministic
for a seed; does nothing when an engagement exists. The demo enterprise and agency accounts
each find work waiting for them: an engagement to confirm, a delivery to confirm, an
extension to decide, a review to write or answer; some engagements are overdue, some
overcharged, and one review is hidden by the regulator.
"""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from ratings.engagements.draws import METHOD, choose
from ratings.engagements.eligibility import eligible_agencies
from ratings.engagements.models import (
    Engagement,
    EngagementStatus,
    ExtensionRequest,
    ExtensionStatus,
    FairDraw,
    Review,
    overcharge_of,
)
from ratings.working_days import current_calendar
from registry.accounts.models import Account
from registry.agencies.categories import AgencyStatus
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.demo import office_moment, seeded
from registry.agencies.models import Agency, Enterprise, FeeCap, FeeSchedule, ServiceItem
from registry.dates import local_today
from registry.db import db

ENGAGEMENTS = 160
# Shares of the states, in order; the rest are confirmed.
STATE_SHARES = (
    (EngagementStatus.AWAITING_AGENCY, 0.07),
    (EngagementStatus.OPEN, 0.22),
    (EngagementStatus.DELIVERED, 0.08),
    (EngagementStatus.DISPUTED, 0.04),
    (EngagementStatus.CANCELLED, 0.06),
)
OVERCHARGE_SHARE = 0.08
FINISHED = frozenset(
    {EngagementStatus.DELIVERED, EngagementStatus.DISPUTED, EngagementStatus.CONFIRMED}
)
ENTERPRISES = [
    "江阴华澄纺织印染有限公司",
    "江阴市申港新材料科技有限公司",
    "江阴澄东物流仓储有限公司",
    "江阴利港精细化工有限公司",
    "江阴市华士食品有限公司",
    "江阴新桥服饰有限公司",
    "江阴市顾山环保设备有限公司",
    "江阴璜土船舶配件有限公司",
    "江阴云亭智能装备有限公司",
    "江阴市徐霞客文旅发展有限公司",
]
PROJECTS = [
    "新建厂房项目",
    "二期扩建工程",
    "仓储用房改建",
    "办公楼装修改造",
    "技改项目",
    "屋顶光伏项目",
    "污水处理设施提标改造",
    "综合楼新建工程",
    "生产线自动化改造",
    "研发中心建设项目",
]
REVIEWS = [
    ("报告质量高，现场工作认真细致，按期交付。", (5, 5, 5, 5)),
    ("收费与公示一致，沟通顺畅，整体满意。", (4, 4, 5, 5)),
    ("成果符合要求，但比承诺时限晚了几天。", (4, 2, 4, 4)),
    ("业务熟练，提前完成，值得推荐。", (5, 5, 4, 5)),
    ("资料清单一次性告知，没有来回跑，好评。", (5, 4, 5, 5)),
    ("报告有几处错漏，修改了两次才通过审查。", (2, 3, 4, 3)),
    ("服务态度一般，催了几次才给进度。", (3, 2, 4, 2)),
    ("价格透明，工期可控，下次还会委托。", (4, 5, 5, 4)),
]
REPLIES = [
    "感谢贵公司的肯定，我们将继续保持服务质量。",
    "对延误深表歉意，已调整外业排期，避免再次发生。",
    "已对报告复核流程进行整改，欢迎继续监督。",
]
DISPUTES = ["成果报告缺少附图和计算书，不予确认。", "交付的图纸与现场不符，需重新测量。"]
CANCELS = ["项目暂缓实施，取消委托。", "双方未能就工期达成一致。"]
DECLINE = "近期业务饱和，无法在承诺时限内完成，婉拒本次委托。"
EXTENSION_REASONS = [
    "需等待规划部门补充提供红线图。",
    "连续降雨影响外业测量，申请顺延。",
    "企业补充资料晚于约定时间，申请相应延长。",
]
HIDE_REASON = "评价内容含有人身攻击言辞，与服务本身无关，依规隐藏。"


def load(seed: int, counts: Counter) -> None:
    """Add the demo engagements, unless an engagement exists already."""
    if db.session.execute(select(Engagement.id).limit(1)).first() is not None:
        return
    rng = seeded(f"{seed}-engagements")
    today = local_today()
    enterprises = _enterprises(rng, counts)
    schedules = _schedules(today)
    if not enterprises or not schedules:
        return
    demo_agency_id = db.session.execute(
        select(Account.agency_id).where(Account.email == "agency@example.com")
    ).scalar()
    staff = _first_staff()
    made = []
    for number in range(ENGAGEMENTS):
        enterprise = enterprises[0] if number % 5 == 0 else rng.choice(enterprises)
        # Every fourth engagement is with the demo agency, so its user has work in each state.
        own = [s for s in schedules if s.agency_id == demo_agency_id]
        schedule = rng.choice(own if own and number % 4 == 0 else schedules)
        status = _state(rng, number)
        made.append(_engagement(rng, today, enterprise, schedule, status, staff, counts))
    db.session.flush()
    _extensions(rng, today, made, counts)
    _reviews(rng, made, counts)
    draws = _draws(rng, today, enterprises[0], counts)
    if draws:  # the first draw led to an engagement with the drawn agency
        draw = draws[0]
        schedule = db.session.execute(
            FeeSchedule.in_force_on(today, agency_id=draw.chosen_agency_id).where(
                FeeSchedule.service_item_id == draw.service_item_id
            )
        ).scalar_one()
        engagement = _engagement(
            rng, today, enterprises[0], schedule, EngagementStatus.OPEN, staff, counts, today
        )
        engagement.fair_draw = draw
    db.session.flush()


def _enterprises(rng, counts: Counter) -> list[Enterprise]:
    """The demo enterprise first (if linked), then the other demo firms, added if missing."""
    linked = db.session.execute(
        select(Enterprise)
        .join(Account, Account.enterprise_id == Enterprise.id)
        .where(Account.email == "enterprise@example.com")
    ).scalar_one_or_none()
    found = [linked] if linked else []
    for name in ENTERPRISES:
        code = generate_credit_code(rng)
        existing = db.session.execute(
            select(Enterprise).where(Enterprise.credit_code == code)
        ).scalar_one_or_none()
        if existing is None:
            existing = Enterprise(credit_code=code)
            existing.set_name(name)
            db.session.add(existing)
            counts["enterprises"] += 1
        found.append(existing)
    db.session.flush()
    return found


def _schedules(today: date) -> list[FeeSchedule]:
    """Fee schedules of active agencies in force today, in a stable order."""
    return list(
        db.session.execute(
            FeeSchedule.in_force_on(today)
            .join(Agency, Agency.id == FeeSchedule.agency_id)
            .where(Agency.status == AgencyStatus.ACTIVE.value)
            .order_by(FeeSchedule.id)
        ).scalars()
    )


def _first_staff() -> dict[int, int]:
    """An account of each agency (the demo user, or a demo signer), by agency id."""
    rows = db.session.execute(
        select(Account.agency_id, Account.id)
        .where(Account.agency_id.is_not(None))
        .order_by(Account.active.desc(), Account.id)
    ).all()
    staff: dict[int, int] = {}
    for agency_id, account_id in rows:
        staff.setdefault(agency_id, account_id)
    return staff


def _state(rng, number: int) -> EngagementStatus:
    if number < len(STATE_SHARES):  # at least one of each
        return STATE_SHARES[number][0]
    draw = rng.random()
    for status, share in STATE_SHARES:
        if draw < share:
            return status
        draw -= share
    return EngagementStatus.CONFIRMED


def _engagement(rng, today, enterprise, schedule, status, staff, counts, start=None):
    calendar = current_calendar()
    recent = status == EngagementStatus.AWAITING_AGENCY
    earliest = max(schedule.effective_from, today - timedelta(days=240))
    span = (today - earliest).days
    if recent:
        back = rng.randint(0, 4)
    elif status == EngagementStatus.OPEN:  # in progress: some within the limit, some overdue
        back = rng.randint(0, schedule.promised_days * 2)
    else:
        back = rng.randint(0, span)
    start = start or max(today - timedelta(days=back), earliest)
    due = calendar.add_working_days(start, schedule.promised_days)
    if status in FINISHED and due >= today:  # not finished yet: still in progress
        status = EngagementStatus.OPEN
    cap = db.session.execute(
        select(FeeCap.cap_fen).where(
            FeeCap.service_item_id == schedule.service_item_id, FeeCap.in_force_clause(start)
        )
    ).scalar_one_or_none()
    low = max(schedule.fee_min_fen, schedule.fee_max_fen // 2)  # a "from 0" range: not 0
    fee = rng.randint(low // 100, schedule.fee_max_fen // 100) * 100
    if rng.random() < OVERCHARGE_SHARE:
        fee = int(schedule.fee_max_fen * rng.choice([1.1, 1.2, 1.35])) // 100 * 100
    enterprise_account = db.session.execute(
        select(Account.id).where(Account.enterprise_id == enterprise.id).limit(1)
    ).scalar()
    engagement = Engagement(
        enterprise_id=enterprise.id,
        agency_id=schedule.agency_id,
        fee_schedule_id=schedule.id,
        service_item_id=schedule.service_item_id,
        project=f"{enterprise.name[:4]}{rng.choice(PROJECTS)}",
        agreed_fee_fen=fee,
        unit=schedule.unit,
        start_date=start,
        promised_days=schedule.promised_days,
        published_max_fen=schedule.fee_max_fen,
        cap_fen=cap,
        overcharge_fen=overcharge_of(fee, schedule.fee_max_fen, cap),
        status=status,
        created_at=office_moment(rng, start),
        created_by_id=enterprise_account,
        status_changed_at=office_moment(rng, start),
    )
    if status != EngagementStatus.AWAITING_AGENCY and not (
        status == EngagementStatus.CANCELLED and rng.random() < 0.5
    ):
        engagement.accepted_at = office_moment(rng, start)
        engagement.accepted_by_id = staff.get(schedule.agency_id)
    _finish(rng, today, engagement, due, staff, enterprise_account)
    db.session.add(engagement)
    counts["engagements"] += 1
    counts["overcharged_engagements"] += engagement.overcharge_fen > 0
    return engagement


def _finish(rng, today, engagement, due, staff, enterprise_account) -> None:
    """Fill the delivery, confirmation, dispute or cancellation the state implies."""
    calendar = current_calendar()
    status = engagement.status
    if status == EngagementStatus.CANCELLED:
        declined = engagement.accepted_at is None
        engagement.cancelled_at = office_moment(
            rng, min(today, engagement.start_date + timedelta(3))
        )
        engagement.cancelled_by_id = (
            staff.get(engagement.agency_id) if declined else enterprise_account
        )
        engagement.cancel_reason = DECLINE if declined else rng.choice(CANCELS)
        return
    if status not in FINISHED:
        return
    slip = rng.choice([-3, -2, -1, 0, 0, 0, 1, 2, 4, 6])
    delivered = calendar.add_working_days(due, slip) if slip >= 0 else due - timedelta(-slip)
    delivered = max(engagement.start_date + timedelta(days=1), min(delivered, today))
    engagement.delivered_on = delivered
    engagement.delivered_by_id = staff.get(engagement.agency_id)
    engagement.late_working_days = calendar.overdue_working_days(due, delivered)
    if status == EngagementStatus.DISPUTED:
        engagement.disputed_at = office_moment(rng, min(today, delivered + timedelta(days=2)))
        engagement.disputed_by_id = enterprise_account
        engagement.dispute_reason = rng.choice(DISPUTES)
    elif status == EngagementStatus.CONFIRMED:
        engagement.confirmed_on = min(today, delivered + timedelta(days=rng.randint(0, 5)))
        engagement.confirmed_by_id = enterprise_account


def _extensions(rng, today, engagements: list[Engagement], counts: Counter) -> None:
    """Accepted and refused requests on some engagements; one pending on open work."""
    calendar = current_calendar()
    pending_done = False
    for engagement in engagements:
        if (
            engagement.accepted_at is None
            or engagement.status == EngagementStatus.CANCELLED
            or rng.random() > 0.15
        ):
            continue
        due = calendar.add_working_days(engagement.start_date, engagement.promised_days)
        asked = min(today, max(engagement.start_date, due - timedelta(days=3)))
        open_and_early = engagement.status == EngagementStatus.OPEN and today <= due
        status = rng.choice([ExtensionStatus.ACCEPTED, ExtensionStatus.REFUSED])
        if open_and_early and not pending_done:
            status, pending_done = ExtensionStatus.PENDING, True
        extension = ExtensionRequest(
            engagement_id=engagement.id,
            extra_days=rng.choice([2, 3, 5]),
            justification=rng.choice(EXTENSION_REASONS),
            due_when_asked=due,
            requested_at=office_moment(rng, asked),
            requested_by_id=engagement.accepted_by_id,
            status=status,
        )
        if status != ExtensionStatus.PENDING:
            extension.decided_at = office_moment(rng, asked)
            extension.decided_by_id = engagement.created_by_id
            if status == ExtensionStatus.REFUSED:
                extension.decision_reason = "工期已包含合理余量，不同意延长。"
            else:
                engagement.extra_days += extension.extra_days
                if engagement.delivered_on:
                    new_due = calendar.add_working_days(
                        engagement.start_date, engagement.working_days
                    )
                    engagement.late_working_days = calendar.overdue_working_days(
                        new_due, engagement.delivered_on
                    )
        db.session.add(extension)
        counts["extension_requests"] += 1


def _reviews(rng, engagements: list[Engagement], counts: Counter) -> None:
    """Most confirmed engagements are reviewed; some replies; one review hidden."""
    regulator = db.session.execute(
        select(Account.id).where(Account.email == "regulator@example.com")
    ).scalar()
    hidden = False
    for index, engagement in enumerate(engagements):
        if engagement.status != EngagementStatus.CONFIRMED or rng.random() < 0.2:
            continue
        text, scores = rng.choice(REVIEWS)
        if engagement.late_working_days:
            text, scores = REVIEWS[2]
        written = engagement.confirmed_on + timedelta(days=rng.randint(0, 3))
        review = Review(
            engagement_id=engagement.id,
            agency_id=engagement.agency_id,
            enterprise_id=engagement.enterprise_id,
            quality=scores[0],
            timeliness=scores[1],
            fee_compliance=1 if engagement.overcharge_fen else scores[2],
            conduct=scores[3],
            text=text,
            created_at=office_moment(rng, min(written, local_today())),
            author_id=engagement.created_by_id,
        )
        if rng.random() < 0.35:
            review.reply = rng.choice(REPLIES)
            review.replied_at = review.created_at + timedelta(days=1)
            review.replied_by_id = engagement.accepted_by_id
        if not hidden and index > 10:
            review.text = "什么垃圾公司，经办人就是个骗子！"
            review.quality, review.conduct = 1, 1
            review.hidden_at = review.created_at + timedelta(days=2)
            review.hidden_by_id = regulator
            review.hidden_reason = HIDE_REASON
            hidden = True
        db.session.add(review)
        counts["reviews"] += 1


def _draws(rng, today: date, enterprise: Enterprise, counts: Counter) -> list[FairDraw]:
    """A few fair draws for the demo enterprise, among agencies eligible today."""
    items = db.session.execute(select(ServiceItem).order_by(ServiceItem.code)).scalars()
    made: list[FairDraw] = []
    for item in items:
        agencies = eligible_agencies(item.id, today)
        if len(agencies) < 3:
            continue
        codes = [agency.credit_code for agency in agencies]
        seed = f"{rng.getrandbits(128):032x}"
        index = choose(seed, codes)
        draw = FairDraw(
            code=f"{rng.getrandbits(40):010X}",
            method=METHOD,
            enterprise_id=enterprise.id,
            service_item_id=item.id,
            drawn_on=today,
            candidates=",".join(codes),
            candidate_count=len(codes),
            seed=seed,
            chosen_index=index,
            chosen_agency_id=agencies[index].id,
            drawn_at=office_moment(rng, today),
        )
        db.session.add(draw)
        counts["fair_draws"] += 1
        made.append(draw)
        if len(made) == 3:
            break
    return made
