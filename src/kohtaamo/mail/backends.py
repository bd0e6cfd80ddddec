"""Mailers: SMTP for real, console for development, memory for tests."""

from __future__ import annotations

import smtplib
import sys
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol, TextIO

from kohtaamo.config import Settings


@dataclass(frozen=True)
class EmailMessageData:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None

    def __post_init__(self) -> None:
        if not self.to:
            raise ValueError("an e-mail needs at least one recipient")
        for header in (self.subject, *self.to):
            if "\n" in header or "\r" in header:
                raise ValueError("line breaks are not allowed in e-mail headers")


class Mailer(Protocol):
    def send(self, message: EmailMessageData) -> None: ...


def build(message: EmailMessageData, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(message.to)
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "kohtaamo.local"
    email["Message-ID"] = make_msgid(domain=domain)
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


def describe_recipients(to: tuple[str, ...]) -> str:
    """For logs: how many recipients at which domains, never the addresses."""
    domains = sorted({address.rpartition("@")[2] for address in to})
    return f"{len(to)} recipient(s) at {', '.join(domains)}"


class SmtpMailer:
    """One connection per message: simple, and nothing to go stale between jobs."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def send(self, message: EmailMessageData) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(build(message, self.sender))


class ConsoleMailer:
    """Prints messages: for development, where nobody should receive real mail."""

    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        self.sender = sender
        self.stream = stream

    def send(self, message: EmailMessageData) -> None:
        stream = self.stream or sys.stdout
        stream.write(build(message, self.sender).as_string() + "\n" + "-" * 72 + "\n")
        stream.flush()


class MemoryMailer:
    """Keeps messages in the process, for tests of the domains that send mail."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.outbox: list[EmailMessageData] = []

    def send(self, message: EmailMessageData) -> None:
        with self._lock:
            self.outbox.append(message)

    def clear(self) -> None:
        with self._lock:
            self.outbox.clear()


# One per process, so a test can read what a job (in a runner thread) sent.
memory_mailer = MemoryMailer()


def mailer_from_settings(settings: Settings) -> Mailer:
    if settings.mail_backend == "smtp":
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            sender=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_s,
        )
    if settings.mail_backend == "memory":
        return memory_mailer
    return ConsoleMailer(settings.mail_from)
