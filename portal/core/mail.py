"""Outgoing e-mail: a text body with a simple HTML alternative, sent over SMTP by the durable job
"mail.send", so a slow or absent mail server never holds up a request or loses a message.

    mail.send_later(["zhangwei@example.com"], "重置密码", text, html)   # inside a unit of work

queues the message once the unit of work has committed (nothing is sent for work that rolls
back). The job retries when the server cannot be reached or answers "try later" (4xx); a
permanent refusal (5xx: no such mailbox) is logged and dropped. Configuration: PORTAL_SMTP_HOST,
_PORT, _USER, _PASSWORD, _STARTTLS, _SSL, _FROM, _TIMEOUT; without a host nothing is sent and
the recipient and subject are logged.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterable
from datetime import UTC
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app

from portal.core import jobs
from portal.core.clock import utcnow
from portal.core.uow import after_commit

log = logging.getLogger(__name__)
SEND_JOB = "mail.send"


def build(
    to: str | Iterable[str], subject: str, text: str, html: str | None = None, *, sender: str | None = None
) -> EmailMessage:
    """One message: UTF-8 throughout, non-ASCII headers (a Chinese subject or sender name)
    encoded as RFC 2047 words when it is sent, the HTML part an alternative to the text."""
    recipients = [to] if isinstance(to, str) else list(to)
    sender = sender or current_app.config["SMTP_FROM"]
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(utcnow().replace(tzinfo=UTC))
    msg["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    msg.set_content(text, charset="utf-8", cte="base64")
    if html is not None:
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    return msg


def send(msg: EmailMessage) -> bool:
    """Hand the message to the configured SMTP server now (the job calls this); False when no
    server is configured. Errors are smtplib's / the socket's own."""
    cfg = current_app.config
    host = cfg.get("SMTP_HOST")
    if not host:
        log.warning("no PORTAL_SMTP_HOST: mail to %s (%s) not sent", msg["To"], msg["Subject"])
        return False
    port, timeout = int(cfg.get("SMTP_PORT") or 0), float(cfg.get("SMTP_TIMEOUT") or 10)
    smtp: smtplib.SMTP
    if cfg.get("SMTP_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if cfg.get("SMTP_STARTTLS") and not cfg.get("SMTP_SSL"):
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("SMTP_USER"):
            smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
        smtp.send_message(msg)
    return True


def permanent(err: Exception) -> bool:
    """A refusal no retry will change: every recipient refused, or a 5xx answer. Connection
    errors, time-outs, a dropped connection and 4xx ("try later") are worth another try."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in err.recipients.values())
    if isinstance(err, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return False
    if isinstance(err, smtplib.SMTPResponseException):
        return err.smtp_code >= 500
    return False


@jobs.job(SEND_JOB, retries=6, retry_delay=60)
def send_job(message: dict) -> bool:
    """The durable job: build and send; a temporary failure raises, so the queue retries."""
    try:
        return send(build(**message))
    except (smtplib.SMTPException, OSError) as err:
        if permanent(err):
            log.error("mail to %s refused for good: %s", message.get("to"), err)
            return False
        log.warning("mail to %s not sent yet (%s); the queue will retry", message.get("to"), err)
        raise


def configured() -> bool:
    """Is there a mail server to send through (PORTAL_SMTP_HOST)?"""
    return bool((current_app.config.get("SMTP_HOST") or "").strip())


def send_later(to: str | Iterable[str], subject: str, text: str, html: str | None = None) -> None:
    """Queue the message once the surrounding unit of work has committed."""
    recipients = [to] if isinstance(to, str) else list(to)
    after_commit(jobs.enqueue, SEND_JOB, {"to": recipients, "subject": subject, "text": text, "html": html})
