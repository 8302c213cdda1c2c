"""Account forms. Labels are translated lazily; one field's check lives in validate_<field>."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from registry.accounts.passwords import password_problem
from registry.accounts.roles import Role
from registry.submissions.forms import CreatesOnce


def role_choices():
    return [(role.value, role.label) for role in Role]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in on this device for 14 days"))


class NewPasswordMixin:
    """A new password typed twice and checked against the policy."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("New password, again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )

    def password_email(self) -> str | None:
        return None

    def validate_new_password(self, field):
        problem = password_problem(field.data or "", email=self.password_email())
        if problem:
            raise ValidationError(problem)


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    """A new password for an existing account (set by its holder or by an admin)."""

    def __init__(self, account, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account

    def password_email(self):
        return self.account.email


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )


class AccountForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])


class NewAccountForm(CreatesOnce, NewPasswordMixin, AccountForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )

    def password_email(self):
        return self.email.data

    def show_refusal(self, error) -> None:
        self.email.errors = [*self.email.errors, str(error)]


class ConfirmForm(FlaskForm):
    """An explicit confirmation for an act the user should think twice about."""


class AccountFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Email or name"), validators=[Length(max=254)])
    role = SelectField(
        _l("Role"), choices=lambda: [("", _l("All roles")), *role_choices()], default=""
    )
