"""Certificates: the verification code, the PDF (one A4 page, real text, who may fetch it) and the
verification page's answers."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.auth.roles import Role
from portal.auth.services import NewUser, create_user
from portal.core.clock import utcnow
from portal.extensions import db
from portal.quiz import certificate as certs
from portal.quiz.labels import certificate_state_label
from portal.quiz.models import Attempt, Certificate, Certification
from portal.quiz.services import level_label
from tests import factories as f

CODE = "QZ-7K4M-9TXD-2PHF"
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="poppler-utils (pdftotext, pdfinfo) not installed",
)


def issue(
    username: str = "zhangwei",
    code: str = CODE,
    *,
    level: str = "intermediate",
    days_left: int = 700,
    revoked: bool = False,
) -> Certificate:
    """A certificate straight into the database, with the definition and passed attempt behind it."""
    user = db.session.scalar(select(User).where(User.username == username))
    definition = db.session.scalar(select(Certification).where(Certification.level == level))
    if definition is None:
        definition = Certification(level=level, title=level, validity_months=24)
        db.session.add(definition)
    number = 1 + len(
        db.session.scalars(select(Attempt).where(Attempt.user_id == user.id, Attempt.certification == definition)).all()
    )
    now = utcnow()
    attempt = Attempt(
        user=user,
        certification=definition,
        number=number,
        state="passed",
        started_at=now - timedelta(hours=1),
        deadline=now,
        submitted_at=now,
        finished_at=now,
        score=Decimal("86.50"),
        passed=True,
    )
    cert = Certificate(
        code=code,
        user=user,
        level=level,
        attempt=attempt,
        score=Decimal("86.50"),
        issued_at=now - timedelta(days=730 - days_left),
        expires_at=now + timedelta(days=days_left),
        revoked=revoked,
    )
    db.session.add_all([attempt, cert])
    db.session.commit()
    return cert


@pytest.fixture
def world(db_app):
    """张伟 of 财务部 (the holder), two colleagues and an administrator, in a rolled-back transaction."""
    f.user("zhangwei", display_name="张伟", department=f.department("finance", "财务部"))
    f.user("shenyue", display_name="沈悦", department="finance")
    f.user("wangqiang", display_name="王强", department=f.department("it", "信息中心"))
    f.user("admin", display_name="系统管理员", roles=[Role.ADMIN], department="it")
    db.session.commit()  # a savepoint only


@pytest.fixture
def client(world, db_client):
    return db_client


@pytest.fixture
def cert(world, db_app):
    with db_app.app_context():
        create_user(
            NewUser(username="peixun", password="Demo@2026", display_name="培训师", roles=["employee", "trainer"]),
            check_strength=False,
        )
        issue()
    return CODE


# -- the code ---------------------------------------------------------------------------------


def test_new_codes_have_the_printed_shape_and_no_look_alikes():
    codes = {certs.new_code() for _i in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"QZ(-[2346789ACDEFGHJKMNPQRTVWXY]{4}){3}", code), code
        assert len(code) <= Certificate.code.type.length
        assert not set(code[3:]) & set("01OILSZB5U")
        assert certs.normalize_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize(
    "typed",
    [
        "QZ-7K4M-9TXD-2PHF",
        "qz-7k4m-9txd-2phf",
        "qz7k4m9txd2phf",
        " QZ 7K4M 9TXD 2PHF ",
        "7K4M-9TXD-2PHF",
        "7k4m9txd2phf",
    ],
)
def test_typed_codes_are_normalised(typed):
    assert certs.normalize_code(typed) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "",
        None,
        "QZ-7K4M-9TXD",
        "QZ-7K4M-9TXD-2PHF-AAAA",
        "QZ-0K4M-9TXD-2PHF",
        "https://x/quiz/verify?code=QZ-7K4M-9TXD-2PHF",
    ],
)
def test_what_cannot_be_a_code_is_refused(typed):
    assert certs.normalize_code(typed) is None


# -- the PDF --------------------------------------------------------------------------------


def test_holder_gets_a_one_page_pdf_inline(client, auth, cert):
    auth.login("zhangwei")
    resp = client.get(f"/quiz/certificates/{cert}.pdf")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"] == f'inline; filename="certificate-{cert}.pdf"'
    pdf = resp.get_data()
    assert pdf.startswith(b"%PDF")


@needs_poppler
def test_pdf_text_is_real_chinese_text_on_one_a4_landscape_page(db_app, cert, tmp_path):
    with db_app.test_request_context("/"):
        c = db.session.scalar(select(Certificate).where(Certificate.code == cert))
        pdf = certs.render_pdf(c, "https://oa.example.com.cn/quiz/verify?code=" + cert)
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert "841.89 x 595.2" in info  # A4 landscape, in points
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("张伟", "财务部", "OA 帮助中心", cert, "86.5%"):
        assert expected in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "CJK-SC" in fonts  # the Noto CJK font, embedded, not a fallback


def test_pdf_for_the_holder_trainers_and_admins_only(client, auth, cert):
    auth.login("wangqiang")  # another employee: as if there were no such code
    assert client.get(f"/quiz/certificates/{cert}.pdf").status_code == 404
    auth.logout()
    auth.login("peixun")
    assert client.get(f"/quiz/certificates/{cert}.pdf").status_code == 200
    auth.logout()
    auth.login("admin")
    assert client.get(f"/quiz/certificates/{cert.lower()}.pdf").status_code == 200
    assert client.get("/quiz/certificates/QZ-AAAA-AAAA-AAAA.pdf").status_code == 404
    assert client.get("/quiz/certificates/nonsense.pdf").status_code == 404


def test_pdf_needs_a_sign_in(client, cert):
    resp = client.get(f"/quiz/certificates/{cert}.pdf")
    assert resp.status_code in (302, 401)


def test_the_qr_code_and_logo_are_embedded_and_point_at_the_verify_page(db_app, cert):
    with db_app.test_request_context("/"):
        c = db.session.scalar(select(Certificate).where(Certificate.code == cert))
        html = certs.render_html(c, "https://oa.example.com.cn/quiz/verify?code=" + cert)
    srcs = re.findall(r'<img src="([^"]+)"', html)
    assert len(srcs) == 2 and all(s.startswith("data:image/svg+xml") for s in srcs)
    assert "https://oa.example.com.cn/quiz/verify?code=" + cert in html
    assert "Noto Serif CJK SC" in html and "Noto Sans CJK SC" in html


# -- the verification page ------------------------------------------------------------------


def verify(client, code: str | None = None) -> str:
    resp = client.get("/quiz/verify", query_string={"code": code} if code is not None else None)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_verify_needs_a_sign_in(client):
    assert client.get("/quiz/verify").status_code in (302, 401)


def test_verify_form_without_a_code(client, auth):
    auth.login("wangqiang")
    page = verify(client)
    assert 'name="code"' in page and 'id="result"' not in page


def test_valid_certificate_shows_holder_department_level_and_dates(db_app, client, auth, cert):
    auth.login("wangqiang")  # anyone signed in, not only the holder
    with db_app.test_request_context("/"):
        c = db.session.scalar(select(Certificate).where(Certificate.code == cert))
        from flask_babel import format_date

        issued, until = format_date(c.issued_at, "long"), format_date(c.expires_at, "long")
        level = level_label("intermediate")
        valid = certificate_state_label("valid")
    page = verify(client, cert)
    result = page[page.index('id="result"') :]
    assert valid in result and "张伟" in result and "财务部" in result and level in result
    assert issued in result and until in result
    assert f"/quiz/certificates/{cert}.pdf" not in result  # not theirs to download


def test_lower_case_code_without_dashes_is_found(client, auth, cert):
    auth.login("zhangwei")
    page = verify(client, cert.lower().replace("-", ""))
    result = page[page.index('id="result"') :]
    assert "alert success" in result and "张伟" in result
    assert f"/quiz/certificates/{cert}.pdf" in result  # the holder may open it from here


def test_expired_certificate(db_app, client, auth):
    with db_app.app_context():
        issue(code="QZ-EEEE-EEEE-EEEE", days_left=-3)
    auth.login("wangqiang")
    with db_app.test_request_context("/"):
        expired = certificate_state_label("expired")
    result = verify(client, "QZ-EEEE-EEEE-EEEE").split('id="result"')[1]
    assert expired in result and "张伟" in result and "alert success" not in result


def test_revoked_certificate(db_app, client, auth):
    with db_app.app_context():
        issue(code="QZ-RRRR-RRRR-RRRR", revoked=True)
    auth.login("wangqiang")
    with db_app.test_request_context("/"):
        revoked = certificate_state_label("revoked")
    result = verify(client, "qz rrrr rrrr rrrr").split('id="result"')[1]
    assert revoked in result and "alert error" in result and "alert success" not in result


def test_revoked_wins_over_expired(world, db_app):
    with db_app.app_context():
        c = issue(code="QZ-XXXX-XXXX-XXXX", days_left=-3, revoked=True)
        assert certs.status(c) == "revoked"


@pytest.mark.parametrize("typed", ["QZ-AAAA-AAAA-AAAA", "not a code", "QZ-0000-0000-0000"])
def test_unknown_code(client, auth, cert, typed):
    auth.login("wangqiang")
    result = verify(client, typed).split('id="result"')[1]
    assert "alert error" in result and "张伟" not in result


def test_a_trainer_revokes_a_certificate_with_a_reason(db_app, client, auth, cert):
    auth.login("shenyue")  # an employee may check, not revoke
    token = auth.csrf("/quiz/verify")
    assert (
        client.post(f"/quiz/certificates/{cert}/revoke", data={"reason": "x", "csrf_token": token}).status_code == 403
    )
    assert "revoke-reason" not in verify(client, cert)
    auth.logout()
    auth.login("admin")
    assert 'id="revoke-reason"' in verify(client, cert)
    token = auth.csrf("/quiz/verify")
    r = client.post(f"/quiz/certificates/{cert}/revoke", data={"reason": "", "csrf_token": token})
    assert r.status_code == 303
    with db_app.app_context():
        assert db.session.scalar(select(Certificate.revoked).where(Certificate.code == cert)) is False
    r = client.post(f"/quiz/certificates/{cert}/revoke", data={"reason": "成绩录入错误", "csrf_token": token})
    assert r.status_code == 302
    page = verify(client, cert)
    assert "成绩录入错误" in page and "revoke-reason" not in page
    with db_app.app_context():
        c = db.session.scalar(select(Certificate).where(Certificate.code == cert))
        assert c.revoked and c.revoked_by.username == "admin"
        from portal.audit.models import AuditEvent

        (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificate_revoked")).all()
        assert (event.actor_name, event.subject_name, event.target) == ("admin", c.user.username, f"certificate:{cert}")
        assert "成绩录入错误" in event.detail
    r = client.post(f"/quiz/certificates/{cert}/revoke", data={"reason": "again", "csrf_token": token})
    assert r.status_code == 303
