"""Search benchmark: each kind of public search as a ratio to a trivial route, and its growth.

Run with `make bench` or `.venv/bin/python -m bench search [--agencies N] [--requests N]`
from the project folder. It builds `flask demo load` plus `flask demo generate` at
20,000 agencies, measures, generates up to --agencies (default 200,000) and measures again,
all in one process through the Flask test client (no network). SQLite in a scratch file by
default; set BENCH_DATABASE_URL to a throwaway PostgreSQL database to measure there (its
tables are dropped and rebuilt). The figures go to docs/PERFORMANCE.md, in the section of
the backend measured; the other backend's section is kept as it was.
"""

import argparse
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from bench import search_report
from bench.registry_data import agency_count, build_app, timed
from bench.search_report import API_LIST, KIND_LABELS
from registry.agencies import demo_data
from registry.agencies.models import Agency
from registry.agencies.names import normalise_name
from registry.agencies.search import SEARCHED_STATUSES
from registry.db import db

SMALL = 20_000
REQUESTS = 200
WARM_UP = 20
ROUND = 20
SAMPLED_AGENCIES = 500


@dataclass
class Timing:
    """One kind of request measured: wall times in seconds, and the slowest URL."""

    kind: str
    seconds: list[float] = field(default_factory=list)
    slowest_url: str = ""

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18]


def flask_command(app, *args: str) -> float:
    """Seconds one flask command takes; it must succeed."""
    return timed(app.test_cli_runner(), *args)


def sample_agencies(app, rng: random.Random) -> list[Agency]:
    """Agencies the public search lists, drawn at random, to build varied queries from."""
    with app.app_context():
        ids = db.session.execute(
            select(Agency.id).where(Agency.status.in_(SEARCHED_STATUSES))
        ).scalars()
        chosen = rng.sample(list(ids), SAMPLED_AGENCIES)
        agencies = db.session.execute(select(Agency).where(Agency.id.in_(chosen))).scalars().all()
        db.session.expunge_all()
    rng.shuffle(agencies := list(agencies))
    return agencies


def trade_part(agency: Agency) -> str:
    """The normalised name without its place prefix (江阴市华澄测绘… -> 华澄测绘…)."""
    name = agency.name_normalised
    for place in sorted(map(normalise_name, demo_data.PLACES), key=len, reverse=True):
        if name.startswith(place) and len(name) > len(place) + 3:
            return name[len(place) :]
    return name


def request_urls(app, agencies: list[Agency], rng: random.Random) -> dict[str, list[str]]:
    """For each kind, one URL per sampled agency: queries vary so caches don't answer all."""
    urls: dict[str, list[str]] = {kind: [] for kind in KIND_LABELS}
    has_api = any(rule.rule == API_LIST for rule in app.url_map.iter_rules())
    for agency in agencies:
        trade = trade_part(agency)
        start = rng.randint(0, 1)
        three = trade[start : start + 3]
        short = trade[start : start + rng.choice((1, 2))]
        initials = agency.name_initials[: rng.randint(4, 6)]
        town = f"{agency.district}|{agency.town}"
        urls["trivial"].append("/healthz")
        urls["fragment_3"].append("/?" + urlencode({"q": three}))
        urls["fragment_1_2"].append("/?" + urlencode({"q": short}))
        urls["initials"].append("/?" + urlencode({"q": initials}))
        urls["credit_code"].append("/?" + urlencode({"q": agency.credit_code}))
        urls["filters"].append("/?" + urlencode({"category": agency.category, "town": town}))
        if has_api:
            urls["api_list"].append(API_LIST + "?" + urlencode({"q": three}))
        urls["profile"].append(f"/agencies/{agency.credit_code}")
    return {kind: kind_urls for kind, kind_urls in urls.items() if kind_urls}


def measure(app, urls: dict[str, list[str]], requests: int) -> dict[str, Timing]:
    """Warm each kind up, then time `requests` GETs of each, cycling through its URLs.

    The kinds take turns by rounds of ROUND requests, so that a spell of load from other
    processes falls on every kind alike instead of on whichever was being measured, while
    each request still follows others of its kind (one at a time, the trivial route would
    pay for the caches and garbage the heavier pages leave).
    """
    client = app.test_client()
    for kind_urls in urls.values():
        for url in kind_urls[:WARM_UP]:
            fetch(client, url)
    timings = {kind: Timing(kind) for kind in urls}
    slowest = dict.fromkeys(urls, 0.0)
    for first in range(0, requests, ROUND):
        for kind, kind_urls in urls.items():
            for number in range(first, min(first + ROUND, requests)):
                url = kind_urls[(WARM_UP + number) % len(kind_urls)]
                elapsed = fetch(client, url)
                timings[kind].seconds.append(elapsed)
                if elapsed > slowest[kind]:
                    slowest[kind], timings[kind].slowest_url = elapsed, url
    return timings


def fetch(client, url: str) -> float:
    """Wall seconds of one GET, which must answer 200 with a body."""
    start = time.perf_counter()
    response = client.get(url)
    body = response.get_data()
    elapsed = time.perf_counter() - start
    if response.status_code != 200 or not body:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed


def settle(app) -> None:
    """VACUUM ANALYZE on PostgreSQL, as autovacuum does in a registry that grew over time.

    A bulk load leaves the visibility map empty, so no index-only scan could skip the heap
    yet; without this, whether autovacuum ran during the measurement would decide the figures.
    """
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def measure_at(app, size: int, seed: int, requests: int) -> tuple[int, dict[str, Timing]]:
    """Agencies in the database and the timings of every kind against them."""
    rng = random.Random(seed)
    urls = request_urls(app, sample_agencies(app, rng), rng)
    return agency_count(app), measure(app, urls, requests)


def print_timings(title: str, timings: dict[str, Timing]) -> None:
    trivial = timings["trivial"].p50
    print(title)
    for kind, timing in timings.items():
        print(
            f"  {KIND_LABELS[kind]:<34} p50 {timing.p50 * 1000:7.2f} ms  "
            f"p95 {timing.p95 * 1000:7.2f} ms  {timing.p50 / trivial:6.1f}x / "
            f"{timing.p95 / trivial:6.1f}x"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--output", type=Path, default=search_report.DEFAULT_OUTPUT)
    options = parser.parse_args(argv)
    if options.agencies <= SMALL:
        parser.error(f"--agencies must be more than {SMALL} to measure the growth")
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch))
        flask_command(app, "demo", "load")
        seeded = agency_count(app)
        flask_command(app, "demo", "generate", "--agencies", str(SMALL - seeded))
        settle(app)
        small_total, small = measure_at(app, SMALL, seed=20, requests=options.requests)
        print_timings(f"{small_total} agencies", small)
        more = options.agencies - small_total
        generate_s = flask_command(app, "demo", "generate", "--agencies", str(more))
        print(f"  (flask demo generate --agencies {more}: {generate_s:.0f} s)")
        settle(app)
        total, large = measure_at(app, options.agencies, seed=200, requests=options.requests)
        print_timings(f"{total} agencies", large)
        run = search_report.Run(
            app=app,
            small_total=small_total,
            total=total,
            small=small,
            large=large,
            requests=options.requests,
            command=search_report.reproduce_command(options.agencies, options.requests),
        )
        results = search_report.check_targets(run)
        for line in search_report.result_lines(results):
            print(line)
        diagnoses = search_report.diagnose(run, results)
        backend = search_report.write(run, results, diagnoses, options.output)
    print(f"Wrote the {backend} section of {options.output}")


if __name__ == "__main__":
    main()
