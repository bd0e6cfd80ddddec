"""A complaint that arrives as e-mail: a raw RFC 822 message (piped by the mail server or
posted to the API) becomes a complaint case.

The text is the message's text/plain part, else its HTML turned into plain text with the
standard library's parser (never rendered: no scripts, no remote images, no links
followed). Staff often forward a customer's mail to the complaints address: when the
text holds a forwarded message (Outlook's or Gmail's marker line, in Finnish, English
or Swedish, or a message attached as message/rfc822), the complainant is the original
sender named on the following "From:" line, not the colleague who forwarded it. The
subject is the case title, the Message-ID the origin key (a retried delivery opens one
case; without one, the message's own hash stands in), the language is detected from the
text, and a customer with the sender's address is linked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from sqlalchemy.orm import Session

from kohtaamo.accounts.actor import Actor
from kohtaamo.cases.complaints import clean_email, customer_by_email, open_complaint
from kohtaamo.cases.models import Case
from kohtaamo.errors import InvalidInput
from kohtaamo.text.language import UNDETERMINED, detect

MAX_BYTES = 1024 * 1024
TEXT_MAX = 20000  # the case description's limit (schemas.LongText)
ORIGIN_PREFIX = "complaint-mail:"

# The line that opens a forwarded message in Outlook and Gmail, in fi / en / sv.
FORWARD_MARKER = re.compile(
    r"^\s*[-_=>\s]*(?:begin\s+)?(?:forwarded\s+message|original\s+message|välitetty\s+viesti"
    r"|alkuperäinen\s+viesti|vidarebefordrat\s+meddelande|ursprungligt\s+meddelande)"
    r"\s*[-_=:<\s]*$",
    re.IGNORECASE,
)
# Outlook's newer forward: a rule of underscores, then the From line.
RULE_LINE = re.compile(r"^\s*_{10,}\s*$")
FROM_LINE = re.compile(r"^\s*[>*\s]*(?:from|lähettäjä|från|fra|von|de)\s*:\s*\**\s*(.+)$", re.I)
SUBJECT_LINE = re.compile(r"^\s*[>*\s]*(?:subject|aihe|ämne)\s*:\s*\**\s*(.*)$", re.I)
ADDRESS = re.compile(r"[^\s<>\[\]():;,\"']+@[^\s<>\[\]():;,\"']+\.[^\s<>\[\]():;,\"'.]+")
SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:fwd?|fw|vs|vl|vb|sv|re|aw|wg|vid)\s*:\s*)+", re.I)
HEADER_LOOKAHEAD = 12  # lines after a marker in which the From line must appear


@dataclass(frozen=True)
class MailComplaint:
    """What a complaint e-mail says: who complains, about what, in which language."""

    email: str
    name: str
    title: str
    text: str
    origin_key: str
    language: str | None
    forwarded: bool


class _TextOf(HTMLParser):
    """Plain text of HTML: text nodes kept, scripts and styles dropped, blocks on lines."""

    BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "tr",
            "li",
            "ul",
            "ol",
            "table",
            "blockquote",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "pre",
            "section",
        ]
    )
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body (nothing is rendered or fetched)."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _content(part: Message) -> str:
    try:
        value = part.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True)
        value = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return value if isinstance(value, str) else ""


def body_text(message: EmailMessage) -> str:
    """The message's text: its text/plain body, else its HTML body as text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = _content(part)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\x00", "").replace("\r\n", "\n").strip()


def _attached(message: EmailMessage) -> EmailMessage | None:
    """A message forwarded as an attachment (message/rfc822), if any."""
    for part in message.walk():
        if part is not message and part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
                return inner[0]
    return None


def _person(line: str) -> tuple[str, str] | None:
    """(address, name) from a From line: "Name <a@b>", "Name [mailto:a@b]", "a@b"."""
    found = ADDRESS.search(line.replace("mailto:", " "))
    if found is None:
        return None
    email = clean_email(found.group(0))
    if email is None:
        return None
    name = line[: found.start()].replace("mailto:", "")
    name = name.strip().strip("<[(\"'").strip().strip("\"'").strip()
    return email, name[:200]


def forwarded_sender(text: str) -> tuple[str, str, str] | None:
    """(address, name, original subject) of the message forwarded in ``text``, if any."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not (FORWARD_MARKER.match(line) or RULE_LINE.match(line)):
            continue
        window = lines[i + 1 : i + 1 + HEADER_LOOKAHEAD]
        for j, candidate in enumerate(window):
            found = FROM_LINE.match(candidate)
            if found is None:
                continue
            person = _person(found.group(1))
            if person is None:
                break
            subject = ""
            for later in window[j + 1 :]:
                if (match := SUBJECT_LINE.match(later)) is not None:
                    subject = match.group(1).strip()
                    break
            return person[0], person[1], subject
    return None


def _from(message: Message) -> tuple[str, str] | None:
    header = message.get("From")
    if header is None:
        return None
    try:
        addresses = getattr(header, "addresses", None)
        if addresses:
            first: Address = addresses[0]
            email = clean_email(first.addr_spec)
            return (email, first.display_name) if email else None
    except (IndexError, ValueError):
        pass
    pairs = getaddresses([str(header)])
    email = clean_email(pairs[0][1]) if pairs else None
    return (email, pairs[0][0]) if email else None


def _origin(message: Message, raw: bytes) -> str:
    message_id = " ".join(str(message.get("Message-ID", "")).split()).strip("<>")
    if message_id:
        return ORIGIN_PREFIX + message_id[:180]
    return ORIGIN_PREFIX + "sha256:" + hashlib.sha256(raw).hexdigest()


def _language(text: str) -> str | None:
    found = detect(text, ("fi", "en", "sv")).language
    return None if found == UNDETERMINED else found


def parse(raw: bytes) -> MailComplaint:
    """The complaint a raw e-mail carries; InvalidInput naming what is missing."""
    if not raw.strip():
        raise InvalidInput("The message is empty.", field="message")
    if len(raw) > MAX_BYTES:
        raise InvalidInput(
            "The message is too large: at most %(size)s MB.", field="message", size=1
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:  # the parser's failures are not all documented
        raise InvalidInput("The message could not be read as an e-mail.", field="message") from None
    assert isinstance(message, EmailMessage)
    if not message.keys():
        raise InvalidInput("The message has no headers: it is not an e-mail.", field="message")
    sender = _from(message)
    subject = " ".join(str(message.get("Subject", "")).split())
    text = body_text(message)
    forwarded = False
    attached = _attached(message)
    if attached is not None and (inner := _from(attached)) is not None:
        sender, forwarded = inner, True
        inner_text = body_text(attached)
        text = "\n\n".join(t for t in (text, inner_text) if t)
        subject = " ".join(str(attached.get("Subject", "")).split()) or subject
    elif (found := forwarded_sender(text)) is not None:
        sender, forwarded = (found[0], found[1]), True
        subject = SUBJECT_PREFIX.sub("", subject) or found[2]
    if sender is None:
        raise InvalidInput("The message has no sender address (From).", field="from")
    if not text:
        raise InvalidInput("The message has no text.", field="body")
    title = SUBJECT_PREFIX.sub("", subject).strip() or text.splitlines()[0].strip()
    return MailComplaint(
        email=sender[0],
        name=sender[1].strip()[:200],
        title=title[:300],
        text=text[:TEXT_MAX],
        origin_key=_origin(message, raw),
        language=_language(text),
        forwarded=forwarded,
    )


def receive(session: Session, raw: bytes, *, actor: Actor | None = None) -> tuple[Case, bool]:
    """Open the complaint case of a raw e-mail (or find the one it opened before)."""
    complaint = parse(raw)
    return open_complaint(
        session,
        title=complaint.title,
        description=complaint.text,
        contact_email=complaint.email,
        contact_name=complaint.name or None,
        customer_id=customer_by_email(session, complaint.email),
        language=complaint.language,
        origin_key=complaint.origin_key,
        actor=actor,
    )
