"""The programme page: the pyramid with the live standing of each part, in Finnish and
English, from real answers; another organisation's programme never shows."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kohtaamo.accounts.permissions import Role
from kohtaamo.storage.db import Database
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory, sign_in
from tests.programme.helpers import build


def test_the_pyramid_shows_each_standing_in_words(
    db: Database, factory: Factory, client: TestClient
) -> None:
    survey = make_survey(db, factory.organisation())
    for n in range(30):
        submit(db, survey, nps=10 if n < 20 else 3, expected=4, experienced=2, speed=-1)
    built = build(db, survey.cat)
    other = make_survey(db, factory.organisation())
    theirs = build(db, other.cat)
    viewer = factory.member(survey.org, Role.VIEWER)
    sign_in(client, viewer.user.email)

    page = client.get("/programme", headers={"accept-language": "en"})
    assert page.status_code == 200
    html = page.text
    assert "Effortless" in html and "Checkout never asks twice" in html
    statuses = dict(re.findall(r'data-measure="([0-9a-f-]+)" data-status="(\w+)"', html))
    assert statuses[str(built.measures["nps"])] == "on_track"
    assert statuses[str(built.measures["exceeded"])] == "off_track"
    assert statuses[str(built.measures["nps_close"])] == "at_risk"
    assert statuses[str(built.measures["vip"])] == "unknown"
    assert str(theirs.measures["nps"]) not in html
    assert "+33.3" in html  # the NPS of 20 promoters and 10 detractors
    assert html.count('class="dot st-') == 3 + 1 + 1 + 4  # elements, sub, standard, measures
    assert "Experience elements · 1 at risk, 1 off track, 1 not known yet" in html

    client.cookies.set("kohtaamo_locale", "fi")
    fi = client.get("/programme?lang=fi", headers={"accept-language": "fi"}).text
    assert "Vaivaton" in fi and "Jäljessä" in fi and "Tavoitteessa" in fi


def test_an_empty_programme_says_where_to_start(
    db: Database, factory: Factory, client: TestClient
) -> None:
    owner = factory.member(factory.organisation(), Role.OWNER)
    sign_in(client, owner.user.email)
    page = client.get("/programme", headers={"accept-language": "en"})
    assert page.status_code == 200 and "No programme yet" in page.text
