"""The roles of DESIGN.md §2 and what each is called in the UI."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    REGULATOR = "regulator"
    SUPERVISOR = "supervisor"
    AGENCY = "agency"
    ENTERPRISE = "enterprise"
    PUBLIC = "public"  # a member of the public: files and follows complaints

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.REVIEWER: _l("Reviewer (senior regulator)"),
    Role.REGULATOR: _l("Regulator"),
    Role.SUPERVISOR: _l("Supervisor (deputy / CPPCC member)"),
    Role.AGENCY: _l("Agency staff"),
    Role.ENTERPRISE: _l("Enterprise"),
    Role.PUBLIC: _l("Member of the public"),
}

# A reviewer can do everything a regulator can (DESIGN.md §2).
REGULATOR_ROLES = frozenset({Role.REGULATOR, Role.REVIEWER})
