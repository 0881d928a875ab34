"""Sign-in and password forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

PASSWORD_MAX = 200


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()


class NewPasswordForm(FlaskForm):
    """A new password typed twice; the policy itself is the service's (the same on every path)."""

    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Type the new password.")), Length(max=PASSWORD_MAX)],
    )
    repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Type the new password once more.")),
            EqualTo("new", _l("The two new passwords are not the same.")),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Type your current password.")), Length(max=PASSWORD_MAX)],
    )
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    login = StringField(
        _l("User name or e-mail address"),
        validators=[DataRequired(_l("Type your user name or e-mail address.")), Length(max=120)],
    )
