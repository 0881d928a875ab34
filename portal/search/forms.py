"""Curator forms of the search domain."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length


class TuningForm(FlaskForm):
    synonyms = TextAreaField(
        _l("Synonyms (one set per line, words separated by commas)"), validators=[Length(max=50_000)]
    )
    words = TextAreaField(_l("Domain words (one per line)"), validators=[Length(max=50_000)])
