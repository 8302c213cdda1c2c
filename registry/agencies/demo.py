"""Demo data: a realistic, fictional registry of the region (`flask demo load`) and large
data sets for benchmarks (`flask demo generate`).

load() is deterministic for a seed and idempotent: it plans the whole data set from the seed
alone, then adds only what is missing, keyed on natural keys (a service item's code, an
agency's credit code, an agent's town, village and name). generate() writes with Core bulk
inserts, and numbers its credit codes from a counter so they never collide.
"""

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from flask import current_app
from sqlalchemy import func, insert, select

from registry.accounts.permissions import SYSTEM
from registry.agencies import demo_data as words
from registry.agencies.categories import AgencyCategory, AgencyStatus, PricingType
from registry.agencies.credit_code import ALPHABET, generate_credit_code
from registry.agencies.models import Agency, FeeCap, FeeSchedule, Qualification, ServiceItem, fen
from registry.agencies.names import initials_of, normalise_name, pinyin_of
from registry.agents.models import TownAgent, TrainingRecord
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, utcnow

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

BATCH_SIZE = 5000
# Generated codes: 9 1 (a company), 320281 (江阴市), "MA" as in codes issued since 2015,
# then a counter in the code's alphabet and the check character.
GENERATED_PREFIX = "91320281MA"
SERIAL_LENGTH = 17 - len(GENERATED_PREFIX)
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CODE_VALUES = {char: value for value, char in enumerate(ALPHABET)}


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
    """Add the seed's demo data set, skipping what is already there; the counts of new rows."""
    counts: Counter = Counter()
    today, region = local_today(), current_app.config["REGION_TOWNS"]
    items = ensure_catalogue(counts)
    _add_agencies(plan_agencies(seed, today, items, region), counts)
    _add_town_agents(plan_town_agents(seed, today, region), counts)
    if counts:
        db.session.flush()
        record("demo.loaded", actor=SYSTEM, details={"seed": seed, **counts})
    return counts


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
    towns = _weighted_towns(region)
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
        address=_address(rng, district, town),
        contact_person=_person(rng),
        phone=_phone(rng),
        legal_representative=_person(rng),
        business_scope=_business_scope(rng, category),
        status=status.value,
        created_at=_moment(rng, registered),
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
        agency.status_changed_at = _moment(rng, today - timedelta(days=rng.randint(5, 120)))


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
    low, high = _fee_range(rng, cap.cap_fen if cap else None, item.code)
    return FeeSchedule(
        service_item=item,
        fee_min_fen=low,
        fee_max_fen=high,
        unit=item.unit,
        basis=_fee_basis(rng, cap),
        promised_days=rng.randint(max(1, item.statutory_days // 2), item.statutory_days),
        effective_from=start,
        effective_to=end,
    )


def _fee_range(rng, cap_fen: int | None, code: str) -> tuple[int, int]:
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


def _fee_basis(rng, cap: FeeCap | None) -> str:
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
                name=_person(rng),
                town=town,
                village=stem + rng.choice(words.VILLAGE_KINDS),
                phone=_phone(rng),
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


def _weighted_towns(region: dict[str, list[str]]):
    """(district, town) pairs and their cumulative weights, for rng.choices."""
    pairs = [(district, town) for district, towns in region.items() for town in towns]
    weights = [words.BUSY_TOWNS.get(town, 1) for _district, town in pairs]
    cumulative, total = [], 0
    for weight in weights:
        total += weight
        cumulative.append(total)
    return pairs, cumulative


def _person(rng) -> str:
    given = rng.choice(words.GIVEN_NAMES)
    if rng.random() < 0.6:
        given += rng.choice(words.GIVEN_NAMES)
    return rng.choice(words.SURNAMES) + given


def _phone(rng) -> str:
    return f"0510-8{rng.randrange(10**7):07d}"


def _address(rng, district: str, town: str) -> str:
    address = f"{district}{town}{rng.choice(words.ROADS)}{rng.randint(1, 399)}号"
    if rng.random() < 0.5:
        address += f"{rng.randint(1, 12)}幢{rng.randint(1, 18)}{rng.randint(1, 20):02d}室"
    return address


def _business_scope(rng, category: AgencyCategory) -> str:
    phrases = words.BUSINESS_SCOPES[category]
    chosen = rng.sample(phrases, rng.randint(min(3, len(phrases)), len(phrases)))
    return "；".join(chosen) + words.SCOPE_CLOSING


def _moment(rng, day: date) -> datetime:
    """A time in office hours in China on `day`, stored as naive UTC."""
    return datetime.combine(day, time(rng.randint(1, 8), rng.randint(0, 59)))


def _with_wrong_check_character(code: str) -> str:
    wrong = ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]
    return code[:-1] + wrong


# --- generate: large data sets for benchmarks --------------------------------------------------


def generate(count: int, seed: int, progress: Callable[[int], None]) -> Counter:
    """Bulk-insert `count` agencies and their fee schedules; the counts of new rows."""
    counts: Counter = Counter()
    if db.session.execute(select(ServiceItem.id).limit(1)).first() is None:
        ensure_catalogue(counts)
        db.session.flush()
    maker = BulkAgencies(seed, local_today(), current_app.config["REGION_TOWNS"])
    for start in range(0, count, BATCH_SIZE):
        rows = [maker.agency_row() for _ in range(min(BATCH_SIZE, count - start))]
        db.session.execute(insert(Agency.__table__), rows)
        schedules = maker.fee_schedule_rows(_ids_by_code(rows), rows)
        if schedules:
            db.session.execute(insert(FeeSchedule.__table__), schedules)
        counts["agencies"] += len(rows)
        counts["fee_schedules"] += len(schedules)
        progress(len(rows))
    record("demo.generated", actor=SYSTEM, details={"seed": seed, **counts})
    return counts


class BulkAgencies:
    """Rows for Core inserts: unique names and credit codes, cheap search forms."""

    def __init__(self, seed: int, today: date, region: dict[str, list[str]]):
        self.rng = seeded(seed)
        self.today, self.now = today, utcnow()
        self.towns = _weighted_towns(region)
        self.tails = [(category, tail) for category, tails in words.TAILS.items() for tail in tails]
        trades = len(words.TRADE_FIRST) * len(words.TRADE_SECOND)
        self.name_space = len(words.PLACES) * trades * len(self.tails)
        self.name_stride = _coprime_stride(self.name_space)
        self.name_position = self.rng.randrange(self.name_space)
        self.serial = _next_serial()
        self.offers = _offer_templates(today)

    def agency_row(self) -> dict:
        category, parts = self._next_name()
        district, town = self.rng.choices(self.towns[0], cum_weights=self.towns[1])[0]
        forms = [_search_forms(part) for part in parts]
        created = self.now - timedelta(days=self.rng.randint(400, 3000))
        status, reason = self._status()
        verified = None if status == AgencyStatus.PENDING else created + timedelta(days=3)
        return {
            "credit_code": self._next_code(),
            "credit_code_exception": None,
            "name": "".join(parts),
            "name_normalised": "".join(form[0] for form in forms),
            "name_pinyin": "".join(form[1] for form in forms),
            "name_initials": "".join(form[2] for form in forms),
            "category": category.value,
            "district": district,
            "town": town,
            "address": _address(self.rng, district, town),
            "contact_person": _person(self.rng),
            "phone": _phone(self.rng),
            "email": None,
            "legal_representative": _person(self.rng),
            "business_scope": _standard_scope(category),
            "status": status.value,
            "status_reason": reason,
            "status_changed_at": verified or created,
            "verified_at": verified,
            "verified_by_id": None,
            "created_at": created,
        }

    def fee_schedule_rows(self, ids: dict[str, int], rows: list[dict]) -> list[dict]:
        """1-2 offers for each active agency whose category has items in the catalogue."""
        schedules = []
        for row in rows:
            offers = self.offers.get(row["category"])
            if row["status"] != AgencyStatus.ACTIVE or not offers:
                continue
            for offer in self.rng.sample(offers, min(len(offers), self.rng.randint(1, 2))):
                schedules.append(self._fee_schedule_row(ids[row["credit_code"]], offer))
        return schedules

    def _fee_schedule_row(self, agency_id: int, offer: "OfferTemplate") -> dict:
        low, high = _fee_range(self.rng, offer.cap_fen, offer.code)
        start = max(offer.earliest, self.today - timedelta(days=self.rng.randint(0, 365)))
        return {
            "agency_id": agency_id,
            "service_item_id": offer.item_id,
            "fee_min_fen": low,
            "fee_max_fen": high,
            "unit": offer.unit,
            "basis": offer.basis,
            "promised_days": self.rng.randint(max(1, offer.days // 2), offer.days),
            "effective_from": start,
            "effective_to": None,
            "published_by_id": None,
            "created_at": self.now,
        }

    def _next_name(self) -> tuple[AgencyCategory, tuple[str, str, str]]:
        """The next combination in a fixed permutation: unique until all are used."""
        self.name_position = (self.name_position + self.name_stride) % self.name_space
        rest, tail = divmod(self.name_position, len(self.tails))
        rest, second = divmod(rest, len(words.TRADE_SECOND))
        place, first = divmod(rest, len(words.TRADE_FIRST))
        category, tail_text = self.tails[tail]
        trade = words.TRADE_FIRST[first] + words.TRADE_SECOND[second]
        return category, (words.PLACES[place], trade, tail_text)

    def _next_code(self) -> str:
        serial, chars = self.serial, []
        for _ in range(SERIAL_LENGTH):
            serial, digit = divmod(serial, len(ALPHABET))
            chars.append(ALPHABET[digit])
        self.serial += 1
        body = GENERATED_PREFIX + "".join(reversed(chars))
        return body + _check_character(body)

    def _status(self) -> tuple[AgencyStatus, str | None]:
        draw = self.rng.random()
        if draw < 0.90:
            return AgencyStatus.ACTIVE, None
        if draw < 0.95:
            return AgencyStatus.PENDING, None
        if draw < 0.98:
            return AgencyStatus.SUSPENDED, self.rng.choice(words.SUSPENSION_REASONS)
        return AgencyStatus.DEREGISTERED, self.rng.choice(words.DEREGISTRATION_REASONS)


@dataclass(frozen=True)
class OfferTemplate:
    """What a generated fee schedule needs to know about a catalogue item."""

    item_id: int
    code: str
    unit: str
    days: int
    cap_fen: int | None
    basis: str
    earliest: date


def _offer_templates(today: date) -> dict[str, list[OfferTemplate]]:
    """The catalogue's offerable items by category (guided ones need a cap in force today)."""
    rng = seeded("offers")
    templates: dict[str, list[OfferTemplate]] = {}
    query = select(ServiceItem).where(ServiceItem.retired_on.is_(None)).order_by(ServiceItem.id)
    for item in db.session.execute(query).scalars():
        cap = item.cap_in_force_on(today)
        if item.is_government_guided and cap is None:
            continue
        templates.setdefault(item.category, []).append(
            OfferTemplate(
                item_id=item.id,
                code=item.code,
                unit=item.unit,
                days=item.statutory_days,
                cap_fen=cap.cap_fen if cap else None,
                basis=_fee_basis(rng, cap),
                earliest=cap.effective_from if cap else date.min,
            )
        )
    return templates


def _ids_by_code(rows: list[dict]) -> dict[str, int]:
    """The ids the database gave to just-inserted rows (plain executemany returns none)."""
    codes = [row["credit_code"] for row in rows]
    query = select(Agency.credit_code, Agency.id).where(Agency.credit_code.in_(codes))
    return dict(db.session.execute(query).all())


def _check_character(body: str) -> str:
    """The 18th character of a code (DESIGN.md §6); stdnum's own is 10x slower per call,
    which shows at 200,000 codes. The tests check every generated code with stdnum."""
    total = sum(CODE_VALUES[char] * weight for char, weight in zip(body, CODE_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _next_serial() -> int:
    """One past the highest generated code already registered, so codes never collide."""
    highest = db.session.execute(
        select(func.max(Agency.credit_code)).where(Agency.credit_code.like(GENERATED_PREFIX + "%"))
    ).scalar()
    if highest is None:
        return 0
    serial = 0
    for char in highest[len(GENERATED_PREFIX) : 17]:
        serial = serial * len(ALPHABET) + ALPHABET.index(char)
    return serial + 1


def _coprime_stride(space: int) -> int:
    """A step near the golden section of `space` that visits every position once."""
    stride = int(space * 0.618)
    while math.gcd(stride, space) != 1:
        stride += 1
    return stride


@cache
def _search_forms(part: str) -> tuple[str, str, str]:
    """Normalised, pinyin and initials of one name component.

    Generated names are composed from a few hundred components, so caching per component
    replaces 200,000 pypinyin calls (about 150 µs each) by a few hundred. A name's forms
    are its components' forms joined: normalising works character by character, and the
    word lists avoid trade names that pypinyin would read across a boundary (市长川).
    """
    return normalise_name(part), pinyin_of(part), initials_of(part)


@cache
def _standard_scope(category: AgencyCategory) -> str:
    return "；".join(words.BUSINESS_SCOPES[category]) + words.SCOPE_CLOSING
