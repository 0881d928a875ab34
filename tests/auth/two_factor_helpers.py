"""What the two-factor tests share: signing in step by step, a clock, codes from the stored secret."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import authenticator, otp, sealing
from portal.auth.models import TotpCredential, User
from portal.extensions import db
from tests import factories as f
from tests.conftest import csrf_from

T0 = datetime(2027, 3, 1, 1, 0, 5)  # 5 s into a 30-second time step


def english(client):
    """Assertions read the English texts (the default language is Simplified Chinese)."""
    client.set_cookie("portal_lang", "en")
    return client


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def password_step(client, username="zhangwei", *, password=f.PASSWORD, remember=False, next_url=None, ip=None):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    data = {"username": username, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    if next_url:
        data["next"] = next_url
    env = {"REMOTE_ADDR": ip} if ip else {}
    return client.post("/login", data=data, environ_base=env)


def second_step(client, code: str, *, trust=False, ip=None):
    page = client.get("/login/verify")
    assert page.status_code == 200, page.status_code
    data = {"code": code, "csrf_token": csrf_from(page.get_data(as_text=True))}
    if trust:
        data["trust"] = "y"
    env = {"REMOTE_ADDR": ip} if ip else {}
    return client.post("/login/verify", data=data, environ_base=env)


def me(client) -> int:
    return client.get("/api/v1/me").status_code


def sign_out(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 303


def stored_secret(u: User, *, pending: bool = False) -> str:
    row = db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == u.id))
    db.session.refresh(row)
    return sealing.unseal(authenticator._key(), row.pending_secret if pending else row.secret)


def code_for(secret: str, now: datetime, steps_ahead: int = 0) -> str:
    return otp.code_at(secret, otp.time_step(now) + steps_ahead)


def enrol(u: User, now: datetime) -> tuple[str, list[str]]:
    """Set up an authenticator through the services (its first code is that of `now`'s step)."""
    secret = authenticator.enrolment_secret(u, now=now)
    codes = authenticator.confirm_enrolment(u, code_for(secret, now), now=now)
    return secret, codes


def actions(u: User) -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == u.id).order_by(AuditEvent.id))
    )


def outbox(app) -> list[dict]:
    """The e-mails the real SMTP server of the suite (tests/mailbox.py) received for this app, with
    the six-digit code each carries."""
    out = []
    for msg in app.extensions["test_mailbox"].messages:
        text = msg.get_body(("plain",)).get_content()
        found = re.search(r"\b(\d{6})\b", text)
        out.append({"to": msg["To"], "subject": str(msg["Subject"]), "text": text, "code": found and found.group(1)})
    return out
