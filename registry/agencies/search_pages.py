"""Pages of search results, read without counting or sorting every match.

A search first counts its matches up to a limit (config SEARCH_COUNT_LIMIT), led by the
index of its text or of its filters. Within the limit the database sorts them (few rows)
and the total is exact. Beyond it nothing more is counted or sorted: the total is "more than
the limit", only the first `limit` results are offered, and a page is read by walking an
index in the result order and testing each row, so that its cost follows the page's
position, not the number of matches:
- names beginning with the query: the name_normalised index, a range in its own order;
- the other matches: the primary key, in the order agencies joined the registry;
- pinyin order: ix_agency_search_order on (name_pinyin, id); on SQLite it also holds the
  columns the tests read, so that walk never reads the table;
- stars order: ix_agency_stars_order on (-stars or 0, name_pinyin, id).
Within the limit the page's rows come with the statement that counts and sorts; past it
they are loaded by id after the walk. The API's exact total is a count of every match.
"""

from dataclasses import dataclass
from datetime import date
from math import ceil

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, false, func, not_, select, text, union_all

from registry.agencies.models import Agency
from registry.agencies.search import AgencySearch, TextMatch, filters, leading, order, text_match
from registry.db import db


class SearchResults(Pagination):
    """One page of results in flask-sqlalchemy's shape, so that the pager macro reads it.

    total is None when more than `limit` agencies match: only the first `limit` are offered.
    """

    def __init__(
        self, items: list[Agency], page: int, per_page: int, total: int | None, limit: int
    ):
        self.limit = limit
        super().__init__(
            page=page, per_page=per_page, max_per_page=None, error_out=False, items=items
        )
        self.total = total

    def _query_items(self) -> list[Agency]:
        return self._query_args["items"]

    def _query_count(self) -> None:
        return None  # set by __init__: the search counted already

    @property
    def more_than_limit(self) -> bool:
        return self.total is None

    @property
    def pages(self) -> int:
        shown = self.limit if self.total is None else self.total
        return ceil(shown / self.per_page)

    @property
    def past_the_end(self) -> bool:
        """A page number beyond the results offered (a hand-edited or stale link)."""
        return 0 < self.pages < self.page

    @property
    def prev_num(self) -> int | None:
        """The page before; from past the end, the last page."""
        return min(self.page - 1, self.pages) if self.has_prev else None


def find_agencies(
    search: AgencySearch,
    today: date,
    *,
    page: int,
    per_page: int,
    limit: int,
    exact_total: bool = False,
) -> SearchResults:
    """One page of the search's results; the total, or None past `limit` unless exact_total."""
    plan = search_plan(search, today)
    plan_with_the_values()
    offset = (page - 1) * per_page
    agencies, counted = (
        plan.counted_page(limit + 1, offset, per_page) if offset < limit else ([], None)
    )
    if counted is None:  # a page past the results, or past the limit: count apart
        counted = plan.count(up_to=limit + 1)
    if counted <= limit:
        return SearchResults(agencies, page, per_page, counted, limit)
    total = plan.count() if exact_total else None
    if offset < limit:
        agencies = load(
            plan.walked_ids(offset, per_page if exact_total else min(per_page, limit - offset))
        )
    elif exact_total and offset < total:
        # A deep page of the API: walking would pass `offset` rows; sorting costs less.
        agencies, _ = plan.counted_page(None, offset, per_page)
    else:
        agencies = []
    return SearchResults(agencies, page, per_page, total, limit)


def plan_with_the_values() -> None:
    """PostgreSQL: plan this transaction's statements for their values, never generically.

    psycopg prepares a statement run five times, and PostgreSQL may then keep one generic
    plan for it; a search's cost depends on its values (one character is in a third of the
    names, another in a few), and a generic plan made the 1-2 character search four times
    slower in the benchmark.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def load(ids: list[int]) -> list[Agency]:
    """The agencies with these ids, in this order."""
    if not ids:
        return []
    found = db.session.execute(select(Agency).where(Agency.id.in_(ids))).scalars()
    by_id = {agency.id: agency for agency in found}
    return [by_id[agency_id] for agency_id in ids]


def search_plan(search: AgencySearch, today: date) -> "SearchPlan":
    """The queries a search runs today."""
    return SearchPlan(search, filters(search, today), text_match(search.text))


@dataclass(frozen=True)
class SearchPlan:
    """The queries one search runs: its filters, and its text match (None without text)."""

    search: AgencySearch
    conditions: list
    match: TextMatch | None

    def branch_queries(self, *columns) -> list[Select]:
        """One select per branch, led by its index, leaving out earlier branches' rows."""
        columns = columns or (Agency.id,)
        if self.match is None:
            return [select(*columns).where(*self.conditions)]
        if not self.match.branches:
            return [select(*columns).where(false())]
        queries, earlier = [], []
        for branch in self.match.branches:
            query = select(*columns)
            if branch.leader is not None:
                query = query.select_from(
                    branch.leader.join(Agency, Agency.id == branch.leader.c.rowid)
                )
            query = query.where(
                branch.condition, branch.test, *self.conditions, *(not_(t) for t in earlier)
            )
            earlier.append(branch.test)
            queries.append(query)
        return queries

    def count(self, up_to: int | None = None) -> int:
        """The matches, counted up to `up_to` if given."""
        total = 0
        for query in self.branch_queries():
            if up_to is not None:
                query = query.limit(up_to - total)
            counted = select(func.count()).select_from(query.subquery())
            total += db.session.execute(counted).scalar_one()
            if up_to is not None and total >= up_to:
                break
        return total

    def counted_page(self, up_to: int | None, offset: int, count: int):
        """A page of the first `up_to` matches in the result order, and how many they are.

        One statement: the matches, at most up_to, read along their indexes; their number;
        the page of them, which the database sorts; and its rows. The page is the true one
        when they are all the matches (fewer than up_to). The number is None if the page is
        empty.
        """
        keys = [key.label(f"key{number}") for number, key in enumerate(order(self.search))]
        queries = self.branch_queries(Agency.id.label("id"), *keys)
        matches = queries[0] if len(queries) == 1 else union_all(*queries)
        if up_to is not None:
            matches = matches.limit(up_to)
        matches = matches.subquery()
        sort = [matches.c[key.name] for key in keys]
        page = (
            select(matches.c.id, *sort, func.count().over().label("counted"))
            .order_by(*sort)
            .offset(offset)
            .limit(count)
            .subquery()
        )
        rows = db.session.execute(
            select(Agency, page.c.counted)
            .join(page, Agency.id == page.c.id)
            .order_by(*(page.c[key.name] for key in keys))
        ).all()
        if not rows:
            return [], (None if offset else 0)
        return [row.Agency for row in rows], rows[0].counted

    def walked_ids(self, offset: int, count: int) -> list[int]:
        """Ids of the page at `offset`, read by walking indexes in the result order."""
        if not self.search.by_relevance:
            return self.walk(None, tuple(order(self.search)), offset, count)
        first = leading(self.search)
        ids = self.walk(first, (Agency.name_normalised, Agency.id), offset, count)
        if len(ids) == count:
            return ids
        # The names beginning with the query ran out on this page: the others follow. If none
        # was on it, fewer than `offset` begin with the query: their range says how many.
        if ids or not offset:
            leading_total = offset + len(ids)
        else:
            leading_total = db.session.execute(self.walked(func.count(), first)).scalar_one()
        rest_offset = max(0, offset - leading_total)
        return ids + self.walk(not_(first), (Agency.id,), rest_offset, count - len(ids))

    def walk(self, driver, order_by: tuple, offset: int, count: int) -> list[int]:
        """Ids in `order_by`, read along the index of that order, each row tested (ids only:
        on SQLite the walk then reads no more than the index)."""
        query = self.walked(Agency.id, driver).order_by(*order_by).offset(offset).limit(count)
        return list(db.session.execute(query).scalars())

    def walked(self, column_, driver) -> Select:
        """A select of rows tested one by one, led by the driver's index range if any.

        SQLite's planner would rather take a filter's index and sort all its rows; each test
        is marked likely() (true for most rows), which leaves the walk the cheaper plan. The
        driver (a range on the walked index) is left as it is: it bounds the walk.
        """
        tests = list(self.conditions)
        if self.match is not None:
            tests.append(self.match.test)
        if db.engine.dialect.name == "sqlite":
            tests = [func.likely(test) for test in tests]
        if driver is not None:
            tests.append(driver)
        return select(column_).where(*tests)
