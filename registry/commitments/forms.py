"""Forms: writing a version of the letter, signing it, revoking a signature, checking a receipt."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from registry.commitments.queries import OVERVIEW_FILTERS, STANDING_LABELS
from registry.commitments.services import CommitmentError, SigningDetails, TemplateDetails
from registry.submissions.forms import CreatesOnce


class RefusalShownOnField:
    """A form that shows a service's refusal under the field it is about (or on top)."""

    def show_refusal(self, error: CommitmentError) -> None:
        if error.field and error.field in self:
            self[error.field].errors.append(str(error))
        else:
            self.form_errors.append(str(error))


class TemplateForm(RefusalShownOnField, FlaskForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    body_zh = TextAreaField(
        _l("Text (Chinese)"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 14}
    )
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    body_en = TextAreaField(
        _l("Text (English)"), validators=[DataRequired(), Length(max=20000)], render_kw={"rows": 14}
    )
    validity_months = IntegerField(
        _l("Valid for (months)"), default=12, validators=[InputRequired(), NumberRange(1, 60)]
    )
    requires_resigning = BooleanField(_l("Agencies holding an older version must sign again"))
    grace_days = IntegerField(
        _l("Grace period (days)"), default=30, validators=[InputRequired(), NumberRange(0, 365)]
    )

    def details(self) -> TemplateDetails:
        return TemplateDetails(
            title_zh=self.title_zh.data,
            title_en=self.title_en.data,
            body_zh=self.body_zh.data,
            body_en=self.body_en.data,
            validity_months=self.validity_months.data,
            requires_resigning=self.requires_resigning.data,
            grace_days=self.grace_days.data,
        )


class NewTemplateForm(CreatesOnce, TemplateForm):
    """A new draft version: the same fields, saved once."""


class SignForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    template_id = HiddenField(validators=[DataRequired()])
    language = HiddenField(validators=[DataRequired()])
    text_sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    signer_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=60)])
    signer_title = StringField(
        _l("Your title in the agency"), validators=[DataRequired(), Length(max=60)]
    )
    consent = BooleanField(
        _l("I have read the letter above and sign it on behalf of my agency."),
        validators=[DataRequired(_l("Tick the box to confirm you sign this letter."))],
    )
    password = PasswordField(
        _l("Your password, to confirm it is you"), validators=[DataRequired(), Length(max=200)]
    )

    def details(self, ip_address: str | None, user_agent: str | None) -> SigningDetails:
        try:
            template_id = int(self.template_id.data)
        except (TypeError, ValueError):
            template_id = 0
        return SigningDetails(
            template_id=template_id,
            language=self.language.data,
            text_sha256=self.text_sha256.data,
            signer_name=self.signer_name.data,
            signer_title=self.signer_title.data,
            consent=self.consent.data,
            password=self.password.data,
            ip_address=ip_address,
            user_agent=user_agent,
        )


class RevokeForm(RefusalShownOnField, FlaskForm):
    reason = TextAreaField(
        _l("Reason (the agency and the public read it)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 4},
    )


class OverviewFilterForm(FlaskForm):
    class Meta:
        csrf = False

    standing = SelectField(
        _l("Commitment"),
        choices=lambda: [
            ("", _l("Any")),
            *((key, STANDING_LABELS[key]) for key in OVERVIEW_FILTERS),
        ],
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class ReceiptLookupForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(
        _l("Receipt code"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"spellcheck": "false"},
    )


class ReceiptCheckForm(FlaskForm):
    payload = TextAreaField(
        _l("Payload (the text in braces, exactly as given)"),
        validators=[DataRequired(), Length(max=5000)],
        render_kw={"rows": 5, "spellcheck": "false"},
    )
    signature = StringField(
        _l("Signature (base64)"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"spellcheck": "false"},
    )
