"""Words people read for the knowledge base's article kinds, visibilities, review states and the
reasons drafts were made (lazy strings, translated at render time, so a form's choices follow the
reader's language); the template helpers that say them."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND_CHOICES = [("faq", _l("FAQ")), ("manual", _l("Manual chapter"))]
VISIBILITY_CHOICES = [
    ("public", _l("Everyone, also without signing in")),
    ("internal", _l("Signed-in employees")),
]
NO_MANUAL = _l("— none —")  # the article form's manual choice for an FAQ

STATUS = {
    "draft": _l("Draft"),
    "review": _l("Waiting for review"),
    "published": _l("Published"),
}
ORIGIN = {
    "curator": _l("Written by a curator"),
    "ticket": _l("From a ticket"),
    "query": _l("From a zero-result search"),
    "feedback": _l("From readers' feedback"),
    "import": _l("Imported"),
}
MOVE = {
    "submit": _l("Submit for review"),
    "publish": _l("Publish"),
    "send_back": _l("Send back to the author"),
    "unpublish": _l("Unpublish"),
}


def status_label(status: str) -> str:
    return str(STATUS.get(status, status))


def origin_label(origin: str) -> str:
    return str(ORIGIN.get(origin, origin))


def move_label(move: str) -> str:
    return str(MOVE.get(move, move))


def version_note(note: str) -> str:
    """What a version's note code says (services.NOTE_*); an edit has none."""
    if note == "import":
        return _("imported")
    if note == "ticket":
        return _("drafted from a ticket")
    if note.startswith("edition:"):
        return _("copied for edition %(edition)s", edition=note.removeprefix("edition:"))
    if note.startswith("restore:"):
        return _("restored from version %(n)s", n=note.removeprefix("restore:"))
    return note


HELPERS = {
    "kb_status_label": status_label,
    "kb_origin_label": origin_label,
    "kb_move_label": move_label,
    "kb_version_note": version_note,
}
