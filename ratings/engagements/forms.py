"""Forms: recording an engagement, the parties' answers, extensions, reviews and draws."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ratings.engagements.models import EngagementStatus
from ratings.engagements.reviews import ReviewDetails
from ratings.engagements.services import EngagementError
from registry.submissions.forms import CreatesOnce

SCORE_CHOICES = [
    SelectChoice(5, _l("5 — excellent")),
    SelectChoice(4, _l("4 — good")),
    SelectChoice(3, _l("3 — acceptable")),
    SelectChoice(2, _l("2 — poor")),
    SelectChoice(1, _l("1 — very poor")),
]
STAR_CHOICES = [SelectChoice("", _l("No minimum"))] + [SelectChoice(str(n)) for n in range(1, 6)]


class RefusalShownOnField:
    """A form that shows a service's refusal under the field it is about (or on top)."""

    def show_refusal(self, error: EngagementError) -> None:
        if error.field and error.field in self:
            self[error.field].errors = [*self[error.field].errors, str(error)]
        else:
            self.form_errors.append(str(error))


class AgencyLookupForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Agency name or credit code"), validators=[DataRequired(), Length(min=2, max=100)]
    )


class EngagementForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    service_item = RadioField(_l("Service and published fee"), coerce=int, validate_choice=False)
    agreed_fee = DecimalField(
        _l("Agreed fee (yuan per unit of the service)"),
        places=2,
        validators=[InputRequired(), NumberRange(min=0)],
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    project = StringField(
        _l("What the work is for (project, site; optional)"), validators=[Length(max=200)]
    )

    def validate_service_item(self, field):
        if not field.data:
            raise ValidationError(_l("Choose one of the agency's services."))


class ReasonForm(RefusalShownOnField, FlaskForm):
    reason = TextAreaField(
        _l("Reason (the other party reads it)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 4},
    )


class ExtensionForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    extra_days = IntegerField(
        _l("Extra working days"), validators=[InputRequired(), NumberRange(min=1, max=3650)]
    )
    justification = TextAreaField(
        _l("Why the work needs more time"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 4},
    )


class ExtensionDecisionForm(RefusalShownOnField, FlaskForm):
    decision = SelectField(
        _l("Your decision"),
        choices=[
            SelectChoice("accept", _l("Accept: the deadline moves")),
            SelectChoice("refuse", _l("Refuse: the deadline stays")),
        ],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason (required when you refuse; the agency reads it)"),
        validators=[Length(max=2000)],
        render_kw={"rows": 3},
    )


class ReviewForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    quality = SelectField(_l("Quality of the work"), coerce=int, choices=SCORE_CHOICES)
    timeliness = SelectField(_l("Timeliness"), coerce=int, choices=SCORE_CHOICES)
    fee_compliance = SelectField(_l("Fees as published"), coerce=int, choices=SCORE_CHOICES)
    conduct = SelectField(_l("Conduct of the staff"), coerce=int, choices=SCORE_CHOICES)
    text = TextAreaField(
        _l("Your review (shown publicly with your enterprise's name)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 5},
    )

    def details(self) -> ReviewDetails:
        return ReviewDetails(
            quality=self.quality.data,
            timeliness=self.timeliness.data,
            fee_compliance=self.fee_compliance.data,
            conduct=self.conduct.data,
            text=self.text.data,
        )


class ReplyForm(RefusalShownOnField, FlaskForm):
    reply = TextAreaField(
        _l("Your public reply (once; it cannot be changed)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 4},
    )


class HideReviewForm(RefusalShownOnField, FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown publicly in place of the review)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 3},
    )


class DrawForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    service_item = SelectField(_l("Service"), coerce=int, validators=[DataRequired()])
    min_stars = SelectField(_l("Minimum stars"), choices=STAR_CHOICES, validators=[Optional()])

    def stars(self) -> int | None:
        return int(self.min_stars.data) if self.min_stars.data else None


def status_choices():
    return [("", _l("Any state"))] + [(status.value, status.label) for status in EngagementStatus]


class PartyFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("State"), choices=status_choices, validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class RegulatorFilterForm(PartyFilterForm):
    agency = StringField(_l("Agency name or credit code"), validators=[Optional(), Length(max=100)])
    overdue = BooleanField(_l("Only overdue work"))


class DrawLookupForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(
        _l("Draw reference"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"spellcheck": "false"},
    )
