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
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
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
    # Passwords.
    "PASSWORD_MIN_LENGTH": 12,
    # Lists.
    "PAGE_SIZE": 25,
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
    # A town agent's training counts as current for this many months after the course.
    "AGENT_TRAINING_VALID_MONTHS": 24,
    # Demo accounts may be created only in demo mode.
    "DEMO_MODE": False,
    "DEMO_PASSWORD": "demo-pass-2026",
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    "TRUSTED_PROXIES": 0,
    "REDIS_URL": None,
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
    if env.get("DEMO_MODE"):
        found["DEMO_MODE"] = env["DEMO_MODE"].strip().lower() in TRUE_WORDS
    return found


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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
