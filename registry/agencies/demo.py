"""Demo data: a realistic, fictional registry of the region (`flask demo load`); large
data sets for benchmarks are in demo_bulk.py (`flask demo generate`).

load() is deterministic for a seed and idempotent: it plans the whole data set from the seed
alone, then adds only what is missing, keyed on natural keys (a service item's code, an
agency's credit code, an agent's town, village and name). generate() writes with Core bulk
inserts, and numbers its credit codes from a counter so they never collide.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from registry.accounts.models import Account
from registry.agencies import demo_data as words
from registry.agencies.categories import AgencyCategory, AgencyStatus, PricingType
from registry.agencies.credit_code import ALPHABET, generate_credit_code
from registry.agencies.models import (
    Agency,
    Enterprise,
    FeeCap,
    FeeSchedule,
    Qualification,
    ServiceItem,
    fen,
)
from registry.agencies.names import pinyin_of
from registry.agents.models import TownAgent, TrainingRecord
from registry.dates import local_today
from registry.db import db

DEFAULT_SEED = 2026
# Exact shares, so that every seed shows every state.
DEMO_STATUSES = {
    AgencyStatus.ACTIVE: 270,
    AgencyStatus.PENDING: 24,
    AgencyStatus.SUSPENDED: 14,
    AgencyStatus.DEREGISTERED: 12,
}
# Active agencies whose genuine code fails its checksum, accepted by a regulator with a reason.
CODE_EXCEPTIONS = 2
OFFERS_PER_AGENCY = (1, 4)
FEE_HISTORY_SHARE = 0.3
MARKET_FEE_YUAN = {entry.code: entry.fee_yuan for entry in words.CATALOGUE if not entry.caps}
OTHER_MARKET_FEE_YUAN = (1000, 10000)


def seeded(seed: int | str) -> random.Random:
    """A generator that repeats for a seed: demo data must be reproducible, not secret."""
    return random.Random(seed)  # noqa: S311


@dataclass
class PlannedAgency:
    agency: Agency
    fee_schedules: list[FeeSchedule]


# --- the catalogue ---------------------------------------------------------------------------


def demo_catalogue() -> list[ServiceItem]:
    """The demo service catalogue as new rows, caps included."""
    return [_service_item(entry) for entry in words.CATALOGUE]


def _service_item(entry: words.CatalogueEntry) -> ServiceItem:
    item = ServiceItem(
        code=entry.code,
        name=entry.name,
        category=entry.category.value,
        legal_basis=entry.legal_basis,
        pricing_type=PricingType.GOVERNMENT_GUIDED if entry.caps else PricingType.MARKET,
        unit=entry.unit,
        statutory_days=entry.statutory_days,
        acceptance_conditions=entry.acceptance_conditions,
        materials=entry.materials,
        procedure=entry.procedure,
    )
    item.caps = [
        FeeCap(
            cap_fen=fen(Decimal(cap.cap_yuan)),
            basis=cap.basis,
            effective_from=cap.effective_from,
            effective_to=cap.effective_to,
        )
        for cap in entry.caps
    ]
    return item


def ensure_catalogue(counts: Counter) -> dict[str, ServiceItem]:
    """The demo catalogue's items by code, adding those the catalogue lacks."""
    existing = {item.code: item for item in db.session.execute(select(ServiceItem)).scalars()}
    items = {}
    for item in demo_catalogue():
        if item.code in existing:
            items[item.code] = existing[item.code]
            continue
        db.session.add(item)
        items[item.code] = item
        counts["service_items"] += 1
        counts["fee_caps"] += len(item.caps)
    return items


# --- load: the demo registry ------------------------------------------------------------------


def load(seed: int = DEFAULT_SEED) -> Counter:
    """Add the seed's demo registry, skipping what is already there; the counts of new rows.

    The caller adds the other packages' demo data and records the `demo.loaded` event.
    """
    counts: Counter = Counter()
    today, region = local_today(), current_app.config["REGION_TOWNS"]
    items = ensure_catalogue(counts)
    _add_agencies(plan_agencies(seed, today, items, region), counts)
    _add_town_agents(plan_town_agents(seed, today, region), counts)
    db.session.flush()
    _link_demo_accounts(seed, counts)
    db.session.flush()
    return counts


DEMO_ENTERPRISE_NAME = "江阴澄星精密机械制造有限公司"


def _link_demo_accounts(seed: int, counts: Counter) -> None:
    """Give the demo agency and enterprise accounts an organisation to act for, if unlinked."""
    agency_user = db.session.execute(
        select(Account).where(Account.email == "agency@example.com")
    ).scalar_one_or_none()
    if agency_user is not None and agency_user.agency_id is None:
        offering = select(FeeSchedule.agency_id).where(FeeSchedule.effective_to.is_(None))
        agency_user.agency_id = db.session.execute(
            select(Agency.id)
            .where(Agency.status == AgencyStatus.ACTIVE, Agency.id.in_(offering))
            .order_by(Agency.credit_code)
            .limit(1)
        ).scalar_one()
        counts["linked_accounts"] += 1
    enterprise_user = db.session.execute(
        select(Account).where(Account.email == "enterprise@example.com")
    ).scalar_one_or_none()
    if enterprise_user is not None and enterprise_user.enterprise_id is None:
        enterprise = Enterprise(credit_code=generate_credit_code(seeded(f"{seed}-enterprise")))
        enterprise.set_name(DEMO_ENTERPRISE_NAME)
        db.session.add(enterprise)
        db.session.flush()
        enterprise_user.enterprise_id = enterprise.id
        counts["enterprises"] += 1
        counts["linked_accounts"] += 1


def _add_agencies(plans: list[PlannedAgency], counts: Counter) -> None:
    codes = [plan.agency.credit_code for plan in plans]
    known = set(
        db.session.execute(
            select(Agency.credit_code).where(Agency.credit_code.in_(codes))
        ).scalars()
    )
    for plan in plans:
        if plan.agency.credit_code in known:
            continue
        db.session.add(plan.agency)
        db.session.add_all(plan.fee_schedules)
        counts["agencies"] += 1
        counts["qualifications"] += len(plan.agency.qualifications)
        counts["fee_schedules"] += len(plan.fee_schedules)


def _add_town_agents(agents: list[TownAgent], counts: Counter) -> None:
    rows = db.session.execute(select(TownAgent.town, TownAgent.village, TownAgent.name))
    known = {tuple(row) for row in rows}
    for agent in agents:
        if (agent.town, agent.village, agent.name) in known:
            continue
        db.session.add(agent)
        counts["town_agents"] += 1
        counts["training_records"] += len(agent.trainings)


def plan_agencies(
    seed: int, today: date, items: dict[str, ServiceItem], region: dict[str, list[str]]
) -> list[PlannedAgency]:
    """The seed's agencies, with qualifications and fee schedules; nothing is saved."""
    rng = seeded(seed)
    statuses = [status for status, n in DEMO_STATUSES.items() for _ in range(n)]
    rng.shuffle(statuses)
    active = [index for index, status in enumerate(statuses) if status == AgencyStatus.ACTIVE]
    exceptions = set(rng.sample(active, CODE_EXCEPTIONS))
    towns = weighted_towns(region)
    names: set[str] = set()
    plans = []
    for index, status in enumerate(statuses):
        agency = _demo_agency(rng, today, status, towns, names)
        if index in exceptions:
            agency.credit_code = _with_wrong_check_character(agency.credit_code)
            agency.credit_code_exception = rng.choice(words.CODE_EXCEPTION_REASONS)
        schedules = []
        if status == AgencyStatus.ACTIVE:
            offered = [item for item in items.values() if item.category == agency.category]
            schedules = _fee_schedules(rng, today, agency.verified_at.date(), offered)
        for schedule in schedules:
            schedule.agency = agency
        plans.append(PlannedAgency(agency, schedules))
    return plans


def _demo_agency(rng, today, status, towns, names: set[str]) -> Agency:
    weights = words.CATEGORY_WEIGHTS
    category = rng.choices(list(weights), weights=list(weights.values()))[0]
    district, town = rng.choices(towns[0], cum_weights=towns[1])[0]
    registered = today - timedelta(
        days=rng.randint(1, 30) if status == AgencyStatus.PENDING else rng.randint(150, 2400)
    )
    agency = Agency(
        credit_code=generate_credit_code(rng),
        category=category.value,
        district=district,
        town=town,
        address=street_address(rng, district, town),
        contact_person=person_name(rng),
        phone=phone_number(rng),
        legal_representative=person_name(rng),
        business_scope=_business_scope(rng, category),
        status=status.value,
        created_at=office_moment(rng, registered),
    )
    name, trade = _unique_name(rng, category, names)
    agency.set_name(name)
    agency.email = f"{pinyin_of(trade)}@example.com" if rng.random() < 0.7 else None
    _set_status_history(rng, agency, today)
    kinds = list(words.QUALIFICATIONS[category][: rng.randint(1, 2)])
    if rng.random() < words.QUALITY_CERTIFIED_SHARE:
        kinds.append(words.QUALITY_CERTIFICATE)
    agency.qualifications = [_qualification(rng, kind, today) for kind in kinds]
    return agency


def _unique_name(rng, category: AgencyCategory, names: set[str]) -> tuple[str, str]:
    """A name not yet used in this data set, and its trade name."""
    while True:
        place = rng.choices(words.PLACES, weights=words.PLACE_WEIGHTS)[0]
        trade = rng.choice(words.TRADE_FIRST) + rng.choice(words.TRADE_SECOND)
        name = place + trade + rng.choice(words.TAILS[category])
        if name not in names:
            names.add(name)
            return name, trade


def _set_status_history(rng, agency: Agency, today: date) -> None:
    """Verification a few days after registration; a later suspension or deregistration."""
    agency.status_changed_at = agency.created_at
    if agency.status == AgencyStatus.PENDING:
        return
    agency.verified_at = agency.created_at + timedelta(days=rng.randint(1, 10))
    agency.status_changed_at = agency.verified_at
    reasons = {
        AgencyStatus.SUSPENDED: words.SUSPENSION_REASONS,
        AgencyStatus.DEREGISTERED: words.DEREGISTRATION_REASONS,
    }.get(agency.status)
    if reasons:
        agency.status_reason = rng.choice(reasons)
        agency.status_changed_at = office_moment(rng, today - timedelta(days=rng.randint(5, 120)))


def _qualification(rng, kind: words.QualificationKind, today: date) -> Qualification:
    """A certificate in force, or (one in ten) one that has expired."""
    level, issuer = kind.grades[0] if rng.random() < 0.7 else rng.choice(kind.grades)
    span = 365 * kind.years
    if rng.random() < 0.1:
        valid_from = today - timedelta(days=span + rng.randint(10, 300))
    else:
        valid_from = today - timedelta(days=rng.randint(30, span - 30))
    return Qualification(
        name=kind.name,
        level=level,
        number=kind.number.format(n=rng.randint(1, 999), year=valid_from.year),
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_from + timedelta(days=span - 1),
    )


def _fee_schedules(rng, today: date, verified: date, items: list[ServiceItem]):
    """1-4 offers of the category's items; some first offers changed once since."""
    if not items:
        return []
    count = rng.randint(OFFERS_PER_AGENCY[0], min(OFFERS_PER_AGENCY[1], len(items)))
    schedules = []
    for position, item in enumerate(rng.sample(items, count)):
        start = min(today, verified + timedelta(days=rng.randint(0, 30)))
        history = position == 0 and (today - start).days > 120 and rng.random() < FEE_HISTORY_SHARE
        if history:
            change = start + timedelta(days=rng.randint(60, (today - start).days))
            schedules.append(_fee_schedule(rng, item, start, change))
            start = change
        schedules.append(_fee_schedule(rng, item, start, None))
    return [schedule for schedule in schedules if schedule is not None]


def _fee_schedule(rng, item: ServiceItem, start: date, end: date | None) -> FeeSchedule | None:
    """An offer within the cap in force when it starts and within the statutory days."""
    cap = item.cap_in_force_on(start)
    if item.is_government_guided and cap is None:
        return None
    low, high = fee_range(rng, cap.cap_fen if cap else None, item.code)
    return FeeSchedule(
        service_item=item,
        fee_min_fen=low,
        fee_max_fen=high,
        unit=item.unit,
        basis=fee_basis(rng, cap),
        promised_days=rng.randint(max(1, item.statutory_days // 2), item.statutory_days),
        effective_from=start,
        effective_to=end,
    )


def fee_range(rng, cap_fen: int | None, code: str) -> tuple[int, int]:
    """A (minimum, maximum) fee in fen: below the cap, or about the item's market price."""
    if cap_fen is not None:
        high = cap_fen * rng.randint(70, 100) // 100
    else:
        low_yuan, high_yuan = MARKET_FEE_YUAN.get(code, OTHER_MARKET_FEE_YUAN)
        high = rng.randint(low_yuan, high_yuan) * 100
    high = _price_list_figure(high)
    return _price_list_figure(high * rng.randint(40, 90) // 100), high


def _price_list_figure(amount_fen: int) -> int:
    """Rounded down to three significant figures, as price lists are written."""
    step = 10 ** max(0, len(str(amount_fen)) - 3)
    return amount_fen - amount_fen % step


def fee_basis(rng, cap: FeeCap | None) -> str:
    if cap is None:
        return rng.choice(words.MARKET_FEE_BASES)
    return rng.choice(words.GUIDED_FEE_BASES).format(cap=cap.basis.split("《")[0])


def plan_town_agents(seed: int, today: date, region: dict[str, list[str]]) -> list[TownAgent]:
    """1-3 agents in every town, each with the courses they took; nothing is saved."""
    rng = seeded(f"{seed}/agents")
    agents = []
    for town in (town for towns in region.values() for town in towns):
        for stem in rng.sample(words.VILLAGE_STEMS, rng.randint(1, 3)):
            agent = TownAgent(
                name=person_name(rng),
                town=town,
                village=stem + rng.choice(words.VILLAGE_KINDS),
                phone=phone_number(rng),
                active=rng.random() < 0.95,
            )
            agent.trainings = _trainings(rng, today)
            agents.append(agent)
    return agents


def _trainings(rng, today: date) -> list[TrainingRecord]:
    """Most agents trained within the last two years; some only longer ago (expired)."""
    latest = rng.randint(20, 600) if rng.random() < 0.8 else rng.randint(760, 1200)
    records = []
    for older in range(rng.randint(1, 3)):
        course, hours = rng.choice(words.AGENT_COURSES)
        passed = older == 0 or rng.random() < 0.9
        records.append(
            TrainingRecord(
                course=course,
                completed_on=today - timedelta(days=latest + 365 * older + rng.randint(0, 60)),
                hours=hours,
                passed=passed,
                notes="" if passed else "考核未通过，已安排补考。",
            )
        )
    return records


# --- words shared by load and generate ------------------------------------------------------


def weighted_towns(region: dict[str, list[str]]):
    """(district, town) pairs and their cumulative weights, for rng.choices."""
    pairs = [(district, town) for district, towns in region.items() for town in towns]
    weights = [words.BUSY_TOWNS.get(town, 1) for _district, town in pairs]
    cumulative, total = [], 0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return pairs, cumulative


def person_name(rng) -> str:
    given = rng.choice(words.GIVEN_NAMES)
    if rng.random() < 0.6:
        given += rng.choice(words.GIVEN_NAMES)
    return rng.choice(words.SURNAMES) + given


def phone_number(rng) -> str:
    return f"0510-8{rng.randrange(10**7):07d}"


def street_address(rng, district: str, town: str) -> str:
    address = f"{district}{town}{rng.choice(words.ROADS)}{rng.randint(1, 399)}号"
    if rng.random() < 0.5:
        address += f"{rng.randint(1, 12)}幢{rng.randint(1, 18)}{rng.randint(1, 20):02d}室"
    return address


def _business_scope(rng, category: AgencyCategory) -> str:
    phrases = words.BUSINESS_SCOPES[category]
    chosen = rng.sample(phrases, rng.randint(min(3, len(phrases)), len(phrases)))
    return "；".join(chosen) + words.SCOPE_CLOSING


def office_moment(rng, day: date) -> datetime:
    """A time in office hours in China on `day`, stored as naive UTC."""
    return datetime.combine(day, time(rng.randint(1, 8), rng.randint(0, 59)))


def _with_wrong_check_character(code: str) -> str:
    wrong = ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]
    return code[:-1] + wrong
