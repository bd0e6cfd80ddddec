"""Mailers: SMTP through a real server on 127.0.0.1, console and memory."""

from __future__ import annotations

import io
import smtplib

import pytest

from kohtaamo.config import Settings
from kohtaamo.mail.backends import (
    ConsoleMailer,
    EmailMessageData,
    MemoryMailer,
    SmtpMailer,
    describe_recipients,
    mailer_from_settings,
    memory_mailer,
)
from tests.conftest import SmtpSink

MESSAGE = EmailMessageData(
    to=("asiakas@example.fi", "toinen@example.com"),
    subject="Kiitos palautteestasi – äöå",
    text="Hei!\n\nKiitos, että vastasit kyselyyn.",
    html="<p>Hei! Kiitos, että vastasit kyselyyn.</p>",
)


def test_smtp_delivers_text_and_html_to_every_recipient(smtp_server: SmtpSink) -> None:
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, sender="Kohtaamo <noreply@kohtaamo.fi>")
    mailer.send(MESSAGE)

    [arrived] = smtp_server.messages
    assert arrived["X-RcptTo"] == "asiakas@example.fi, toinen@example.com"
    assert arrived["X-MailFrom"] == "noreply@kohtaamo.fi"
    assert str(arrived["Subject"]) == MESSAGE.subject
    assert arrived["Message-ID"].endswith("@kohtaamo.fi>")
    parts = {
        p.get_content_type(): p.get_content().replace("\r\n", "\n")
        for p in arrived.walk()
        if not p.is_multipart()
    }
    assert parts["text/plain"].strip() == MESSAGE.text
    assert parts["text/html"].strip() == MESSAGE.html


def test_smtp_without_a_server_raises_so_the_job_is_retried() -> None:
    sink = SmtpSink()  # a free port nobody listens on
    mailer = SmtpMailer(sink.host, sink.port, sender="noreply@kohtaamo.fi", timeout=2)
    with pytest.raises(OSError):
        mailer.send(MESSAGE)


def test_smtp_authenticates_when_a_username_is_set(smtp_server: SmtpSink) -> None:
    # The test server offers no AUTH: the mailer must try, not silently send unauthenticated.
    mailer = SmtpMailer(
        smtp_server.host,
        smtp_server.port,
        sender="noreply@kohtaamo.fi",
        username="kohtaamo",
        password="secret",
    )
    with pytest.raises(smtplib.SMTPNotSupportedError):
        mailer.send(MESSAGE)
    assert smtp_server.messages == []


def test_console_prints_the_message() -> None:
    out = io.StringIO()
    ConsoleMailer("noreply@kohtaamo.fi", out).send(MESSAGE)
    printed = out.getvalue()
    assert "To: asiakas@example.fi, toinen@example.com" in printed
    assert "Subject: " in printed and "Kiitos" in printed


def test_header_injection_is_refused() -> None:
    with pytest.raises(ValueError):
        EmailMessageData(("a@example.fi",), "Hi\nBcc: everyone@example.com", "text")
    with pytest.raises(ValueError):
        EmailMessageData((), "Hi", "text")


def test_logs_name_domains_not_addresses() -> None:
    assert describe_recipients(MESSAGE.to) == "2 recipient(s) at example.com, example.fi"


def test_mailer_is_chosen_by_settings(settings: Settings) -> None:
    assert mailer_from_settings(settings) is memory_mailer
    smtp = mailer_from_settings(
        settings.model_copy(update={"mail_backend": "smtp", "smtp_port": 2525})
    )
    assert isinstance(smtp, SmtpMailer) and smtp.port == 2525
    console = mailer_from_settings(settings.model_copy(update={"mail_backend": "console"}))
    assert isinstance(console, ConsoleMailer)
    memory = MemoryMailer()
    memory.send(MESSAGE)
    assert memory.outbox == [MESSAGE]
