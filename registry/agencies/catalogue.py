"""The service catalogue: regulators create, correct, cap and retire service items.

A fee cap is never edited: a new cap ends the one in force and starts anew, so the cap in
force on any past date stays known (as with fee schedules, fees.py). An item is retired,
never deleted, and can be reinstated. Each service checks its actor, locks the item before
reading the state it depends on (so of two regulators acting at once the second sees what
the first did), writes the audit event, and leaves the commit to the caller.
"""

import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from registry.accounts.permissions import is_regulator, require
from registry.agencies.categories import AgencyCategory, AgencyStatus, PricingType
from registry.agencies.models import Agency, FeeCap, FeeSchedule, ServiceItem, fen
from registry.audit.labels import describe
from registry.audit.queries import with_last_change
from registry.audit.services import record
from registry.dates import local_today
from registry.db import LIKE_ESCAPE, contains_pattern, db, lock

describe(
    actions={
        "service_item.created": _l("Service item created"),
        "service_item.updated": _l("Service item corrected"),
        "service_item.cap_set": _l("Fee cap set"),
        "service_item.retired": _l("Service item retired"),
        "service_item.reinstated": _l("Service item reinstated"),
    },
    objects={"service_item": _l("Service item")},
)

CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]*")
# Guards against slips of the keyboard and integer overflow; no real value comes near them.
MAX_STATUTORY_DAYS = 1000
MAX_CAP_YUAN = Decimal(1_000_000_000)
ONE_FEN = Decimal("0.01")
REQUIRED_TEXTS = {
    "name": _l("Give the service item a name."),
    "legal_basis": _l("State the legal basis of the service."),
    "unit": _l("State the unit the fee is charged per."),
    "acceptance_conditions": _l("State the acceptance conditions."),
    "materials": _l("List the materials the enterprise must provide."),
    "procedure": _l("Describe the procedure step by step."),
}
# A line's own numbering ("1.", "2、", "(3)", "四、"), dropped where pages number the lines.
LINE_NUMBER = re.compile(
    r"^\s*(?:\d{1,3}[.、)）](?!\d)|[(（]\d{1,3}[)）]|[一二三四五六七八九十]+、)\s*"
)


class CatalogueError(ValueError):
    """A refused catalogue action: a message for the user, and the input at fault if known."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class ServiceItemDetails:
    """Everything about a service item that a regulator may correct: all but its code."""

    name: str
    category: str
    legal_basis: str
    pricing_type: str
    unit: str
    statutory_days: int
    acceptance_conditions: str
    materials: str
    procedure: str


@dataclass
class CapDetails:
    cap: Decimal  # yuan
    basis: str
    effective_from: date


# --- services ------------------------------------------------------------------------


def create_service_item(
    actor, code: str, details: ServiceItemDetails, cap: CapDetails | None = None
) -> ServiceItem:
    """Add an item to the catalogue; a government-guided item starts with its cap."""
    require(is_regulator, actor)
    code = _checked_code(code)
    details = _checked_details(details)
    if details.pricing_type == PricingType.GOVERNMENT_GUIDED:
        cap = _checked_cap(_needed_cap(cap))
    elif cap is not None:
        raise CatalogueError(_("A market-priced service item has no fee cap."), "cap")
    item = ServiceItem(code=code, **asdict(details))
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:
        # Another regulator created the code between the check and the insert.
        raise CatalogueError(
            _("Another service item already has the code %(code)s.", code=code), "code"
        ) from None
    record("service_item.created", actor=actor, obj=item, details={"code": code, **asdict(details)})
    if cap is not None:
        _start_cap(actor, item, cap)
    return item


def update_service_item(
    actor, item: ServiceItem, details: ServiceItemDetails, cap: CapDetails | None = None
) -> None:
    """Correct an item (its code never changes).

    Cases: switching from market to government-guided needs a cap, which starts the cap
    history anew; switching to market ends the cap in force today (or at its start, if
    later); a cap given in any other case is refused, as caps change through set_fee_cap.
    """
    require(is_regulator, actor)
    lock(item)
    details = _checked_details(details)
    cap = _cap_for_switch(item, details, cap)
    changes = _changes(item, details)
    if not changes:
        return
    was_guided = item.is_government_guided
    for name, change in changes.items():
        setattr(item, name, change["to"])
    summary = {"code": item.code, "changes": changes}
    if was_guided and not item.is_government_guided and _open_cap(item) is not None:
        summary["cap_ended_on"] = _end_open_cap(item)
    record("service_item.updated", actor=actor, obj=item, details=summary)
    if cap is not None:
        _start_cap(actor, item, cap)


def set_fee_cap(actor, item: ServiceItem, cap: CapDetails) -> FeeCap:
    """A new cap for a government-guided item: it ends the cap in force from its start."""
    require(is_regulator, actor)
    lock(item)  # of two caps set at once, the second ends the first's
    if not item.is_government_guided:
        raise CatalogueError(
            with_last_change(_("A market-priced service item has no fee cap."), item), "cap"
        )
    cap = _checked_cap(cap)
    if item.retired_on is not None and item.retired_on <= cap.effective_from:
        raise CatalogueError(
            with_last_change(
                _("This service item is retired from %(day)s.", day=item.retired_on.isoformat()),
                item,
            ),
            "cap_effective_from",
        )
    _check_cap_start(item, cap)
    return _start_cap(actor, item, cap)


def retire_service_item(actor, item: ServiceItem, retired_on: date) -> None:
    """Take an item out of the public catalogue from a day (today or later); its rows stay."""
    require(is_regulator, actor)
    lock(item)
    if item.retired_on is not None:
        raise CatalogueError(
            with_last_change(
                _(
                    "This service item is already retired from %(day)s.",
                    day=item.retired_on.isoformat(),
                ),
                item,
            )
        )
    if retired_on < local_today():
        raise CatalogueError(_("An item cannot be retired in the past."), "retired_on")
    item.retired_on = retired_on
    record(
        "service_item.retired",
        actor=actor,
        obj=item,
        details={"code": item.code, "retired_on": retired_on.isoformat()},
    )


def reinstate_service_item(actor, item: ServiceItem) -> None:
    """Put a retired item back in the catalogue."""
    require(is_regulator, actor)
    lock(item)
    if item.retired_on is None:
        raise CatalogueError(with_last_change(_("This service item is not retired."), item))
    record(
        "service_item.reinstated",
        actor=actor,
        obj=item,
        details={"code": item.code, "was_retired_on": item.retired_on.isoformat()},
    )
    item.retired_on = None


# --- rules -----------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """A code as stored: full-width characters made plain, trimmed, upper-cased."""
    return unicodedata.normalize("NFKC", code or "").strip().upper()


def _checked_code(code: str) -> str:
    code = normalise_code(code)
    limit = ServiceItem.__table__.c.code.type.length
    if not CODE_PATTERN.fullmatch(code) or len(code) > limit:
        raise CatalogueError(
            _("A code has up to %(n)d letters, digits and dashes, such as CH-001.", n=limit),
            "code",
        )
    if service_item_by_code(code) is not None:
        raise CatalogueError(
            _("Another service item already has the code %(code)s.", code=code), "code"
        )
    return code


def _checked_details(details: ServiceItemDetails) -> ServiceItemDetails:
    """The details with their texts trimmed; CatalogueError names the first field at fault."""
    details = replace(details, **{name: _clean(getattr(details, name)) for name in REQUIRED_TEXTS})
    for name, missing in REQUIRED_TEXTS.items():
        _check_text(name, getattr(details, name), str(missing))
    if details.category not in {category.value for category in AgencyCategory}:
        raise CatalogueError(_("Choose a category from the list."), "category")
    if details.pricing_type not in {pricing.value for pricing in PricingType}:
        raise CatalogueError(_("Choose a pricing type from the list."), "pricing_type")
    if not 1 <= (details.statutory_days or 0) <= MAX_STATUTORY_DAYS:
        raise CatalogueError(
            _(
                "The statutory time limit is between 1 and %(n)d working days.",
                n=MAX_STATUTORY_DAYS,
            ),
            "statutory_days",
        )
    return details


def _clean(text: str | None) -> str:
    """Trimmed, with the browser's CRLF line ends stored as LF."""
    return (text or "").replace("\r\n", "\n").strip()


def _check_text(name: str, value: str, missing: str) -> None:
    if not value:
        raise CatalogueError(missing, name)
    limit = ServiceItem.__table__.c[name].type.length
    if limit and len(value) > limit:
        raise CatalogueError(_("At most %(n)d characters.", n=limit), name)


def _needed_cap(cap: CapDetails | None) -> CapDetails:
    if cap is None:
        raise CatalogueError(_("A government-guided service item needs a fee cap."), "cap")
    return cap


def _cap_for_switch(
    item: ServiceItem, details: ServiceItemDetails, cap: CapDetails | None
) -> CapDetails | None:
    """The checked cap of an item becoming government-guided; a cap is refused otherwise."""
    becomes_guided = details.pricing_type == PricingType.GOVERNMENT_GUIDED
    if becomes_guided and not item.is_government_guided:
        cap = _checked_cap(_needed_cap(cap))
        _check_cap_start(item, cap)
        return cap
    if cap is None:
        return None
    if becomes_guided:
        raise CatalogueError(
            _("This item already has a fee cap; set a new one on its fee cap page."), "cap"
        )
    raise CatalogueError(_("A market-priced service item has no fee cap."), "cap")


def _checked_cap(cap: CapDetails) -> CapDetails:
    """The cap with its basis trimmed; CatalogueError names the input at fault."""
    amount = cap.cap
    if amount is None or not amount.is_finite():
        raise CatalogueError(_("Enter the cap in yuan."), "cap")
    if amount < 0:
        raise CatalogueError(_("A fee cap cannot be negative."), "cap")
    if amount > MAX_CAP_YUAN or amount != amount.quantize(ONE_FEN):
        raise CatalogueError(_("Enter the cap in yuan, with at most two decimals."), "cap")
    if not _clean(cap.basis):
        raise CatalogueError(_("State the basis of the cap (the pricing document)."), "cap_basis")
    if cap.effective_from is None:
        raise CatalogueError(_("Give the date the cap takes effect."), "cap_effective_from")
    return replace(cap, basis=_clean(cap.basis))


def _check_cap_start(item: ServiceItem, cap: CapDetails) -> None:
    """A new cap may not reach back over the caps already on record."""
    earliest = _earliest_new_cap(item)
    if earliest is not None and cap.effective_from < earliest:
        raise CatalogueError(
            with_last_change(
                _(
                    "A new cap cannot take effect before %(day)s; earlier caps are on record.",
                    day=earliest.isoformat(),
                ),
                item,
            ),
            "cap_effective_from",
        )


def _earliest_new_cap(item: ServiceItem) -> date | None:
    """The start of the open cap, or else the end of the last cap; None without caps."""
    current = _open_cap(item)
    if current is not None:
        return current.effective_from
    return max((cap.effective_to for cap in item.caps), default=None)


def _open_cap(item: ServiceItem) -> FeeCap | None:
    return next((cap for cap in item.caps if cap.effective_to is None), None)


def _start_cap(actor, item: ServiceItem, cap: CapDetails) -> FeeCap:
    """Write a checked cap, ending the open one on the day the new one starts."""
    current = _open_cap(item)
    if current is not None:
        current.effective_to = cap.effective_from
        db.session.flush()  # the open cap must end before the partial unique index sees another
    new_cap = FeeCap(
        service_item=item,
        cap_fen=fen(cap.cap),
        basis=cap.basis,
        effective_from=cap.effective_from,
    )
    db.session.add(new_cap)
    db.session.flush()
    record(
        "service_item.cap_set",
        actor=actor,
        obj=item,
        details={
            "code": item.code,
            "fee_cap_id": new_cap.id,
            "cap": str(new_cap.cap),
            "basis": new_cap.basis,
            "effective_from": new_cap.effective_from.isoformat(),
            "replaces": current.id if current else None,
        },
    )
    return new_cap


def _end_open_cap(item: ServiceItem) -> str:
    """End the open cap today, or at its start if that is later; the day it ended."""
    current = _open_cap(item)
    current.effective_to = max(local_today(), current.effective_from)
    return current.effective_to.isoformat()


def _changes(item: ServiceItem, details: ServiceItemDetails) -> dict:
    return {
        name: {"from": getattr(item, name), "to": value}
        for name, value in asdict(details).items()
        if getattr(item, name) != value
    }


# --- queries ---------------------------------------------------------------------------


def service_item_by_code(code: str) -> ServiceItem | None:
    return db.session.execute(
        select(ServiceItem).where(func.upper(ServiceItem.code) == normalise_code(code))
    ).scalar_one_or_none()


def catalogue_query(
    *,
    text: str | None = None,
    category: str | None = None,
    pricing_type: str | None = None,
    include_retired: bool = False,
):
    """Service items by code, matching the text in code or name; retired ones when asked."""
    query = select(ServiceItem).order_by(ServiceItem.code)
    if text and text.strip():
        pattern = contains_pattern(unicodedata.normalize("NFKC", text).strip().lower())
        query = query.where(
            or_(
                ServiceItem.code.ilike(pattern, escape=LIKE_ESCAPE),
                ServiceItem.name.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    if category:
        query = query.where(ServiceItem.category == category)
    if pricing_type:
        query = query.where(ServiceItem.pricing_type == pricing_type)
    if not include_retired:
        query = query.where(
            or_(ServiceItem.retired_on.is_(None), ServiceItem.retired_on > local_today())
        )
    return query


def offers_in_force(item: ServiceItem, day: date) -> list[FeeSchedule]:
    """The fees active agencies charge for the item on a day, by agency name."""
    query = (
        FeeSchedule.in_force_on(day)
        .join(FeeSchedule.agency)
        .where(FeeSchedule.service_item_id == item.id, Agency.status == AgencyStatus.ACTIVE)
        .options(contains_eager(FeeSchedule.agency))
        .order_by(Agency.name_normalised, Agency.id)
    )
    return list(db.session.execute(query).scalars())


def listed_lines(text: str) -> list[str]:
    """A multi-line text as its non-empty lines, without numbering of their own."""
    lines = (LINE_NUMBER.sub("", line, count=1).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]
