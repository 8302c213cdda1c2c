"""Forms for registering agencies and enterprises, keeping a profile, and publishing fees."""

from flask import current_app, flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from registry.accounts.passwords import password_problem
from registry.agencies.categories import AgencyCategory
from registry.agencies.credit_code import CreditCodeError, check_credit_code
from registry.agencies.services import AgencyDetails, QualificationDetails
from registry.submissions.forms import CreatesOnce


def category_choices():
    return [(category.value, category.label) for category in AgencyCategory]


def town_choices():
    return [
        (f"{district}|{town}", f"{district} {town}")
        for district, towns in current_app.config["REGION_TOWNS"].items()
        for town in towns
    ]


class CreditCodeField(StringField):
    """A unified social credit code: trimmed and upper-cased before it is checked."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = "".join((self.data or "").split()).upper()


class AccountFields(CreatesOnce, FlaskForm):
    """The person registering: their own account (registrations are created once per form)."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Your email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("Password, again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def validate_password(self, field):
        problem = password_problem(field.data or "", email=self.email.data)
        if problem:
            raise ValidationError(problem)

    def show_refusal(self, error) -> None:
        """A refused registration (the email is taken...) is said atop the page."""
        flash(str(error), "danger")


class QualificationForm(Form):
    name = StringField(_l("Certificate"), validators=[Optional(), Length(max=200)])
    level = StringField(_l("Level"), validators=[Optional(), Length(max=60)])
    number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=100)])
    issuer = StringField(_l("Issued by"), validators=[Optional(), Length(max=200)])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])
    certificate = FileField(_l("Certificate scan (PDF, JPEG or PNG)"))

    def is_filled(self) -> bool:
        return bool(self.name.data or self.number.data or self.issuer.data)

    def validate_number(self, field):
        if self.is_filled() and not (self.name.data and field.data and self.issuer.data):
            raise ValidationError(_l("Give the certificate's name, number and issuer."))

    def validate_valid_until(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("A qualification cannot expire before it starts."))

    def details(self, certificate=None) -> QualificationDetails:
        return QualificationDetails(
            name=self.name.data,
            number=self.number.data,
            issuer=self.issuer.data,
            level=self.level.data or "",
            valid_from=self.valid_from.data,
            valid_until=self.valid_until.data,
            certificate=certificate,
        )


class AgencyDetailsFields(FlaskForm):
    """What an agency says about itself, on registration and on its profile."""

    name = StringField(_l("Agency name"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=category_choices, validators=[DataRequired()])
    region = SelectField(_l("District and town"), choices=town_choices, validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=300)])
    legal_representative = StringField(
        _l("Legal representative"), validators=[DataRequired(), Length(max=60)]
    )
    contact_person = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=60)])
    phone = StringField(_l("Contact phone"), validators=[DataRequired(), Length(max=40)])
    agency_email = EmailField(
        _l("Agency email"),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
    )
    business_scope = TextAreaField(_l("Business scope"), validators=[Length(max=4000)])

    def details(self) -> AgencyDetails:
        district, _, town = self.region.data.partition("|")
        return AgencyDetails(
            name=self.name.data,
            category=self.category.data,
            district=district,
            town=town,
            address=self.address.data,
            contact_person=self.contact_person.data,
            phone=self.phone.data,
            legal_representative=self.legal_representative.data,
            email=self.agency_email.data,
            business_scope=self.business_scope.data or "",
        )

    def fill_from(self, agency) -> None:
        """Show the agency's current details (on GET)."""
        for field in (
            "name",
            "category",
            "address",
            "legal_representative",
            "contact_person",
            "phone",
            "business_scope",
        ):
            getattr(self, field).data = getattr(agency, field)
        self.region.data = f"{agency.district}|{agency.town}"
        self.agency_email.data = agency.email


def validate_code(form, field, *, allow_checksum_claim: bool) -> None:
    """Refuse a malformed code with the rule it breaks; a checksum-only failure may be claimed."""
    try:
        check_credit_code(field.data)
    except CreditCodeError as error:
        claimed = allow_checksum_claim and form.code_is_genuine.data
        if not (error.claimable and claimed):
            raise ValidationError(str(error)) from None


class AgencyRegistrationForm(AccountFields, AgencyDetailsFields):
    credit_code = CreditCodeField(
        _l("Unified social credit code"), validators=[DataRequired(), Length(max=40)]
    )
    code_is_genuine = BooleanField(
        _l("This code is genuine although it fails the check: ask the regulator to accept it")
    )
    qualifications = FieldList(FormField(QualificationForm), min_entries=2, max_entries=5)

    def validate_credit_code(self, field):
        validate_code(self, field, allow_checksum_claim=True)


class EnterpriseRegistrationForm(AccountFields):
    credit_code = CreditCodeField(
        _l("Unified social credit code"), validators=[DataRequired(), Length(max=40)]
    )
    enterprise_name = StringField(
        _l("Enterprise name"), validators=[DataRequired(), Length(max=200)]
    )

    def validate_credit_code(self, field):
        validate_code(self, field, allow_checksum_claim=False)


class LinkRequestForm(CreatesOnce, FlaskForm):
    credit_code = CreditCodeField(
        _l("Credit code of the organisation you work for"),
        validators=[DataRequired(), Length(max=40)],
    )

    def show_refusal(self, error) -> None:
        """Sent from the workspace, which shows a refusal atop the page."""
        flash(str(error), "danger")


class AgencyProfileForm(AgencyDetailsFields):
    pass


class AddQualificationForm(CreatesOnce, FlaskForm, QualificationForm):
    def validate_name(self, field):
        if not field.data:
            raise ValidationError(_l("Give the certificate's name, number and issuer."))

    def show_refusal(self, error) -> None:
        self.certificate.errors = [*self.certificate.errors, str(error)]


class FeeForm(CreatesOnce, FlaskForm):
    service_item = SelectField(_l("Service"), coerce=int, validators=[DataRequired()])
    fee_min = DecimalField(
        _l("Minimum fee (yuan)"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    fee_max = DecimalField(
        _l("Maximum fee (yuan)"), places=2, validators=[InputRequired(), NumberRange(min=0)]
    )
    basis = TextAreaField(_l("Basis of the fee"), validators=[DataRequired(), Length(max=2000)])
    promised_days = IntegerField(
        _l("Promised time limit (working days)"),
        validators=[InputRequired(), NumberRange(min=1, max=3650)],
    )
    effective_from = DateField(_l("In force from"), validators=[DataRequired()])

    def fill_from(self, schedule) -> None:
        """Start a change from the figures in force (on GET)."""
        self.service_item.data = schedule.service_item_id
        self.fee_min.data, self.fee_max.data = schedule.fee_min, schedule.fee_max
        self.basis.data, self.promised_days.data = schedule.basis, schedule.promised_days

    def show_refusal(self, error) -> None:
        self.fee_max.errors = [*self.fee_max.errors, str(error)]


class WithdrawFeeForm(FlaskForm):
    effective_to = DateField(_l("No longer offered from"), validators=[DataRequired()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (the agency sees it; a suspension or deregistration is also shown publicly)"),
        validators=[DataRequired(), Length(max=2000)],
    )


class OptionalReasonForm(FlaskForm):
    reason = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class AgencyFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or credit code"), validators=[Optional(), Length(max=200)])
    status = SelectField(_l("Status"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])

    def __init__(self, formdata, statuses):
        super().__init__(formdata)
        self.status.choices = [("", _l("All states")), *[(s.value, s.label) for s in statuses]]
        self.category.choices = [("", _l("All categories")), *category_choices()]
