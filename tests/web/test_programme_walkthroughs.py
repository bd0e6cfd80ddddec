"""Walking the journey in the pages: schedule a walk, start it, save a check on the
checklist, finish it; the list shows the next due date; another organisation sees none."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role
from kohtaamo.journeys import journeymap
from kohtaamo.journeys.models import Journey
from kohtaamo.journeys.schemas import PlacementIn
from kohtaamo.kit.clock import utcnow
from kohtaamo.programme.models import Walkthrough, WalkthroughCheck
from kohtaamo.storage.db import Database
from tests.factories import Factory, page_csrf, sign_in
from tests.journeys.helpers import seed


def test_schedule_walk_check_and_finish(db: Database, factory: Factory, client: TestClient) -> None:
    cat = seed(db, factory.organisation())
    with db.transaction(cat.org.id) as session:
        journey = session.get(Journey, cat.journey_id)
        assert journey is not None
        journeymap.do_place_touchpoint(
            session,
            cat.actor,
            cat.journey_id,
            cat.touchpoints["checkout"],
            PlacementIn(stage_id=journey.stages[0].id),
        )
    manager = factory.member(cat.org, Role.ADMIN)
    sign_in(client, manager.user.email)
    today = utcnow().date()
    token = page_csrf(client, "/programme/walkthroughs")
    bad = client.post(
        "/programme/walkthroughs",
        headers={"accept-language": "en"},
        data={
            "csrf_token": token,
            "title": "Lippupolku",
            "journey_id": str(cat.journey_id),
            "first_due": (today - timedelta(days=3)).isoformat(),
        },
    )
    assert bad.status_code == 422 and "The due date is in the past." in bad.text
    made = client.post(
        "/programme/walkthroughs",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "title": "Lippupolku",
            "journey_id": str(cat.journey_id),
            "owner_id": str(manager.user.id),
            "every_days": "30",
            "first_due": today.isoformat(),
        },
    )
    assert made.status_code == 303
    with db.transaction(cat.org.id, readonly=True) as session:
        walk = session.scalars(select(Walkthrough)).one()
    started = client.post(
        f"/programme/walkthroughs/{walk.id}/start",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    run_path = started.headers["location"]
    page = client.get(run_path, headers={"accept-language": "en"}).text
    assert "checkout en" in page and "The touchpoint as a whole" in page
    token = page_csrf(client, run_path)
    saved = client.post(
        f"{run_path}/checks",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "touchpoint_id": str(cat.touchpoints["checkout"]),
            "standard_id": "",
            "result": "fail",
            "note": "Jono kassalla",
        },
    )
    assert saved.status_code == 303
    assert 'data-saved="fail"' in client.get(run_path).text
    client.post(f"{run_path}/finish", data={"csrf_token": token, "summary": "Kassa"})
    with db.transaction(cat.org.id, readonly=True) as session:
        assert session.scalars(select(WalkthroughCheck)).one().note == "Jono kassalla"
        assert session.scalars(select(Walkthrough)).one().next_due == today + timedelta(days=30)
    listing = client.get("/programme/walkthroughs", headers={"accept-language": "fi"}).text
    assert "Lippupolku" in listing and re.search(r"\d{4}-\d{2}-\d{2}", listing)

    stranger = factory.member(factory.organisation(), Role.OWNER)
    sign_in(client, stranger.user.email)
    assert "Lippupolku" not in client.get("/programme/walkthroughs").text
    assert client.get(run_path).status_code == 404
