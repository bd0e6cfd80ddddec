"""The CX description: the organisation's words around the pyramid with today's
standings, as a page and as a PDF in Finnish and English that reads back and renders."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader

from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory, page_csrf, sign_in
from tests.programme.helpers import build

PROMISE_FI = "Jokainen asiakas pääsee sisään ilman jonoja.\n\nLupaukset pitävät."


def _world(db: Database, factory: Factory, client: TestClient) -> None:
    survey = make_survey(db, factory.organisation())
    for n in range(30):
        submit(db, survey, nps=10 if n < 20 else 3, expected=4, experienced=2, speed=-1)
    build(db, survey.cat)
    stranger = make_survey(db, factory.organisation())
    with db.transaction(stranger.org.id) as session:
        from kohtaamo.programme import service
        from kohtaamo.programme.schemas import ElementIn
        from tests.programme.helpers import editor

        service.create_element(
            session, ElementIn(name_fi="Vieras", name_en="Foreign"), editor(stranger.org)
        )
    analyst = factory.member(survey.org, Role.ANALYST)
    sign_in(client, analyst.user.email)
    token = page_csrf(client, "/programme/description/edit")
    saved = client.post(
        "/programme/description/edit",
        data={
            "csrf_token": token,
            "title_fi": "Asiakaskokemuksemme",
            "title_en": "Our CX",
            "promise_fi": PROMISE_FI,
            "promise_en": "Nobody queues.",
            "closing_fi": "",
            "closing_en": "Walk the journey.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303


def test_the_page_shows_words_elements_standards_and_standings(
    db: Database, factory: Factory, client: TestClient
) -> None:
    _world(db, factory, client)
    page = client.get("/programme/description", headers={"accept-language": "en"}).text
    assert "Our CX" in page and "Nobody queues." in page and "Walk the journey." in page
    assert "Effortless" in page and "Checkout never asks twice" in page
    assert "Off track" in page and "On track" in page and "Foreign" not in page
    fi = client.get("/programme/description", headers={"accept-language": "fi"}).text
    assert "Asiakaskokemuksemme" in fi and "Lupaukset pitävät." in fi and "Vaivaton" in fi


def test_the_pdf_reads_back_in_each_language_and_renders(
    db: Database, factory: Factory, client: TestClient, tmp_path: Path
) -> None:
    _world(db, factory, client)
    for lang, words in (
        ("fi", ("Asiakaskokemuksemme", "Vaivaton", "Jäljessä")),
        ("en", ("Our CX", "Effortless", "Off track")),
    ):
        reply = client.get(f"/programme/description.pdf?lang={lang}")
        assert reply.status_code == 200 and reply.headers["content-type"] == "application/pdf"
        assert f"-{lang}.pdf" in reply.headers["content-disposition"]
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(reply.content)).pages)
        for word in words:
            assert word in text, (lang, word)
        assert "Foreign" not in text
        pdf = tmp_path / f"d-{lang}.pdf"
        pdf.write_bytes(reply.content)
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / lang)], check=True)
        pages = sorted(tmp_path.glob(f"{lang}*.png"))
        assert pages
        for page in pages:
            grey = Image.open(page).convert("L")
            assert grey.getextrema()[0] < 128  # ink on every page, not a blank sheet
    assert client.get("/programme/description.pdf?lang=sv").status_code == 422


def test_bad_words_are_refused_and_kept(db: Database, factory: Factory, client: TestClient) -> None:
    owner = factory.member(factory.organisation(), Role.OWNER)
    sign_in(client, owner.user.email)
    token = page_csrf(client, "/programme/description/edit")
    reply = client.post(
        "/programme/description/edit",
        data={"csrf_token": token, "title_fi": "", "title_en": "Kept", "promise_fi": "x" * 9000},
        headers={"accept-language": "en"},
    )
    assert reply.status_code == 422 and "Kept" in reply.text and 'aria-invalid="true"' in reply.text
    viewer = factory.member(owner.organisation, Role.VIEWER)
    sign_in(client, viewer.user.email)
    assert client.get("/programme/description/edit").status_code == 403
