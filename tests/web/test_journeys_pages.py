"""Journey pages: the list, the touchpoint catalogue, the editor, the journey map with its
charts, the paths of all touchpoints and the CSV import, in Finnish and English.

The catalogue is the small one of ``tests/journeys/helpers.py``; events arrive through
``POST /api/v1/events`` as they would in production, so the pages read the same path
store the API does.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kohtaamo.accounts.permissions import Role
from kohtaamo.journeys import journeymap
from kohtaamo.journeys.customers import do_upsert_customer
from kohtaamo.journeys.models import Journey, JourneyTouchpoint, Stage, Team, Touchpoint
from kohtaamo.journeys.schemas import CustomerIn, PlacementIn
from kohtaamo.storage.db import Database
from tests.factories import Factory, Member, page_csrf
from tests.journeys.helpers import Catalogue, seed
from tests.web.conftest import Browser

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PATHS = {
    "c1": ["advert", "website", "checkout", "ticket"],
    "c2": ["advert", "website", "checkout"],
    "c3": ["website", "support"],
    "c4": ["advert", "website", "checkout", "ticket"],
}
SPEC_RE = re.compile(
    r'<script type="application/json" id="chart-(\w+)-spec">(.*?)</script>', re.DOTALL
)


@pytest.fixture
def cat(db: Database, factory: Factory, client: TestClient) -> Catalogue:
    """Awareness: advert, website; Purchase: checkout, ticket; support off the journey."""
    cat = seed(db, factory.organisation("Tapahtumatalo Oy"))
    with db.transaction(cat.org.id) as session:
        journey = session.get(Journey, cat.journey_id)
        assert journey is not None
        awareness, purchase = journey.stages
        for stage, keys in ((awareness, ["advert", "website"]), (purchase, ["checkout", "ticket"])):
            for key in keys:
                journeymap.do_place_touchpoint(
                    session,
                    cat.actor,
                    cat.journey_id,
                    cat.touchpoints[key],
                    PlacementIn(stage_id=stage.id),
                )
        for customer in ("c1", "c2", "c4"):
            do_upsert_customer(session, cat.actor, customer, CustomerIn(segment="kuluttaja"))
        do_upsert_customer(session, cat.actor, "c3", CustomerIn(segment="yritys"))
    key = factory.api_key(cat.org)
    events = [
        {
            "id": f"{customer}-{i}",
            "customer": customer,
            "touchpoint": tp,
            "occurred_at": (T0 + timedelta(hours=i)).isoformat(),
        }
        for customer, keys in PATHS.items()
        for i, tp in enumerate(keys)
    ]
    sent = client.post(
        "/api/v1/events", json={"events": events}, headers={"authorization": f"Bearer {key}"}
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["accepted"] == len(events)
    return cat


@pytest.fixture
def manager(factory: Factory, cat: Catalogue) -> Member:
    return factory.member(cat.org, Role.OWNER)


def _post(client: TestClient, path: str, data: dict[str, Any], page: str | None = None) -> Response:
    """Submit a form the way the page does: with the page's token."""
    token = page_csrf(client, page or "/journeys")
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def _specs(html: str) -> dict[str, Any]:
    return {name: json.loads(body) for name, body in SPEC_RE.findall(html)}


def _placements(db: Database, cat: Catalogue) -> list[tuple[str, str, int]]:
    """(stage name, touchpoint key, position) of the journey, in stage order."""
    with db.transaction(cat.org.id, readonly=True) as session:
        rows = session.execute(
            Stage.__table__.select()
            .with_only_columns(Stage.name_en, Touchpoint.key, JourneyTouchpoint.position)
            .join(JourneyTouchpoint, JourneyTouchpoint.stage_id == Stage.id)
            .join(Touchpoint, Touchpoint.id == JourneyTouchpoint.touchpoint_id)
            .where(Stage.journey_id == cat.journey_id)
            .order_by(Stage.position, JourneyTouchpoint.position)
        ).all()
    return [(str(a), str(b), int(c)) for a, b, c in rows]


def _stage_ids(db: Database, cat: Catalogue) -> list[uuid.UUID]:
    with db.transaction(cat.org.id, readonly=True) as session:
        journey = session.get(Journey, cat.journey_id)
        assert journey is not None
        return [s.id for s in journey.stages]


# --- the list and the create form -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "columns"),
    [
        ("fi", "Asiakaspolut", ("Omistajatiimi", "Asiakkaita polulla")),
        ("en", "Journeys", ("Owner team", "Customers on it")),
    ],
)
def test_journey_list_in_both_languages(
    browser: Browser, manager: Member, language: str, heading: str, columns: tuple[str, ...]
) -> None:
    page = browser(manager, accept_language=language).get("/journeys")

    assert page.status_code == 200
    assert f"<h1>{heading}</h1>" in page.text
    for column in columns:
        assert column in page.text
    row = re.search(
        r"<tr>\s*<th scope=\"row\"><a href=\"/journeys/[^\"]+\">Lippu</a>.*?</tr>",
        page.text,
        re.DOTALL,
    )
    assert row, page.text
    # 2 stages; c1, c2, c3 and c4 all met a touchpoint of the journey.
    assert re.findall(r'<td class="num">(\d+)</td>', row.group(0)) == ["2", "4"]


def test_create_journey_goes_to_its_editor(browser: Browser, manager: Member, db: Database) -> None:
    client = browser(manager)

    response = _post(client, "/journeys", {"name": "Yritystapahtuma", "key": "corporate"})

    assert response.status_code == 303
    editor = client.get(response.headers["location"])
    assert "Asiakaspolku luotiin." in editor.text
    assert "Yritystapahtuma" in editor.text
    with db.transaction(manager.organisation.id, readonly=True) as session:
        assert sorted(j.key for j in journeymap.list_journeys(session, manager.actor)) == [
            "corporate",
            "ticket",
        ]


@pytest.mark.parametrize(
    ("language", "message"),
    [("fi", "Tämä kenttä on pakollinen."), ("en", "This field is required.")],
)
def test_create_journey_errors_are_next_to_the_field(
    browser: Browser, manager: Member, language: str, message: str
) -> None:
    client = browser(manager, accept_language=language)

    response = _post(client, "/journeys", {"name": "", "key": "Iso Kirjain"})

    assert response.status_code == 422
    assert f'<p class="field-error" id="journey-name-error">{message}</p>' in response.text
    assert 'id="journey-key-error"' in response.text
    assert 'value="Iso Kirjain"' in response.text  # what was typed stays


def test_forms_without_the_token_are_refused(
    browser: Browser, manager: Member, db: Database
) -> None:
    client = browser(manager)

    response = client.post("/journeys", data={"name": "X", "key": "x"}, follow_redirects=False)

    assert response.status_code == 403
    with db.transaction(manager.organisation.id, readonly=True) as session:
        assert len(journeymap.list_journeys(session, manager.actor)) == 1


# --- the touchpoint catalogue ------------------------------------------------------------------


def test_catalogue_lists_touchpoints_with_owner_and_channel(
    browser: Browser, manager: Member
) -> None:
    fi = browser(manager).get("/journeys/touchpoints")
    en = browser(manager, accept_language="en").get("/journeys/touchpoints")

    assert "<h1>Kohtaamispisteet</h1>" in fi.text
    assert "Verkkosivusto" in fi.text and "Asiakaspalvelu" in fi.text
    assert "checkout fi" in fi.text
    assert "<h1>Touchpoints</h1>" in en.text
    assert "Website" in en.text and "checkout en" in en.text
    assert "5 touchpoints" in en.text


def test_catalogue_filters_by_journey_and_critical(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    with db.transaction(cat.org.id) as session:
        tp = session.get(Touchpoint, cat.touchpoints["ticket"])
        assert tp is not None
        tp.critical = True
    client = browser(manager, accept_language="en")

    on_journey = client.get("/journeys/touchpoints", params={"journey": str(cat.journey_id)})
    critical = client.get("/journeys/touchpoints", params={"critical": "yes"})
    by_channel = client.get("/journeys/touchpoints", params={"channel": "phone"})

    assert "4 touchpoints" in on_journey.text and "support en" not in on_journey.text
    assert "1 touchpoint<" in critical.text and "ticket en" in critical.text
    assert "0 touchpoints" in by_channel.text


def test_create_edit_and_delete_a_touchpoint(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    client = browser(manager)
    page = "/journeys/touchpoints"
    created = _post(
        client,
        page,
        {
            "key": "call-centre",
            "name_fi": "Puhelinpalvelu",
            "name_en": "Call centre",
            "channel": "phone",
            "factor_group": "functional",
            "owner_team_id": str(cat.team_id),
            "expectation": "Vastaus minuutissa",
            "critical": "true",
        },
        page,
    )
    assert created.status_code == 303
    with db.transaction(cat.org.id, readonly=True) as session:
        tp = session.query(Touchpoint).filter_by(key="call-centre").one()
        assert (tp.channel, tp.critical, tp.expectation) == ("phone", True, "Vastaus minuutissa")
        tp_id = tp.id

    edit = f"/journeys/touchpoints/{tp_id}/edit"
    saved = _post(
        client,
        edit,
        {
            "name_fi": "Puhelin",
            "name_en": "Phone line",
            "channel": "chat",
            "factor_group": "content",
            "owner_team_id": str(cat.team_id),
        },
        edit,
    )
    assert saved.status_code == 303
    with db.transaction(cat.org.id, readonly=True) as session:
        saved_tp = session.get(Touchpoint, tp_id)
        assert saved_tp is not None
        assert (saved_tp.name_fi, saved_tp.channel, saved_tp.critical) == ("Puhelin", "chat", False)

    deleted = _post(client, f"/journeys/touchpoints/{tp_id}/delete", {}, edit)
    assert deleted.status_code == 303
    with db.transaction(cat.org.id, readonly=True) as session:
        assert session.get(Touchpoint, tp_id) is None


def test_touchpoint_with_events_is_not_deleted(
    browser: Browser, manager: Member, cat: Catalogue
) -> None:
    client = browser(manager, accept_language="en")
    tp_id = cat.touchpoints["checkout"]
    edit = f"/journeys/touchpoints/{tp_id}/edit"

    response = _post(client, f"/journeys/touchpoints/{tp_id}/delete", {}, edit)

    assert response.status_code == 409
    assert "it has interaction events and stays" in response.text


def test_touchpoint_form_errors_in_finnish(
    browser: Browser, manager: Member, cat: Catalogue
) -> None:
    client = browser(manager)

    response = _post(
        client,
        "/journeys/touchpoints",
        {
            "key": "checkout",
            "name_fi": "Kassa",
            "name_en": "Till",
            "channel": "website",
            "factor_group": "content",
            "owner_team_id": str(cat.team_id),
        },
        "/journeys/touchpoints",
    )

    assert response.status_code == 409
    assert 'id="tp-key-error">Tällä tunnisteella on jo kohtaamispiste.' in response.text


def test_teams_are_created_and_renamed(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    client = browser(manager)
    page = "/journeys/touchpoints"

    assert _post(client, "/journeys/teams", {"name": "Myynti"}, page).status_code == 303
    renamed = _post(client, f"/journeys/teams/{cat.team_id}", {"name": "Asiakaskokemus"}, page)
    clash = _post(client, f"/journeys/teams/{cat.team_id}", {"name": "Myynti"}, page)

    assert renamed.status_code == 303
    assert clash.status_code == 409
    assert f'id="team-{cat.team_id}-error"' in clash.text
    with db.transaction(cat.org.id, readonly=True) as session:
        assert sorted(t.name for t in session.query(Team)) == ["Asiakaskokemus", "Myynti"]


# --- the editor -------------------------------------------------------------------------------


def test_editor_adds_renames_moves_and_deletes_stages(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    client = browser(manager)
    base = f"/journeys/{cat.journey_id}"
    edit = base + "/edit"

    assert (
        _post(client, base + "/stages", {"name_fi": "Käyttö", "name_en": "Use"}, edit).status_code
        == 303
    )
    awareness, purchase, use = _stage_ids(db, cat)
    assert _post(client, f"{base}/stages/{use}/move", {"direction": "up"}, edit).status_code == 303
    assert _stage_ids(db, cat) == [awareness, use, purchase]
    assert (
        _post(client, f"{base}/stages/{awareness}/move", {"position": "2"}, edit).status_code == 303
    )
    assert _stage_ids(db, cat) == [use, purchase, awareness]
    renamed = _post(
        client, f"{base}/stages/{use}", {"name_fi": "Käyttäminen", "name_en": "Using"}, edit
    )
    assert renamed.status_code == 303
    assert _post(client, f"{base}/stages/{purchase}/delete", {}, edit).status_code == 303

    page = client.get(edit)
    assert "Käyttäminen" in page.text
    assert _stage_ids(db, cat) == [use, awareness]
    assert [key for _, key, _ in _placements(db, cat)] == ["advert", "website"]


def test_editor_rename_error_is_shown_on_the_stage(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    client = browser(manager, accept_language="en")
    stage = _stage_ids(db, cat)[0]
    edit = f"/journeys/{cat.journey_id}/edit"

    response = _post(
        client, f"/journeys/{cat.journey_id}/stages/{stage}", {"name_fi": "", "name_en": "X"}, edit
    )

    assert response.status_code == 422
    assert f'id="stage-{stage}-fi-error">This field is required.' in response.text


def test_editor_places_moves_and_removes_touchpoints(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    client = browser(manager)
    base = f"/journeys/{cat.journey_id}"
    edit = base + "/edit"
    _awareness, purchase = _stage_ids(db, cat)
    support = cat.touchpoints["support"]

    placed = _post(
        client,
        base + "/placements",
        {"touchpoint_id": str(support), "stage_id": str(purchase)},
        edit,
    )
    assert placed.status_code == 303
    assert (
        _post(client, f"{base}/placements/{support}/move", {"direction": "up"}, edit).status_code
        == 303
    )
    assert [(s, k) for s, k, _ in _placements(db, cat)][2:] == [
        ("Purchase", "checkout"),
        ("Purchase", "support"),
        ("Purchase", "ticket"),
    ]
    # What drag and drop sends: another stage and a position on it.
    website = cat.touchpoints["website"]
    moved = _post(
        client,
        f"{base}/placements/{website}/move",
        {"stage_id": str(purchase), "position": "0"},
        edit,
    )
    assert moved.status_code == 303
    assert _placements(db, cat) == [
        ("Awareness", "advert", 0),
        ("Purchase", "website", 0),
        ("Purchase", "checkout", 1),
        ("Purchase", "support", 2),
        ("Purchase", "ticket", 3),
    ]
    assert _post(client, f"{base}/placements/{support}/remove", {}, edit).status_code == 303
    assert "support" not in [k for _, k, _ in _placements(db, cat)]


def test_drag_and_drop_posts_with_the_header_token(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    client = browser(manager)
    base = f"/journeys/{cat.journey_id}"
    token = page_csrf(client, base + "/edit")
    _awareness, purchase = _stage_ids(db, cat)

    response = client.post(
        f"{base}/placements/{cat.touchpoints['advert']}/move",
        data={"stage_id": str(purchase), "position": "1"},
        headers={"x-csrf-token": token},
    )

    assert response.status_code == 200  # the editor, after the redirect
    assert 'id="editor-board"' in response.text
    assert ("Purchase", "advert", 1) in _placements(db, cat)


def test_journey_details_are_saved_and_the_journey_deleted(
    browser: Browser, manager: Member, cat: Catalogue, db: Database
) -> None:
    client = browser(manager)
    edit = f"/journeys/{cat.journey_id}/edit"

    saved = _post(
        client,
        edit,
        {"name": "Lippupolku", "owner_team_id": str(cat.team_id), "target_segment": "kuluttaja"},
        edit,
    )
    assert saved.status_code == 303
    with db.transaction(cat.org.id, readonly=True) as session:
        journey = session.get(Journey, cat.journey_id)
        assert journey is not None
        assert (journey.name, journey.owner_team_id, journey.target_segment) == (
            "Lippupolku",
            cat.team_id,
            "kuluttaja",
        )

    deleted = _post(client, f"/journeys/{cat.journey_id}/delete", {}, edit)
    assert deleted.status_code == 303
    with db.transaction(cat.org.id, readonly=True) as session:
        assert session.get(Journey, cat.journey_id) is None
        assert session.query(Touchpoint).count() == 5


def test_viewer_sees_the_map_but_not_the_editor(
    browser: Browser, factory: Factory, cat: Catalogue, db: Database
) -> None:
    viewer = factory.member(cat.org, Role.VIEWER)
    client = browser(viewer)
    stage = _stage_ids(db, cat)[0]

    assert client.get(f"/journeys/{cat.journey_id}").status_code == 200
    assert "Muokkaa" not in client.get("/journeys").text
    assert client.get(f"/journeys/{cat.journey_id}/edit").status_code == 403
    token = page_csrf(client, "/journeys")
    refused = client.post(
        f"/journeys/{cat.journey_id}/stages/{stage}/delete",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    assert len(_stage_ids(db, cat)) == 2
    assert client.get("/journeys/import").status_code == 403


def test_another_organisations_journey_is_not_found(
    browser: Browser, factory: Factory, manager: Member, cat: Catalogue
) -> None:
    other = seed(factory.db, factory.organisation("Toinen Oy"))
    client = browser(manager)

    assert client.get(f"/journeys/{other.journey_id}").status_code == 404
    assert client.get(f"/journeys/{other.journey_id}/edit").status_code == 404
    assert (
        client.get(f"/journeys/touchpoints/{other.touchpoints['advert']}/edit").status_code == 404
    )
    moved = _post(client, f"/journeys/{other.journey_id}/stages", {"name_fi": "A", "name_en": "A"})
    assert moved.status_code == 404


# --- the journey map and its charts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("fi", ("Vaihesuppilo", "Yleisimmät polut", "4 asiakasta · 4 tapahtumaa", "75 %")),
        ("en", ("Stage funnel", "Top paths", "4 customers · 4 events", "75%")),
    ],
)
def test_journey_map_shows_stages_volumes_paths_and_funnel(
    browser: Browser, manager: Member, cat: Catalogue, language: str, texts: tuple[str, ...]
) -> None:
    page = browser(manager, accept_language=language).get(f"/journeys/{cat.journey_id}")

    assert page.status_code == 200
    for text in texts:
        assert text in page.text, text
    assert '<svg class="dfg"' in page.text
    specs = _specs(page.text)
    assert set(specs) == {"funnel", "paths", "volumes"}
    funnel = specs["funnel"]["data"]["values"]
    assert [(row["reached"]) for row in funnel] == [4, 3]
    paths = specs["paths"]["data"]["values"]
    # On the journey (support is not on it): c1 and c4 alike, c2 one step shorter, c3 one.
    assert [round(row["share"], 2) for row in paths] == [0.5, 0.25, 0.25]
    volumes = {row["customers"] for row in specs["volumes"]["data"]["values"]}
    assert volumes == {4, 3, 2}
    assert all(spec["$schema"].endswith("vega-lite/v6.json") for spec in specs.values())


def test_map_numbers_use_the_readers_format(
    browser: Browser, manager: Member, cat: Catalogue
) -> None:
    fi = _specs(browser(manager).get(f"/journeys/{cat.journey_id}").text)
    en = _specs(browser(manager, accept_language="en").get(f"/journeys/{cat.journey_id}").text)

    assert fi["funnel"]["data"]["values"][1]["label"] == "3 (75 %, −1)"
    assert en["funnel"]["data"]["values"][1]["label"] == "3 (75%, −1)"
    assert fi["paths"]["data"]["values"][0]["text"] == "50 % · 2"


def test_map_filters_by_segment_and_period(
    browser: Browser, manager: Member, cat: Catalogue
) -> None:
    client = browser(manager, accept_language="en")
    url = f"/journeys/{cat.journey_id}"

    business = _specs(client.get(url, params={"segment": "yritys"}).text)
    later = client.get(url, params={"from": "2026-04-01"})
    wrong = client.get(url, params={"from": "huomenna"})

    assert [row["reached"] for row in business["funnel"]["data"]["values"]] == [1, 0]
    assert "No customer has met these touchpoints in this period." in later.text
    assert wrong.status_code == 400
    assert 'id="f-from-error">Give a date as YYYY-MM-DD.' in wrong.text


def test_all_paths_page(browser: Browser, manager: Member) -> None:
    page = browser(manager, accept_language="en").get("/journeys/paths")

    assert page.status_code == 200
    specs = _specs(page.text)
    assert set(specs) == {"paths", "volumes"}
    shares = [round(row["share"], 2) for row in specs["paths"]["data"]["values"]]
    assert shares == [0.5, 0.25, 0.25]
    assert "3 of 3 paths cover 80% of customers." in page.text
    assert "support en" in page.text  # all touchpoints, not one journey's


# --- the CSV import --------------------------------------------------------------------------

CSV = (
    "event_id,customer_id,touchpoint,timestamp\n"
    "n1,c9,advert,2026-03-05T10:00:00+02:00\n"
    "n2,c9,nosuch,2026-03-05T11:00:00+02:00\n"
    "n3,c9,website,not a time\n"
    "n4,c9,website,2026-03-05T12:00:00+02:00\n"
    "c1-0,c1,advert,2026-03-02T09:00:00+00:00\n"
)


@pytest.mark.parametrize("language", ["fi", "en"])
def test_import_shows_problems_by_line_and_keeps_valid_rows(
    browser: Browser, manager: Member, cat: Catalogue, language: str
) -> None:
    client = browser(manager, accept_language=language)
    token = page_csrf(client, "/journeys/import")

    response = client.post(
        "/journeys/import",
        data={"csrf_token": token, "delimiter": "auto", "encoding": "auto"},
        files={"file": ("events.csv", CSV.encode(), "text/csv")},
    )

    assert response.status_code == 200
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", response.text))
    if language == "en":
        assert counts["Stored"] == "2" and counts["Rejected"] == "2"
        assert counts["Already stored (duplicates)"] == "1"
        assert "all-or-nothing" in response.text
    else:
        assert counts["Tallennettu"] == "2" and counts["Hylätty"] == "2"
    lines = re.findall(r'<tr><td class="num">(\d+)</td>', response.text)
    assert lines == ["3", "4"]
    paths = _specs(client.get("/journeys/paths").text)["paths"]["data"]["values"]
    assert sum(row["share"] for row in paths) == pytest.approx(1.0)
    assert len(paths) == 4  # c9's advert → website is a new path


def test_import_without_a_file_says_so(browser: Browser, manager: Member) -> None:
    client = browser(manager, accept_language="en")
    token = page_csrf(client, "/journeys/import")

    response = client.post("/journeys/import", data={"csrf_token": token})

    assert response.status_code == 422
    assert 'id="import-file-error">Choose a CSV file to import.' in response.text


def test_import_accepts_files_over_the_usual_body_limit(
    browser: Browser, manager: Member, cat: Catalogue
) -> None:
    client = browser(manager, accept_language="en")
    token = page_csrf(client, "/journeys/import")
    rows = "".join(f"big-{i},c{i % 50},advert,2026-03-05T10:00:00+02:00\n" for i in range(70_000))
    body = ("event_id,customer_id,touchpoint,timestamp\n" + rows).encode()
    assert len(body) > 3 * 1024 * 1024

    response = client.post(
        "/journeys/import",
        data={"csrf_token": token},
        files={"file": ("big.csv", body, "text/csv")},
    )
    elsewhere = client.post("/journeys", content=body, headers={"content-type": "text/csv"})

    assert response.status_code == 200
    assert re.search(r"<dt>Stored</dt><dd>70,000</dd>", response.text)
    assert elsewhere.status_code == 413
