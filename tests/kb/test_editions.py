"""Manual editions: one current edition per title, older ones readable with a notice, search of
the current edition by default and of a named one with edition=, new editions as draft copies."""

import re
from datetime import date

from sqlalchemy import func, select

from portal.core.viewer import ANONYMOUS
from portal.extensions import db
from portal.kb import editions
from portal.kb import services as kb
from portal.kb.models import Article, Manual
from portal.search import query, services

TITLE = "OA 办公系统用户手册"


def manuals(app) -> dict[str, Manual]:
    with app.app_context():
        rows = db.session.scalars(select(Manual).where(Manual.title == TITLE)).all()
        db.session.expunge_all()
        return {m.edition: m for m in rows}


def chapter_ids(app, edition: str) -> dict[int, int]:
    """position -> article id of an edition's chapters."""
    with app.app_context():
        rows = db.session.execute(
            select(Article.position, Article.id).join(Manual).where(Manual.title == TITLE, Manual.edition == edition)
        )
        return dict(rows.all())


def notice(html: str) -> str:
    m = re.search(r'<div class="alert info" id="edition-notice".*?</div>', html, re.S)
    return m.group(0) if m else ""


def test_copied_external_ids_stay_unique():
    assert editions.copied_external_id("demo-manual-01", "2026Q4", "2027Q1") == "demo-manual-01@2027Q1"
    assert editions.copied_external_id("demo-manual-01@2027Q1", "2027Q1", "2027Q2") == "demo-manual-01@2027Q2"
    assert editions.copied_external_id(None, "2026Q4", "2027Q1") is None
    assert len(editions.copied_external_id("x" * 100, "", "2027Q1")) == 100


def test_demo_has_a_current_and_an_older_edition_and_loading_again_changes_nothing(demo_app):
    from portal.demo import loader

    found = manuals(demo_app)
    assert set(found) == {"2026Q4", "2026Q3"}
    assert found["2026Q4"].is_current and found["2026Q4"].released_on == date(2026, 10, 1)
    assert not found["2026Q3"].is_current and found["2026Q3"].released_on < date(2026, 10, 1)
    assert found["2026Q4"].id == 1  # the manual's address from before editions stays the current one
    assert len(chapter_ids(demo_app, "2026Q4")) == 13 and len(chapter_ids(demo_app, "2026Q3")) == 12
    with demo_app.app_context():
        before = db.session.scalar(select(func.count(Article.id)))
        changed = db.session.scalars(
            select(Article.external_id).where(Article.external_id.like("%@2026Q3")).order_by(Article.external_id)
        ).all()
        assert changed[0] == "demo-manual-01@2026Q3"
        loader.load_demo(echo=lambda *_: None)
        assert loader.load_manual() == 0
        assert db.session.scalar(select(func.count(Article.id))) == before
        assert db.session.scalar(select(func.count(Manual.id))) == 2
        assert db.session.scalar(select(func.count(Manual.id)).where(Manual.is_current.is_(True))) == 1


def test_older_edition_is_readable_with_a_notice_and_a_switcher(client, demo_app):
    found = manuals(demo_app)
    old, cur = found["2026Q3"], found["2026Q4"]
    html = client.get(f"/kb/manuals/{old.id}").get_data(as_text=True)
    assert "2026Q3" in notice(html) and "2026Q4" in notice(html)
    switcher = html[html.index('id="editions"') :]
    assert f'href="/kb/manuals/{cur.id}"' in switcher and 'aria-current="page">2026Q3' in switcher
    assert 'name="edition" value="2026Q3"' in html  # "search this manual" searches this edition
    current_page = client.get(f"/kb/manuals/{cur.id}").get_data(as_text=True)
    assert not notice(current_page) and f'href="/kb/manuals/{old.id}"' in current_page
    assert 'class="tag internal"' in current_page[current_page.index('id="editions"') :]  # 旧版

    old_chapters, cur_chapters = chapter_ids(demo_app, "2026Q3"), chapter_ids(demo_app, "2026Q4")
    page = client.get(f"/kb/articles/{old_chapters[5]}").get_data(as_text=True)
    assert "财务共享中心" in page
    assert f'href="/kb/articles/{cur_chapters[5]}"' in notice(page)  # the same chapter, current
    assert not notice(client.get(f"/kb/articles/{cur_chapters[5]}").get_data(as_text=True))
    # a stable address by edition label (what a quiz links to)
    response = client.get("/kb/manuals/editions/2026Q3")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kb/manuals/{old.id}")
    assert client.get("/kb/manuals/editions/1999Q1").status_code == 404


def test_default_search_leaves_older_editions_out_and_edition_finds_them(client, demo_app):
    old_chapters = set(chapter_ids(demo_app, "2026Q3").values())
    with demo_app.test_request_context():
        default = query.search("邮寄至财务共享中心", ANONYMOUS, exact=True)
        assert not {h.id for h in default.hits} & old_chapters
        for kind in (None, "manual"):
            results = query.search("报销", ANONYMOUS, kind=kind, pagelen=50, with_facets=True)
            assert results.total and not {h.id for h in results.hits} & old_chapters
            assert results.facets["kind"].get(kind or "manual") == (
                results.total if kind else results.facets["kind"]["manual"]
            )
            assert sum(results.facets["kind"].values()) == results.total or kind
        older = query.search("邮寄至财务共享中心", ANONYMOUS, edition="2026Q3", exact=True)
        assert chapter_ids(demo_app, "2026Q3")[5] in {h.id for h in older.hits}
        assert {h.id for h in older.hits} <= old_chapters and {h.edition for h in older.hits} == {"2026Q3"}
        assert query.search("报销", ANONYMOUS, edition="1999Q1").total == 0
    html = client.get("/", query_string={"q": "财务共享中心", "edition": "2026Q3"}).get_data(as_text=True)
    assert 'id="edition-filter"' in html and f'href="/kb/articles/{chapter_ids(demo_app, "2026Q3")[5]}?' in html
    assert 'name="edition" value="2026Q3"' in html  # the next search stays in the edition


def test_api_takes_an_edition(client, demo_app):
    default = client.get("/api/v1/search", query_string={"q": "密码有效期", "limit": 50}).get_json()
    assert default["total"] and not any((r["external_id"] or "").endswith("@2026Q3") for r in default["results"])
    older = client.get("/api/v1/search", query_string={"q": "密码有效期", "edition": "2026Q3"}).get_json()
    assert older["total"] and all(r["external_id"].endswith("@2026Q3") for r in older["results"])
    params = client.get("/api/v1/openapi.json").get_json()["paths"]["/search"]["get"]["parameters"]
    assert "edition" in {p["name"] for p in params}


def test_switching_the_current_edition_flips_the_others_and_reindexes(client, demo_app):
    found = manuals(demo_app)
    old_chapters = set(chapter_ids(demo_app, "2026Q3").values())
    cur_chapters = set(chapter_ids(demo_app, "2026Q4").values())
    with demo_app.test_request_context():
        kb.set_current(db.session.get(Manual, found["2026Q3"].id))
        assert [m.edition for m in db.session.scalars(select(Manual).where(Manual.is_current.is_(True)))] == ["2026Q3"]
        hits = {h.id for h in query.search("报销", ANONYMOUS, kind="manual", pagelen=50).hits}
        assert hits & old_chapters and not hits & cur_chapters
        assert services.check().clean  # the index stamps follow the edition's state
    page = client.get(f"/kb/articles/{chapter_ids(demo_app, '2026Q4')[1]}").get_data(as_text=True)
    assert "2026Q4" in notice(page) and f'href="/kb/articles/{chapter_ids(demo_app, "2026Q3")[1]}"' in notice(page)
    with demo_app.test_request_context():  # and back
        kb.publish_edition(db.session.get(Manual, found["2026Q4"].id))
        hits = {h.id for h in query.search("报销", ANONYMOUS, kind="manual", pagelen=50).hits}
        assert hits & cur_chapters and not hits & old_chapters


def test_new_edition_from_the_command_line_is_a_draft_copy_until_published(runner, client, auth, demo_app):
    result = runner.invoke(args=["manual", "new-edition", "--edition", "2027Q1"])
    assert result.exit_code == 0, result.output
    copy = manuals(demo_app)["2027Q1"]
    assert not copy.is_current and copy.released_on is None
    with demo_app.app_context():
        ids = db.session.scalars(
            select(Article.external_id).where(Article.manual_id == copy.id).order_by(Article.position)
        ).all()
    assert len(ids) == 13 and ids[0] == "demo-manual-01@2027Q1"
    assert runner.invoke(args=["manual", "new-edition", "--edition", "2027Q1"]).exit_code != 0
    # a draft: curators only, not searchable
    draft_chapter = chapter_ids(demo_app, "2027Q1")[1]
    assert client.get(f"/kb/manuals/{copy.id}").status_code == 404
    assert client.get(f"/kb/articles/{draft_chapter}").status_code == 404
    with demo_app.test_request_context():
        assert query.search("报销", ANONYMOUS, edition="2027Q1").total == 0
    auth.login("chenjing")
    assert client.get(f"/kb/manuals/{copy.id}").status_code == 200
    auth.logout()
    result = runner.invoke(args=["manual", "publish", "--edition", "2027Q1"])
    assert result.exit_code == 0, result.output
    found = manuals(demo_app)
    assert found["2027Q1"].is_current and not found["2026Q4"].is_current
    with demo_app.test_request_context():
        hits = {h.id for h in query.search("报销", ANONYMOUS, kind="manual", pagelen=50).hits}
        assert hits and hits <= set(chapter_ids(demo_app, "2027Q1").values())
    assert "2027Q1" in runner.invoke(args=["manual", "list"]).output


def test_curator_copies_and_publishes_an_edition_from_the_manual_page(client, auth, demo_app):
    auth.login("zhangwei")  # a reader: no edition buttons, and the actions are refused
    assert 'id="edition-actions"' not in client.get("/kb/manuals/1").get_data(as_text=True)
    token = auth.csrf("/kb/manuals/1")
    assert client.post("/kb/manuals/1/editions", data={"edition": "2027Q1", "csrf_token": token}).status_code == 403
    auth.logout()
    auth.login("chenjing")
    token = auth.csrf("/kb/manuals/1")
    response = client.post("/kb/manuals/1/editions", data={"edition": "2027Q1", "csrf_token": token})
    assert response.status_code == 303
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/kb/manuals/{copy_id}").get_data(as_text=True)
    assert f'action="/kb/manuals/{copy_id}/publish"' in page and "2027Q1" in page
    again = client.post("/kb/manuals/1/editions", data={"edition": "2027Q1", "csrf_token": token})
    assert again.status_code == 303 and len(manuals(demo_app)) == 3  # refused with a message
    assert client.post(f"/kb/manuals/{copy_id}/publish", data={"csrf_token": token}).status_code == 303
    found = manuals(demo_app)
    assert found["2027Q1"].is_current and [e for e, m in found.items() if m.is_current] == ["2027Q1"]
