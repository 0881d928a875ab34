"""The page-vs-fragment contract over every list and search URL (the views that call
`portal.web.htmx.render(page, partial)`): a plain request gets the whole page; an htmx request gets
only the partial, whose root element is the one the page names as hx-target; a boosted or
history-restore htmx request gets the whole page again. Both vary on HX-Request."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import HTMX

# (who is signed in, URL, the id of the partial's root element); {ticket} is one of the user's tickets
CASES = [
    (None, "/", "search-results"),
    (None, "/?q=密码", "search-results"),
    (None, "/?q=系统&page=2", "search-results"),
    (None, "/?q=绝无此事qxzv", "search-results"),
    (None, "/?q=登录&kind=faq", "search-results"),
    (None, "/kb/categories/1", "category-list"),
    ("shenyue", "/tickets/", "mine-list"),
    ("shenyue", "/tickets/?state=all", "mine-list"),
    ("shenyue", "/tickets/{ticket}", "ledger"),
    ("shenyue", "/notifications/", "notifications"),
    ("shenyue", "/approvals/?box=in_progress", "approval-rows"),
    ("lina", "/tickets/queue", "queue"),
    ("lina", "/tickets/queue?state=all&page=2", "queue"),
    ("lina", "/tickets/queue?state=closed&sort=newest", "queue"),
    ("lina", "/tickets/{ticket}", "ledger"),
    ("jiangtao", "/approvals/", "approval-rows"),
    ("jiangtao", "/approvals/?box=done", "approval-rows"),
    ("jiangtao", "/notifications/", "notifications"),
    ("admin", "/approvals/?box=all", "approval-rows"),
    ("admin", "/approvals/?box=all&state=approved&page=1", "approval-rows"),
    ("zhoulin", "/quiz/questions", "bank-rows"),
    ("zhoulin", "/quiz/questions?page=2", "bank-rows"),
    ("zhoulin", "/quiz/questions?level=beginner&kind=single", "bank-rows"),
    ("zhoulin", "/quiz/questions?q=没有这样的题", "bank-rows"),
    ("zhoulin", "/quiz/reviews", "reviews"),
    ("admin", "/admin/users", "user-rows"),
    ("admin", "/admin/users?q=zhang&status=active&page=1", "user-rows"),
    ("admin", "/admin/users?role=root&q=没有这个人", "user-rows"),
    ("chenjing", "/kb/drafts", "draft-rows"),
    ("chenjing", "/kb/drafts?status=review&origin=ticket&page=1", "draft-rows"),
    ("admin", "/kb/drafts?origin=query&mine=1", "draft-rows"),
]
IDS = [f"{who or 'anonymous'} {url}" for who, url, _ in CASES]
ROOT = re.compile(r'\A\s*(<[a-z][a-z0-9]*\b[^>]*\bid="([^"]+)"[^>]*>)')


@pytest.fixture
def open_as(client, auth):
    def open_as(who: str | None, url: str) -> str:
        if who:
            assert auth.login(who).status_code in (302, 303)
        if "{ticket}" in url:
            url = url.format(ticket=_a_ticket_of(client.application, who))
        return url

    return open_as


def _a_ticket_of(app, username: str) -> int:
    from portal.auth.models import User
    from portal.extensions import db
    from portal.tickets.models import Ticket

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        mine = select(Ticket.id).where(Ticket.requester_id == user.id)
        return db.session.scalar(mine.order_by(Ticket.id)) or db.session.scalar(select(Ticket.id).order_by(Ticket.id))


@pytest.mark.parametrize("who,url,root_id", CASES, ids=IDS)
def test_plain_request_gets_the_page_htmx_request_the_fragment(client, open_as, who, url, root_id):
    url = open_as(who, url)
    page = client.get(url)
    fragment = client.get(url, headers=HTMX)
    assert page.status_code == fragment.status_code == 200, (page.status_code, fragment.status_code)
    html, body = page.get_data(as_text=True), fragment.get_data(as_text=True)

    assert "<html" in html and "</html>" in html
    assert "<html" not in body and "<body" not in body and "<head" not in body

    root = ROOT.match(body)
    assert root, f"the fragment does not start with an element with an id: {body[:120]!r}"
    assert root.group(2) == root_id
    # The page names the fragment's root as its hx-target, and holds that very element once: the
    # page includes the partial, so the markup exists once.
    assert f'hx-target="#{root_id}"' in html
    assert html.count(f'id="{root_id}"') == 1 and root.group(1) in html

    for response in (page, fragment):
        assert "HX-Request" in response.headers.get("Vary", "")


@pytest.mark.parametrize("extra", [{"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}])
@pytest.mark.parametrize("who,url,root_id", CASES, ids=IDS)
def test_boosted_and_history_restore_requests_get_the_page(client, open_as, who, url, root_id, extra):
    url = open_as(who, url)
    response = client.get(url, headers={**HTMX, **extra})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html and f'id="{root_id}"' in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_every_view_that_renders_a_fragment_is_covered():
    """A new `render(page, partial)` call needs a case above."""
    from pathlib import Path

    portal = Path(__file__).resolve().parent.parent / "portal"
    partials = set()
    for module in portal.rglob("*.py"):
        for call in re.findall(r"\brender\(\s*\"([^\"]+)\",\s*\"([^\"]+)\"", module.read_text()):
            partials.add(call[1])
    covered = {
        "search-results": "search/_results.html",
        "category-list": "kb/_category_list.html",
        "mine-list": "tickets/_mine_rows.html",
        "ledger": "tickets/_ledger.html",
        "notifications": "notify/_list.html",
        "approval-rows": "approvals/_rows.html",
        "queue": "tickets/_queue_table.html",
        "bank-rows": "quiz/_bank_rows.html",
        "reviews": "quiz/_reviews.html",
        "user-rows": "accounts/_user_rows.html",
        "draft-rows": "kb/_draft_rows.html",
    }
    assert {root for _, _, root in CASES} == set(covered)
    assert partials == set(covered.values())
