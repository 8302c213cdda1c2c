"""Ratings benchmark: the full recompute at scale, and the incremental update after a review
as a ratio to a trivial route, for an agency with few and one with many reviews.

Run with `.venv/bin/python -m bench ratings [--agencies N] [--reviews N] [--big N]` from the
project folder (defaults: 200,000 agencies, 2,000,000 reviews, a big agency of 100,000
reviews). Evidence is bulk-inserted (Core executemany, no ORM, no hook): every review with
its confirmed engagement over the last 30 months, some delivered late or overcharged, an
inspection for half the agencies, substantiated complaints for a few. The full recompute is
timed from nothing, with nothing changed, a month later and as its check. SQLite in a scratch
file by default; BENCH_DATABASE_URL points it at a throwaway PostgreSQL database (its tables
are dropped). Every figure comes from this one run on this machine.
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from bench.registry_data import build_app, timed
from ratings.assessments.models import Inspection
from ratings.complaints.models import Complaint
from ratings.engagements.models import Engagement, Review
from ratings.results.recompute import check, recompute_all
from ratings.results.services import refresh_ratings
from registry import dates
from registry.accounts.models import Account
from registry.agencies.models import Agency, Enterprise, FeeSchedule, ServiceItem
from registry.db import db, utcnow

CHUNK = 20_000
SPAN_DAYS = 900  # evidence over the last ~30 months: some of it outside the window
TRIVIAL_REQUESTS = 200
UPDATES = 30


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=200_000)
    parser.add_argument("--reviews", type=int, default=2_000_000)
    parser.add_argument("--big", type=int, default=100_000, help="reviews of the big agency")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        app = build_app(Path(scratch))
        backend = app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
        generate = timed(
            app.test_cli_runner(), "demo", "generate", "--agencies", str(options.agencies)
        )
        print(f"Ratings on {backend}: {options.agencies:,} agencies generated in {generate:.0f} s")
        with app.app_context():
            today = dates.local_today()
            started = time.perf_counter()
            small, big = add_evidence(options, today)
            print(f"  evidence inserted in {time.perf_counter() - started:.0f} s")
            settle()
            measure_recompute(today)
            measure_incremental(
                app, today, {"1,000 reviews": small, f"{options.big:,} reviews": big}
            )


def add_evidence(options, today: date) -> tuple[int, int]:
    """Reviews (each with its confirmed engagement), inspections and complaints, in bulk.
    Returns the ids of an agency with 1,000 reviews and of one with options.big reviews."""
    rng = random.Random(7)
    ids = list(db.session.execute(select(Agency.id).order_by(Agency.id)).scalars())
    small, big = ids[0], ids[1]
    enterprise, schedule, item, account = _parties()
    first_engagement = (db.session.scalar(select(func.max(Engagement.id))) or 0) + 1
    # The two measured agencies first, then the rest spread at random over the others.
    owners = [small] * 1_000 + [big] * options.big
    rest = max(0, options.reviews - len(owners))
    others = ids[2:]
    written = 0
    for start in range(0, len(owners) + rest, CHUNK):
        count = min(CHUNK, len(owners) + rest - start)
        engagements, reviews = [], []
        for offset in range(count):
            number = start + offset
            agency_id = owners[number] if number < len(owners) else rng.choice(others)
            day = today - timedelta(days=rng.randrange(SPAN_DAYS))
            engagement_id = first_engagement + number
            engagements.append(
                {
                    "id": engagement_id,
                    "enterprise_id": enterprise,
                    "agency_id": agency_id,
                    "fee_schedule_id": schedule,
                    "service_item_id": item,
                    "agreed_fee_fen": 70_000,
                    "unit": "项",
                    "start_date": day - timedelta(days=10),
                    "promised_days": 5,
                    "published_max_fen": 80_000,
                    "overcharge_fen": 5_000 if rng.random() < 0.01 else 0,
                    "status": "confirmed",
                    "delivered_on": day,
                    "late_working_days": rng.choice((0,) * 9 + (3,)),
                    "confirmed_on": day,
                }
            )
            scores = [rng.choice((3, 4, 4, 5, 5, 5)) for _ in range(4)]
            reviews.append(
                {
                    "engagement_id": engagement_id,
                    "agency_id": agency_id,
                    "enterprise_id": enterprise,
                    "quality": scores[0],
                    "timeliness": scores[1],
                    "fee_compliance": scores[2],
                    "conduct": scores[3],
                    "text": "服务规范",
                    "created_at": datetime(day.year, day.month, day.day, 3, 0),
                }
            )
        db.session.execute(insert(Engagement), engagements)
        db.session.execute(insert(Review), reviews)
        written += count
    inspections = [
        {
            "agency_id": agency_id,
            "inspected_on": today - timedelta(days=rng.randrange(SPAN_DAYS)),
            "score": rng.randint(50, 100),
            "findings": "台账齐全",
        }
        for agency_id in ids[::2]
    ]
    for start in range(0, len(inspections), CHUNK):
        db.session.execute(insert(Inspection), inspections[start : start + CHUNK])
    complaints = []
    for agency_id in rng.sample(ids, min(len(ids), max(1, len(ids) // 40))):
        day = today - timedelta(days=rng.randrange(SPAN_DAYS))
        complaints.append(
            {
                "complainant_id": account,
                "agency_id": agency_id,
                "category": "delay",
                "text": "逾期",
                "status": "substantiated",
                "severity": rng.choice(("minor", "major", "serious")),
                "filed_on": day,
                "accept_days": 5,
                "response_days": 10,
                "conclude_days": 30,
                "accepted_on": day,
                "concluded_on": day,
            }
        )
    db.session.execute(insert(Complaint), complaints)
    _engagement_ids_follow()
    db.session.commit()
    print(
        f"  {written:,} reviews and engagements, {len(inspections):,} inspections, "
        f"{len(complaints):,} substantiated complaints"
    )
    return small, big


def _engagement_ids_follow() -> None:
    """PostgreSQL: the engagement id sequence continues after the ids given in bulk, so the
    reviews posted afterwards get new ones (SQLite takes the next id from the table)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('engagement', 'id'),"
                " (SELECT max(id) FROM engagement))"
            )
        )


def _parties() -> tuple[int, int, int, int]:
    """An enterprise, a service item with one fee schedule, and a complainant account."""
    agency_id = db.session.scalar(select(Agency.id).order_by(Agency.id).limit(1))
    enterprise = Enterprise(credit_code="91320281MA1BENCH00")
    enterprise.set_name("基准测试企业")
    item = ServiceItem(
        code="BENCH-1",
        name="基准测试服务",
        category="surveying",
        legal_basis="-",
        pricing_type="market",
        unit="项",
        statutory_days=20,
        acceptance_conditions="-",
        materials="-",
        procedure="-",
    )
    account = Account(email="bench@example.org", display_name="基准", role="enterprise")
    account.set_password("bench-password-2026")
    db.session.add_all([enterprise, item, account])
    db.session.flush()
    schedule = FeeSchedule(
        agency_id=agency_id,
        service_item_id=item.id,
        fee_min_fen=50_000,
        fee_max_fen=80_000,
        unit="项",
        basis="按项",
        promised_days=5,
        effective_from=date(2024, 1, 1),
    )
    db.session.add(schedule)
    db.session.flush()
    return enterprise.id, schedule.id, item.id, account.id


def settle() -> None:
    """ANALYZE (and VACUUM on PostgreSQL) after the bulk load, as a grown registry has."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def measure_recompute(today: date) -> None:
    """The full recompute as the nightly job and the command run it (committed first, so
    each next batch is read ahead): from nothing, again with nothing changed, a month
    later (time decay moves nearly every score), and the check."""
    db.session.commit()
    first, report = _timed_run(today)
    again, unchanged = _timed_run(today)
    later_day = today + timedelta(days=31)
    later, moved = _timed_run(later_day)
    started = time.perf_counter()
    mismatches = check(read_ahead=True)
    db.session.rollback()
    checked = time.perf_counter() - started
    print(
        f"  full recompute, first run       {first:7.2f} s   "
        f"({report.total:,} agencies, {report.changed:,} snapshots written)"
    )
    print(f"  full recompute, nothing changed {again:7.2f} s   ({unchanged.changed:,} written)")
    print(
        f"  full recompute, a month later   {later:7.2f} s   ({moved.changed:,} written, "
        f"as of {later_day.isoformat()})"
    )
    print(f"  recompute --check               {checked:7.2f} s   ({len(mismatches)} mismatches)")


def _timed_run(day: date):
    started = time.perf_counter()
    report = recompute_all(day, read_ahead=True)
    db.session.commit()
    return time.perf_counter() - started, report


def measure_incremental(app, today: date, agencies: dict[str, int]) -> None:
    """The trivial route's median, and the median of "a review posted and committed" (the
    hook refreshes the agency in the same commit) for each agency."""
    client = app.test_client()
    for _ in range(20):
        client.get("/healthz")
    trivial = statistics.median(_timed_get(client, "/healthz") for _ in range(TRIVIAL_REQUESTS))
    print(f"  trivial route (GET /healthz)    {trivial * 1000:7.2f} ms")
    for label, agency_id in agencies.items():
        times = [_timed_review(agency_id, today) for _ in range(UPDATES)]
        median = statistics.median(times)
        print(
            f"  new review + commit, {label:<15} {median * 1000:7.2f} ms   "
            f"{median / trivial:5.1f}x the trivial route"
        )
        refresh = statistics.median(_timed_refresh(agency_id, today) for _ in range(UPDATES))
        print(
            f"    of which the refresh alone    {refresh * 1000:7.2f} ms   "
            f"{refresh / trivial:5.1f}x the trivial route"
        )


def _timed_refresh(agency_id: int, today: date) -> float:
    started = time.perf_counter()
    refresh_ratings([agency_id], today, maintained=True)
    elapsed = time.perf_counter() - started
    db.session.rollback()
    return elapsed


def _timed_get(client, url: str) -> float:
    started = time.perf_counter()
    client.get(url).get_data()
    return time.perf_counter() - started


def _timed_review(agency_id: int, today: date) -> float:
    """Seconds to record one confirmed engagement and its review and commit (the hook
    refreshes the agency's rating before the commit)."""
    row = db.session.execute(
        select(Review.enterprise_id, Engagement.fee_schedule_id, Engagement.service_item_id)
        .join(Engagement, Engagement.id == Review.engagement_id)
        .limit(1)
    ).one()
    started = time.perf_counter()
    engagement = Engagement(
        enterprise_id=row.enterprise_id,
        agency_id=agency_id,
        fee_schedule_id=row.fee_schedule_id,
        service_item_id=row.service_item_id,
        agreed_fee_fen=70_000,
        unit="项",
        start_date=today,
        promised_days=5,
        published_max_fen=80_000,
        status="confirmed",
        delivered_on=today,
        late_working_days=0,
        confirmed_on=today,
    )
    db.session.add(engagement)
    db.session.flush()
    db.session.add(
        Review(
            engagement_id=engagement.id,
            agency_id=agency_id,
            enterprise_id=row.enterprise_id,
            quality=5,
            timeliness=5,
            fee_compliance=4,
            conduct=5,
            text="好",
            created_at=utcnow(),
        )
    )
    db.session.commit()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
