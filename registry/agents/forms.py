"""Forms for keeping town agents and their training, and for filtering their lists."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from registry.agents.queries import region_towns
from registry.agents.services import AgentDetails, AgentError, TrainingDetails
from registry.submissions.forms import CreatesOnce

PHONE = re.compile(r"\+?[0-9(][0-9 ()-]{4,38}")
ACTIVE_STATES = {"active": True, "inactive": False}


def town_choices():
    return [(town, town) for town in region_towns()]


class RefusalShownOnField:
    """A form that shows a service's refusal under the field it is about."""

    def show_refusal(self, error: AgentError) -> None:
        self[error.field].errors.append(str(error))


class AgentForm(RefusalShownOnField, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    # The service decides which towns are the region's, with its own message.
    town = SelectField(
        _l("Town"),
        choices=lambda: [("", _l("Choose a town")), *town_choices()],
        validators=[DataRequired()],
        validate_choice=False,
    )
    village = StringField(_l("Village or community"), validators=[DataRequired(), Length(max=60)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=40)])

    def validate_phone(self, field):
        if not PHONE.fullmatch(field.data.strip()):
            raise ValidationError(
                _l("Enter a phone number: digits, with spaces, hyphens or brackets if you like.")
            )

    def details(self) -> AgentDetails:
        return AgentDetails(
            name=self.name.data,
            town=self.town.data,
            village=self.village.data,
            phone=self.phone.data,
        )


class NewAgentForm(CreatesOnce, AgentForm):
    """An agent to add: the same fields, sent once."""


class TrainingForm(CreatesOnce, RefusalShownOnField, FlaskForm):
    course = StringField(_l("Course"), validators=[DataRequired(), Length(max=200)])
    completed_on = DateField(_l("Completed on"), validators=[InputRequired()])
    # InputRequired, not DataRequired: zero hours must reach the service's own message.
    hours = IntegerField(_l("Hours"), validators=[InputRequired()])
    passed = BooleanField(_l("Passed the course's assessment"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def details(self) -> TrainingDetails:
        return TrainingDetails(
            course=self.course.data,
            completed_on=self.completed_on.data,
            hours=self.hours.data,
            passed=self.passed.data,
            notes=self.notes.data or "",
        )


class DirectoryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    town = SelectField(
        _l("Town"), choices=lambda: [("", _l("All towns")), *town_choices()], default=""
    )


class AgentFilterForm(DirectoryFilterForm):
    active = SelectField(
        _l("State"),
        choices=lambda: [
            ("", _l("Active and inactive")),
            ("active", _l("Active")),
            ("inactive", _l("Inactive")),
        ],
        default="",
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=60)])

    def criteria(self) -> dict:
        return {
            "town": self.town.data or None,
            "active": ACTIVE_STATES.get(self.active.data),
            "name": self.name.data,
        }
