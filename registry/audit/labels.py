"""What recorded actions and objects are called in the UI. Each package adds its own."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "account.created": _l("Account created"),
    "account.registered": _l("Registered themselves"),
    "account.login": _l("Signed in"),
    "account.login_failed": _l("Sign-in refused"),
    "account.logout": _l("Signed out"),
    "account.password_changed": _l("Password changed"),
    "account.password_reset": _l("Temporary password set"),
    "account.role_changed": _l("Role changed"),
    "account.renamed": _l("Account renamed"),
    "account.disabled": _l("Account disabled"),
    "account.enabled": _l("Account enabled"),
}
ACTION_LABELS.update(
    {
        # Commands that build demonstration data (demo mode only).
        "demo.loaded": _l("Demo data loaded"),
        "demo.generated": _l("Benchmark data generated"),
    }
)
OBJECT_LABELS = {"account": _l("Account")}


def describe(actions: dict | None = None, objects: dict | None = None) -> None:
    """Add a package's action and object labels (called when the package is imported)."""
    ACTION_LABELS.update(actions or {})
    OBJECT_LABELS.update(objects or {})


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))


def object_label(code: str | None) -> str:
    return str(OBJECT_LABELS.get(code, code or ""))
