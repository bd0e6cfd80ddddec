"""The survey import page (upload, preview, confirm) and the JSON download, in Finnish and
English, and what they refuse."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from kohtaamo.surveys import portability, service
from kohtaamo.surveys import repository as repo
from kohtaamo.surveys.catalogue import SurveyStatus
from tests.factories import Factory, Member, page_csrf
from tests.journeys.helpers import owner as org_owner
from tests.surveys.helpers import definition, make_survey
from tests.web.conftest import Browser

DATA = Path(__file__).resolve().parent.parent / "surveys" / "data"
DOCUMENT_RE = re.compile(r'name="document" value="([^"]*)"')
ROW_RE = re.compile(r"<tr>\s*<td>(p\d)</td>\s*<td><code>([^<]+)</code></td>\s*<td>([^<]+)</td>")


def upload(client: TestClient, name: str, content: bytes | None = None, fmt: str = "auto"):  # type: ignore[no-untyped-def]
    token = page_csrf(client, "/feedback/import")
    files = {
        "file": (
            name,
            content if content is not None else (DATA / name).read_bytes(),
            "application/json",
        )
    }
    return client.post("/feedback/import", data={"csrf_token": token, "format": fmt}, files=files)


def document_of(html: str) -> str:
    match = DOCUMENT_RE.search(html)
    assert match, "the preview carries no document"
    return unescape(match.group(1))


def survey_count(db: Database, member: Member) -> int:
    with db.transaction(member.organisation.id, readonly=True) as session:
        return len(repo.surveys(session))


@pytest.mark.parametrize("language", ["fi", "en"])
def test_the_upload_form(browser: Browser, owner: Member, language: str) -> None:
    client = browser(owner, accept_language=language)
    page = client.get("/feedback/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert f'<html lang="{language}">' in page.text
    assert 'value="qsf"' in page.text and 'value="surveyjs"' in page.text


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_qsf_upload_shows_a_preview_and_stores_nothing(
    browser: Browser, owner: Member, db: Database, language: str
) -> None:
    client = browser(owner, accept_language=language)

    response = upload(client, "tapahtumatalo.qsf")

    assert response.status_code == 200
    rows = ROW_RE.findall(response.text)
    assert [key for _page, key, _type in rows][:5] == ["store", "channel", "q1", "q2", "nps"]
    types = {key: qtype for _page, key, qtype in rows}
    if language == "en":
        assert (types["q1"], types["q2"], types["q5"]) == (
            "Single choice",
            "Multiple choice",
            "Rating scale",
        )
        assert "Descriptive text is not a question and was skipped." in response.text
        assert "Shown if q1 = &#34;3&#34;" in response.text
    else:
        assert (types["q1"], types["nps"]) == ("Yksi vaihtoehto", "Suositteluhalukkuus (NPS)")
        assert "Mikä oli käyntisi pääasiallinen syy?" in response.text
    assert len(re.findall(r"<tr><td><code>", response.text)) == 7  # the unmapped items
    assert 'name="key" type="text" value="tapahtumatalo_lipunoston_palaute"' in response.text
    assert survey_count(db, owner) == 0


def test_confirm_creates_the_draft_and_opens_it(
    browser: Browser, owner: Member, db: Database
) -> None:
    client = browser(owner, accept_language="en")
    preview = upload(client, "lipunosto.surveyjs.json")
    document = document_of(preview.text)

    response = client.post(
        "/feedback/import/confirm",
        data={
            "csrf_token": page_csrf(client, "/feedback/import"),
            "document": document,
            "key": "lipunosto",
            "name": "Lipunoston palaute",
            "kind": "relationship",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    with db.transaction(owner.organisation.id, readonly=True) as session:
        survey = repo.survey_by_key(session, "lipunosto")
        assert survey is not None
        assert response.headers["location"] == f"/feedback/surveys/{survey.id}"
        assert (survey.name, survey.kind, survey.status) == (
            "Lipunoston palaute",
            "relationship",
            SurveyStatus.DRAFT,
        )
        stored = service.definition_of(
            service.get_version(session, org_owner(owner.organisation), survey.id)
        )
    expected = portability.read_survey((DATA / "lipunosto.surveyjs.json").read_bytes())
    assert stored == expected.definition


def test_confirm_with_a_taken_key_shows_the_preview_again(
    browser: Browser, owner: Member, db: Database
) -> None:
    make_survey(db, owner.organisation, publish=False)  # key "checkout"
    client = browser(owner, accept_language="en")
    document = document_of(upload(client, "tapahtumatalo.qsf").text)
    form = {"document": document, "key": "checkout", "name": "Kassa", "kind": "touchpoint"}

    response = client.post(
        "/feedback/import/confirm",
        data={"csrf_token": page_csrf(client, "/feedback/import"), **form},
    )

    assert response.status_code == 409
    assert 'id="import-key-error">A survey with this key already exists.' in response.text
    assert len(ROW_RE.findall(response.text)) == 12  # the preview is still there
    assert survey_count(db, owner) == 1


@pytest.mark.parametrize(
    ("document", "status", "words"),
    [
        ("", 422, "The previewed survey was lost. Upload the file again."),
        (
            '{"format": "kohtaamo-survey", "version": 1, "key": "k"}',
            422,
            "<li><code>definition</code>: This field is required.</li>",
        ),
    ],
)
def test_confirm_refuses_a_broken_document(
    browser: Browser, owner: Member, db: Database, document: str, status: int, words: str
) -> None:
    client = browser(owner, accept_language="en")
    response = client.post(
        "/feedback/import/confirm",
        data={
            "csrf_token": page_csrf(client, "/feedback/import"),
            "document": document,
            "key": "k",
        },
    )
    assert response.status_code == status
    assert words in response.text
    assert survey_count(db, owner) == 0


@pytest.mark.parametrize(
    ("content", "fmt", "words"),
    [
        (b"{broken", "auto", "The file is not valid JSON"),
        (b'{"a": 1}', "auto", "format was not recognised"),
        (b'{"pages": []}', "qsf", "not a Qualtrics survey file"),
    ],
)
def test_a_bad_file_is_explained_next_to_the_file_input(
    browser: Browser, owner: Member, content: bytes, fmt: str, words: str
) -> None:
    client = browser(owner, accept_language="en")
    response = upload(client, "survey.json", content, fmt)
    assert response.status_code == 422
    error = re.search(r'id="import-file-error">([^<]+)<', response.text)
    assert error and words in unescape(error.group(1))


def test_an_upload_without_a_file(browser: Browser, owner: Member) -> None:
    client = browser(owner, accept_language="fi")
    response = client.post(
        "/feedback/import", data={"csrf_token": page_csrf(client, "/feedback/import")}
    )
    assert response.status_code == 422
    assert 'id="import-file-error">' in response.text


def test_a_viewer_may_download_but_not_import(
    browser: Browser, factory: Factory, db: Database
) -> None:
    viewer = factory.member(factory.organisation("Katsoja Oy"), Role.VIEWER)
    made = make_survey(db, viewer.organisation)
    client = browser(viewer, accept_language="en")
    assert client.get("/feedback/import").status_code == 403
    assert client.get(f"/feedback/surveys/{made.survey_id}/export.json").status_code == 200


def test_the_download(browser: Browser, owner: Member, factory: Factory, db: Database) -> None:
    made = make_survey(db, owner.organisation)
    client = browser(owner, accept_language="en")

    response = client.get(f"/feedback/surveys/{made.survey_id}/export.json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert (
        response.headers["content-disposition"] == 'attachment; filename="checkout.kohtaamo.json"'
    )
    doc = json.loads(response.text)
    assert (doc["format"], doc["key"]) == ("kohtaamo-survey", "checkout")
    assert portability.read_survey(response.content).definition == definition()
    assert (
        client.get(f"/feedback/surveys/{made.survey_id}/export.json?version=2").status_code == 404
    )
    # another organisation's survey is not found
    other = make_survey(db, factory.organisation("Muu Oy"))
    assert client.get(f"/feedback/surveys/{other.survey_id}/export.json").status_code == 404
    # and the download imports again, as a Kohtaamo file
    preview = upload(client, "checkout.kohtaamo.json", response.content)
    assert preview.status_code == 200
    assert [key for _p, key, _t in ROW_RE.findall(preview.text)] == [
        "ease", "nps", "why_low", "feelings", "store",
    ]  # fmt: skip
