"""QR codes of public survey links: they decode to the link, hidden values included, and
the download pages are the survey's organisation's only."""

from __future__ import annotations

import io
import re

import pytest
import segno
from fastapi.testclient import TestClient
from PIL import Image

from kohtaamo.accounts.permissions import Role
from kohtaamo.errors import InvalidInput
from kohtaamo.storage.db import Database
from kohtaamo.surveys import qr
from tests.factories import Factory, sign_in
from tests.surveys.helpers import definition, make_survey

zxingcpp = pytest.importorskip("zxingcpp")  # an offline decoder (dev dependency)

BASE = "http://127.0.0.1:8000"  # the test settings' base_url


def decode_png(data: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert len(found) == 1, found
    return str(found[0].text)


def test_the_link_carries_hidden_values_in_a_stable_order() -> None:
    url = qr.public_link("https://kohtaamo.example/", "AbC-12_x", {"store": "Tampere 2", "a": "1"})

    assert url == "https://kohtaamo.example/s/AbC-12_x?a=1&store=Tampere+2"


def test_the_png_decodes_to_the_link() -> None:
    url = qr.public_link("https://kohtaamo.example", "AbC-12_x", {"store": "tampere"})

    assert decode_png(qr.qr_png(url, scale=4)) == url


def test_the_svg_draws_the_same_code() -> None:
    url = qr.public_link("https://kohtaamo.example", "AbC-12_x")
    svg = qr.qr_svg(url, scale=3).decode()

    expected = io.BytesIO()
    segno.make(url, error="m", micro=False, boost_error=False).save(
        expected, kind="svg", scale=3, border=4, title=url
    )
    assert svg == expected.getvalue().decode()
    assert svg.startswith("<?xml") and f"<title>{url}</title>" in svg


def test_only_the_surveys_hidden_fields_may_be_set() -> None:
    survey = definition()

    assert qr.check_hidden(survey, {"store": "tampere"}) == {"store": "tampere"}
    with pytest.raises(InvalidInput) as unknown:
        qr.check_hidden(survey, {"nps": "10", "store": "x" * 101})
    assert [p.field for p in unknown.value.problems] == ["hidden.nps", "hidden.store"]
    with pytest.raises(InvalidInput):
        qr.check_hidden(survey, {f"k{i}": "v" for i in range(qr.MAX_HIDDEN + 1)})
    with pytest.raises(InvalidInput):
        qr.qr_png("https://x.example/s/a", scale=qr.MAX_SCALE + 1)


def test_download_pages_serve_the_codes(client: TestClient, db: Database, factory: Factory) -> None:
    org = factory.organisation()
    viewer = factory.member(org, Role.VIEWER)
    f = make_survey(db, org)
    sign_in(client, viewer.user.email)
    path = f"/feedback/surveys/{f.survey_id}"

    png = client.get(f"{path}/qr.png", params={"scale": 5, "hidden.store": "tampere"})
    svg = client.get(f"{path}/qr.svg")
    wrong = client.get(f"{path}/qr.png", params={"hidden.nps": "10"})
    too_big = client.get(f"{path}/qr.svg", params={"scale": 1000})

    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert decode_png(png.content) == f"{BASE}/s/{f.slug}?store=tampere"
    assert png.headers["content-disposition"] == 'inline; filename="kohtaamo-checkout.png"'
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert re.search(rf"<title>{re.escape(BASE)}/s/{f.slug}</title>", svg.text)
    assert wrong.status_code == too_big.status_code == 422


def test_another_organisations_survey_has_no_code(
    client: TestClient, db: Database, factory: Factory
) -> None:
    mine = factory.organisation()
    viewer = factory.member(mine, Role.VIEWER)
    theirs = make_survey(db, factory.organisation())
    sign_in(client, viewer.user.email)

    response = client.get(f"/feedback/surveys/{theirs.survey_id}/qr.png")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
