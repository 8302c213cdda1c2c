"""Forms: a supervisor's evaluation, an inspection, its withdrawal, and the list filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ratings.assessments.services import (
    FINDINGS_MAX_LENGTH,
    REMARKS_MAX_LENGTH,
    AssessmentError,
    EvaluationDetails,
    InspectionDetails,
)
from registry.submissions.forms import CreatesOnce

SCORE_WORDS = {
    5: _l("5 – very good"),
    4: _l("4 – good"),
    3: _l("3 – adequate"),
    2: _l("2 – poor"),
    1: _l("1 – very poor"),
}


class RefusalShownOnField:
    """A form that shows a service's refusal under the field it is about (or on top)."""

    def show_refusal(self, error: AssessmentError) -> None:
        if error.field and error.field in self:
            self[error.field].errors.append(str(error))
        else:
            self.form_errors.append(str(error))


class EvaluationForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    # The evaluation being changed, if any: a second "new" one is refused by the service.
    evaluation_id = HiddenField()
    # Rendered as radio buttons (SCORE_WORDS); the service says what a score must be, so a
    # forged value reaches its message.
    score = IntegerField(_l("Score"), validators=[InputRequired(_l("Choose a score from 1 to 5."))])
    remarks = TextAreaField(
        _l("Remarks"),
        validators=[Optional(), Length(max=REMARKS_MAX_LENGTH)],
        render_kw={"rows": 5},
    )

    def details(self) -> EvaluationDetails:
        return EvaluationDetails(score=self.score.data, remarks=self.remarks.data or "")


class InspectionForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    inspected_on = DateField(_l("Day of the inspection"), validators=[InputRequired()])
    # InputRequired, not DataRequired: a score of 0 is a score.
    score = IntegerField(
        _l("Score (0–100)"),
        validators=[InputRequired(), NumberRange(0, 100)],
        render_kw={"min": 0, "max": 100, "inputmode": "numeric"},
    )
    findings = TextAreaField(
        _l("Findings"),
        validators=[DataRequired(), Length(max=FINDINGS_MAX_LENGTH)],
        render_kw={"rows": 6},
    )
    report = FileField(
        _l("Inspection report (PDF, JPEG or PNG; optional)"),
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )

    def details(self) -> InspectionDetails:
        return InspectionDetails(
            inspected_on=self.inspected_on.data,
            score=self.score.data,
            findings=self.findings.data,
            report=self.report.data,
        )


class WithdrawInspectionForm(RefusalShownOnField, FlaskForm):
    reason = TextAreaField(
        _l("Why it was entered in error (the agency reads it)"),
        validators=[DataRequired(), Length(max=REMARKS_MAX_LENGTH)],
        render_kw={"rows": 4},
    )


class AgencyFinderForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Agency name or credit code"), validators=[Optional(), Length(max=200)])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class InspectionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Agency name or credit code"), validators=[Optional(), Length(max=200)])
    state = SelectField(
        _l("State"),
        choices=lambda: [
            ("", _l("Counted and withdrawn")),
            ("counted", _l("Counted")),
            ("withdrawn", _l("Withdrawn")),
        ],
        default="",
        validators=[Optional()],
    )
    since = DateField(_l("Inspected from"), validators=[Optional()])
    until = DateField(_l("Inspected until"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])

    def criteria(self) -> dict:
        return {
            "q": self.q.data,
            "state": self.state.data or None,
            "since": self.since.data,
            "until": self.until.data,
        }
