"""Forms of the complaint workflow. Labels are lazy; the services check the rules and say
which field a refusal is about (show_refusal)."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ratings.complaints.checks import MAX_TEXT
from ratings.complaints.models import ComplaintCategory, ComplaintStatus, Severity
from registry.submissions.forms import CreatesOnce

# Text areas open tall enough to write a few paragraphs.
ROWS = 6
# What the file picker offers; the server checks the content whatever the picker allowed.
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
FILES_HELP = _l(
    "PDF, JPEG or PNG, each at most %(mb)d MB, at most %(n)d files. The file's name must "
    "match its content (a PDF ends in .pdf)."
)


def files_help() -> str:
    config = current_app.config
    return str(FILES_HELP) % {
        "mb": config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
        "n": config["COMPLAINT_MAX_FILES"],
    }


class RefusalShownOnField:
    """A form that shows a service's refusal under the field it is about (or above all)."""

    def show_refusal(self, error) -> None:
        field = getattr(error, "field", None)
        if field and field in self:
            self[field].errors = [*self[field].errors, str(error)]
        else:
            self.form_errors.append(str(error))


class FindAgencyForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Agency's name or credit code"), validators=[DataRequired(), Length(max=100)]
    )


class ComplaintForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    category = SelectField(
        _l("What is the complaint about?"),
        choices=lambda: (
            [("", _l("Choose…"))]
            + [(category.value, category.label) for category in ComplaintCategory]
        ),
        validators=[DataRequired()],
        validate_choice=False,
    )
    text = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": ROWS},
    )
    engagement = SelectField(_l("Engagement concerned (optional)"), validate_choice=False)
    files = MultipleFileField(_l("Evidence files (optional)"), render_kw={"accept": ACCEPT})
    confirm = BooleanField(
        _l("What I wrote is true to the best of my knowledge, and I have read who will see it."),
        validators=[DataRequired(_l("Confirm before you submit."))],
    )

    def engagement_id(self) -> int | None:
        value = self.engagement.data or ""
        return int(value) if value.isdigit() else None


class TextWithFilesForm(RefusalShownOnField, FlaskForm):
    """The agency's response, or the complainant's rebuttal: a text and optional files."""

    text = TextAreaField(
        _l("Your text"), validators=[DataRequired(), Length(max=MAX_TEXT)], render_kw={"rows": ROWS}
    )
    files = MultipleFileField(_l("Evidence files (optional)"), render_kw={"accept": ACCEPT})


class ReasonForm(RefusalShownOnField, FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=MAX_TEXT)], render_kw={"rows": ROWS}
    )


class OptionalReasonForm(RefusalShownOnField, FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": ROWS},
    )


class ConfirmActionForm(RefusalShownOnField, FlaskForm):
    """An act without input, confirmed on its own page."""


class AssignForm(RefusalShownOnField, FlaskForm):
    assignee = SelectField(_l("Assign to"), validators=[DataRequired()], validate_choice=False)


class ExtendForm(RefusalShownOnField, FlaskForm):
    days = IntegerField(_l("Extend by (working days)"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=MAX_TEXT)], render_kw={"rows": ROWS}
    )


class ConcludeForm(RefusalShownOnField, FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[
            SelectChoice(ComplaintStatus.SUBSTANTIATED.value, _l("Substantiated")),
            SelectChoice(ComplaintStatus.UNSUBSTANTIATED.value, _l("Unsubstantiated")),
        ],
        validators=[DataRequired(_l("Choose the outcome."))],
    )
    severity = SelectField(
        _l("Severity (when substantiated)"),
        choices=lambda: [("", _l("None"))] + [(s.value, s.label) for s in Severity],
        validate_choice=False,
    )
    reasons = TextAreaField(
        _l("Reasons, as both parties will read them"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": ROWS},
    )
    confirm = BooleanField(
        _l("I understand that the conclusion is final and is sent to both parties."),
        validators=[DataRequired(_l("Confirm the conclusion."))],
    )


class ConflictForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    agency = StringField(_l("Agency's credit code"), validators=[DataRequired(), Length(max=40)])
    reason = TextAreaField(
        _l("Why you have a conflict of interest"),
        validators=[DataRequired(), Length(max=MAX_TEXT)],
        render_kw={"rows": ROWS},
    )


STATUS_FILTERS = ("open", *(status.value for status in ComplaintStatus), "all")


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=lambda: (
            [("open", _l("Open (not yet decided or concluded)"))]
            + [(status.value, status.label) for status in ComplaintStatus]
            + [("all", _l("All"))]
        ),
        default="open",
    )
    overdue = BooleanField(_l("Overdue only"))
    assignee = SelectField(_l("Assignee"), default="", validate_choice=False)
    agency = StringField(_l("Agency (name or credit code)"), validators=[Length(max=100)])
