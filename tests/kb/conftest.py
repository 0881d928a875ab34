"""The drafts desk's world: an employee, two curators, the service desk (with an administrator),
the four categories, a few published FAQs in the index, and a solved ticket support can turn into
a FAQ draft."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.auth.roles import Role
from portal.extensions import db
from portal.kb.models import Article
from tests import factories as f

SOLUTION = "在统一身份平台为您解除了账号锁定，并重新同步了密码。"


@pytest.fixture
def desk(db_app):
    f.user("zhangwei", display_name="张伟")
    people = f.support_desk()  # lina (support), engineers, admin
    chenjing = f.user("chenjing", display_name="陈静", roles=[Role.CURATOR])
    zhaomin = f.user("zhaomin", display_name="赵敏", roles=[Role.CURATOR])
    categories = {name: f.category(name) for name in ("登录问题", "权限问题", "数据错误", "操作指南")}
    faqs = f.sign_in_faqs(categories["登录问题"])
    f.reindex(*faqs)
    ticket = f.ticket(
        title="连续输错密码账号被锁定",
        description="早上输错几次密码后账号被锁，无法审批合同。",
        category=categories["登录问题"],
        state="resolved",
        assignee=people["lina"],
        solution=SOLUTION,
    )
    db.session.commit()  # a savepoint only
    return {
        "categories": categories,
        "faqs": faqs,
        "ticket": ticket,
        "chenjing": chenjing,
        "zhaomin": zhaomin,
        "admin": people["admin"],
        "lina": people["lina"],
    }


def article(article_id: int) -> Article:
    db.session.expire_all()  # what the requests committed, not what this session remembers
    return db.session.get(Article, article_id)


def by_title(title: str) -> Article | None:
    db.session.expire_all()
    return db.session.scalar(select(Article).where(Article.title == title))


def new_article_form(auth, category_id: int, title: str, body: str = "正文", **extra) -> dict:
    return {
        "title": title,
        "kind": "faq",
        "category_id": str(category_id),
        "visibility": "public",
        "manual_id": "0",
        "position": "0",
        "body": body,
        "related": "",
        "csrf_token": auth.csrf("/kb/articles/new"),
        **extra,
    }


def review(client, auth, article_id: int, action: str, note: str = ""):
    token = auth.csrf(f"/kb/articles/{article_id}/review")
    return client.post(f"/kb/articles/{article_id}/review", data={"action": action, "note": note, "csrf_token": token})


def link_with(html: str, pattern: str) -> str:
    """The href of the first <a> whose opening tag matches `pattern` (ids, data attributes)."""
    for tag in re.findall(r"<a\b[^>]*>", html):
        if re.search(pattern, tag):
            return re.search(r'href="([^"]+)"', tag).group(1).replace("&amp;", "&")
    raise AssertionError(f"no link matching {pattern!r}")
