"""Forms: the dashboard's filters, escalating by hand, and a supervisor's evaluation."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from registry.submissions.forms import CreatesOnce
from registry.supervision.evaluations import REMARKS_MAX_LENGTH, EvaluationError, HandlingScores
from registry.supervision.items import Kind
from registry.supervision.queries import DashboardFilter

# Dates a filter may ask about: a typo guard (a year typed 0026 or 20266).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# WTForms' own message for a malformed date does not say what it expects.
BAD_DATE = _l("Enter a date as YYYY-MM-DD, for example 2026-11-30.")

SCORE_WORDS = {
    5: _l("5 – very good"),
    4: _l("4 – good"),
    3: _l("3 – adequate"),
    2: _l("2 – poor"),
    1: _l("1 – very poor"),
}


def _in_range(form, field) -> None:
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_l("Choose a date between 2000 and 2099."))


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(
        _l("Kind"),
        choices=lambda: [("", _l("Every kind")), *((kind.value, kind.label) for kind in Kind)],
        default="",
        validators=[Optional()],
    )
    overdue = BooleanField(_l("Overdue only"))
    accountable = SelectField(_l("Accountable"), default="", validate_choice=False)
    due_from = DateField(
        _l("Due from"), validators=[Optional(), _in_range], invalid_value_message=BAD_DATE
    )
    due_to = DateField(
        _l("Due until"), validators=[Optional(), _in_range], invalid_value_message=BAD_DATE
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])

    def validate_accountable(self, field) -> None:
        allowed = {value for value, _label in self.accountable.choices}
        if field.data not in allowed:
            raise ValidationError(_l("Choose someone from the list."))

    def validate_due_to(self, field) -> None:
        if self.due_from.data and field.data and field.data < self.due_from.data:
            raise ValidationError(_l("The end of the range is before its start."))

    def criteria(self, viewer_id: int) -> DashboardFilter:
        accountable = self.accountable.data or ""
        if accountable == "me":
            accountable = str(viewer_id)
        return DashboardFilter(
            kind=self.kind.data or "",
            overdue_only=bool(self.overdue.data),
            accountable=accountable,
            due_from=self.due_from.data,
            due_to=self.due_to.data,
        )


class ConfirmEscalationForm(FlaskForm):
    """Escalating by hand: the button on the confirmation page."""


class HandlingEvaluationForm(CreatesOnce, FlaskForm):
    # Rendered as radio buttons (SCORE_WORDS); the service says what a score must be.
    timeliness = IntegerField(
        _l("Timeliness"), validators=[InputRequired(_l("Choose a score from 1 to 5."))]
    )
    fairness = IntegerField(
        _l("Fairness"), validators=[InputRequired(_l("Choose a score from 1 to 5."))]
    )
    remarks = TextAreaField(
        _l("Remarks"),
        validators=[Optional(), Length(max=REMARKS_MAX_LENGTH)],
        render_kw={"rows": 5},
    )

    def scores(self) -> HandlingScores:
        return HandlingScores(self.timeliness.data, self.fairness.data, self.remarks.data or "")

    def show_refusal(self, error: EvaluationError) -> None:
        if error.field and error.field in self:
            self[error.field].errors.append(str(error))
        else:
            self.form_errors.append(str(error))


class RegulatorFilterForm(FlaskForm):
    class Meta:
        csrf = False

    regulator = SelectField(_l("Handled by"), default="", validate_choice=False)
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])

    def validate_regulator(self, field) -> None:
        allowed = {value for value, _label in self.regulator.choices}
        if field.data not in allowed:
            raise ValidationError(_l("Choose someone from the list."))
