"""The search benchmark's targets, its diagnosis of misses and its section of PERFORMANCE.md."""

import os
import platform
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import event
from sqlalchemy.engine import make_url

from registry.agencies.search import AgencySearch
from registry.agencies.search_pages import search_plan
from registry.dates import local_today
from registry.db import db

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
PROFILE_P50 = 5
SEARCH_P50 = 15
SEARCH_P95 = 40
GROWTH = 1.5
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# A plan that touches more than this share of the agencies is "proportional to the matches".
BROAD_SHARE = 0.02
# A request that spends less than this share in SQL is slow in Python, not in the database.
SQL_SHARE_SMALL = 0.3
API_LIST = "/api/v1/agencies"
# Search kinds: their p50 and p95 are held to the search targets and to the growth target.
SEARCH_KINDS = ("fragment_3", "fragment_1_2", "initials", "credit_code", "filters", "api_list")
KIND_LABELS = {
    "trivial": "trivial route (/healthz)",
    "fragment_3": "search, 3+ characters",
    "fragment_1_2": "search, 1-2 characters",
    "initials": "search, pinyin initials",
    "credit_code": "search, credit code",
    "filters": "search, category + town",
    "api_list": f"API list ({API_LIST}?q=)",
    "profile": "profile page",
}
INTRO = """# Performance

The public search measured by `bench/search.py` (`make bench`, or
`.venv/bin/python -m bench search`): a data set built with `flask demo load` and
`flask demo generate`, then, in one process and one run, the median (p50) and 95th
percentile (p95) wall time of each kind of request through the Flask test client (no
network, no web server), after a warm-up, with queries drawn from the data so that they
vary. The kinds take turns by rounds of 20 requests, so that load from other processes
falls on all of them alike. On PostgreSQL each load is followed by VACUUM ANALYZE, as
autovacuum would have done in a registry that grew over time. Each figure is also given as
a ratio to the trivial route `/healthz` measured in the same run, which is what the targets
of issue 4 are about: the ratios carry from one machine to another better than the
milliseconds do.

Targets at 200,000 agencies: profile page p50 ≤ 5×; every search p50 ≤ 15× and p95 ≤ 40×
the trivial route; each search's p50 grows less than 1.5× from 20,000 to 200,000 agencies.
Each backend has its own section below; a run rewrites only the section of the backend it
measured.
"""


@dataclass
class Run:
    """What one benchmark run measured, and the app it measured."""

    app: object
    small_total: int
    total: int
    small: dict
    large: dict
    requests: int
    command: str


@dataclass(frozen=True)
class Result:
    """One target checked: what, the value measured, the limit and whether it was met."""

    kind: str
    measure: str
    value: float
    limit: float

    @property
    def passed(self) -> bool:
        return self.value <= self.limit if self.measure != "growth" else self.value < self.limit

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "MISS"


def check_targets(run: Run) -> list[Result]:
    """Every target of the issue against the large data set."""
    trivial = run.large["trivial"].p50
    results = []
    if "profile" in run.large:
        results.append(Result("profile", "p50", run.large["profile"].p50 / trivial, PROFILE_P50))
    for kind in SEARCH_KINDS:
        if kind not in run.large:
            continue
        timing = run.large[kind]
        results.append(Result(kind, "p50", timing.p50 / trivial, SEARCH_P50))
        results.append(Result(kind, "p95", timing.p95 / trivial, SEARCH_P95))
        results.append(Result(kind, "growth", timing.p50 / run.small[kind].p50, GROWTH))
    return results


def result_lines(results: list[Result]) -> list[str]:
    lines = ["Targets"]
    for result in results:
        limit = f"< {result.limit}" if result.measure == "growth" else f"<= {result.limit}"
        lines.append(
            f"  {result.verdict}  {KIND_LABELS[result.kind]:<34} {result.measure:<6} "
            f"{result.value:6.2f}x  (target {limit}x)"
        )
    return lines


def diagnose(run: Run, results: list[Result]) -> dict[str, str]:
    """For each kind that missed a target: its slowest request's slowest SQL and its plan."""
    missed = []
    for result in results:
        if not result.passed and result.kind not in missed:
            missed.append(result.kind)
    with run.app.app_context():
        return {kind: explain_slowest(run, run.large[kind].slowest_url) for kind in missed}


def explain_slowest(run: Run, url: str) -> str:
    """Replay one request, time each SQL statement, and explain the slowest one."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_start"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - conn.info.pop("bench_start")
        statements.append((elapsed, statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    start = time.perf_counter()
    try:
        run.app.test_client().get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    request_ms = (time.perf_counter() - start) * 1000
    if not statements:
        return f"Replaying `{url}` ({request_ms:.1f} ms) ran no SQL."
    elapsed, statement, parameters = max(statements, key=lambda item: item[0])
    sql_ms = sum(item[0] for item in statements) * 1000
    matches = count_matches(run.app, url)
    plan = explain(engine, statement, parameters)
    lines = [
        f"Slowest request `{url}`: replayed in {request_ms:.1f} ms, of which "
        f"{sql_ms:.1f} ms in {len(statements)} SQL statements; the slowest took "
        f"{elapsed * 1000:.1f} ms."
        + (f" The search matched {matches:,} agencies." if matches is not None else ""),
        "",
        "```sql",
        one_line(statement),
        "```",
        "",
        "```",
        plan,
        "```",
        "",
        "Reading: " + read_plan(statement, plan, matches, run.total, sql_ms / request_ms),
    ]
    return "\n".join(lines)


def count_matches(app, url: str) -> int | None:
    """Every agency a search URL matches, counted apart (the page itself counts only so far)."""
    query = parse_qs(urlsplit(url).query)
    if urlsplit(url).path not in ("/", API_LIST):
        return None
    district, _, town = query.get("town", [""])[0].partition("|")
    region = query.get("region", [""])[0]
    search = AgencySearch(
        q=query.get("q", [""])[0],
        category=query.get("category", [None])[0],
        district=district or (region if region in app.config["REGION_TOWNS"] else None),
        town=town or (region if region and region not in app.config["REGION_TOWNS"] else None),
        service_item=query.get("service", query.get("service_item", [None]))[0],
    )
    with app.test_request_context():
        return search_plan(search, local_today()).count()


def explain(engine, statement: str, parameters) -> str:
    """The database's plan for a statement, with the parameters it ran with."""
    sqlite = engine.dialect.name == "sqlite"
    prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
    if sqlite:
        return "\n".join(row[-1] for row in rows)
    return "\n".join(row[0] for row in rows)


def read_plan(statement: str, plan: str, matches: int | None, total: int, sql_share: float) -> str:
    """What the slowest statement and its plan say about where the time goes."""
    notes = []
    if sql_share < SQL_SHARE_SMALL:
        notes.append(
            f"only {sql_share:.0%} of the request is SQL: the time goes to Python "
            "(loading, rendering the template), not to the database"
        )
    counted = "count(*) OVER ()" in statement
    walk = not counted and re.search(r"ORDER BY .* LIMIT", one_line(statement))
    if counted:
        notes.append(
            "this statement counts the matches up to the count limit and sorts those it "
            "counted: its cost follows the matches, up to the limit"
        )
    elif walk:
        notes.append(
            "this statement walks an index in the result order and tests each row until the "
            "page is full: its cost follows the page's position and how sparse the matches "
            "are along that order"
        )
    if re.search(r"USING (COVERING )?INDEX ix_agency_status \(status=\?\)$", plan, re.M):
        notes.append(
            "the only index used is the one on status, which almost every agency shares, so "
            "each agency is read and the text condition tested row by row (a scan in effect)"
        )
    full_scan = (
        re.search(r"^\s*SCAN agency\b(?! USING)", plan, re.M) or "Seq Scan on agency" in plan
    )
    if full_scan and not walk:
        notes.append("the agency table is read in full: no index serves this condition")
    sorts = "USE TEMP B-TREE FOR ORDER BY" in plan or re.search(r"\bSort\b", plan)
    if matches is not None and sorts and not counted:
        notes.append("every match is sorted to find the page")
    if "VIRTUAL TABLE INDEX" in plan or "Bitmap Index Scan" in plan:
        notes.append("a text index finds the candidates")
    if matches is not None and total and matches / total > BROAD_SHARE:
        notes.append(
            f"the query matches {matches:,} agencies ({matches / total:.0%}); past the count "
            "limit the page neither counts nor sorts them"
        )
    if not notes:
        return "no scan or sort of the whole set shows; the time is in the lookup itself."
    return "; ".join(notes) + "."


def one_line(statement: str) -> str:
    return " ".join(statement.split())


def machine(app) -> list[str]:
    """Platform, CPUs, Python and the database version."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            database = f"SQLite {sqlite3.sqlite_version}"
        else:
            with db.engine.connect() as connection:
                version = connection.exec_driver_sql("SHOW server_version").scalar_one()
                ctype = connection.exec_driver_sql(
                    "SELECT datctype FROM pg_database WHERE datname = current_database()"
                ).scalar_one()
            database = f"PostgreSQL {version} (LC_CTYPE {ctype})"
    return [
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        f"- Database: {database}",
    ]


def reproduce_command(agencies: int, requests: int) -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    prefix = ""
    if url:
        prefix = f"BENCH_DATABASE_URL={make_url(url).render_as_string(hide_password=True)} "
    return f"{prefix}.venv/bin/python -m bench search --agencies {agencies} --requests {requests}"


def section(run: Run, results: list[Result], diagnoses: dict[str, str], backend: str) -> str:
    """The Markdown of one backend's section."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    by_kind: dict[str, list[Result]] = {}
    for result in results:
        by_kind.setdefault(result.kind, []).append(result)
    lines = [
        f"## {BACKENDS[backend]}",
        "",
        f"- Date: {now}",
        *machine(run.app),
        f"- Data: {run.total:,} agencies ({run.small_total:,} for the growth baseline); "
        f"{run.requests} requests of each kind after a warm-up",
        f"- Reproduce: `{run.command}`",
        "",
        f"At {run.total:,} agencies:",
        "",
        "| Request | p50 ms | p95 ms | p50 ratio | p95 ratio | Target | Result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    trivial = run.large["trivial"].p50
    for kind, timing in run.large.items():
        checks = [r for r in by_kind.get(kind, []) if r.measure != "growth"]
        target = ", ".join(f"{r.measure} ≤ {r.limit:g}×" for r in checks) or "(reference)"
        verdict = ", ".join(r.verdict for r in checks) or "—"
        lines.append(
            f"| {KIND_LABELS[kind]} | {timing.p50 * 1000:.2f} | {timing.p95 * 1000:.2f} | "
            f"{timing.p50 / trivial:.1f}× | {timing.p95 / trivial:.1f}× | {target} | {verdict} |"
        )
    if "api_list" not in run.large:
        lines += [
            "",
            f"The API list was not measured: `{KIND_LABELS['api_list']}` has no route yet.",
        ]
    lines += [
        "",
        f"Growth of the p50 from {run.small_total:,} to {run.total:,} agencies "
        "(the trivial route is the control):",
        "",
        f"| Request | p50 ms at {run.small_total:,} | p50 ms at {run.total:,} | Growth | "
        "Target | Result |",
        "|---|---:|---:|---:|---|---|",
    ]
    for kind in ("trivial", *SEARCH_KINDS):
        if kind not in run.large:
            continue
        small, large = run.small[kind].p50, run.large[kind].p50
        growth = [r for r in by_kind.get(kind, []) if r.measure == "growth"]
        target = f"< {GROWTH:g}×" if growth else "(control)"
        verdict = growth[0].verdict if growth else "—"
        lines.append(
            f"| {KIND_LABELS[kind]} | {small * 1000:.2f} | {large * 1000:.2f} | "
            f"{large / small:.2f}× | {target} | {verdict} |"
        )
    for kind, text in diagnoses.items():
        missed = ", ".join(f"{r.measure} {r.value:.1f}×" for r in by_kind[kind] if not r.passed)
        lines += ["", f"### MISS: {KIND_LABELS[kind]} ({missed})", "", text]
    return "\n".join(lines)


def write(run: Run, results: list[Result], diagnoses: dict[str, str], output: Path) -> str:
    """Replace this backend's section of the file, keeping the other's; the backend's name."""
    with run.app.app_context():
        backend = db.engine.dialect.name
    sections = {name: f"## {title}\n\nNot measured yet." for name, title in BACKENDS.items()}
    notes = ""  # what follows the last section is written by hand, and kept
    if output.exists():
        existing = output.read_text(encoding="utf-8")
        for name in BACKENDS:
            pattern = (
                re.escape(marker(name, "begin")) + r"\n(.*?)\n" + re.escape(marker(name, "end"))
            )
            found = re.search(pattern, existing, re.S)
            if found:
                sections[name] = found.group(1)
        last = marker(list(BACKENDS)[-1], "end")
        if last in existing:
            notes = existing.split(last, 1)[1].strip("\n")
    sections[backend] = section(run, results, diagnoses, backend)
    body = [INTRO]
    for name in BACKENDS:
        body += [marker(name, "begin"), sections[name], marker(name, "end"), ""]
    if notes:
        body += [notes, ""]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(body), encoding="utf-8")
    return BACKENDS[backend]


def marker(backend: str, edge: str) -> str:
    return f"<!-- bench search {backend} {edge} -->"
