"""A real SMTP server for the tests (aiosmtpd), collecting what the portal sends.

A pytest plugin (tests/conftest.py lists it): the server runs once per test session in a thread on
127.0.0.1 (port PORTAL_TEST_SMTP_PORT, else a free one); the `mailbox` fixture empties it for the
test and points an application at it:

    def test_reset_mail(db_app, mailbox):
        mailbox.configure(db_app)
        ... ask for a reset ...
        [msg] = mailbox.messages              # email.message.EmailMessage, parsed
        assert msg["To"] == "zhangwei@example.com.cn"

`mailbox.reply = "451 4.3.0 try later"` makes the server refuse the next messages with that answer
(the code path of a temporary or permanent failure). AUTH PLAIN/LOGIN is offered without TLS and
accepts mailbox.USER / mailbox.PASSWORD; `mailbox.logins` lists who signed in.
"""

from __future__ import annotations

import os
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


class Mailbox:
    USER, PASSWORD = "portal", "smtp-secret"

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO)
        self.logins: list[str] = []
        self.reply: str | None = None  # the answer to DATA instead of 250 (a failure to test)
        self.port = 0
        self._lock = threading.Lock()

    # --- aiosmtpd's handler and authenticator ---
    async def handle_DATA(self, server, session, envelope):
        if self.reply:
            return self.reply
        content = envelope.original_content or envelope.content
        with self._lock:
            self.raw.append(content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.messages.append(message_from_bytes(content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK: queued"

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.USER
            and auth_data.password.decode() == self.PASSWORD
        )
        if ok:
            self.logins.append(self.USER)
        return AuthResult(success=ok, handled=False)

    # --- for the tests ---
    @property
    def config(self) -> dict:
        return {"SMTP_HOST": HOST, "SMTP_PORT": self.port, "SMTP_TIMEOUT": 5}

    def configure(self, app) -> Mailbox:
        app.config.update(self.config)
        return self

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.raw.clear()
            self.envelopes.clear()
            self.logins.clear()
        self.reply = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    box = Mailbox()
    box.port = int(os.environ.get("PORTAL_TEST_SMTP_PORT") or _free_port())
    controller = Controller(
        box,
        hostname=HOST,
        port=box.port,
        authenticator=box,
        auth_required=False,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    smtp_server.clear()
    yield smtp_server
    smtp_server.clear()
