"""Configuration: documented defaults, overridden by environment variables, then by code.

Every value a regulator or an operator may want to change lives here, once, with its
default. The README's configuration table lists the environment variables.
"""

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # Database. DATABASE_URL overrides; the default is a SQLite file in the instance folder.
    # Pooled connections are tested before use (a PostgreSQL server that restarted or ended
    # them); connections that met a lost server, a read-only SQLite file, a disk I/O error
    # or a full disk are discarded (registry.db.discard_lost_connections).
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # PostgreSQL: give up connecting after this many seconds (a server that is down or
    # unreachable answers a 503 page rather than hanging every worker), and drop a connection
    # whose sent data stays unacknowledged as long (a network that went silent). Unused when
    # the URL says its own connect_timeout.
    "DATABASE_CONNECT_TIMEOUT_SECONDS": 5,
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # SQLite reads up to this much of the database file through memory maps (shared by every
    # connection and worker through the OS page cache) instead of its own 2 MB page cache,
    # which a search's row lookups overflow. 0 turns it off.
    "SQLITE_MMAP_SIZE_MB": 1024,
    # Sessions and cookies.
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "registry_session",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "REMEMBER_COOKIE_DURATION": timedelta(days=14),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_NAME": "registry_remember",
    # Forms: a complaint with evidence can take an hour to write; keep tokens valid all day.
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    # One-time tokens of creating forms (a POST sent twice creates once) are kept this long;
    # a retry comes within minutes, and a form is refused anyway once its CSRF token expired.
    "FORM_SUBMISSION_KEEP_DAYS": 7,
    # A registration form carries up to five 5 MB scans.
    "MAX_CONTENT_LENGTH": 30 * 1024 * 1024,
    # Languages.
    "LANGUAGES": ("zh_CN", "en"),
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGE_COOKIE": "registry_lang",
    # Assets: Bootstrap comes from the Bootstrap-Flask package, never from a CDN.
    "BOOTSTRAP_SERVE_LOCAL": True,
    # Login throttling (Flask-Limiter syntax). Failed attempts only.
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 5 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 5 minutes",
    "RATELIMIT_HEADERS_ENABLED": True,
    # When Redis (REDIS_URL) cannot be reached, each worker counts the same limits in its own
    # memory (logged as "Rate limit storage unreachable") and goes back to Redis once it
    # answers again: an outage of Redis never stops anyone signing in. Any other error of the
    # limiter is logged and lets the request through. Redis gets a second to answer.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    # Passwords.
    "PASSWORD_MIN_LENGTH": 12,
    # Lists.
    "PAGE_SIZE": 25,
    # The public search counts and orders at most this many matches; beyond, it says "more
    # than" this many, offers the first ones in pages and asks for a narrower search.
    "SEARCH_COUNT_LIMIT": 1000,
    # The region the registry serves: its district(s) and their towns and sub-districts.
    "REGION_TOWNS": {
        "江阴市": [
            "澄江街道",
            "南闸街道",
            "云亭街道",
            "夏港街道",
            "申港街道",
            "利港街道",
            "璜土镇",
            "月城镇",
            "青阳镇",
            "徐霞客镇",
            "华士镇",
            "周庄镇",
            "新桥镇",
            "长泾镇",
            "顾山镇",
            "祝塘镇",
            "高新区",
        ],
    },
    # Uploaded certificate scans and evidence: PDF, JPEG or PNG, checked by content.
    "UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
    # Complaint handling time limits, in Chinese working days (DESIGN §3): a regulator
    # accepts or refuses within ACCEPT days of filing; the agency responds within RESPONSE
    # days of acceptance; the regulator concludes within CONCLUDE days of acceptance, which a
    # reviewer may extend once by at most MAX_EXTENSION days. Each complaint keeps the limits
    # in force when it was filed. Evidence: at most MAX_FILES files per submission.
    "COMPLAINT_ACCEPT_WORKING_DAYS": 5,
    "COMPLAINT_RESPONSE_WORKING_DAYS": 10,
    "COMPLAINT_CONCLUDE_WORKING_DAYS": 30,
    "COMPLAINT_MAX_EXTENSION_WORKING_DAYS": 30,
    "COMPLAINT_MAX_FILES": 5,
    # A town agent's training counts as current for this many months after the course.
    "AGENT_TRAINING_VALID_MONTHS": 24,
    # Commitment letters: agencies are told this many days before their signature stops
    # counting. SIGNING_KEY_FILE: the Ed25519 private key (PEM) that signs receipts, shared
    # by every app host; unset, a key is created in the instance folder on first use.
    "COMMITMENT_LAPSE_NOTICE_DAYS": 30,
    "SIGNING_KEY_FILE": None,
    # Engagements: how many days back and ahead an enterprise may date the start of an
    # engagement it records, and the most working days one extension may add.
    "ENGAGEMENT_BACKDATE_DAYS": 90,
    "ENGAGEMENT_FUTURE_DAYS": 30,
    "ENGAGEMENT_EXTENSION_MAX_DAYS": 60,
    # Fair selection: a draw needs at least this many eligible agencies (DESIGN.md §4).
    "FAIR_DRAW_MIN_CANDIDATES": 3,
    # The rating method's evidence window (DESIGN §5), in months; the public profile's
    # latest inspection and supervisor evaluations are read within it too.
    "RATING_WINDOW_MONTHS": 24,
    # The rating method's one block of weights, penalties and thresholds (DESIGN §5), with
    # its version string, stored on every result. None: ratings.method.METHOD_V1, the
    # published method v1. A replacement must carry every key of METHOD_V1, a new version,
    # and the same window as RATING_WINDOW_MONTHS (ratings/results/configured.py checks).
    "RATING_METHOD": None,
    # A star override (DESIGN §5) ends on a day after its proposal, at most this many months
    # ahead; the red list asks for ★5 throughout this many months and no substantiated
    # complaint concluded within them.
    "RATING_OVERRIDE_MAX_MONTHS": 12,
    "RED_LIST_MONTHS": 12,
    # Blacklist (DESIGN §4). A notified agency may object within OBJECTION working days;
    # a listed agency may apply for credit repair once REPAIR_MIN_MONTHS of its term have
    # passed, and again REPAIR_WAIT_MONTHS after a refusal. AUTHORITY is offered as the
    # deciding authority of a listing. Each case keeps the window in force when notified.
    "BLACKLIST_OBJECTION_WORKING_DAYS": 10,
    "BLACKLIST_REPAIR_MIN_MONTHS": 6,
    "BLACKLIST_REPAIR_WAIT_MONTHS": 3,
    "BLACKLIST_AUTHORITY": "江阴市行政审批局",
    # Automatic proposals (blacklist/rules.py): a rule proposes a case, never a listing,
    # when an agency has at least `count` substantiated complaints (of at least
    # `min_severity`, or of `category`) concluded within `months`, or `count` commitment
    # breaches recorded within `months` (`breaches`). `id` names the rule on its cases;
    # `ground` is the case's ground; `legal_basis` its legal basis.
    "BLACKLIST_RULES": (
        {
            "id": "serious_complaints",
            "count": 2,
            "min_severity": "serious",
            "months": 12,
            "ground": "repeated_complaints",
            "legal_basis": "《江阴市中介机构信用管理办法》第十八条第（一）项",
        },
        {
            "id": "major_complaints",
            "count": 3,
            "min_severity": "major",
            "months": 12,
            "ground": "repeated_complaints",
            "legal_basis": "《江阴市中介机构信用管理办法》第十八条第（一）项",
        },
        {
            "id": "falsified_report",
            "count": 1,
            "category": "falsified_report",
            "months": 12,
            "ground": "falsified_report",
            "legal_basis": "《江阴市中介机构信用管理办法》第十八条第（二）项",
        },
        {
            "id": "commitment_breaches",
            "count": 2,
            "breaches": True,
            "months": 12,
            "ground": "commitment_breach",
            "legal_basis": "《江阴市中介机构信用管理办法》第十八条第（三）项",
        },
    ),
    # Electronic supervision (registry/supervision). Work overdue by more than ESCALATE_AFTER
    # working days is escalated once to the reviewers. Deadlines the lifecycles do not set:
    # a blacklist decision is due DECISION days after the objection window closed (or the
    # objection came), a credit-repair decision REPAIR days after the application. A
    # supervisor may change an evaluation of a regulator for EVALUATION_CHANGE_DAYS.
    "SUPERVISION_ESCALATE_AFTER_WORKING_DAYS": 3,
    "SUPERVISION_BLACKLIST_DECISION_WORKING_DAYS": 10,
    "SUPERVISION_REPAIR_DECISION_WORKING_DAYS": 15,
    "SUPERVISION_EVALUATION_CHANGE_DAYS": 30,
    # Demo accounts may be created only in demo mode.
    "DEMO_MODE": False,
    "DEMO_PASSWORD": "demo-pass-2026",
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    "TRUSTED_PROXIES": 0,
    "REDIS_URL": None,
    # Health (/healthz, docs/operator.md "Health checks"). The database must answer within
    # TIMEOUT seconds. Free space under the instance folder (and a SQLite database's folder)
    # below DISK_MIN_FREE_MB makes the registry unavailable, below DISK_LOW_FREE_MB degraded.
    # The last successful daily job older than DAILY_JOB_MAX_AGE_HOURS degrades it.
    "HEALTH_TIMEOUT_SECONDS": 3,
    "HEALTH_DISK_MIN_FREE_MB": 50,
    "HEALTH_DISK_LOW_FREE_MB": 500,
    "HEALTH_DAILY_JOB_MAX_AGE_HOURS": 30,
    # Pages answered while the database is unavailable ask clients to retry after this long.
    "UNAVAILABLE_RETRY_AFTER_SECONDS": 30,
    # Inbox notices are also mailed when MAIL_SERVER is set (plain SMTP, STARTTLS if asked).
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "registry@localhost",
    "MAIL_TIMEOUT": 10,
    # The registry's address as readers reach it, for links in mails sent by flask commands.
    "MAIL_SITE_URL": None,
}

TRUE_WORDS = {"1", "true", "yes", "on"}


def load(app: Flask, overrides: dict | None) -> None:
    """Fill app.config from DEFAULTS, the environment, then overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(_from_environment())
    if overrides:
        app.config.from_mapping(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _default_database_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        app.config["DATABASE_CONNECT_TIMEOUT_SECONDS"],
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")


def _from_environment() -> dict:
    env = os.environ
    found: dict = {}
    if env.get("SECRET_KEY"):
        found["SECRET_KEY"] = env["SECRET_KEY"]
    if env.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    if env.get("REDIS_URL"):
        found["REDIS_URL"] = env["REDIS_URL"]
    if env.get("TRUSTED_PROXIES"):
        found["TRUSTED_PROXIES"] = int(env["TRUSTED_PROXIES"])
    if env.get("SIGNING_KEY_FILE"):
        found["SIGNING_KEY_FILE"] = env["SIGNING_KEY_FILE"]
    if env.get("DEMO_MODE"):
        found["DEMO_MODE"] = env["DEMO_MODE"].strip().lower() in TRUE_WORDS
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_FROM", "MAIL_SITE_URL"):
        if env.get(name):
            found[name] = env[name]
    if env.get("MAIL_PORT"):
        found["MAIL_PORT"] = int(env["MAIL_PORT"])
    if env.get("MAIL_USE_TLS"):
        found["MAIL_USE_TLS"] = env["MAIL_USE_TLS"].strip().lower() in TRUE_WORDS
    return found


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str, configured: dict, connect_timeout: int) -> dict:
    """The engine options, with PostgreSQL's connect and acknowledgement timeouts added
    unless the URL or the options already set them (a copy: DEFAULTS stay as they are)."""
    options = dict(configured)
    if not url.startswith("postgresql") or not connect_timeout:
        return options
    connect_args = dict(options.get("connect_args") or {})
    if "connect_timeout=" not in url:
        connect_args.setdefault("connect_timeout", int(connect_timeout))
    if "tcp_user_timeout=" not in url:
        connect_args.setdefault("tcp_user_timeout", int(connect_timeout) * 1000)
    options["connect_args"] = connect_args
    return options


def _default_database_url(app: Flask) -> str:
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + str(Path(app.instance_path) / "registry.sqlite3")


def _instance_secret(app: Flask) -> str:
    """Read the instance's secret key, creating it once; it never lives in the code."""
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    # Another worker may have created the file a moment ago and not written it yet.
    for _ in range(50):
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty; delete it to have a new secret key generated")
