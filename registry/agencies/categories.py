"""The kinds of intermediary agency, and an agency's lifecycle states."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class AgencyCategory(StrEnum):
    SURVEYING = "surveying"
    ENVIRONMENTAL = "environmental"
    SAFETY = "safety"
    ENERGY = "energy"
    DESIGN_REVIEW = "design_review"
    ENGINEERING_CONSULTING = "engineering_consulting"
    ASSET_APPRAISAL = "asset_appraisal"
    REAL_ESTATE_APPRAISAL = "real_estate_appraisal"
    GEOTECHNICAL = "geotechnical"
    SEISMIC = "seismic"
    LIGHTNING = "lightning"
    SOIL_WATER = "soil_water"
    COST_CONSULTING = "cost_consulting"
    TENDERING = "tendering"
    APPROVAL_AGENT = "approval_agent"

    @property
    def label(self):
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    AgencyCategory.SURVEYING: _l("Surveying and mapping"),
    AgencyCategory.ENVIRONMENTAL: _l("Environmental impact assessment"),
    AgencyCategory.SAFETY: _l("Safety assessment"),
    AgencyCategory.ENERGY: _l("Energy-saving assessment"),
    AgencyCategory.DESIGN_REVIEW: _l("Construction drawing review"),
    AgencyCategory.ENGINEERING_CONSULTING: _l("Engineering consulting"),
    AgencyCategory.ASSET_APPRAISAL: _l("Asset appraisal"),
    AgencyCategory.REAL_ESTATE_APPRAISAL: _l("Real estate and land appraisal"),
    AgencyCategory.GEOTECHNICAL: _l("Geotechnical investigation"),
    AgencyCategory.SEISMIC: _l("Seismic safety evaluation"),
    AgencyCategory.LIGHTNING: _l("Lightning protection testing"),
    AgencyCategory.SOIL_WATER: _l("Soil and water conservation"),
    AgencyCategory.COST_CONSULTING: _l("Construction cost consulting"),
    AgencyCategory.TENDERING: _l("Tendering agency"),
    AgencyCategory.APPROVAL_AGENT: _l("Approval agency services"),
}


class AgencyStatus(StrEnum):
    """pending -> active | rejected; active <-> suspended; active|suspended -> deregistered."""

    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    DEREGISTERED = "deregistered"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    AgencyStatus.PENDING: _l("Awaiting verification"),
    AgencyStatus.ACTIVE: _l("Active"),
    AgencyStatus.REJECTED: _l("Registration rejected"),
    AgencyStatus.SUSPENDED: _l("Suspended"),
    AgencyStatus.DEREGISTERED: _l("Deregistered"),
}

# Seen by the public: the registry lists agencies that were verified at some point.
PUBLIC_STATUSES = frozenset(
    {AgencyStatus.ACTIVE, AgencyStatus.SUSPENDED, AgencyStatus.DEREGISTERED}
)


class PricingType(StrEnum):
    GOVERNMENT_GUIDED = "government_guided"
    MARKET = "market"

    @property
    def label(self):
        return PRICING_LABELS[self]


PRICING_LABELS = {
    PricingType.GOVERNMENT_GUIDED: _l("Government-guided price (capped)"),
    PricingType.MARKET: _l("Market-regulated price"),
}


def check_constraint(column: str, enum: type[StrEnum]) -> str:
    """SQL that admits only the enum's values in the column."""
    return "{} IN ({})".format(column, ", ".join(f"'{member.value}'" for member in enum))
