"""Fair selection: an agency drawn at random among the eligible ones, re-runnable by anyone.

The draw (method "sha256-mod-v1"):

1. candidates: the credit codes of the eligible agencies (eligibility.eligible_agencies),
   sorted, joined by commas, e.g. "91320281AAAA,91320281BBBB,91320281CCCC";
2. seed: 32 random hexadecimal characters, made by the server at the draw;
3. digest = SHA-256 of the UTF-8 text seed + "|" + candidates, read as a hexadecimal
   number; the chosen agency is candidates[digest mod n], counting from 0.

Both inputs are stored with the result and written in the audit log at the moment of
the draw, so the public page (and anyone with a SHA-256 tool) re-runs it and gets the
same agency. Fewer than FAIR_DRAW_MIN_CANDIDATES eligible agencies: no draw.
"""

import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from ratings.engagements.eligibility import eligible_agencies
from ratings.engagements.models import FairDraw
from ratings.engagements.permissions import acts_for_enterprise
from ratings.engagements.services import EngagementError
from registry.accounts.permissions import PermissionDenied
from registry.agencies.models import Agency, Enterprise, ServiceItem
from registry.audit.labels import describe
from registry.audit.services import record
from registry.dates import local_today
from registry.db import db

describe(
    actions={"fair_draw.drawn": _l("Agency drawn at random")},
    objects={"fair_draw": _l("Fair draw")},
)

METHOD = "sha256-mod-v1"
SEPARATOR = "|"


def digest_of(seed: str, candidates: str) -> str:
    return hashlib.sha256(f"{seed}{SEPARATOR}{candidates}".encode()).hexdigest()


def choose(seed: str, candidates: list[str]) -> int:
    """The index of the chosen candidate: SHA-256(seed | candidates) mod n."""
    if not candidates:
        raise ValueError("a draw needs candidates")
    return int(digest_of(seed, ",".join(candidates)), 16) % len(candidates)


@dataclass(frozen=True)
class Rerun:
    """A stored draw worked out again from its seed and candidates."""

    digest: str
    index: int
    credit_code: str
    matches: bool


def rerun(draw: FairDraw) -> Rerun:
    codes = draw.candidate_codes
    index = choose(draw.seed, codes)
    chosen = db.session.get(Agency, draw.chosen_agency_id)
    return Rerun(
        digest=digest_of(draw.seed, draw.candidates),
        index=index,
        credit_code=codes[index],
        matches=index == draw.chosen_index and codes[index] == chosen.credit_code,
    )


def draw_agency(
    actor, enterprise: Enterprise, item: ServiceItem, min_stars: int | None = None
) -> FairDraw:
    """Draw an agency for the enterprise among those eligible today; refused under the minimum."""
    if not acts_for_enterprise(actor, enterprise.id):
        raise PermissionDenied("only the enterprise's own accounts ask for a draw")
    if item.retired_on is not None:
        raise EngagementError(_("This service is no longer in the catalogue."), "service_item")
    today = local_today()
    agencies = eligible_agencies(item.id, today, min_stars)
    minimum = current_app.config["FAIR_DRAW_MIN_CANDIDATES"]
    if len(agencies) < minimum:
        raise EngagementError(_too_few(len(agencies), minimum, item, min_stars))
    codes = [agency.credit_code for agency in agencies]
    seed = secrets.token_hex(16)
    index = choose(seed, codes)
    draw = FairDraw(
        code=_unused_code(),
        method=METHOD,
        enterprise_id=enterprise.id,
        service_item_id=item.id,
        min_stars=min_stars,
        drawn_on=today,
        candidates=",".join(codes),
        candidate_count=len(codes),
        seed=seed,
        chosen_index=index,
        chosen_agency_id=agencies[index].id,
        drawn_by_id=actor.id,
    )
    db.session.add(draw)
    db.session.flush()
    record(
        "fair_draw.drawn",
        actor=actor,
        obj=draw,
        details={
            "code": draw.code,
            "method": METHOD,
            "service_item": item.code,
            "min_stars": min_stars,
            "candidates": draw.candidates,
            "seed": seed,
            "chosen": codes[index],
        },
    )
    return draw


def _too_few(found: int, minimum: int, item: ServiceItem, min_stars: int | None) -> str:
    """Why there is no draw: how many were eligible, how many are needed, and what counts."""
    eligible = ngettext(
        "Only %(num)d agency is eligible for %(service)s today.",
        "Only %(num)d agencies are eligible for %(service)s today.",
        found,
        service=item.name,
    )
    rule = _(
        "A fair draw needs at least %(minimum)d eligible agencies: active, offering the "
        "service, with a valid commitment and not blacklisted.",
        minimum=minimum,
    )
    if not min_stars:
        return f"{eligible} {rule}"
    stars = _("With a minimum of %(stars)d stars, unrated agencies do not count.", stars=min_stars)
    return f"{eligible} {rule} {stars}"


def draw_by_code(code: str) -> FairDraw | None:
    code = "".join((code or "").split()).upper()
    return db.session.execute(select(FairDraw).where(FairDraw.code == code)).scalar_one_or_none()


def _unused_code() -> str:
    while True:
        code = secrets.token_hex(5).upper()
        if draw_by_code(code) is None:
            return code
