"""Words people read for the knowledge base's article kinds and visibilities (lazy strings,
translated at render time, so a form's choices follow the reader's language)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_CHOICES = [("faq", _l("FAQ")), ("manual", _l("Manual chapter"))]
VISIBILITY_CHOICES = [
    ("public", _l("Everyone, also without signing in")),
    ("internal", _l("Signed-in employees")),
]
NO_MANUAL = _l("— none —")  # the article form's manual choice for an FAQ
