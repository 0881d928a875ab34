"""Knowledge-base transactions, the only writers: views counted, votes, articles and their links
and versions, drafts from tickets, categories, manual editions (copy, publish) and bulk import.
Each call is one unit of work; index updates are written to the search outbox with the change and
applied after the commit. The review (submit, publish, send back) and restoring a version are in
reviewing.py; the reads for pages are in queries.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.auth.models import User
from portal.core.clock import utcnow
from portal.core.errors import InvalidInput
from portal.core.uow import after_commit, unit_of_work
from portal.extensions import db
from portal.kb import editions, markdown, rules
from portal.kb.importer import Record
from portal.kb.models import UNCATEGORIZED, Article, ArticleLink, ArticleVersion, ArticleVote, Category, Manual
from portal.kb.workflow import Origin, Status
from portal.search import completion, queue
from portal.search import log as search_log
from portal.search.documents import make_key

PREFIX = "article"


class ArticleError(InvalidInput):
    """An article or category that cannot be saved: {field: message} (422)."""


class EditionError(InvalidInput):
    """A new edition that cannot be made (its name, or a chapter's external id is taken)."""

    def __init__(self, message: str):
        super().__init__({"edition": message})


@dataclass(frozen=True)
class Click:
    """The search result click that led to an article (logged with the view)."""

    token: str
    search_id: int
    rank: int


def record_view(article: Article, click: Click | None = None) -> None:
    """Count a reading, and the search click that led to it, in one unit of work."""
    with unit_of_work():
        db.session.execute(db.update(Article).where(Article.id == article.id).values(view_count=Article.view_count + 1))
        if click is not None:
            search_log.record_click(click.token, click.search_id, make_key(PREFIX, article.id), click.rank)


def vote(article: Article, voter: str, helpful: bool) -> None:
    """Record or change a reader's answer; the counters move with it (never counted twice)."""
    try:
        with unit_of_work():
            _vote(article, voter, helpful)
    except IntegrityError:  # the same reader's double click landed twice; the first one counts
        pass


def _vote(article: Article, voter: str, helpful: bool) -> None:
    existing = db.session.scalar(
        select(ArticleVote).where(ArticleVote.article_id == article.id, ArticleVote.voter == voter)
    )
    yes, no = Article.helpful_yes, Article.helpful_no
    if existing is None:
        db.session.add(ArticleVote(article_id=article.id, voter=voter, helpful=helpful))
        change = {"helpful_yes": yes + 1} if helpful else {"helpful_no": no + 1}
    elif existing.helpful != helpful:
        existing.helpful = helpful
        change = (
            {"helpful_yes": yes + 1, "helpful_no": no - 1}
            if helpful
            else {"helpful_yes": yes - 1, "helpful_no": no + 1}
        )
    else:
        return
    db.session.execute(db.update(Article).where(Article.id == article.id).values(**change))


@dataclass
class ArticleInput:
    title: str
    body: str
    kind: str
    category_id: int
    visibility: str
    manual_id: int | None = None
    position: int = 0
    related_ids: list[int] | None = None  # curator links; None leaves them as they are
    # why a new article is drafted (ignored when editing): a zero-result query, an unhelpful article
    origin: str = Origin.CURATOR.value
    origin_query: str = ""
    origin_article_id: int | None = None


VERSIONED = ("title", "body", "kind", "category_id")  # a change to one of these is a new version
# what a version's note records, as codes (labels.version_note says them in the reader's language)
NOTE_IMPORT, NOTE_TICKET, NOTE_EDITION, NOTE_RESTORE = "import", "ticket", "edition:", "restore:"


def _validate(data: ArticleInput) -> dict[str, str]:
    errors = {}
    if not data.title.strip():
        errors["title"] = _("A title is required.")
    elif len(data.title) > rules.TITLE_MAX:
        errors["title"] = _("The title may have at most %(n)d characters.", n=rules.TITLE_MAX)
    if len(data.body) > rules.BODY_MAX:
        errors["body"] = _("The text may have at most %(n)d characters.", n=rules.BODY_MAX)
    if data.kind not in rules.KINDS:
        errors["kind"] = _("Unknown article type.")
    if data.visibility not in rules.VISIBILITIES:
        errors["visibility"] = _("Unknown visibility.")
    if db.session.get(Category, data.category_id) is None:
        errors["category_id"] = _("Choose a category.")
    if data.manual_id is not None and db.session.get(Manual, data.manual_id) is None:
        errors["manual_id"] = _("Unknown manual.")
    if data.related_ids:
        found = set(db.session.scalars(select(Article.id).where(Article.id.in_(data.related_ids))))
        if missing := [i for i in data.related_ids if i not in found]:
            errors["related"] = _("No article with number %(ids)s.", ids=", ".join(map(str, missing)))
    return errors


def _origin(data: ArticleInput) -> dict:
    """Why a new article from the editor is drafted; what cannot be said is a plain draft."""
    if data.origin == Origin.QUERY and data.origin_query.strip():
        return {"origin": Origin.QUERY.value, "origin_query": " ".join(data.origin_query.split())[:200]}
    if data.origin == Origin.FEEDBACK and data.origin_article_id and db.session.get(Article, data.origin_article_id):
        return {"origin": Origin.FEEDBACK.value, "origin_article_id": data.origin_article_id}
    return {"origin": Origin.CURATOR.value}


def save_article(data: ArticleInput, author: User, article: Article | None = None) -> Article:
    """Create or change an article with its curator links, all or nothing. A new article is a
    draft (readers see it once a second curator published it, reviewing.py); a change to a
    published one is searchable once the writer has applied the outbox row (right after the
    commit). A change to the title, text, category or kind is a new version."""
    with unit_of_work():
        if errors := _validate(data):
            raise ArticleError(errors)
        if article is None:
            article = Article(author=author, status=Status.DRAFT.value, **_origin(data))
            db.session.add(article)
        before = version_fields(article)
        article.title = data.title.strip()
        article.body = data.body
        article.body_text = markdown.plain_text(data.body)
        article.kind = data.kind
        article.category_id = data.category_id
        article.visibility = data.visibility
        article.manual_id = data.manual_id if data.kind == "manual" else None
        article.position = data.position
        article.updated_at = utcnow()
        db.session.flush()
        if version_fields(article) != before:
            add_version(article, author)
        if data.related_ids is not None:
            _set_links(article, data.related_ids)
        queue.mark_dirty([make_key(PREFIX, article.id)])
        after_commit(queue.kick)
    return article


def version_fields(article: Article) -> dict:
    return {k: getattr(article, k) for k in VERSIONED}


def add_version(article: Article, author: User | None, note: str = "", *, now=None) -> ArticleVersion:
    """Keep the article as it is now as its next version (joins the caller's unit of work; the
    article is flushed). `note`: one of the NOTE_ codes, or empty for an edit."""
    latest = db.session.scalar(
        select(ArticleVersion.number)
        .where(ArticleVersion.article_id == article.id)
        .order_by(ArticleVersion.number.desc())
        .limit(1)
    )
    category = db.session.get(Category, article.category_id)
    version = ArticleVersion(
        article_id=article.id,
        number=(latest or 0) + 1,
        title=article.title,
        body=article.body,
        kind=article.kind,
        category_id=article.category_id,
        category_name=category.name if category is not None else "",
        author_id=author.id if author is not None else None,
        note=note[:200],
        created_at=now or utcnow(),
    )
    db.session.add(version)
    return version


def draft_from_ticket(
    ticket_id: int, *, title: str, body: str, category_id: int, by: User, visibility: str = "internal"
) -> Article:
    """A FAQ draft made from a solved ticket (the ticket desk's one step): unpublished, its reason
    the ticket, its first version by whoever made it. Joins the ticket service's unit of work."""
    with unit_of_work():
        article = Article(
            kind="faq",
            title=title[: rules.TITLE_MAX],
            body=body,
            body_text=markdown.plain_text(body),
            category_id=category_id,
            visibility=visibility,
            status=Status.DRAFT.value,
            origin=Origin.TICKET.value,
            author_id=by.id,
        )
        db.session.add(article)
        db.session.flush()
        article.source_ticket_id = ticket_id
        add_version(article, by, NOTE_TICKET)
    return article


def _set_links(article: Article, related_ids: list[int]) -> None:
    """Replace the curator's links (the ids were validated)."""
    ids = list(dict.fromkeys(i for i in related_ids if i != article.id))
    db.session.execute(db.delete(ArticleLink).where(ArticleLink.article_id == article.id))
    db.session.add_all(ArticleLink(article_id=article.id, related_id=i, position=n) for n, i in enumerate(ids))


def create_category(name: str, description: str = "") -> Category:
    name = name.strip()
    if not name or len(name) > rules.CATEGORY_MAX:
        raise ArticleError({"name": _("A category needs a name of at most %(n)d characters.", n=rules.CATEGORY_MAX)})
    with unit_of_work():
        if db.session.scalar(select(Category.id).where(Category.name == name)):
            raise ArticleError({"name": _("This category already exists.")})
        category = Category(name=name, description=description.strip())
        db.session.add(category)
    return category


def ensure_categories(names, descriptions: dict[str, str] | None = None) -> dict[str, Category]:
    """Categories by name, creating the missing ones; a category without a description gets the
    one given. Joins the caller's unit of work (an import, the seeding of a new installation)."""
    names = list(dict.fromkeys(names))  # keep the caller's order: seeded categories list first
    with unit_of_work():
        found = {c.name: c for c in db.session.scalars(select(Category).where(Category.name.in_(names)))}
        for name in (n for n in names if n not in found):
            found[name] = Category(name=name)
            db.session.add(found[name])
        for name, category in found.items():
            if descriptions and not category.description:
                category.description = descriptions.get(name, "")
    return found


# Manual editions


def publish_edition(manual: Manual, released_on: date | None = None) -> Manual:
    """Make `manual` the current edition of its title, in one unit of work: every other edition
    of the title stops being current; the chapters of all of them are re-indexed."""
    today = utcnow().date()
    with unit_of_work():
        others = list(
            db.session.scalars(
                select(Manual).where(Manual.title == manual.title, Manual.id != manual.id).with_for_update()
            )
        )
        for other in others:
            if other.is_current and other.released_on is None:  # a pre-editions manual: now an older one
                other.released_on = other.created_at.date() if other.created_at else today
            other.is_current = False
        manual.is_current = True
        manual.released_on = released_on or manual.released_on or today
        db.session.flush()
        ids = db.session.scalars(select(Article.id).where(Article.manual_id.in_([m.id for m in (manual, *others)])))
        queue.mark_dirty(make_key(PREFIX, i) for i in ids)
        after_commit(queue.kick)
        after_commit(completion.invalidate)  # completion offers the current edition's chapters
    return manual


set_current = publish_edition


def _edition_label(title: str, edition: str) -> str:
    edition = " ".join((edition or "").split())
    if not edition:
        raise EditionError(_("An edition needs a name, e.g. 2027Q1."))
    if len(edition) > editions.EDITION_MAX:
        raise EditionError(_("An edition name may have at most %(n)d characters.", n=editions.EDITION_MAX))
    if db.session.scalar(select(Manual.id).where(Manual.title == title, Manual.edition == edition)):
        raise EditionError(_("This manual already has an edition %(edition)s.", edition=edition))
    return edition


def new_edition(source: Manual, edition: str, *, author: User | None = None) -> Manual:
    """A draft edition copying `source`'s chapters, all or nothing; curators edit it, then
    publish it. A draft is not indexed: nothing to queue until it is published."""
    with unit_of_work():
        edition = _edition_label(source.title, edition)
        copy = Manual(title=source.title, edition=edition, released_on=None, is_current=False)
        db.session.add(copy)
        now = utcnow()
        taken = set()
        for chapter in source.chapters:
            external_id = editions.copied_external_id(chapter.external_id, source.edition, edition)
            if external_id is not None and (
                external_id in taken or db.session.scalar(select(Article.id).where(Article.external_id == external_id))
            ):
                raise EditionError(_("A chapter with the external id %(id)s already exists.", id=external_id))
            taken.add(external_id)
            article = Article(
                kind="manual",
                manual=copy,
                position=chapter.position,
                title=chapter.title,
                body=chapter.body,
                body_text=chapter.body_text,
                category_id=chapter.category_id,
                visibility=chapter.visibility,
                status=chapter.status,  # the edition is the draft: its chapters keep their state
                origin=chapter.origin,
                published_at=chapter.published_at,
                external_id=external_id,
                author=author or chapter.author,
                created_at=now,
                updated_at=now,
            )
            db.session.add(article)
            db.session.flush()
            add_version(article, author, f"{NOTE_EDITION}{edition}", now=now)
    return copy


# Bulk import


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def import_records(records: list[Record], author: User | None = None) -> ImportCounts:
    """Upsert by external_id in one unit of work with the index outbox rows. The caller applies
    them (the CLI drains with a progress bar; `portal demo` rebuilds the index).

    Imported articles are published at once, as before drafts existed: a file is a body of
    answers already agreed elsewhere (a migration, the demo), and 5,000 rows are not reviewed one
    by one. Each created or changed row is a new version ("imported"); a row an import changes
    keeps its state (a draft stays a draft)."""
    counts = ImportCounts()
    with unit_of_work():
        categories = ensure_categories([*(r.category for r in records), UNCATEGORIZED])
        existing: dict[str, Article] = {}
        ids = [r.external_id for r in records]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            existing.update(
                (a.external_id, a) for a in db.session.scalars(select(Article).where(Article.external_id.in_(chunk)))
            )
        touched: list[Article] = []
        now = utcnow()
        for rec in records:
            article = existing.get(rec.external_id)
            values = {"title": rec.title, "body": rec.body, "kind": rec.kind, "category": categories[rec.category]}
            if article is None:
                article = Article(
                    external_id=rec.external_id,
                    author=author,
                    visibility="public",
                    status=Status.PUBLISHED.value,
                    origin=Origin.IMPORT.value,
                    published_at=now,
                    **values,
                )
                db.session.add(article)
                counts.created += 1
            elif any(getattr(article, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(article, k, v)
                counts.updated += 1
            else:
                counts.unchanged += 1
                continue
            article.body_text = markdown.plain_text(rec.body)
            article.updated_at = now
            touched.append(article)
        db.session.flush()
        _add_versions(touched, author, now)
        queue.mark_dirty(make_key(PREFIX, a.id) for a in touched)
    return counts


def _add_versions(articles: list[Article], author: User | None, now) -> None:
    """The next version of each imported article, numbered with one read per 500 articles."""
    latest: dict[int, int] = {}
    ids = [a.id for a in articles]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        latest.update(
            db.session.execute(
                select(ArticleVersion.article_id, db.func.max(ArticleVersion.number))
                .where(ArticleVersion.article_id.in_(chunk))
                .group_by(ArticleVersion.article_id)
            ).all()
        )
    db.session.add_all(
        ArticleVersion(
            article_id=a.id,
            number=latest.get(a.id, 0) + 1,
            title=a.title,
            body=a.body,
            kind=a.kind,
            category_id=a.category.id,
            category_name=a.category.name,
            author_id=author.id if author is not None else None,
            note=NOTE_IMPORT,
            created_at=now,
        )
        for a in articles
    )
