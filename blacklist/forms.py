"""Forms: proposing, notifying, objecting, deciding, revoking, applying for and deciding repair."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from blacklist.checks import BlacklistError
from blacklist.files import MAX_FILES
from blacklist.models import GROUND_LABELS, STATE_LABELS, CaseState, Ground
from blacklist.queries import STATE_FILTERS
from blacklist.services import Decision, Proposal
from registry.submissions.forms import CreatesOnce

TEXT = {"rows": 6}


class RefusalShownOnField:
    """A form that shows a service's refusal under the field it is about (or on top)."""

    def show_refusal(self, error: BlacklistError) -> None:
        if error.field and error.field in self:
            self[error.field].errors = [*self[error.field].errors, str(error)]
        else:
            self.form_errors.append(str(error))


class PasswordConfirmation:
    password = PasswordField(
        _l("Your password, to confirm it is you"), validators=[DataRequired(), Length(max=200)]
    )


def ground_choices():
    return [("", _l("Choose…")), *((g.value, GROUND_LABELS[g]) for g in Ground)]


class ProposeForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    ground = SelectField(_l("Ground"), choices=ground_choices, validators=[DataRequired()])
    facts = TextAreaField(
        _l("Facts (what the agency did, when, and the evidence)"),
        validators=[DataRequired(), Length(max=10000)],
        render_kw=TEXT,
    )
    legal_basis = TextAreaField(
        _l("Legal basis for listing"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 2},
    )
    complaint_ids = SelectMultipleField(
        _l("Substantiated complaints this proposal rests on"),
        coerce=int,
        validators=[Optional()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )

    def proposal(self) -> Proposal:
        return Proposal(
            ground=self.ground.data,
            facts=self.facts.data,
            legal_basis=self.legal_basis.data,
            complaint_ids=list(self.complaint_ids.data or []),
        )


class ObjectionForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    statement = TextAreaField(
        _l("Your objection: the facts as your agency sees them, and why it should not be listed"),
        validators=[DataRequired(), Length(max=10000)],
        render_kw=TEXT,
    )
    files = MultipleFileField(_l("Evidence (PDF, JPEG or PNG; at most %(n)d files)", n=MAX_FILES))
    final = BooleanField(
        _l("I have checked the objection: it is sent once and cannot be changed."),
        validators=[DataRequired(_l("Tick the box to confirm you send the objection."))],
    )


class RepairForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    statement = TextAreaField(
        _l("Rectification: what your agency has corrected, and how it prevents a repeat"),
        validators=[DataRequired(), Length(max=10000)],
        render_kw=TEXT,
    )
    files = MultipleFileField(
        _l("Evidence of the rectification (PDF, JPEG or PNG; 1 to %(n)d files)", n=MAX_FILES)
    )


class DecideForm(RefusalShownOnField, PasswordConfirmation, FlaskForm):
    outcome = RadioField(
        _l("Your decision"),
        choices=[
            SelectChoice("listed", _l("List the agency on the blacklist")),
            SelectChoice("rejected", _l("Reject the proposal")),
        ],
        validators=[InputRequired(_l("Choose whether to list the agency or reject the proposal."))],
    )
    decision_number = StringField(
        _l("Decision number (required to list)"), validators=[Optional(), Length(max=100)]
    )
    deciding_authority = StringField(
        _l("Deciding authority"), validators=[Optional(), Length(max=200)]
    )
    term_years = SelectField(
        _l("Term (to list)"),
        choices=[
            SelectChoice("", _l("Choose…")),
            SelectChoice("1", _l("1 year")),
            SelectChoice("2", _l("2 years")),
            SelectChoice("3", _l("3 years")),
        ],
        validators=[Optional()],
    )
    reasons = TextAreaField(
        _l("Reasons (the agency reads them)"),
        validators=[DataRequired(), Length(max=10000)],
        render_kw=TEXT,
    )

    def decision(self) -> Decision:
        return Decision(
            outcome=self.outcome.data,
            reasons=self.reasons.data,
            password=self.password.data,
            decision_number=self.decision_number.data or "",
            deciding_authority=self.deciding_authority.data or "",
            term_years=int(self.term_years.data) if self.term_years.data else None,
        )


class RevokeForm(RefusalShownOnField, PasswordConfirmation, FlaskForm):
    reason = TextAreaField(
        _l("Why the listing was wrong (the agency and the public read it)"),
        validators=[DataRequired(), Length(max=10000)],
        render_kw={"rows": 4},
    )


class RepairDecisionForm(RefusalShownOnField, PasswordConfirmation, FlaskForm):
    outcome = RadioField(
        _l("Your decision"),
        choices=[
            SelectChoice("approve", _l("Approve: end the listing now")),
            SelectChoice("refuse", _l("Refuse: the listing stays")),
        ],
        validators=[InputRequired(_l("Choose whether to approve or refuse."))],
    )
    reasons = TextAreaField(
        _l("Reasons (the agency reads them)"),
        validators=[DataRequired(), Length(max=10000)],
        render_kw=TEXT,
    )


class CaseFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(
        _l("State"),
        choices=lambda: [(value, FILTER_LABELS[value]) for value in STATE_FILTERS],
        default="open",
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional()])


class PublicListForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Agency name or credit code"), validators=[Optional(), Length(max=100)])
    history = BooleanField(_l("Past listings"), false_values=("false", "", "0"))
    page = IntegerField(validators=[Optional()])


FILTER_LABELS = {
    "open": _l("Waiting for a notice, an objection or a decision"),
    "listed": _l("Listed now"),
    "ended": _l("Listing ended"),
    "all": _l("All"),
    **{state.value: STATE_LABELS[state] for state in CaseState if state != CaseState.LISTED},
}
