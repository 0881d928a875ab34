"""The review of knowledge-base articles, the only writer of their state: submit a draft, publish
it (a second person), send it back with a comment, unpublish; and restoring an old version. Each
call is one unit of work with its audit event; a change readers see goes through the search
outbox. Who may make which move is workflow.py."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit import services as audit
from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.core.uow import after_commit, unit_of_work
from portal.extensions import db
from portal.kb import markdown, workflow
from portal.kb.models import Article, ArticleVersion, Category
from portal.kb.services import NOTE_RESTORE, PREFIX, add_version, version_fields
from portal.kb.workflow import Move, Refusal, Status
from portal.notify.services import notify
from portal.search import completion, queue
from portal.search.documents import make_key

AUDIT_ACTIONS = {
    Move.SUBMIT: "article_submitted",
    Move.PUBLISH: "article_published",
    Move.SEND_BACK: "article_sent_back",
    Move.UNPUBLISH: "article_unpublished",
}


def _locked(article_id: int) -> Article | None:
    """The article as the database has it now, its row locked until the commit (two reviewers
    pressing at once: the second one sees the first one's result)."""
    return db.session.get(Article, article_id, with_for_update={"of": Article}, populate_existing=True)


def last_editor_id(article: Article) -> int | None:
    """Who wrote the article's latest version (its author when no version was kept)."""
    latest = db.session.scalar(
        select(ArticleVersion.author_id)
        .where(ArticleVersion.article_id == article.id)
        .order_by(ArticleVersion.number.desc())
        .limit(1)
    )
    return latest if latest is not None else article.author_id


def _facts(article: Article, user: User) -> dict:
    return {
        "actor_id": user.id,
        "is_curator": user.has_role("curator"),
        "is_admin": user.has_role("admin"),
        "submitted_by_id": article.submitted_by_id,
        "last_editor_id": last_editor_id(article),
    }


def allowed_moves(article: Article, user: User) -> list[Move]:
    """The review buttons this person gets on this article."""
    return workflow.allowed_moves(article.status, **_facts(article, user))


def _refuse(why: Refusal):
    if why == Refusal.WRONG_STATE:
        raise Conflict(_("This article has moved on meanwhile; reload the page to see where it is now."))
    if why == Refusal.OWN_WORK:
        raise NotAllowed(_("A second curator reviews: you submitted or last edited this draft."))
    if why == Refusal.ADMIN_ONLY:
        raise NotAllowed(_("Submit the draft for review first; only administrators publish without one."))
    raise NotAllowed(_("Only curators review articles."))


def move(article_id: int, action: str, by: User, *, note: str = "", now: datetime | None = None) -> Article:
    """Make one review move on the article, all or nothing: its state, who did it and when, the
    audit event, a notice to whoever submitted it, and the index (a publication or an
    unpublication changes what readers find)."""
    now = now or utcnow()
    try:
        action = Move(action)
    except ValueError:
        raise InvalidInput({"action": _("Unknown review step.")}) from None
    note = " ".join(note.split())
    with unit_of_work():
        article = _locked(article_id)
        if article is None:
            raise NotFound(_("No such article."))
        if why := workflow.refusal(action, article.status, **_facts(article, by)):
            _refuse(why)
        if action == Move.SEND_BACK and not note:
            raise InvalidInput({"note": _("Say what should change before the draft is published.")})
        if len(note) > workflow.NOTE_MAX:
            raise InvalidInput({"note": _("A comment may have at most %(n)d characters.", n=workflow.NOTE_MAX)})
        before = article.status
        article.status = workflow.next_status(article.status, action)
        if action == Move.SUBMIT:
            article.submitted_by_id, article.submitted_at = by.id, now
            article.reviewed_by_id, article.reviewed_at, article.review_note = None, None, ""
        elif action in (Move.PUBLISH, Move.SEND_BACK):
            article.reviewed_by_id, article.reviewed_at, article.review_note = by.id, now, note
            if action == Move.PUBLISH:
                article.published_at = now
        else:  # unpublished: a draft again, to be submitted again
            article.submitted_by_id = article.submitted_at = None
            article.review_note = note
        article.updated_at = now
        audit.record(
            AUDIT_ACTIONS[action],
            actor=by,
            target=f"{PREFIX}:{article.id}",
            before={"status": before},
            after={"status": article.status},
            detail={"title": article.title, **({"note": note} if note else {})},
            now=now,
        )
        _tell_submitter(article, action, by, now)
        if before == Status.PUBLISHED or article.status == Status.PUBLISHED:
            _reindex(article)
    return article


def _tell_submitter(article: Article, action: Move, by: User, now: datetime) -> None:
    if action not in (Move.PUBLISH, Move.SEND_BACK) or article.submitted_by_id in (None, by.id):
        return
    url = f"/kb/articles/{article.id}"  # the kind says what happened, the title which article
    if action == Move.PUBLISH:
        notify(article.submitted_by_id, "article_published", article.title, url, now=now)
    else:
        notify(article.submitted_by_id, "article_sent_back", article.title, url, now=now)


def _reindex(article: Article) -> None:
    queue.mark_dirty([make_key(PREFIX, article.id)])
    after_commit(queue.kick)
    after_commit(completion.invalidate)  # completion offers published titles only


def restore_version(article_id: int, number: int, by: User, *, now: datetime | None = None) -> ArticleVersion:
    """The article says again what version `number` said (title, text, category, kind); that is
    a new version, recorded in the audit trail, and re-indexed through the outbox."""
    now = now or utcnow()
    with unit_of_work():
        if not (by.has_role("curator") or by.has_role("admin")):
            raise NotAllowed(_("Only curators restore versions."))
        article = _locked(article_id)
        if article is None:
            raise NotFound(_("No such article."))
        old = db.session.scalar(
            select(ArticleVersion).where(ArticleVersion.article_id == article.id, ArticleVersion.number == number)
        )
        if old is None:
            raise NotFound(_("This article has no version %(n)d.", n=number))
        category_id = old.category_id
        if category_id is None or db.session.get(Category, category_id) is None:
            raise Conflict(_("The category of version %(n)d no longer exists; edit the article instead.", n=number))
        current = version_fields(article)
        wanted = {"title": old.title, "body": old.body, "kind": old.kind, "category_id": category_id}
        if current == wanted:
            raise Conflict(_("The article already says what version %(n)d says.", n=number))
        article.title, article.body, article.kind, article.category_id = (
            old.title,
            old.body,
            old.kind,
            category_id,
        )
        article.body_text = markdown.plain_text(old.body)
        if old.kind != "manual":
            article.manual_id = None
        article.updated_at = now
        db.session.flush()
        version = add_version(article, by, f"{NOTE_RESTORE}{number}", now=now)
        audit.record(
            "article_restored",
            actor=by,
            target=f"{PREFIX}:{article.id}",
            before={k: str(v) for k, v in current.items() if k != "body"},
            after={k: str(v) for k, v in wanted.items() if k != "body"},
            detail={"title": article.title, "from_version": number, "version": version.number},
            now=now,
        )
        queue.mark_dirty([make_key(PREFIX, article.id)])
        after_commit(queue.kick)
    return version
