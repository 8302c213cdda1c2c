"""The public agency search: one query box, filters and sorting, on SQLite and PostgreSQL.

A query is, in this order of precedence:
- a credit code (18 characters of the code's alphabet): that agency exactly;
- Latin letters: pinyin initials from the start of the name (jyhp -> 江阴环评…), and, from 3
  letters, a pinyin or Latin fragment anywhere in the name;
- anything else: a fragment of the normalised name, of any length. From 3 characters a
  trigram index answers (FTS5 on SQLite, pg_trgm on PostgreSQL); 1-2 characters are a
  phrase over the name spelled one character a word (FTS5 unicode61 / a tsvector).
User input is always literal: it is quoted for FTS5 and escaped for LIKE.
"""

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, func, literal_column, or_, select, text, union

from registry.agencies.categories import AgencyStatus
from registry.agencies.credit_code import ALPHABET, LENGTH, normalise_credit_code
from registry.agencies.models import Agency, FeeSchedule, ServiceItem
from registry.agencies.names import normalise_name, spaced
from registry.db import LIKE_ESCAPE, contains_pattern, db, starts_with_pattern

# Agencies the public search lists: verified and not deregistered.
SEARCHED_STATUSES = (AgencyStatus.ACTIVE.value, AgencyStatus.SUSPENDED.value)
SORTS = ("relevance", "name")
LATIN = re.compile(r"^[a-z0-9]+$")
TRIGRAM = 3
MAX_QUERY = 100


@dataclass(frozen=True)
class AgencySearch:
    q: str = ""
    category: str | None = None
    district: str | None = None
    town: str | None = None
    service_item: str | None = None
    sort: str = "relevance"


def search_agencies(search: AgencySearch, today: date) -> Select:
    """The agencies matching the search, ordered as asked (a select of Agency)."""
    query = select(Agency).where(Agency.status.in_(SEARCHED_STATUSES))
    text_query = (search.q or "").strip()[:MAX_QUERY]
    if text_query:
        query = query.where(name_or_code_matches(text_query))
    if search.category:
        query = query.where(Agency.category == search.category)
    if search.district:
        query = query.where(Agency.district == search.district)
    if search.town:
        query = query.where(Agency.town == search.town)
    if search.service_item:
        query = query.where(Agency.id.in_(offering(search.service_item, today)))
    return query.order_by(*ordering(search.sort, normalise_name(text_query)))


def name_or_code_matches(q: str):
    """The condition a free-text query puts on agencies."""
    code = normalise_credit_code(q)
    if len(code) == LENGTH and all(char in ALPHABET for char in code):
        return Agency.credit_code == code
    name = normalise_name(q)
    if not name:
        return Agency.id.is_(None)
    if LATIN.match(name):
        # A union of two index lookups: an OR of both conditions makes planners walk every
        # row and test each side.
        ids = select(Agency.id).where(initials_start_with(name))
        if len(name) >= TRIGRAM:
            ids = union(ids, select(Agency.id).where(fragment_matches(name)))
        return Agency.id.in_(ids)
    if len(name) >= TRIGRAM:
        return fragment_matches(name)
    return short_fragment_matches(name)


def initials_start_with(letters: str):
    """Initials beginning with the letters, as an index range (no LIKE, no case folding)."""
    return and_(Agency.name_initials >= letters, Agency.name_initials < letters + "\uffff")


def fragment_matches(fragment: str):
    """A fragment of 3+ characters anywhere in the name or its pinyin."""
    if _dialect() == "sqlite":
        phrase = '"' + fragment.replace('"', '""') + '"'
        hits = (
            select(literal_column("rowid"))
            .select_from(text("agency_fts"))
            .where(text("agency_fts MATCH :fts_phrase").bindparams(fts_phrase=phrase))
        )
        return Agency.id.in_(hits)
    pattern = contains_pattern(fragment)
    return or_(
        Agency.name_normalised.like(pattern, escape=LIKE_ESCAPE),
        Agency.name_pinyin.like(pattern, escape=LIKE_ESCAPE),
    )


def short_fragment_matches(fragment: str):
    """A 1-2 character fragment: those characters next to each other in the name."""
    words = spaced(fragment)
    if _dialect() == "sqlite":
        phrase = '"' + words.replace('"', '""') + '"'
        hits = (
            select(literal_column("rowid"))
            .select_from(text("agency_chars"))
            .where(text("agency_chars MATCH :chars_phrase").bindparams(chars_phrase=phrase))
        )
        return Agency.id.in_(hits)
    return func.to_tsvector(literal_column("'simple'"), Agency.name_chars).op("@@")(
        func.phraseto_tsquery(literal_column("'simple'"), words)
    )


def offering(code: str, today: date):
    """Ids of agencies with a fee in force today for the catalogue item with this code."""
    return (
        select(FeeSchedule.agency_id)
        .join(ServiceItem, ServiceItem.id == FeeSchedule.service_item_id)
        .where(ServiceItem.code == code, FeeSchedule.in_force_clause(today))
    )


def ordering(sort: str, name: str) -> list:
    """Relevance: the exact name, then names starting with the query, then shorter names."""
    by_name = [Agency.name_pinyin, Agency.id]
    if sort == "name" or not name:
        return by_name
    closeness = case(
        (Agency.name_normalised == name, 0),
        (Agency.name_normalised.like(starts_with_pattern(name), escape=LIKE_ESCAPE), 1),
        else_=2,
    )
    return [closeness, func.length(Agency.name_normalised), *by_name]


def _dialect() -> str:
    return db.engine.dialect.name
