"""Every page of the newer domains renders in all three languages (a stray % or a missing
translation key would break one language only)."""

import pytest

PAGES = [
    "/quiz/",
    "/quiz/certifications/beginner",
    "/quiz/questions",
    "/quiz/questions/new",
    "/quiz/questions/import",
    "/quiz/reports",
    "/quiz/reviews",
    "/quiz/verify",
    "/approvals/",
    "/approvals/?box=done",
    "/approvals/new",
    "/approvals/new/procurement",
    "/approvals/new/leave",
    "/approvals/stats",
    "/approvals/delegations",
    "/notifications/",
    "/kb/manuals/editions/2026Q3",
]


@pytest.mark.parametrize("lang", ["zh_CN", "en", "ja"])
def test_pages_render_in_every_language(client, auth, lang):
    from sqlalchemy import select

    from portal.auth.models import User, UserRole
    from portal.extensions import db

    with client.application.app_context():  # one account that may open every page
        user = db.session.scalar(select(User).where(User.username == "zhoulin"))
        if not user.has_role("admin"):
            db.session.add(UserRole(user_id=user.id, role="admin"))
            db.session.commit()
    auth.login("zhoulin")
    client.get(f"/lang/{lang}")
    heading = {"zh_CN": "认证考试", "en": "Certification", "ja": "認定試験"}[lang]
    assert f"<h1>{heading}</h1>" in client.get("/quiz/").get_data(as_text=True)
    for path in PAGES:
        r = client.get(path, follow_redirects=True)
        assert r.status_code == 200, (lang, path, r.status_code)
