"""Large data sets for benchmarks (`flask demo generate`): Core bulk inserts, credit codes
numbered from a counter so they never collide, pinyin cached per name part."""

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import func, insert, select, text

from registry.accounts.permissions import SYSTEM
from registry.agencies import demo_data as words
from registry.agencies.categories import AgencyCategory, AgencyStatus
from registry.agencies.credit_code import ALPHABET
from registry.agencies.demo import (
    ensure_catalogue,
    fee_basis,
    fee_range,
    person_name,
    phone_number,
    seeded,
    street_address,
    weighted_towns,
)
from registry.agencies.models import Agency, FeeSchedule, ServiceItem
from registry.agencies.names import initials_of, normalise_name, pinyin_of, spaced
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db, utcnow

BATCH_SIZE = 5000
# Generated codes: 9 1 (a company), 320281 (江阴市), "MA" as in codes issued since 2015,
# then a counter in the code's alphabet and the check character.
GENERATED_PREFIX = "91320281MA"
SERIAL_LENGTH = 17 - len(GENERATED_PREFIX)
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CODE_VALUES = {char: value for value, char in enumerate(ALPHABET)}


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
    # Fresh statistics, or the planners guess after a bulk load (PostgreSQL then ignores the
    # search indexes; SQLite has no sqlite_stat1 at all).
    for table in ("agency", "fee_schedule"):
        db.session.execute(text(f"ANALYZE {table}"))
    return counts


class BulkAgencies:
    """Rows for Core inserts: unique names and credit codes, cheap search forms."""

    def __init__(self, seed: int, today: date, region: dict[str, list[str]]):
        self.rng = seeded(seed)
        self.today, self.now = today, utcnow()
        self.towns = weighted_towns(region)
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
            "name_chars": spaced("".join(form[0] for form in forms)),
            "category": category.value,
            "district": district,
            "town": town,
            "address": street_address(self.rng, district, town),
            "contact_person": person_name(self.rng),
            "phone": phone_number(self.rng),
            "email": None,
            "legal_representative": person_name(self.rng),
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
        low, high = fee_range(self.rng, offer.cap_fen, offer.code)
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
                basis=fee_basis(rng, cap),
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
