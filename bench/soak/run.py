"""The soak from start to end: set up, serve, work, race, stop, check, report."""

import argparse
import json
import random
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.soak import checks, setup
from bench.soak.clients import Client, Meter
from bench.soak.ledger import Ledger, Markers, Outcome
from bench.soak.races import Races
from bench.soak.report import Latency, Result, details, table
from bench.soak.work import WORKERS
from registry.db import db

# One per error: the line SQLAlchemy adds to the driver's "database is locked".
LOCKED = re.compile(r"OperationalError\) database is locked")
PROGRESS_EVERY = 5.0


def options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench soak",
        description="Concurrent clients do real work through the pages; then the ledger of "
        "what the server acknowledged is compared with the database.",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--url",
        help="database URL to use instead of a scratch one (PostgreSQL: its schema is "
        "dropped and rebuilt)",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--servers", type=int, choices=(1, 2), default=1)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument(
        "--redis",
        help="Redis URL the servers share (default with two servers: redis://127.0.0.1:6379/14)",
    )
    parser.add_argument("--recompute", action="store_true", help="run a full recompute mid-soak")
    parser.add_argument("--agencies", type=int, default=0, help="generate this many agencies")
    parser.add_argument("--races", type=int, default=20, help="objects raced per kind")
    parser.add_argument("--think", type=float, default=0.1, help="seconds between a client's steps")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a request may take")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    found = parser.parse_args(argv)
    if found.servers == 2 and not found.redis:
        found.redis = "redis://127.0.0.1:6379/14"
    return found


def main(argv: list[str] | None = None) -> None:
    """Run one soak, print its table, and exit 1 when a target is missed."""
    found = options(argv)
    instance = setup.create_instance(found.database, found.url, found.redis)
    try:
        result = soak(found, instance)
    finally:
        setup.remove_instance(instance, found.keep)
    print(table(result))
    problems = details(result)
    if problems:
        print("\n" + problems)
    if found.json:
        found.json.write_text(json.dumps(summary(result), ensure_ascii=False, indent=2))
    raise SystemExit(0 if result.passed else 1)


def soak(found: argparse.Namespace, instance: setup.Instance) -> Result:
    say(f"Setting up {found.database} in {instance.folder}")
    started = time.monotonic()
    setup.load_data(instance, found.agencies)
    loaded = time.monotonic()
    say(f"  flask db upgrade, demo accounts, demo load: {loaded - started:.0f} s")
    setup.make_accounts(instance, found.clients, found.races)
    say(
        f"  {len(instance.accounts)} soak accounts and the races' objects: "
        f"{time.monotonic() - loaded:.0f} s"
    )
    servers = setup.start_servers(instance, found.servers, found.workers)
    meter = Meter()
    run_id = secrets.token_hex(3)
    try:
        timed = timed_phase(found, instance, servers, meter, run_id)
        race_results, race_ledger = race_phase(found, instance, servers, meter, run_id)
        ledger = Ledger([*timed.ledger.entries, *race_ledger.entries])
    finally:
        setup.stop_servers(servers)
    with (instance.folder / "ledger.jsonl").open("w") as handle:  # kept with --keep
        for entry in ledger.entries:
            handle.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
    say("Checking the ledger against the database")
    app = instance.app()
    with app.app_context():
        findings = checks.compare(ledger, instance.start_seq)
        db.engine.dispose()
    audit = setup.flask(instance, "audit", "verify", check=False)
    ratings = setup.flask(instance, "ratings", "recompute", "--check", check=False)
    failures = timed.failures
    notes = [f"the soak's own exceptions: {len(failures)}", *failures[:5]] if failures else []
    if timed.recompute_exit:
        notes.append(f"flask ratings recompute exited {timed.recompute_exit} during the soak")
    if ratings.returncode:
        notes += ["ratings check:", ratings.stdout[-2000:]]
    if audit.returncode:
        notes += ["audit verify:", audit.stderr[-2000:]]
    return Result(
        database=found.database,
        servers=found.servers,
        workers=found.workers,
        clients=found.clients,
        seconds=found.seconds,
        timings=meter.snapshot(),
        acknowledged=ledger.count(Outcome.ACKNOWLEDGED),
        by_action=dict(Counter(entry.action for entry in ledger.acknowledged())),
        refused=ledger.count(Outcome.REFUSED),
        unknown=ledger.count(Outcome.UNKNOWN),
        retried=sum(entry.retried for entry in ledger.entries),
        signed_in=timed.signed_in,
        locked=sum(_count_locked(server.log) for server in servers) + timed.recompute_locked,
        findings=findings,
        races=race_results,
        audit_ok=audit.returncode == 0,
        ratings_ok=ratings.returncode == 0,
        recompute=timed.recompute_window,
        agencies=found.agencies,
        notes=notes,
    )


@dataclass
class TimedPhase:
    """What the timed work left: the clients' ledgers, and what the recompute did."""

    ledger: Ledger = field(default_factory=Ledger)
    signed_in: int = 0
    failures: list[str] = field(default_factory=list)
    recompute_window: tuple[float, float] | None = None  # monotonic start and end
    recompute_locked: int = 0
    recompute_exit: int | None = None


def timed_phase(found, instance, servers, meter: Meter, run_id: str) -> TimedPhase:
    """Every client works until the time is up (and the recompute, if any, has finished)."""
    stop = threading.Event()
    workers = []
    for number, account in enumerate(instance.accounts):
        base = servers[number % len(servers)].url
        client = Client(base, account.email, setup.PASSWORD, meter, timeout=found.timeout)
        worker = WORKERS[account.role](
            client, instance.world, Markers(run_id, number), random.Random(number)
        )
        workers.append(worker)
    ready = threading.Barrier(len(workers) + 1)
    threads = [
        threading.Thread(target=_work, args=(worker, ready, stop, found.think), daemon=True)
        for worker in workers
    ]
    say(f"Signing in {len(threads)} clients at once")
    begun = time.monotonic()
    for thread in threads:
        thread.start()
    ready.wait()  # the timed work starts once everyone has signed in (or failed to)
    say(
        f"Soaking: {len(threads)} clients on {len(servers)} server(s) for {found.seconds:.0f} s "
        f"(the sign-ins took {time.monotonic() - begun:.0f} s)"
    )
    begun = time.monotonic()
    phase = TimedPhase()
    recomputer = None
    if found.recompute:
        recomputer = threading.Thread(
            target=_recompute, args=(instance, found.seconds / 3, phase), daemon=True
        )
        recomputer.start()
    while time.monotonic() - begun < found.seconds or (recomputer and recomputer.is_alive()):
        time.sleep(PROGRESS_EVERY)
        progress(meter, time.monotonic() - begun)
    stop.set()
    for thread in threads:
        thread.join()
    for worker in workers:
        phase.ledger.extend(worker.client.ledger)
        phase.signed_in += worker.signed_in
        phase.failures += worker.failures
        worker.client.close()
    return phase


def _work(worker, ready: threading.Barrier, stop: threading.Event, think: float) -> None:
    try:
        worker.signed_in = worker.client.sign_in()
    finally:
        ready.wait()
    if not worker.signed_in:
        return
    while not stop.is_set():
        try:
            worker.step()
        except Exception as error:  # a page the soak did not expect: say so, keep working
            worker.failures.append(f"{worker.client.email}: {error!r}")
        if think:
            stop.wait(worker.rng.uniform(0, 2 * think))


def _recompute(instance, delay: float, phase: TimedPhase) -> None:
    time.sleep(delay)
    say("  flask ratings recompute: started")
    start = time.monotonic()
    done = setup.flask(instance, "ratings", "recompute", check=False)
    phase.recompute_window = (start, time.monotonic())
    phase.recompute_locked = len(LOCKED.findall(done.stdout + done.stderr))
    phase.recompute_exit = done.returncode
    say(f"  flask ratings recompute: exit {done.returncode} after {time.monotonic() - start:.1f} s")


def race_phase(found, instance, servers, meter: Meter, run_id: str):
    if not found.races:
        return [], Ledger()
    say(f"Racing {found.races} objects of each kind")
    urls = [server.url for server in servers]
    races = Races(urls, meter, setup.PASSWORD, run_id)
    try:
        regulators = [
            races.client(account.email, side)
            for side, account in enumerate(a for a in instance.accounts if a.role == "regulator")
            if side < 2
        ]
        enterprises = [a.email for a in instance.accounts if a.role == "enterprise"][:5]
        filers = [races.client(email, side) for side, email in enumerate(enterprises)]
        codes = [code for _id, code in instance.world.soak_agencies]
        pairs = [
            (races.client(staff, 0), races.client(twin, 1))
            for staff, twin in list(instance.twins.items())[: found.races]
        ]
        results = [
            races.complaints(filers, regulators, codes, found.races),
            races.registrations(regulators, instance.pending_agencies[: found.races]),
            races.fees(pairs),
        ]
    finally:
        races.close()
    return results, races.ledger


def progress(meter: Meter, elapsed: float) -> None:
    timings = meter.snapshot()
    recent = time.monotonic() - 10
    window = [t for t in timings if t.started + t.seconds >= recent]  # finished lately
    errors = sum(1 for t in timings if t.status is None or t.status >= 500)
    reads = Latency.of([t.seconds for t in window if t.what == "read"])
    writes = Latency.of([t.seconds for t in window if t.what == "write"])
    say(
        f"  {elapsed:5.0f} s  requests {len(timings):6d}  writes "
        f"{sum(t.write for t in timings):5d}  errors {errors:3d}  "
        f"p95 (last 10 s) read {reads.p95:.2f} s, write {writes.p95:.2f} s"
    )


def _count_locked(log: Path) -> int:
    if not log.exists():
        return 0
    return len(LOCKED.findall(log.read_text(errors="replace")))


def summary(result: Result) -> dict:
    """The figures as JSON, for docs/PERFORMANCE.md and the lead's note."""
    reads, writes = result.latency("read"), result.latency("write")
    during = result.latency("write", during_recompute=True)
    return {
        "database": result.database,
        "servers": result.servers,
        "workers": result.workers,
        "clients": result.clients,
        "seconds": result.seconds,
        "agencies_generated": result.agencies,
        "requests": len(result.timings),
        "writes_acknowledged": result.acknowledged,
        "acknowledged_by_action": result.by_action,
        "writes_refused": result.refused,
        "reads": asdict(reads),
        "writes": asdict(writes),
        "sign_ins": asdict(result.latency("sign-in")),
        "writes_during_recompute": asdict(during) if result.recompute else None,
        "server_errors": result.server_errors,
        "requests_without_an_answer": result.unanswered,
        "database_is_locked": result.locked,
        "lost": len(result.findings.lost),
        "phantom": len(result.findings.phantom),
        "duplicates": len(result.findings.duplicates),
        "half_saved": len(result.findings.half_saved),
        "double_decisions": result.double_decisions,
        "double_successes": result.double_successes,
        "races": [asdict(race) for race in result.races],
        "audit_verify": result.audit_ok,
        "ratings_check": result.ratings_ok,
        "passed": result.passed,
    }


def say(text: str) -> None:
    print(text, flush=True)
