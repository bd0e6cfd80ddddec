"""A manager builds the pyramid in the UI: element, sub-element, standard on a
touchpoint, a measure with a target, an action moved along; bad input is named next to
its field in the reader's language and nothing is saved."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kohtaamo.accounts.permissions import Role
from kohtaamo.programme.models import Action, Element, Measure, Standard
from kohtaamo.storage.db import Database
from tests.analytics.sync_helpers import make_survey, submit
from tests.factories import Factory, page_csrf, sign_in


def _post(client: TestClient, kind: str, form: dict[str, object], lang: str = "en") -> object:
    token = page_csrf(client, f"/programme/{kind}/new")
    return client.post(
        f"/programme/{kind}/new",
        data={"csrf_token": token, **form},
        headers={"accept-language": lang},
        follow_redirects=False,
    )


def _options(html: str, name: str) -> dict[str, str]:
    block = re.search(rf'name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert block is not None, name
    return {
        text: value
        for value, text in re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)<', block.group(1))
    }


def test_a_manager_builds_the_pyramid_in_the_ui(
    db: Database, factory: Factory, client: TestClient
) -> None:
    survey = make_survey(db, factory.organisation())
    for n in range(30):
        submit(db, survey, nps=10 if n < 24 else 2)  # NPS 60
    manager = factory.member(survey.org, Role.ADMIN)
    sign_in(client, manager.user.email)

    assert (
        _post(client, "elements", {"name_fi": "Luotettava", "name_en": "Trustworthy"}).status_code
        == 303
    )  # type: ignore[attr-defined]
    form = client.get("/programme/elements/new", headers={"accept-language": "en"}).text
    parent = _options(form, "parent_id")["Trustworthy"]
    assert (
        _post(
            client,
            "elements",
            {"name_fi": "Lupaukset pitävät", "name_en": "Promises hold", "parent_id": parent},
        ).status_code
        == 303
    )  # type: ignore[attr-defined]
    form = client.get("/programme/standards/new", headers={"accept-language": "en"}).text
    sub = _options(form, "element_id")["Promises hold"]
    checkout = _options(form, "touchpoint_ids")["checkout en"]
    assert (
        _post(
            client,
            "standards",
            {
                "element_id": sub,
                "title_fi": "Kuitti heti",
                "title_en": "Receipt at once",
                "touchpoint_ids": [checkout],
            },
        ).status_code
        == 303
    )  # type: ignore[attr-defined]
    assert (
        _post(
            client,
            "measures",
            {
                "element_id": parent,
                "name_fi": "NPS",
                "name_en": "NPS",
                "metric": "nps",
                "target": "50",
            },
        ).status_code
        == 303
    )  # type: ignore[attr-defined]
    assert _post(client, "actions", {"title": "Soitto arvostelijoille"}).status_code == 303  # type: ignore[attr-defined]

    page = client.get("/programme", headers={"accept-language": "en"}).text
    assert "Trustworthy" in page and "Receipt at once" in page
    assert re.search(r'data-status="on_track">\s*<th scope="row">NPS</th>', page)
    with db.transaction(survey.org.id, readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Element)) == 2
        assert session.scalar(select(func.count()).select_from(Standard)) == 1
        action = session.scalars(select(Action)).one()
    token = page_csrf(client, "/programme")
    moved = client.post(
        f"/programme/actions/{action.id}/status",
        data={"csrf_token": token, "status": "done"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    with db.transaction(survey.org.id, readonly=True) as session:
        assert session.get(Action, action.id).done_on is not None  # type: ignore[union-attr]


def test_bad_input_is_named_and_nothing_is_saved(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org = factory.organisation()
    manager = factory.member(org, Role.OWNER)
    sign_in(client, manager.user.email)
    _post(client, "elements", {"name_fi": "A", "name_en": "A"})
    element = _options(
        client.get("/programme/measures/new", headers={"accept-language": "en"}).text, "element_id"
    )["A"]
    bad = _post(
        client,
        "measures",
        {"element_id": element, "name_fi": "M", "name_en": "M", "metric": "nps", "target": "150"},
    )
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "between -100 and 100" in bad.text and 'value="150"' in bad.text  # type: ignore[attr-defined]
    fi = _post(client, "actions", {"title": "Myöhässä", "due_date": "2020-01-01"}, lang="fi")
    assert fi.status_code == 422 and "Määräpäivä on mennyt." in fi.text  # type: ignore[attr-defined]
    with db.transaction(org.id, readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Measure)) == 0
        assert session.scalar(select(func.count()).select_from(Action)) == 0
    viewer = factory.member(org, Role.VIEWER)
    sign_in(client, viewer.user.email)
    assert client.get("/programme/measures/new").status_code == 403
    assert "/programme/elements/new" not in client.get("/programme").text
