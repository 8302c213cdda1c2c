"""The public agency search: what a query matches and in what order, on SQLite and PostgreSQL.

A query is, in this order of precedence:
- a credit code (18 characters of the code's alphabet): that agency exactly;
- Latin letters: pinyin initials from the start of the name (jyhp -> 江阴环评…), and, from 3
  letters, a pinyin or Latin fragment anywhere in the name;
- anything else: a fragment of the normalised name, of any length.
Each kind is a literal test on the stored name forms (a substring, a prefix) that can be
checked row by row, and one or more branches that an index answers:
- SQLite: FTS5 trigram (agency_fts) from 3 characters; 1-2 characters a phrase over the
  name spelled one character a word (agency_chars, FTS5 unicode61);
- PostgreSQL: pg_trgm GIN from 3 characters; 1-2 characters a GIN over the name's single
  characters and pairs of characters (name_grams, migration 0007).
User input is always literal: it is quoted for FTS5, escaped for LIKE, compared as a value.

Relevance puts the names that begin with the query first (the exact name, then the others
in character order, as the name index lists them), then the other matches in the order they
joined the registry (id): an order that new registrations do not reshuffle, and one that
does not gather the matches of a fragment together, as pinyin order does (江阴敔… and 无锡敔…
each sit in one stretch of it), so that walking it finds a page of them quickly. Sorting by
name, or a search without a query, is pinyin order; sorting by stars is most stars first,
then pinyin order. Each order is an index order, so a page
can be read without sorting every match (search_pages.py).
"""

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    and_,
    case,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY

from registry.agencies.categories import AgencyStatus
from registry.agencies.credit_code import ALPHABET, LENGTH, normalise_credit_code
from registry.agencies.listing import not_listed_on
from registry.agencies.models import Agency, FeeSchedule, ServiceItem
from registry.agencies.names import normalise_name, spaced
from registry.db import LIKE_ESCAPE, contains_pattern, db

# Agencies the public search lists: verified and not deregistered.
SEARCHED_STATUSES = (AgencyStatus.ACTIVE.value, AgencyStatus.SUSPENDED.value)
SORTS = ("relevance", "name", "stars")
LATIN = re.compile(r"^[a-z0-9]+$")
TRIGRAM = 3
MAX_QUERY = 100
# Above every character: `text <= value < text + HIGHEST` is "value begins with text".
HIGHEST = "\U0010ffff"


@dataclass(frozen=True)
class AgencySearch:
    q: str = ""
    category: str | None = None
    district: str | None = None
    town: str | None = None
    service_item: str | None = None
    sort: str = "relevance"
    # Agencies on the blacklist today are left out unless asked for (DESIGN §4).
    include_blacklisted: bool = False
    # At least this many stars shown (mirrored on the agency row by ratings.results).
    min_stars: int | None = None
    # Further conditions a caller adds.
    conditions: tuple = field(default=())

    @property
    def text(self) -> str:
        return (self.q or "").strip()[:MAX_QUERY]

    @property
    def name(self) -> str:
        """The query as names are stored (normalised); it decides relevance."""
        return normalise_name(self.text)

    @property
    def by_relevance(self) -> bool:
        return self.sort == "relevance" and bool(self.name)

    @property
    def by_stars(self) -> bool:
        return self.sort == "stars"


@dataclass(frozen=True)
class Branch:
    """Matches an index reaches: a condition, the FTS5 table that leads the join (SQLite),
    and the same set as a test of the agency row."""

    condition: ColumnElement[bool]
    test: ColumnElement[bool]
    leader: object = None

    def where(self) -> ColumnElement[bool]:
        """The branch as one condition on agency rows, without joining its leader."""
        if self.leader is None:
            return and_(self.condition, self.test)
        hits = select(self.leader.c.rowid).where(self.condition)
        return and_(Agency.id.in_(hits), self.test)


@dataclass(frozen=True)
class TextMatch:
    """What a free-text query matches: the index branches, and all of them as one row test."""

    branches: tuple[Branch, ...]

    @property
    def test(self) -> ColumnElement[bool]:
        return or_(false(), *(branch.test for branch in self.branches))


NOTHING = TextMatch(branches=())


def text_match(q: str) -> TextMatch | None:
    """The branches a free-text query searches; None without a query."""
    if not q:
        return None
    code = normalise_credit_code(q)
    if len(code) == LENGTH and all(char in ALPHABET for char in code):
        equal = Agency.credit_code == code
        return TextMatch((Branch(equal, equal),))
    name = normalise_name(q)
    if not name:
        return NOTHING
    sqlite = _dialect() == "sqlite"
    if LATIN.match(name):
        initials = begins_with(Agency.name_initials, name)
        if len(name) < TRIGRAM:
            return TextMatch((Branch(initials, initials),))
        if sqlite:
            return TextMatch((Branch(initials, initials), fragment_branch(name, sqlite)))
        # One branch: PostgreSQL answers the OR with a BitmapOr of the three indexes.
        fragment = fragment_branch(name, sqlite)
        return TextMatch((Branch(or_(initials, fragment.condition), or_(initials, fragment.test)),))
    if len(name) >= TRIGRAM:
        return TextMatch((fragment_branch(name, sqlite),))
    return TextMatch((short_fragment_branch(name, sqlite),))


def begins_with(column_, text: str) -> ColumnElement[bool]:
    """The column begins with the text, as an index range (no LIKE, no case folding)."""
    return and_(column_ >= text, column_ < text + HIGHEST)


def contains(column_, text: str) -> ColumnElement[bool]:
    """The column contains the text literally: a test of the row, never an index."""
    if _dialect() == "sqlite":
        return func.instr(column_, text) > 0
    return func.strpos(column_, text) > 0


def fragment_branch(fragment: str, sqlite: bool) -> Branch:
    """A fragment of 3+ characters anywhere in the name or its pinyin."""
    test = or_(contains(Agency.name_normalised, fragment), contains(Agency.name_pinyin, fragment))
    if sqlite:
        return fts_branch("agency_fts", fragment, test)
    pattern = contains_pattern(fragment)
    condition = or_(
        Agency.name_normalised.like(pattern, escape=LIKE_ESCAPE),
        Agency.name_pinyin.like(pattern, escape=LIKE_ESCAPE),
    )
    return Branch(condition, test)


def short_fragment_branch(fragment: str, sqlite: bool) -> Branch:
    """A 1-2 character fragment: those characters next to each other in the name."""
    test = contains(Agency.name_normalised, fragment)
    if sqlite:
        # The phrase finds every name holding the fragment; the test drops what FTS5 reads
        # differently (punctuation it skips).
        return fts_branch("agency_chars", spaced(fragment), test)
    grams = func.name_grams(Agency.name_normalised, type_=ARRAY(Text))
    return Branch(grams.contains([fragment]), test)


def fts_branch(fts_table: str, phrase: str, test) -> Branch:
    """A branch led by an FTS5 table joined on its rowid, the phrase quoted as one string."""
    leader = table(fts_table, column("rowid"))
    quoted = '"' + phrase.replace('"', '""') + '"'
    condition = literal_column(fts_table).op("MATCH")(quoted)
    return Branch(condition, test, leader)


def filters(search: AgencySearch, today: date) -> list[ColumnElement[bool]]:
    """The conditions every listed agency meets: status, not blacklisted today (unless
    asked for), the filters, the caller's own."""
    conditions = [Agency.status.in_(SEARCHED_STATUSES)]
    if not search.include_blacklisted:
        conditions.append(not_listed_on(today))
    if search.category:
        conditions.append(Agency.category == search.category)
    if search.district:
        conditions.append(Agency.district == search.district)
    if search.town:
        conditions.append(Agency.town == search.town)
    if search.service_item:
        conditions.append(Agency.id.in_(offering(search.service_item, today)))
    if search.min_stars:
        conditions.append(Agency.stars >= search.min_stars)
    return [*conditions, *search.conditions]


def offering(code: str, today: date):
    """Ids of agencies with a fee in force today for the catalogue item with this code."""
    return (
        select(FeeSchedule.agency_id)
        .join(ServiceItem, ServiceItem.id == FeeSchedule.service_item_id)
        .where(ServiceItem.code == code, FeeSchedule.in_force_clause(today))
    )


def leading(search: AgencySearch) -> ColumnElement[bool]:
    """Names that relevance lists first: those beginning with the query (the exact name too)."""
    if not search.by_relevance:
        return false()
    return begins_with(Agency.name_normalised, search.name)


def search_agencies(search: AgencySearch, today: date) -> Select:
    """Every agency matching the search, in its order (a select of Agency, for exports)."""
    query = select(Agency).where(*filters(search, today))
    match = text_match(search.text)
    if match is not None:
        query = query.where(or_(false(), *(branch.where() for branch in match.branches)))
    return query.order_by(*order(search))


def fewest_stars_last():
    """Stars, most first, unrated and blacklisted agencies last, as one ascending key the
    same on both databases (ix_agency_stars_order, migration 0012, is its index)."""
    return func.coalesce(-Agency.stars, literal_column("0"))


def order(search: AgencySearch) -> list:
    """The result order as SQL (see the module's docstring)."""
    if search.by_stars:
        return [fewest_stars_last(), Agency.name_pinyin, Agency.id]
    if not search.by_relevance:
        return [Agency.name_pinyin, Agency.id]
    first = leading(search)
    return [case((first, 0), else_=1), case((first, Agency.name_normalised)), Agency.id]


def _dialect() -> str:
    return db.engine.dialect.name
