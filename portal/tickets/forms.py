"""Ticket forms (Flask-WTF: CSRF and the first line of validation; the services have the last)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.tickets import services

SEVERITIES = [("normal", _l("Normal")), ("urgent", _l("Urgent: my work is stopped"))]
CHANNELS = [("web", _l("Web form")), ("phone", _l("Phone")), ("email", _l("E-mail")), ("chat", _l("Chat"))]


def chosen_id(value) -> int | None:
    """A choice's id from a select whose first option is a placeholder: its empty value is no choice."""
    return None if value in (None, "") else int(value)


class TicketForm(FlaskForm):
    title = StringField(_l("What is the problem?"), validators=[DataRequired(), Length(max=services.TITLE_MAX)])
    description = TextAreaField(
        _l("Details: what you did, what you saw (error message), since when"),
        validators=[Length(max=services.BODY_MAX)],
    )
    # no category is preselected: the employee picks one (the placeholder is an empty option)
    category_id = SelectField(
        _l("Category"), coerce=chosen_id, validators=[DataRequired(message=_l("Choose a category."))]
    )
    severity = RadioField(_l("Severity"), choices=SEVERITIES, default="normal")
    contact = StringField(
        _l("How to reach you (phone or e-mail)"), validators=[Optional(), Length(max=services.CONTACT_MAX)]
    )
    attachments = MultipleFileField(_l("Screenshots or files"))
    # support desk only
    requester_username = StringField(_l("On behalf of (user name)"), validators=[Optional(), Length(max=64)])
    channel = SelectField(_l("Channel"), choices=CHANNELS, default="web")


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[Length(max=services.BODY_MAX)])
    internal = BooleanField(_l("Internal note (not shown to the requester)"))
    attachments = MultipleFileField(_l("Attach files"))


class ActionForm(FlaskForm):
    action = HiddenField()
    body = TextAreaField(_l("Message"), validators=[Length(max=services.BODY_MAX)])
    version = HiddenField()


class RateForm(FlaskForm):
    rating = RadioField(
        _l("How satisfied are you?"),
        coerce=int,
        choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
        validators=[DataRequired(message=_l("Choose 1 to 5 stars."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=500)])


class ManageForm(FlaskForm):
    assignee = SelectField(_l("Assignee"), coerce=int, validators=[Optional()])
    complexity = SelectField(_l("Service tier"))  # choices with the configured targets: pages.manage_form
    shareable = BooleanField(_l("Share as a past case once solved (everyone can find it)"))
    article_id = IntegerField(_l("FAQ that answers it (article number)"), validators=[Optional(), NumberRange(min=1)])


class PromiseForm(FlaskForm):
    """The engineer's new expected time after a due time has passed (local time of the portal)."""

    reason = TextAreaField(
        _l("Why does the solution take longer? (the requester reads it)"),
        validators=[Length(max=services.REASON_MAX)],
    )
    expected = DateTimeLocalField(_l("New expected time"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
