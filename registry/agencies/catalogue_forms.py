"""Catalogue forms. Money is entered in yuan with two decimals and stored in fen."""

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from registry.agencies.catalogue import CapDetails, CatalogueError, ServiceItemDetails
from registry.agencies.categories import AgencyCategory, PricingType
from registry.dates import local_today
from registry.submissions.forms import CreatesOnce

LONG_TEXT = 4000


def category_choices():
    return [(category.value, category.label) for category in AgencyCategory]


def pricing_choices():
    return [(pricing.value, pricing.label) for pricing in PricingType]


class CatalogueForm(FlaskForm):
    def show_refusal(self, error: CatalogueError) -> None:
        """Put a refused action's message under the input at fault, or atop the page."""
        field = self._fields.get(error.field)
        if field is None:
            flash(str(error), "danger")
        else:
            field.errors.append(str(error))


def long_text(label, presence) -> TextAreaField:
    return TextAreaField(
        label, validators=[presence(), Length(max=LONG_TEXT)], render_kw={"rows": 4}
    )


def cap_fields(presence) -> tuple:
    """A cap, its basis and its start, each with the given presence validator."""
    return (
        DecimalField(
            _l("Fee cap (yuan)"),
            places=2,
            validators=[presence()],
            render_kw={"min": 0, "step": "0.01"},
        ),
        long_text(_l("Basis of the cap (pricing document)"), presence),
        DateField(_l("Cap in force from"), validators=[presence()]),
    )


class CapDetailsMixin:
    def cap_details(self) -> CapDetails | None:
        """The cap as entered, or None when no amount was given."""
        if self.cap.data is None:
            return None
        return CapDetails(
            cap=self.cap.data,
            basis=self.cap_basis.data,
            effective_from=self.cap_effective_from.data,
        )


class ServiceItemForm(CapDetailsMixin, CatalogueForm):
    """What a regulator may correct about an item: everything but its code.

    The cap is needed only when an item becomes government-guided; the service says so.
    """

    name = StringField(_l("Service item name"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=category_choices, validators=[DataRequired()])
    legal_basis = long_text(_l("Legal basis"), DataRequired)
    pricing_type = SelectField(_l("Pricing"), choices=pricing_choices, validators=[DataRequired()])
    unit = StringField(
        _l("Unit the fee is charged per"), validators=[DataRequired(), Length(max=40)]
    )
    statutory_days = IntegerField(
        _l("Statutory time limit (working days)"),
        validators=[InputRequired()],
        render_kw={"min": 1},
    )
    acceptance_conditions = long_text(_l("Acceptance conditions, one per line"), DataRequired)
    materials = long_text(_l("Materials the enterprise provides, one per line"), DataRequired)
    procedure = long_text(_l("Procedure, one step per line"), DataRequired)
    cap, cap_basis, cap_effective_from = cap_fields(Optional)

    def details(self) -> ServiceItemDetails:
        return ServiceItemDetails(
            name=self.name.data,
            category=self.category.data,
            legal_basis=self.legal_basis.data,
            pricing_type=self.pricing_type.data,
            unit=self.unit.data,
            statutory_days=self.statutory_days.data,
            acceptance_conditions=self.acceptance_conditions.data,
            materials=self.materials.data,
            procedure=self.procedure.data,
        )


class NewServiceItemForm(CreatesOnce, ServiceItemForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=30)])


class FeeCapForm(CreatesOnce, CapDetailsMixin, CatalogueForm):
    cap, cap_basis, cap_effective_from = cap_fields(InputRequired)


class RetireForm(CatalogueForm):
    retired_on = DateField(_l("Retired from"), default=local_today, validators=[DataRequired()])


class CatalogueFilterForm(FlaskForm):
    """Filters of the catalogue lists; malformed filters are ignored."""

    class Meta:
        csrf = False

    q = StringField(_l("Code or name"), validators=[Length(max=200)])
    category = SelectField(
        _l("Category"),
        choices=lambda: [("", _l("All categories")), *category_choices()],
        default="",
    )
    pricing = SelectField(
        _l("Pricing"),
        choices=lambda: [("", _l("All pricing types")), *pricing_choices()],
        default="",
    )

    def criteria(self) -> dict:
        """The filters as catalogue_query's keywords."""
        if not self.validate():
            return {}
        return {
            "text": self.q.data,
            "category": self.category.data or None,
            "pricing_type": self.pricing.data or None,
        }


class PublicCatalogueFilterForm(CatalogueFilterForm):
    retired = BooleanField(_l("Include retired items"))
