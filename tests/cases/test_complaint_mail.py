"""Complaints by e-mail: forwarded Outlook and Gmail messages in Finnish name the
original sender as the complainant, HTML-only mail is read as text (never rendered),
a retried delivery (same Message-ID) opens one case, and bad input is refused with a
reason naming what is missing — through the parser and through the API."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kohtaamo.accounts.permissions import Scope
from kohtaamo.cases import complaint_mail
from kohtaamo.cases.models import Case
from kohtaamo.cases.rules import ensure_default_rules
from kohtaamo.errors import InvalidInput
from kohtaamo.storage.db import Database
from tests.cases.helpers_core import add_customer
from tests.factories import Factory

OUTLOOK_FI = """\
From: Liisa Virtanen <liisa.virtanen@kohtaamo-demo.fi>
To: reklamaatiot@kohtaamo-demo.fi
Subject: VL: Konsertin liput eivät tulleet
Message-ID: <outlook-1@mail.kohtaamo-demo.fi>
Date: Mon, 23 Nov 2026 09:15:00 +0200
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

Hei, asiakkaan viesti alla. Voitteko hoitaa?

Liisa

-----Alkuperäinen viesti-----
Lähettäjä: Matti Meikäläinen <matti.meikalainen@example.fi>
Lähetetty: maanantai 23. marraskuuta 2026 8.02
Vastaanottaja: Asiakaspalvelu <asiakaspalvelu@kohtaamo-demo.fi>
Aihe: Konsertin liput eivät tulleet

Hei,

ostin perjantaina kaksi lippua lauantain konserttiin, mutta lippuja ei koskaan
tullut sähköpostiin. Jouduin ostamaan uudet liput ovelta. Haluan rahani takaisin.

Terveisin
Matti Meikäläinen
"""

GMAIL_FI = """\
From: Pekka Korhonen <pekka@kohtaamo-demo.fi>
To: reklamaatiot@kohtaamo-demo.fi
Subject: Fwd: Huono palvelu kassalla
Message-ID: <CAgmail-2@mail.gmail.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

---------- V=C3=A4litetty viesti ---------
L=C3=A4hett=C3=A4j=C3=A4: Anna Nieminen <anna.nieminen@example.com>
Date: ma 23.11.2026 klo 10.12
Subject: Huono palvelu kassalla
To: <asiakaspalvelu@kohtaamo-demo.fi>


Kassalla myyj=C3=A4 oli todella t=C3=B6yke=C3=A4 eik=C3=A4 suostunut auttamaan =
lipun vaihdossa.

--b1
Content-Type: text/html; charset="UTF-8"

<div>ei t&auml;m&auml;</div>
--b1--
"""

HTML_ONLY = """\
From: "Sara Lindqvist" <sara.lindqvist@example.se>
To: klagomal@kohtaamo-demo.fi
Subject: =?utf-8?q?Klagom=C3=A5l_p=C3=A5_biljetterna?=
Message-ID: <html-3@example.se>
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"

<html><head><style>p {color: red}</style><script>alert("x")</script></head>
<body><p>Hej!</p><p>Jag k&ouml;pte tv&aring; biljetter men fick aldrig n&aring;gra
biljetter i min e-post. Jag vill ha pengarna tillbaka.</p>
<img src="https://tracker.example/pixel.gif"></body></html>
"""


def _multipart_with_attachment() -> bytes:
    message = EmailMessage()
    message["From"] = "Customer Service <service@kohtaamo-demo.fi>"
    message["To"] = "complaints@kohtaamo-demo.fi"
    message["Subject"] = "FW: Delivery never arrived"
    message["Message-ID"] = "<multipart-4@kohtaamo-demo.fi>"
    message.set_content("The customer is upset, see below.")
    message.add_alternative("<p>The customer is upset, see below.</p>", subtype="html")
    message.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf")
    return bytes(message)


def _attached_original() -> bytes:
    original = EmailMessage()
    original["From"] = "John Smith <john.smith@example.com>"
    original["Subject"] = "My order 4521 never arrived"
    original.set_content("I ordered two tickets a week ago and nothing has arrived yet.")
    outer = EmailMessage()
    outer["From"] = "Pekka Korhonen <pekka@kohtaamo-demo.fi>"
    outer["Subject"] = "Fwd: My order 4521 never arrived"
    outer["Message-ID"] = "<attached-5@kohtaamo-demo.fi>"
    outer.set_content("Forwarding as attachment.")
    outer.add_attachment(original)
    return bytes(outer)


def test_a_forwarded_outlook_message_names_the_original_sender() -> None:
    found = complaint_mail.parse(OUTLOOK_FI.encode())
    assert (found.email, found.name) == ("matti.meikalainen@example.fi", "Matti Meikäläinen")
    assert found.forwarded
    assert found.title == "Konsertin liput eivät tulleet"
    assert found.origin_key == "complaint-mail:outlook-1@mail.kohtaamo-demo.fi"
    assert found.language == "fi"
    assert "Haluan rahani takaisin." in found.text


def test_a_forwarded_gmail_message_prefers_the_plain_text() -> None:
    found = complaint_mail.parse(GMAIL_FI.encode())
    assert (found.email, found.name) == ("anna.nieminen@example.com", "Anna Nieminen")
    assert found.title == "Huono palvelu kassalla"
    assert "töykeä" in found.text and "ei tämä" not in found.text
    assert found.language == "fi"


def test_html_only_mail_is_read_as_text_without_scripts_or_styles() -> None:
    found = complaint_mail.parse(HTML_ONLY.encode())
    assert (found.email, found.name, found.forwarded) == (
        "sara.lindqvist@example.se",
        "Sara Lindqvist",
        False,
    )
    assert found.title == "Klagomål på biljetterna"
    assert found.text.startswith("Hej!\n")
    assert "pengarna tillbaka" in found.text
    assert all(s not in found.text for s in ("alert", "color", "<", "tracker"))
    assert found.language == "sv"


def test_multipart_mail_without_a_forward_is_the_senders_complaint() -> None:
    found = complaint_mail.parse(_multipart_with_attachment())
    assert (found.email, found.forwarded) == ("service@kohtaamo-demo.fi", False)
    assert found.text == "The customer is upset, see below."
    assert found.title == "Delivery never arrived"
    assert found.language == "en"


def test_a_message_forwarded_as_an_attachment_names_its_sender() -> None:
    found = complaint_mail.parse(_attached_original())
    assert (found.email, found.name, found.forwarded) == (
        "john.smith@example.com",
        "John Smith",
        True,
    )
    assert found.title == "My order 4521 never arrived"
    assert "nothing has arrived yet" in found.text


def test_without_a_message_id_the_message_itself_is_the_origin() -> None:
    raw = OUTLOOK_FI.replace("Message-ID: <outlook-1@mail.kohtaamo-demo.fi>\n", "").encode()
    first, again = complaint_mail.parse(raw), complaint_mail.parse(raw)
    assert first.origin_key.startswith("complaint-mail:sha256:")
    assert first.origin_key == again.origin_key
    assert first.origin_key != complaint_mail.parse(raw + b"\nP.S.").origin_key


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (b"", "message", "The message is empty."),
        (b"   \r\n  ", "message", "The message is empty."),
        (b"just some words, no headers at all", "message", "no headers"),
        (b"Subject: Hi\n\nNo sender here.", "from", "no sender"),
        (b"From: not an address\nSubject: Hi\n\nText", "from", "no sender"),
        (b"From: a@example.fi\nSubject: Hi\n\n   \n", "body", "no text"),
        (b"From: a@example.fi\nSubject: x\n\n" + b"a" * (1024 * 1024), "message", "too large"),
    ],
)
def test_bad_input_is_refused_naming_what_is_missing(raw: bytes, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        complaint_mail.parse(raw)
    assert caught.value.problems[0].field == field
    assert message in caught.value.message


# --- opening cases -----------------------------------------------------------------------


def test_a_retried_delivery_opens_one_case_linked_to_the_customer(
    db: Database, factory: Factory
) -> None:
    org = factory.organisation()
    customer = add_customer(db, org, "c-1", email="Matti.Meikalainen@example.fi")
    with db.transaction(org.id) as session:
        ensure_default_rules(session)
        case, created = complaint_mail.receive(session, OUTLOOK_FI.encode())
        assert created
        first = (case.id, case.number)
    with db.transaction(org.id) as session:
        case, created = complaint_mail.receive(session, OUTLOOK_FI.encode())
        assert not created and (case.id, case.number) == first
        assert (case.source, case.topic, case.priority) == ("complaint", "complaint", "high")
        assert (case.customer_id, case.language) == (customer, "fi")
        assert case.contact_email == "matti.meikalainen@example.fi"
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar_one() == 1


@pytest.fixture
def api_key(factory: Factory) -> tuple[str, str]:
    org = factory.organisation()
    return str(org.id), factory.api_key(org, Scope.READ, Scope.WRITE)


def test_the_api_takes_a_raw_message_once(
    client: TestClient, db: Database, api_key: tuple[str, str], factory: Factory
) -> None:
    _, key = api_key
    first = client.post(
        "/api/v1/complaints/email",
        content=GMAIL_FI.encode(),
        headers={"authorization": f"Bearer {key}", "content-type": "message/rfc822"},
    )
    again = client.post(
        "/api/v1/complaints/email",
        content=GMAIL_FI.encode(),
        headers={"authorization": f"Bearer {key}", "content-type": "message/rfc822"},
    )
    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert first.json()["id"] == again.json()["id"]
    body = first.json()
    assert (body["source"], body["contact_email"]) == ("complaint", "anna.nieminen@example.com")
    assert (body["title"], body["priority"]) == ("Huono palvelu kassalla", "high")
    # Another organisation's key posting the same message opens its own case.
    other = factory.api_key(factory.organisation(), Scope.READ, Scope.WRITE)
    theirs = client.post(
        "/api/v1/complaints/email",
        content=GMAIL_FI.encode(),
        headers={"authorization": f"Bearer {other}", "content-type": "message/rfc822"},
    )
    assert theirs.status_code == 201 and theirs.json()["id"] != body["id"]


def test_the_api_refuses_bad_mail_and_too_large_mail(
    client: TestClient, db: Database, api_key: tuple[str, str]
) -> None:
    _, key = api_key
    headers = {
        "authorization": f"Bearer {key}",
        "content-type": "message/rfc822",
        "accept-language": "en",  # the problems below are read in English
    }
    missing = client.post(
        "/api/v1/complaints/email", content=b"Subject: Hi\n\nNo sender.", headers=headers
    )
    assert missing.status_code == 422
    assert "no sender" in missing.text and "from" in missing.text
    empty = client.post("/api/v1/complaints/email", content=b"", headers=headers)
    assert empty.status_code == 422 and "empty" in empty.text
    huge = client.post(
        "/api/v1/complaints/email",
        content=b"From: a@b.fi\n\n" + b"x" * (1024 * 1024),
        headers=headers,
    )
    assert huge.status_code == 413
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Case)).scalar_one() == 0
