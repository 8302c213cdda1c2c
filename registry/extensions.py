"""Extension objects, created unbound here and bound to the app in create_app()."""

import logging

from flask import Flask
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from registry.db import db

babel = Babel()
bootstrap = Bootstrap5()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()
migrate = Migrate()

__all__ = [
    "babel",
    "bootstrap",
    "csrf",
    "db",
    "init_limiter",
    "limiter",
    "login_manager",
    "migrate",
]


def init_limiter(app: Flask) -> None:
    """Bind the rate limiter; its warnings (Redis unreachable, counting in memory) are logged
    where the registry's own go.

    Flask-Limiter gives its logger a NullHandler, which keeps them from Python's last-resort
    handler (standard error, warnings and above), the one the registry's warnings reach when
    nothing configured logging (gunicorn configures its own loggers only)."""
    limiter.init_app(app)
    limiter_log = logging.getLogger("flask-limiter")
    for handler in list(limiter_log.handlers):
        if isinstance(handler, logging.NullHandler):
            limiter_log.removeHandler(handler)
