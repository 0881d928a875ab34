"""Forms of the accounts pages: an account, closing one, a department or region, a token, an import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import PasswordField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts import labels, rules

NONE = _l("— none —")


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=rules.DISPLAY_NAME_MAX)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=rules.EMAIL_MAX)])
    department_id = SelectField(_l("Department"), coerce=int, default=0)
    region_id = SelectField(_l("Region"), coerce=int, default=0)
    position = SelectField(_l("Position"), choices=list(labels.POSITION_LABELS.items()), default="staff")
    superior = StringField(_l("Direct superior (user name)"), validators=[Optional(), Length(max=rules.USERNAME_MAX)])
    roles = CheckboxesField(_l("Roles"), choices=[(r, labels.ROLE_LABELS[r]) for r in rules.ROLES])

    def fill_choices(self, departments, regions) -> None:
        self.department_id.choices = [(0, NONE)] + [(d.id, f"{d.name} ({d.code})") for d in departments]
        self.region_id.choices = [(0, NONE)] + [(r.id, f"{r.name} ({r.code})") for r in regions]


class NewAccountForm(AccountForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=rules.USERNAME_MAX)])
    password_mode = RadioField(
        _l("Initial password"),
        choices=[("generate", _l("Generate one and show it once")), ("type", _l("Type one"))],
        default="generate",
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])


class CloseForm(FlaskForm):
    successor = StringField(_l("Successor (user name)"), validators=[Optional(), Length(max=rules.USERNAME_MAX)])
    note = TextAreaField(_l("Note for the tickets' ledgers (optional)"), validators=[Optional(), Length(max=300)])


class UnitForm(FlaskForm):
    code = StringField(lazy_pgettext("org unit", "Code"), validators=[DataRequired(), Length(max=rules.CODE_MAX)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=rules.NAME_MAX)])


class DepartmentForm(UnitForm):
    division_leader_id = SelectField(_l("Division leader (fast-track approvals)"), coerce=int, default=0)

    def fill_choices(self, people) -> None:
        self.division_leader_id.choices = [(0, NONE)] + [
            (u.id, f"{u.display_name} ({u.username} · {labels.position_label(u.position)})") for u in people
        ]


class TokenForm(FlaskForm):
    label = StringField(_l("Name"), validators=[DataRequired(), Length(max=rules.TOKEN_LABEL_MAX)])
    days = SelectField(_l("Expires after"), coerce=int, default=rules.DEFAULT_TOKEN_DAYS)

    def fill_choices(self) -> None:
        self.days.choices = labels.expiry_choices()


class ImportForm(FlaskForm):
    file = FileField(_l("File (.xlsx or .csv)"))
