"""Outgoing mail through a real SMTP server (tests/mailbox.py): the message, UTF-8 headers, the
durable job and when it retries."""

from __future__ import annotations

import smtplib

import pytest

from portal.core import jobs, mail
from portal.core.uow import unit_of_work

SUBJECT = "重置您的 OA 帮助中心密码"
TEXT = "您好，张伟：\n\n请打开下面的链接设置新密码。\n"
HTML = "<p>您好，张伟：</p><p>请打开下面的链接设置新密码。</p>"


@pytest.fixture
def box(db_app, mailbox):
    db_app.config["SMTP_FROM"] = "OA 帮助中心 <noreply@oa.example.com>"
    return mailbox.configure(db_app)


def test_a_message_arrives_with_text_and_html_and_a_chinese_subject(box):
    assert mail.send(mail.build("zhangwei@example.com.cn", SUBJECT, TEXT, HTML)) is True
    [msg] = box.messages
    assert msg["Subject"] == SUBJECT
    assert msg["To"] == "zhangwei@example.com.cn"
    assert msg["From"].addresses[0].display_name == "OA 帮助中心"
    assert msg["From"].addresses[0].addr_spec == "noreply@oa.example.com"
    assert msg["Message-ID"].endswith("@oa.example.com>") and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content() == TEXT
    assert msg.get_body(("html",)).get_content().strip() == HTML
    assert msg.get_body(("plain",)).get_content_charset() == "utf-8"
    # on the wire every header is ASCII: the Chinese subject and sender name are RFC 2047 words
    raw = box.raw[0]
    headers = raw.split(b"\r\n\r\n", 1)[0]
    headers.decode("ascii")
    assert b"Subject: =?utf-8?" in headers
    assert box.envelopes == [("noreply@oa.example.com", ["zhangwei@example.com.cn"])]


def test_a_text_only_message_has_no_html_part(box):
    mail.send(mail.build(["a@example.com", "b@example.com"], "Hello", "plain text"))
    [msg] = box.messages
    assert msg.get_content_type() == "text/plain" and msg.get_content() == "plain text\n"
    assert box.envelopes[0][1] == ["a@example.com", "b@example.com"]


def test_smtp_login_when_a_user_is_configured(box, db_app):
    db_app.config.update(SMTP_USER=box.USER, SMTP_PASSWORD=box.PASSWORD)
    mail.send(mail.build("zhangwei@example.com.cn", SUBJECT, TEXT))
    assert box.logins == [box.USER] and len(box.messages) == 1
    db_app.config["SMTP_PASSWORD"] = "wrong"
    with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
        mail.send(mail.build("zhangwei@example.com.cn", SUBJECT, TEXT))
    assert mail.permanent(refused.value)


def test_without_a_host_nothing_is_sent_and_nothing_fails(box, db_app, caplog):
    db_app.config["SMTP_HOST"] = ""
    assert mail.send(mail.build("zhangwei@example.com.cn", SUBJECT, TEXT)) is False
    assert box.messages == [] and "no PORTAL_SMTP_HOST" in caplog.text


def test_send_later_sends_once_the_work_commits_and_never_when_it_rolls_back(box):
    with unit_of_work():
        mail.send_later("zhangwei@example.com.cn", SUBJECT, TEXT, HTML)
        assert box.messages == []  # not before the commit
    assert [m["Subject"] for m in box.messages] == [SUBJECT]
    with pytest.raises(RuntimeError), unit_of_work():
        mail.send_later("lina@example.com.cn", SUBJECT, TEXT)
        raise RuntimeError("the change fails")
    assert len(box.messages) == 1


def test_the_job_is_durable_and_retried():
    task = jobs._named[mail.SEND_JOB]
    assert task.retries >= 3 and task.retry_delay >= 30


def test_a_temporary_refusal_raises_so_the_queue_retries(box):
    box.reply = "451 4.3.0 Mailbox busy, try later"
    with pytest.raises(smtplib.SMTPDataError):
        mail.send_job.call_local({"to": ["zhangwei@example.com.cn"], "subject": SUBJECT, "text": TEXT})
    box.reply = None
    assert mail.send_job.call_local({"to": ["zhangwei@example.com.cn"], "subject": SUBJECT, "text": TEXT})
    assert len(box.messages) == 1


def test_an_unreachable_server_raises_so_the_queue_retries(box, db_app, caplog):
    from tests.mailbox import _free_port

    db_app.config["SMTP_PORT"] = _free_port()  # nobody listens there
    with pytest.raises(ConnectionRefusedError):
        mail.send_job.call_local({"to": ["zhangwei@example.com.cn"], "subject": SUBJECT, "text": TEXT})
    assert "the queue will retry" in caplog.text


def test_a_permanent_refusal_is_logged_and_dropped(box, caplog):
    box.reply = "550 5.1.1 No such mailbox"
    assert mail.send_job.call_local({"to": ["ghost@example.com"], "subject": SUBJECT, "text": TEXT}) is False
    assert "refused for good" in caplog.text and box.messages == []


@pytest.mark.parametrize(
    "err,final",
    [
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no"), "b@x": (452, b"full")}), False),
        (smtplib.SMTPResponseException(421, b"closing"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (smtplib.SMTPConnectError(554, b"go away"), False),
        (TimeoutError(), False),
    ],
)
def test_which_failures_are_final(err, final):
    assert mail.permanent(err) is final
