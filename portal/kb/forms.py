"""Curator forms for articles, categories and the review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.kb import labels, rules, workflow


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=rules.TITLE_MAX)])
    kind = SelectField(_l("Type"), choices=labels.KIND_CHOICES)
    category_id = SelectField(_l("Category"), coerce=int)
    visibility = SelectField(_l("Visible to"), choices=labels.VISIBILITY_CHOICES)
    manual_id = SelectField(_l("Manual"), coerce=int, validators=[Optional()])
    position = IntegerField(_l("Chapter number"), default=0, validators=[Optional(), NumberRange(min=0, max=10_000)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=rules.BODY_MAX)])
    related = StringField(
        _l("Related questions (article numbers, comma separated)"),
        validators=[
            Optional(),
            Length(max=500),
            Regexp(r"^[\d,，\s]*$", message=_l("Only article numbers and commas.")),
        ],
    )

    # why a new article is drafted, carried from the link that opened the editor (services check it)
    origin = HiddenField(default="curator", validators=[Optional(), Length(max=10)])
    origin_query = HiddenField(validators=[Optional(), Length(max=200)])
    origin_article = HiddenField(validators=[Optional(), Regexp(r"^\d{0,10}$")])

    def related_ids(self) -> list[int]:
        return (
            [int(x) for x in self.related.data.replace("，", ",").replace(" ", ",").split(",") if x.strip()]
            if self.related.data
            else []
        )


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=rules.CATEGORY_MAX)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])


class ReviewForm(FlaskForm):
    """One review step on an article: which (the button pressed) and the reviewer's comment."""

    action = StringField(validators=[DataRequired(), Length(max=20)])  # the name of the buttons
    note = TextAreaField(_l("Comment for the author"), validators=[Optional(), Length(max=workflow.NOTE_MAX)])
