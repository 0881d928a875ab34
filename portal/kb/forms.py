"""Curator forms for articles and categories."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.kb import labels, rules


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=rules.TITLE_MAX)])
    kind = SelectField(_l("Type"), choices=labels.KIND_CHOICES)
    category_id = SelectField(_l("Category"), coerce=int)
    visibility = SelectField(_l("Visible to"), choices=labels.VISIBILITY_CHOICES)
    manual_id = SelectField(_l("Manual"), coerce=int, validators=[Optional()])
    position = IntegerField(_l("Chapter number"), default=0, validators=[Optional(), NumberRange(min=0, max=10_000)])
    published = BooleanField(_l("Published"), default=True)
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=rules.BODY_MAX)])
    related = StringField(
        _l("Related questions (article numbers, comma separated)"),
        validators=[
            Optional(),
            Length(max=500),
            Regexp(r"^[\d,，\s]*$", message=_l("Only article numbers and commas.")),
        ],
    )

    def related_ids(self) -> list[int]:
        return (
            [int(x) for x in self.related.data.replace("，", ",").replace(" ", ",").split(",") if x.strip()]
            if self.related.data
            else []
        )


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=rules.CATEGORY_MAX)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=300)])
