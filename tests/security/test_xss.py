"""The XSS corpus (tests/security/xss_corpus.py) stored in every field that shows user text and
reflected through query strings and forms, each page rendered in Debian's Chromium: no dialog may
open and the DOM may hold no injected element, handler or script URL.

The browser ignores the Content-Security-Policy here (`bypass_csp`): the policy is the second
wall; this suite checks the first one, that user text is never markup. One portal with its own
SQLite file and index for the module, served on a free port; one browser, a context per user.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.approvals import services as approvals
from portal.auth.roles import Role
from portal.core import storage, uploads
from portal.core.clock import utcnow
from portal.core.uploads import Upload
from portal.extensions import db
from portal.kb import reviewing
from portal.kb import services as kb
from portal.notify import services as notify
from portal.quiz.models import Certificate
from portal.tickets import services as tickets
from portal.tickets.models import QuickReply
from tests import factories as f
from tests.conftest import make_config
from tests.security.summary import report
from tests.security.xss_corpus import ALL_IN_ONE, EVALUATED, HTML, MARKDOWN, SCAN, SHORT, TEMPLATE, chunks

pytestmark = pytest.mark.browser

CERT_CODE = "QZ-7K4M-9TXD-2PHF"
KEYWORD = "登录"  # every stored short payload starts with it, so searches and completion find them


def short(n: int) -> str:
    return f"{KEYWORD}{SHORT[n % len(SHORT)]}"


@dataclass
class Stored:
    """What the world holds: ids of the pages to open, and how many payloads went into which field."""

    ids: dict[str, int] = field(default_factory=dict)
    fields: dict[str, int] = field(default_factory=dict)

    def put(self, name: str, count: int = 1) -> None:
        self.fields[name] = self.fields.get(name, 0) + count


def build(stored: Stored) -> None:
    """Payloads in every field that shows user text, through the factories and services."""
    names = iter(range(1000))
    line = f.finance_line()
    people = f.support_desk()
    owner, approver, support = line.staff, line.supervisor, people["lina"]
    owner.display_name = short(next(names))[:80]
    approver.display_name = short(next(names))[:80]
    support.display_name = short(next(names))[:80]
    line.manager.display_name = short(next(names))[:80]  # the stand-in of the delegation
    owner.department.name = short(next(names))[:80]
    owner.region.name = short(next(names))[:80]
    stored.put("display names", 4)
    stored.put("department and region names", 2)
    curator = f.user("chenjing", display_name=short(next(names))[:80], roles=[Role.CURATOR], department="service")
    trainer = f.user("zhoulin", display_name=short(next(names))[:80], roles=[Role.TRAINER], department="hr")
    stored.put("display names", 2)
    db.session.flush()

    # knowledge base: categories, article titles and Markdown bodies, a manual, indexed for search
    category = f.category(short(next(names))[:60], description=ALL_IN_ONE[:300])
    stored.put("category name and description", 2)
    articles = [f.article(short(i), short(i), category=category, author=curator) for i in range(len(SHORT))]
    main = f.article(short(0), ALL_IN_ONE, category=category, author=curator)
    markdown = f.article(f"{KEYWORD} Markdown", "\n\n".join(MARKDOWN + HTML), category=category)
    manual = f.manual(short(next(names))[:200])
    f.article(short(next(names)), ALL_IN_ONE, manual=manual, position=1)
    f.reindex(*articles, main, markdown, *manual.chapters)
    stored.put("article titles", len(articles) + 3)
    stored.put("article bodies (Markdown)", len(articles) + 3)
    stored.put("manual title")
    stored.ids.update(article=main.id, markdown_article=markdown.id, category=category.id, manual=manual.id)

    # tickets: subjects, descriptions, messages, internal notes, attachment names, waiting reason,
    # solution and rating comment; support's quick replies
    for i in range(len(SHORT)):
        f.ticket(owner, title=short(i), description=short(i), category=category)
    stored.put("ticket subjects", len(SHORT) + 2)
    stored.put("ticket descriptions", len(SHORT) + 2)
    filed = tickets.file_ticket(
        tickets.TicketInput(
            title=short(1),
            description=ALL_IN_ONE,
            category_id=category.id,
            contact=short(2)[:120],
            uploads=[Upload(f"{p.replace('/', '')[:60]}.txt", "text/plain", b"x") for p in HTML[5:10]],
        ),
        owner,
    )
    stored.put("ticket contact")
    stored.put("attachment names", 5)
    tickets.reply(filed, owner, ALL_IN_ONE)
    tickets.reply(filed, support, ALL_IN_ONE)
    tickets.reply(filed, support, ALL_IN_ONE, internal=True)
    stored.put("ticket messages", 2)
    stored.put("internal notes")
    tickets.change_state(filed, support, "start")
    tickets.change_state(filed, support, "resolve", body=ALL_IN_ONE)
    tickets.rate(filed, owner, 2, ALL_IN_ONE[:1000])
    stored.put("ticket solution and rating comment", 2)
    waiting = tickets.file_ticket(
        tickets.TicketInput(title=short(3), description=ALL_IN_ONE, category_id=category.id), owner
    )
    tickets.change_state(waiting, support, "start")
    tickets.change_state(waiting, support, "ask", body=ALL_IN_ONE[:300])
    stored.put("ticket waiting reason")
    revised = tickets.file_ticket(
        tickets.TicketInput(title=short(4), description=ALL_IN_ONE, category_id=category.id), owner
    )
    tickets.revise_expected(revised, revised.assignee, ALL_IN_ONE[:300], utcnow() + timedelta(days=1))
    stored.put("reason for a new expected time")
    for i, payload in enumerate(HTML[:6]):
        db.session.add(QuickReply(title=f"快捷{i}{payload}"[:40], body=ALL_IN_ONE, position=100 + i))
    stored.put("quick replies", 12)
    stored.ids.update(ticket=filed.id, waiting_ticket=waiting.id, revised_ticket=revised.id)

    # the drafts desk: a FAQ draft of the solved ticket (its solution shown beside it), a draft for
    # a zero-result query as searchers typed it, a draft replying to feedback; versions to compare
    ticket_draft = tickets.draft_faq(filed, support)
    query_draft = kb.save_article(
        kb.ArticleInput(
            title=short(5),
            body=ALL_IN_ONE,
            kind="faq",
            category_id=category.id,
            visibility="public",
            origin="query",
            origin_query=ALL_IN_ONE[:200],
        ),
        curator,
    )
    reviewing.move(query_draft.id, "submit", curator)
    reviewing.move(query_draft.id, "send_back", f.user("zhaomin", roles=[Role.CURATOR]), note=ALL_IN_ONE[:500])
    feedback_draft = kb.save_article(
        kb.ArticleInput(
            title=short(6),
            body=short(6),
            kind="faq",
            category_id=category.id,
            visibility="public",
            origin="feedback",
            origin_article_id=main.id,
        ),
        curator,
    )
    kb.save_article(
        kb.ArticleInput(title=short(7), body="\n".join(HTML), kind="faq", category_id=category.id, visibility="public"),
        curator,
        query_draft,
    )
    stored.put("draft reasons: zero-result query, reviewer's comment", 2)
    stored.put("article versions")
    stored.ids.update(ticket_draft=ticket_draft.id, query_draft=query_draft.id, feedback_draft=feedback_draft.id)

    # approvals: title and form fields, comments, a return with its reason, a delegation
    first = f.approval_request(
        owner, title=short(4)[:200], item=short(5)[:200], supplier=short(6)[:200], notes=ALL_IN_ONE[:2000]
    )
    approvals.add_comment(first, approver, ALL_IN_ONE[:2000])
    returned = f.approval_request(owner, title=short(7)[:200], item=short(8)[:200], supplier=short(9)[:200])
    approvals.decide(returned, approver, "return", ALL_IN_ONE[:2000])
    stored.put("approval titles", 2)
    stored.put("approval form fields", 5)
    stored.put("approval comments and decisions", 2)
    today = utcnow().date()
    approvals.delegate(approver, line.manager.username, today + timedelta(days=20), today + timedelta(days=22))
    stored.ids.update(approval=first.id, returned_approval=returned.id)

    # quiz: question stems, options, explanations, tags, rubric, a practical answer and its file
    # name, a certificate's revocation reason, a certification's title
    questions = [
        f.question(
            short(i),
            options=[{"key": "A", "text": short(i + 1)}, {"key": "B", "text": short(i + 2)}],
            explanation=ALL_IN_ONE[:2000],
            tags=[short(i)[:30]],
            created_by=trainer,
        )
        for i in range(len(SHORT))
    ]
    stored.put("question stems", len(questions))
    stored.put("question options", 2 * len(questions))
    stored.put("question explanations", len(questions))
    stored.put("question tags", len(questions))
    beginner = f.certification("beginner", title=short(next(names))[:120], layout="all")
    stored.put("certification title")
    taking = f.attempt(owner, beginner, questions=questions, objective_max=Decimal(len(questions)))
    done = f.attempt(
        owner,
        beginner,
        questions=questions,
        state="failed",
        submitted_at=utcnow(),
        finished_at=utcnow(),
        score=Decimal("10"),
        passed=False,
        objective_max=Decimal(len(questions)),
    )
    practical = f.question(
        ALL_IN_ONE[:2000],
        kind="practical",
        level="intermediate",
        points=10,
        rubric=[{"criterion": short(i), "points": 5} for i in range(2)],
        allow_upload=True,
    )
    stored.put("rubric criteria", 2)
    intermediate = f.certification("intermediate", draws=[{"kind": "practical", "tags": [], "count": 1}])
    review = f.attempt(owner, intermediate, questions=[practical], state="pending_review", submitted_at=utcnow())
    item = review.items[0]
    item.text, item.upload_name = ALL_IN_ONE, f"{HTML[5]}.txt"
    item.upload_stored = storage.area(uploads.AREA).put(b"x")
    stored.put("practical answers and file names", 2)
    advanced = f.certification("advanced")
    passed = f.attempt(owner, advanced, state="passed", submitted_at=utcnow(), finished_at=utcnow(), passed=True)
    db.session.add(
        Certificate(
            code=CERT_CODE,
            user=owner,
            level="advanced",
            attempt=passed,
            score=Decimal("90"),
            expires_at=utcnow() + timedelta(days=700),
            revoked=True,
            revoked_at=utcnow(),
            revoked_by_id=trainer.id,
            revoke_reason=ALL_IN_ONE[:300],
        )
    )
    stored.put("certificate revocation reason")
    stored.ids.update(taking=taking.id, result=done.id, review=review.id, question=questions[0].id)

    # notifications, holidays of the working calendar
    for i in range(len(SHORT)):
        notify.notify(owner.id, "approval_todo", short(i), "/approvals/")
    stored.put("notification texts", len(SHORT))
    for i in range(5):
        f.calendar_day(date(2027, 3, 1) + timedelta(days=i), "holiday", short(i)[:60])
    stored.put("calendar day names", 5)
    db.session.commit()


@dataclass
class Site:
    base: str
    stored: Stored


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from portal.demo import loader

    tmp = tmp_path_factory.mktemp("xss")
    app = create_app(make_config(tmp))
    stored = Stored()
    with app.app_context():
        db.create_all()
        loader.seed_reference_data()
        build(stored)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(f"http://127.0.0.1:{server.server_port}", stored)
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@dataclass
class Probe:
    """One browser, one context per user; every page is scanned after it loaded."""

    browser: object
    base: str
    pages: dict = field(default_factory=dict)
    dialogs: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    visits: Counter = field(default_factory=Counter)

    def page(self, user: str | None):
        key = user or "anonymous"
        if key not in self.pages:
            context = self.browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, bypass_csp=True)
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.on("dialog", lambda d, key=key: (self.dialogs.append(f"{key} {page.url}: {d.message}"), d.dismiss()))
            if user is not None:
                page.goto(f"{self.base}/login")
                page.fill("#username", user)
                page.fill("#password", f.PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(f"{self.base}/")
            self.pages[key] = page
        return self.pages[key]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()

    def check(self, page, kind: str, what: str) -> None:
        self.visits[kind] += 1
        for problem in page.evaluate(SCAN):
            self.findings.append(f"{what}: {problem}")
        html = page.content()
        for evaluated in EVALUATED:
            if evaluated in html:
                self.findings.append(f"{what}: a template evaluated user text ({evaluated!r} on the page)")

    def open(self, user: str | None, path: str, kind: str = "stored") -> None:
        """The page as `user`; a stored payload's page must open (200), a reflected one may refuse
        the value (4xx) but must never fail."""
        page = self.page(user)
        response = page.goto(self.base + path)
        status = response.status if response is not None else 0
        assert status == 200 or (kind != "stored" and 400 <= status < 500), f"{path} as {user}: {status}"
        self.check(page, kind, f"{user or 'anonymous'} {path}")


@pytest.fixture(scope="module")
def probe(site, browser):
    probe = Probe(browser, site.base)
    yield probe
    probe.close()
    fields = site.stored.fields
    report(
        "xss",
        f"{len(HTML)} HTML + {len(MARKDOWN)} Markdown + {len(TEMPLATE)} template payloads, "
        f"{sum(fields.values())} stored in {len(fields)} kinds of field, "
        f"{sum(probe.visits.values())} pages rendered in Chromium "
        f"({probe.visits['stored']} stored, {probe.visits['reflected']} reflected, {probe.visits['typed']} typed), "
        f"{len(probe.dialogs)} dialogs, {len(probe.findings)} injected",
        payloads={"html": len(HTML), "markdown": len(MARKDOWN), "template": len(TEMPLATE)},
        stored_fields=fields,
        pages=dict(probe.visits),
        dialogs=probe.dialogs,
        injected=probe.findings,
    )


def _verdict(probe: Probe) -> None:
    assert not probe.dialogs, "payloads ran:\n" + "\n".join(probe.dialogs)
    assert not probe.findings, "payloads became markup:\n" + "\n".join(probe.findings)


# --- stored ------------------------------------------------------------------------------------


def stored_pages(ids: dict[str, int]) -> list[tuple[str | None, str]]:
    return [
        (None, "/"),
        (None, f"/kb/articles/{ids['article']}"),
        (None, f"/kb/articles/{ids['markdown_article']}"),
        (None, f"/kb/categories/{ids['category']}"),
        (None, f"/kb/manuals/{ids['manual']}"),
        (None, "/tickets/top-faqs"),
        ("zhangwei", "/"),
        ("zhangwei", f"/?q={quote(KEYWORD)}"),
        ("zhangwei", "/tickets/"),
        ("zhangwei", f"/tickets/{ids['ticket']}"),
        ("zhangwei", f"/tickets/{ids['waiting_ticket']}"),
        ("zhangwei", f"/tickets/{ids['revised_ticket']}"),
        ("zhangwei", "/notifications/"),
        ("zhangwei", "/approvals/?box=in_progress"),
        ("zhangwei", "/approvals/?box=todo"),
        ("zhangwei", f"/approvals/{ids['approval']}"),
        ("zhangwei", f"/approvals/{ids['returned_approval']}"),
        ("zhangwei", f"/approvals/{ids['returned_approval']}/edit"),
        ("zhangwei", "/quiz/"),
        ("zhangwei", f"/quiz/attempts/{ids['taking']}"),
        ("zhangwei", f"/quiz/attempts/{ids['taking']}/confirm"),
        ("zhangwei", f"/quiz/attempts/{ids['result']}/result"),
        ("zhangwei", f"/quiz/verify?code={CERT_CODE}"),
        ("jiangtao", "/approvals/?box=todo"),
        ("jiangtao", f"/approvals/{ids['approval']}"),
        ("jiangtao", "/approvals/delegations"),
        ("lina", "/tickets/queue"),
        ("lina", f"/tickets/queue?q={quote(KEYWORD)}"),
        ("lina", f"/tickets/{ids['ticket']}"),
        ("lina", f"/tickets/{ids['waiting_ticket']}"),
        ("chenjing", f"/kb/articles/{ids['article']}/edit"),
        ("chenjing", f"/kb/articles/{ids['markdown_article']}/edit"),
        ("chenjing", "/kb/categories"),
        ("chenjing", f"/kb/manuals/{ids['manual']}"),
        ("chenjing", "/kb/drafts"),
        ("chenjing", f"/kb/articles/{ids['ticket_draft']}/review"),
        ("chenjing", f"/kb/articles/{ids['query_draft']}/review"),
        ("chenjing", f"/kb/articles/{ids['feedback_draft']}/review"),
        ("chenjing", f"/kb/articles/{ids['query_draft']}/versions"),
        ("chenjing", f"/kb/articles/{ids['query_draft']}/versions/diff?a=1&b=2"),
        ("chenjing", f"/kb/articles/{ids['query_draft']}/edit"),
        ("zhoulin", "/quiz/questions"),
        ("zhoulin", f"/quiz/questions/{ids['question']}/edit"),
        ("zhoulin", "/quiz/reviews"),
        ("zhoulin", f"/quiz/reviews/{ids['review']}"),
        ("zhoulin", f"/quiz/attempts/{ids['result']}/result"),
        ("zhoulin", "/quiz/reports"),
        ("zhoulin", "/quiz/certifications/beginner"),
        ("zhoulin", f"/quiz/verify?code={CERT_CODE}"),
        ("admin", "/approvals/?box=all"),
        ("admin", "/approvals/stats"),
        ("admin", "/tickets/calendar"),
        ("admin", f"/tickets/{ids['ticket']}"),
    ]


def test_stored_payloads_stay_text(site, probe):
    for user, path in stored_pages(site.stored.ids):
        probe.open(user, path)
    _verdict(probe)


# --- reflected through query strings -------------------------------------------------------------

# a page and the query parameters it shows back (each gets the payload)
REFLECTING = [
    (None, "/", ("q", "kind", "category", "edition")),
    (None, "/login", ("next",)),
    (None, "/search/suggest", ("q",)),
    ("zhangwei", "/tickets/new", ("title",)),
    ("zhangwei", "/tickets/", ("state",)),
    ("zhangwei", "/tickets/suggest", ("title", "description")),
    ("zhangwei", "/approvals/", ("box", "template", "state")),
    ("zhangwei", "/quiz/verify", ("code",)),
    ("lina", "/tickets/queue", ("q", "state", "region", "severity", "assignee")),
    ("chenjing", "/kb/articles/new", ("title", "query")),
    ("chenjing", "/kb/drafts", ("status", "origin", "category", "mine", "page")),
    ("zhoulin", "/quiz/questions", ("q", "tag", "level", "kind")),
    ("zhoulin", "/quiz/reports", ("department", "level", "from", "to")),
]


def test_reflected_payloads_stay_text(site, probe):
    for payload in SHORT:  # the search page (correction, highlighting, snippets) with each on its own
        probe.open("zhangwei", "/?" + urlencode({"q": payload}), "reflected")
    for user, path, params in REFLECTING:  # a query string is never Markdown: the HTML payloads
        for value in chunks(SHORT):
            probe.open(user, f"{path}?{urlencode(dict.fromkeys(params, value))}", "reflected")
    # an article opened from a result marks the searched words in its text (its stored payloads)
    for value in [*chunks(SHORT), "script img onerror alert svg mark amp lt gt quot"]:
        query = urlencode({"q": value, "hl": value})
        probe.open(None, f"/kb/articles/{site.stored.ids['markdown_article']}?{query}", "reflected")
    # what was searched is logged: the curators' analytics page shows it back
    probe.open("chenjing", "/search/analytics", "stored")
    _verdict(probe)


# --- typed into forms: live suggestions, previews, refused forms ---------------------------------


def test_typed_payloads_stay_text(site, probe):
    home = probe.page("zhangwei")
    home.goto(site.base + "/")
    home.locator("#q").press_sequentially(KEYWORD, delay=30)  # completion: stored payload titles
    home.locator("#suggestions [role=option]").first.wait_for()
    probe.check(home, "typed", "completion under the search box")

    filing = probe.page("zhangwei")
    for value in chunks(HTML, 150)[:3]:
        filing.goto(site.base + "/tickets/new")
        filing.fill("#title", value)
        filing.locator("#title").press_sequentially(KEYWORD, delay=30)  # the deflection panel
        filing.locator("#deflection li").first.wait_for()
        filing.fill("#description", ALL_IN_ONE)
        filing.fill("#contact", value[:120])
        filing.locator("button[type=submit].primary").click()  # refused: no category chosen … or filed
        filing.wait_for_load_state()
        probe.check(filing, "typed", f"ticket form with {value[:40]!r}")

    editor = probe.page("chenjing")
    editor.goto(site.base + "/kb/articles/new")
    editor.fill("#body", ALL_IN_ONE)
    with editor.expect_response(lambda r: r.url.endswith("/kb/preview")):  # the live preview (htmx)
        editor.locator("#body").press_sequentially(" ", delay=30)
    editor.locator("#preview p").first.wait_for()
    probe.check(editor, "typed", "article preview")

    visitor = probe.page(None)
    for value in chunks(HTML, 60)[:4]:
        visitor.goto(site.base + "/login")
        visitor.fill("#username", value)
        visitor.fill("#password", "wrong")
        visitor.click("button[type=submit]")
        visitor.wait_for_load_state()
        probe.check(visitor, "typed", f"refused sign-in with {value[:40]!r}")
    _verdict(probe)
