"""A scratch registry for the soak: its folder and database, the demo data, the soak's own
accounts (made through the app's services, as an operator or a user would make them), the
objects the races decide on, and the gunicorn servers that serve it."""

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from psycopg import sql
from sqlalchemy import func, select

from bench.soak.work import World
from ratings.complaints import services as complaints
from ratings.engagements import services as engagements
from registry import create_app
from registry.accounts import services as accounts
from registry.accounts.models import Account
from registry.accounts.permissions import SYSTEM
from registry.agencies import services as agencies
from registry.agencies.credit_code import generate_credit_code
from registry.agencies.listing import not_listed_on
from registry.agencies.models import Agency, FeeSchedule
from registry.audit.models import AuditChainHead
from registry.config import PROJECT_ROOT
from registry.dates import local_today
from registry.db import db

PASSWORD = "soak-run-password-2026"  # noqa: S105 - the scratch accounts' only password
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRATCH_DATABASE = "registry_soak_scratch"
ROLE_SHARES = (("enterprise", 0.4), ("agency", 0.3), ("regulator", 0.2), ("reviewer", 0.1))


@dataclass
class SoakAccount:
    """A soak account the clients sign in with."""

    email: str
    role: str  # enterprise, agency, regulator (reviewers work as regulators)


@dataclass
class Instance:
    """The scratch registry: where it lives, how the app and the servers are configured."""

    folder: Path
    database_url: str
    redis_url: str | None
    drop_database: str | None = None  # a PostgreSQL database this run created
    accounts: list[SoakAccount] = field(default_factory=list)
    twins: dict[str, str] = field(default_factory=dict)  # agency email -> second staff email
    pending_agencies: list[int] = field(default_factory=list)
    world: World | None = None
    start_seq: int = 0

    @property
    def config(self) -> dict:
        """The app's configuration, the same in this process, the commands and the servers."""
        return {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SECRET_KEY": (self.folder / "secret_key").read_text(),
            "SIGNING_KEY_FILE": str(self.folder / "signing_key.pem"),
            "DEMO_MODE": True,
            "REDIS_URL": self.redis_url,
        }

    @property
    def environment(self) -> dict:
        env = {
            **os.environ,
            "FLASK_APP": "registry",
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": self.config["SECRET_KEY"],
            "SIGNING_KEY_FILE": self.config["SIGNING_KEY_FILE"],
            "DEMO_MODE": "1",
        }
        env.pop("REDIS_URL", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        return env

    def app(self):
        return create_app(self.config)


# --- the database and the data ---------------------------------------------------------------


def create_instance(database: str, url: str | None, redis_url: str | None) -> Instance:
    """A scratch folder with its secrets, and an empty database (SQLite or PostgreSQL)."""
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    (folder / "secret_key").write_text(secrets.token_hex(32))
    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "signing_key.pem").write_bytes(key)
    if database == "sqlite":
        return Instance(folder, url or f"sqlite:///{folder}/registry.sqlite3", redis_url)
    if url:
        _empty_schema(url)
        return Instance(folder, url, redis_url)
    _recreate_database(SCRATCH_DATABASE)
    scratch = ADMIN_URL.rsplit("/", 1)[0] + "/" + SCRATCH_DATABASE
    return Instance(folder, scratch, redis_url, drop_database=SCRATCH_DATABASE)


def _recreate_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        _drop(connection, name)
        connection.execute(
            sql.SQL(
                "CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
                "TEMPLATE template0"
            ).format(sql.Identifier(name))
        )


def _drop(connection, name: str) -> None:
    connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
    )
    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _empty_schema(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def remove_instance(instance: Instance, keep: bool) -> None:
    if keep:
        print(f"Kept the scratch instance in {instance.folder} ({instance.database_url}).")
        return
    if instance.drop_database:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            _drop(connection, instance.drop_database)
    shutil.rmtree(instance.folder, ignore_errors=True)


def flask(instance: Instance, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a flask command against the instance, as an operator would."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "flask", *args],
        cwd=PROJECT_ROOT,
        env=instance.environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def load_data(instance: Instance, agencies: int) -> None:
    """Migrate, create the demo accounts, load the demo, and generate agencies if asked."""
    flask(instance, "db", "upgrade")
    flask(instance, "demo", "accounts")
    flask(instance, "demo", "load")
    if agencies:
        flask(instance, "demo", "generate", "--agencies", str(agencies))


# --- the soak's accounts and the races' objects ----------------------------------------------


def make_accounts(instance: Instance, clients: int, races: int, seed: int = 15) -> None:
    """N soak accounts by role, the agencies' second staff and the pending registrations."""
    rng = random.Random(seed)
    app = instance.app()
    with app.app_context():
        counts = _role_counts(clients)
        regulators = [
            _staff(f"soak-{role}-{n}@soak.example", role)
            for role in ("regulator", "reviewer")
            for n in range(counts[role])
        ]
        decider = regulators[0]
        eligible = _eligible_agencies(counts["agency"] + 200, rng)
        soak_agencies, others = eligible[: counts["agency"]], eligible[counts["agency"] :]
        staff = []
        for n, agency in enumerate(soak_agencies):
            email = f"soak-agency-{n}@soak.example"
            staff.append(_agency_staff(email, agency, decider))
            if n < races:
                instance.twins[email] = f"soak-agency-{n}-twin@soak.example"
                _agency_staff(instance.twins[email], agency, decider)
        for n in range(counts["enterprise"]):
            registration = agencies.register_enterprise(
                email=f"soak-enterprise-{n}@soak.example",
                display_name=f"浸泡测试企业{n}",
                password=PASSWORD,
                credit_code=generate_credit_code(rng, prefix="91320281"),
                name=f"江阴浸泡测试第{n}有限公司",
            )
            _work_in_progress(registration, staff[n % len(staff)], decider)
        instance.pending_agencies = [_pending_agency(n, rng).id for n in range(races)]
        db.session.commit()
        instance.accounts = [SoakAccount(account.email, "regulator") for account in regulators] + [
            SoakAccount(f"soak-agency-{n}@soak.example", "agency") for n in range(counts["agency"])
        ]
        instance.accounts += [
            SoakAccount(f"soak-enterprise-{n}@soak.example", "enterprise")
            for n in range(counts["enterprise"])
        ]
        instance.world = World(
            soak_agencies=[(a.id, a.credit_code) for a in soak_agencies],
            other_agencies=[(a.id, a.credit_code) for a in others],
        )
        instance.start_seq = db.session.execute(select(AuditChainHead.seq)).scalar_one()
        db.engine.dispose()


def _role_counts(clients: int) -> dict[str, int]:
    counts = {role: max(1, round(clients * share)) for role, share in ROLE_SHARES}
    counts["regulator"] = max(2, counts["regulator"])  # the races need two regulators
    counts["enterprise"] = max(1, counts["enterprise"] + clients - sum(counts.values()))
    return counts


def _staff(email: str, role: str) -> Account:
    return accounts.create_account(
        SYSTEM,
        email=email,
        display_name=email.split("@")[0],
        role=role,
        password=PASSWORD,
        must_change_password=False,
    )


def _agency_staff(email: str, agency: Agency, decider: Account) -> Account:
    """An agency user who asked to act for the agency, approved by a regulator."""
    account = _staff(email, "agency")
    agencies.decide_link(decider, agencies.request_link(account, agency.credit_code), approve=True)
    return account


def _work_in_progress(registration, staff: Account, regulator: Account) -> None:
    """What an enterprise has under way with its agency when the soak starts, so that every
    step has work from the first minute: a delivery to confirm, confirmed work to review,
    an accepted complaint for the agency to answer."""
    account, agency = registration.account, staff.agency
    offer = db.session.execute(
        FeeSchedule.in_force_on(local_today(), agency_id=agency.id).limit(1)
    ).scalar_one()
    for confirmed in (False, True):
        engagement = engagements.record_engagement(
            account,
            registration.enterprise,
            engagements.EngagementDetails(
                agency_id=agency.id,
                service_item_id=offer.service_item_id,
                agreed_fee=offer.fee_min,
                start_date=local_today(),
                project="浸泡测试之前的项目",
            ),
        )
        engagements.accept_engagement(staff, engagement)
        engagements.mark_delivered(staff, engagement)
        if confirmed:
            engagements.confirm_delivery(account, engagement)
    complaint = complaints.file_complaint(
        account,
        complaints.ComplaintDetails(agency=agency, category="delay", text="浸泡测试之前的投诉。"),
    )
    complaints.accept_complaint(regulator, complaint)


def _eligible_agencies(count: int, rng: random.Random) -> list[Agency]:
    """Active agencies off the blacklist, without staff accounts, with 2+ fees in force."""
    today = local_today()
    offering = (
        select(FeeSchedule.agency_id)
        .where(FeeSchedule.in_force_clause(today))
        .group_by(FeeSchedule.agency_id)
        .having(func.count() >= 2)
    )
    staffed = select(Account.agency_id).where(Account.agency_id.is_not(None))
    found = list(
        db.session.execute(
            select(Agency)
            .where(
                Agency.status == "active",
                not_listed_on(today),
                Agency.id.in_(offering),
                Agency.id.not_in(staffed),
            )
            .order_by(Agency.id)
            .limit(count * 3)
        ).scalars()
    )
    rng.shuffle(found)
    return found[:count]


def _pending_agency(n: int, rng: random.Random) -> Agency:
    """A registration waiting for a regulator: one of the races verifies and rejects it."""
    registration = agencies.register_agency(
        email=f"soak-applicant-{n}@soak.example",
        display_name=f"浸泡测试申请人{n}",
        password=PASSWORD,
        credit_code=generate_credit_code(rng, prefix="91320281"),
        details=agencies.AgencyDetails(
            name=f"江阴浸泡测试第{n}测绘有限公司",
            category="surveying",
            district="江阴市",
            town="澄江街道",
            address=f"江阴市浸泡路{n}号",
            contact_person="王五",
            phone="0510-86000000",
            legal_representative="赵六",
        ),
        qualifications=[],
    )
    return registration.agency


# --- the servers -----------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path


def start_servers(instance: Instance, count: int, workers: int) -> list[Server]:
    """`count` gunicorn instances on free ports, each with `workers` workers, all ready."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    servers = []
    for number in range(count):
        port = _free_port()
        log = instance.folder / f"server-{number}.log"
        with log.open("w") as handle:  # the child keeps its own copy of the file
            process = subprocess.Popen(  # noqa: S603 - the project's own gunicorn
                [
                    str(gunicorn),
                    "--workers",
                    str(workers),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "120",
                    # Its own control socket: several gunicorns share this machine.
                    "--control-socket",
                    str(instance.folder / f"server-{number}.ctl"),
                    "registry:create_app()",
                ],
                cwd=PROJECT_ROOT,
                env=instance.environment,
                stdout=subprocess.DEVNULL,
                # gunicorn's log and the app's tracebacks (logged without a handler) both go here
                stderr=handle,
            )
        servers.append(Server(f"http://127.0.0.1:{port}", process, log))
    for server in servers:
        _wait_until_healthy(server)
    return servers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(server: Server, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn at {server.url} exited; see {server.log}")
        try:
            if httpx.get(server.url + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn at {server.url} did not become healthy in {seconds:.0f} s")


def stop_servers(servers: list[Server]) -> None:
    """Stop each server as an operator would (SIGTERM: finish the requests in flight)."""
    for server in servers:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
    for server in servers:
        try:
            server.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
