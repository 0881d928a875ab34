"""The migration to review states keeps what readers saw: published articles stay published,
unpublished ones become drafts, imported ones say so, and every article starts its history with
version 1 — and the way down gives the published flag back."""

from datetime import datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from tests.conftest import make_config

BEFORE = "7b2e9c4d1f6a"  # the head before drafts
T = datetime(2026, 11, 30, 8, 0)


def test_published_articles_stay_published_and_each_gets_its_first_version(tmp_path):
    app = create_app(make_config(tmp_path))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO categories (id, name, description, created_at) VALUES (1, '登录问题', '', :t)"),
                {"t": T},
            )
            for ident, title, published, external in ((1, "已发布", True, "imp-1"), (2, "未发布", False, None)):
                conn.execute(
                    text(
                        "INSERT INTO articles (id, kind, title, body, body_text, category_id, position, external_id,"
                        " visibility, published, view_count, helpful_yes, helpful_no, created_at, updated_at)"
                        " VALUES (:id, 'faq', :title, '正文', '正文', 1, 0, :ext, 'public', :pub, 0, 0, 0, :t, :t)"
                    ),
                    {"id": ident, "title": title, "pub": published, "ext": external, "t": T},
                )
            conn.execute(
                text("INSERT INTO article_votes (article_id, voter, helpful, created_at) VALUES (1, 'user:1', :y, :t)"),
                {"y": True, "t": T},
            )
            conn.execute(text("INSERT INTO article_links (article_id, related_id, position) VALUES (1, 2, 0)"))
        upgrade()
        with db.engine.connect() as conn:
            # nothing that points at an article was lost on the way (no copy of the table)
            assert conn.execute(text("SELECT count(*) FROM article_votes")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM article_links")).scalar() == 1
            rows = conn.execute(text("SELECT id, status, origin, published_at FROM articles ORDER BY id")).all()
            versions = conn.execute(
                text("SELECT article_id, number, title, category_name FROM article_versions ORDER BY article_id")
            ).all()
        assert [(r[0], r[1], r[2], r[3] is not None) for r in rows] == [
            (1, "published", "import", True),
            (2, "draft", "curator", False),
        ]
        assert [tuple(v) for v in versions] == [(1, 1, "已发布", "登录问题"), (2, 1, "未发布", "登录问题")]
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            flags = conn.execute(text("SELECT id, published FROM articles ORDER BY id")).all()
        assert [(i, bool(p)) for i, p in flags] == [(1, True), (2, False)]
        db.engine.dispose()
