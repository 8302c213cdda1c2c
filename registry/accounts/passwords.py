"""Password policy: long enough, and not one that attackers try first."""

import gzip
import string
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

# 20,000 passwords most often found in breaches (compiled by Royce Williams, as shipped
# with Django under the BSD licence).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")
DECORATION = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """The reason this password is refused, in the user's language, or None if it is fine."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("The password must be at least %(n)d characters long.", n=minimum)
    lowered = password.lower()
    core = lowered.strip(DECORATION)
    if lowered in common_passwords() or (len(core) >= 6 and core in common_passwords()):
        return _("This password is too common; choose one that is hard to guess.")
    if len(set(lowered)) < 4:
        return _("Use at least 4 different characters in the password.")
    local_part = (email or "").split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return _("The password must not contain your email address.")
    return None
