"""Forms: proposing an override, deciding it (with the password), revoking it, the queue filter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ratings.overrides.queries import QUEUE_FILTERS
from ratings.overrides.services import MAX_TEXT, OverrideError, OverrideProposal
from registry.submissions.forms import CreatesOnce

STAR_CHOICES = [
    SelectChoice("", _l("Choose…")),
    SelectChoice("5", _l("★★★★★ 5 stars")),
    SelectChoice("4", _l("★★★★ 4 stars")),
    SelectChoice("3", _l("★★★ 3 stars")),
    SelectChoice("2", _l("★★ 2 stars")),
    SelectChoice("1", _l("★ 1 star")),
]
FILTER_LABELS = {
    "proposed": _l("Waiting for a reviewer"),
    "in_force": _l("In force"),
    "ended": _l("Ended at their end day"),
    "rejected": _l("Rejected"),
    "revoked": _l("Revoked"),
    "all": _l("All"),
}


class RefusalShownOnField:
    """A form that shows a service's refusal under the field it is about (or on top)."""

    def show_refusal(self, error: OverrideError) -> None:
        if error.field and error.field in self:
            self[error.field].errors = [*self[error.field].errors, str(error)]
        else:
            self.form_errors.append(str(error))


class ProposeOverrideForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    stars = SelectField(_l("Stars to show"), choices=STAR_CHOICES, validators=[DataRequired()])
    ends_on = DateField(_l("Last day it counts"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (the agency and the public read it)"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": 4},
    )

    def proposal(self) -> OverrideProposal:
        return OverrideProposal(
            stars=int(self.stars.data) if (self.stars.data or "").isdigit() else None,
            ends_on=self.ends_on.data,
            reason=self.reason.data or "",
        )


class DecideOverrideForm(RefusalShownOnField, FlaskForm):
    outcome = RadioField(
        _l("Your decision"),
        choices=[
            SelectChoice("approve", _l("Approve: show these stars until the end day")),
            SelectChoice("reject", _l("Reject: the computed grade stands")),
        ],
        validators=[InputRequired(_l("Choose whether to approve or reject the proposal."))],
    )
    reasons = TextAreaField(
        _l("Reasons (the agency and the proposer read them)"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": 4},
    )
    password = PasswordField(
        _l("Your password, to confirm it is you"), validators=[DataRequired(), Length(max=200)]
    )


class RevokeOverrideForm(RefusalShownOnField, FlaskForm):
    reason = TextAreaField(
        _l("Why the override ends now (the agency reads it)"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": 4},
    )


class OverrideFilterForm(FlaskForm):
    class Meta:
        csrf = False

    show = SelectField(
        _l("Show"),
        choices=lambda: [SelectChoice(value, FILTER_LABELS[value]) for value in QUEUE_FILTERS],
        default="proposed",
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional()])
