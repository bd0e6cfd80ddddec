"""Themes over stored comments: saving a theme re-applies the rules to past comments in
background batches (progress on the themes page, a newer save superseding an older
run), deleting a theme takes it off the comments, and the catch-up job finds the
comments a lost observer or a failed analysis left behind."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from kohtaamo.accounts.permissions import Role
from kohtaamo.analytics import text_catchup
from kohtaamo.config import Settings
from kohtaamo.jobs import enqueue
from kohtaamo.jobs.models import Job, JobStatus
from kohtaamo.jobs.runner import Runner
from kohtaamo.kit.clock import utcnow
from kohtaamo.storage.db import Database
from kohtaamo.storage.tenancy import ALL_TENANTS
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import SurveyResponse
from kohtaamo.surveys.responses import Submission
from kohtaamo.text import retheme, theme_rules
from kohtaamo.text.models import CommentAnalysis, CommentTheme
from kohtaamo.text.schemas import ThemeIn
from kohtaamo.text.service import CommentIn, analyse, submit_comments
from kohtaamo.text.tasks import ANALYSE_TASK, RETHEME_TASK
from tests.factories import Factory, csrf_from
from tests.surveys.helpers import SurveyFixture, make_survey
from tests.web.conftest import Browser, browser  # noqa: F401  (fixture)
from tests.web.test_text_pages import signed_in

KASSA = ["Kassalla jonotin pitkään.", "Kassajono oli lyhyt.", "Hinta oli kallis."]


@pytest.fixture
def jobs(db: Database, settings: Settings) -> Iterator[Runner]:
    runner = Runner(db, settings, lease=timedelta(seconds=5), schedule=False)
    yield runner
    runner.stop()


def seed(db: Database, org_id: uuid.UUID, texts: list[str]) -> list[uuid.UUID]:
    with db.transaction(org_id) as session:
        ids = submit_comments(
            session,
            [CommentIn(text=t, source="import", ref=f"r{i}") for i, t in enumerate(texts)],
            analyse_later=False,
        )
        analyse(session, ids)
        return ids


def keys_of(db: Database, org_id: uuid.UUID) -> dict[str, set[str]]:
    """Theme keys by comment text, from the CommentTheme rows."""
    with db.transaction(org_id, readonly=True) as session:
        rows = session.execute(
            select(CommentAnalysis.redacted_text, CommentTheme.key).join(
                CommentTheme, CommentTheme.analysis_id == CommentAnalysis.id
            )
        ).all()
    found: dict[str, set[str]] = {}
    for text, key in rows:
        found.setdefault(text, set()).add(key)
    return found


def pending(db: Database, task: str) -> list[Job]:
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        found = list(
            session.scalars(select(Job).where(Job.task == task, Job.status == JobStatus.PENDING))
        )
        session.expunge_all()
        return found


def test_saving_a_theme_reapplies_the_rules_to_past_comments_in_batches(
    db: Database, factory: Factory, jobs: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, other = factory.organisation(), factory.organisation()
    seed(db, org.id, KASSA * 2)
    seed(db, other.id, KASSA)
    assert not any("kassa" in keys for keys in keys_of(db, org.id).values())
    monkeypatch.setattr(retheme, "BATCH", 4)  # six comments: two batches, progress between
    with db.transaction(org.id) as session:
        theme_rules.create_theme(session, ThemeIn(key="kassa", terms={"fi": ["kassa"]}))
    [first] = pending(db, RETHEME_TASK)
    assert first.organisation_id == org.id and first.payload["total"] == 6
    with db.transaction(org.id, readonly=True) as session:
        assert retheme.progress(session) == 0
    assert jobs.run_pending(limit=1) == 1
    [second] = pending(db, RETHEME_TASK)
    assert second.payload["done"] == 4 and second.payload["after"]
    with db.transaction(org.id, readonly=True) as session:
        assert retheme.progress(session) == 66
    jobs.run_pending()
    with db.transaction(org.id, readonly=True) as session:
        assert retheme.progress(session) is None
    named = {t for t, keys in keys_of(db, org.id).items() if "kassa" in keys}
    assert named == {"Kassalla jonotin pitkään.", "Kassajono oli lyhyt."}
    # The other organisation's comments are not touched.
    assert not any("kassa" in keys for keys in keys_of(db, other.id).values())
    # Idempotent: a batch run again (a crash before its commit) changes nothing.
    before = keys_of(db, org.id)
    with db.transaction(org.id) as session:
        retheme.run_batch(session, dict(first.payload))
    assert keys_of(db, org.id) == before


def test_a_newer_save_supersedes_the_run_under_way(
    db: Database, factory: Factory, jobs: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = factory.organisation()
    seed(db, org.id, KASSA * 2)
    monkeypatch.setattr(retheme, "BATCH", 2)
    with db.transaction(org.id) as session:
        theme = theme_rules.create_theme(session, ThemeIn(key="kassa", terms={"fi": ["kassa"]}))
    [old] = pending(db, RETHEME_TASK)
    with db.transaction(org.id) as session:
        theme_rules.update_theme(
            session, theme.id, ThemeIn(key="kassa", terms={"fi": ["kassa", "hinta"]})
        )
    with db.transaction(org.id) as session:
        assert retheme.run_batch(session, dict(old.payload)) == 0  # the old run stops
    jobs.run_pending()
    named = {t for t, keys in keys_of(db, org.id).items() if "kassa" in keys}
    assert named == set(KASSA)
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        runs = {
            j.payload["run"] for j in session.scalars(select(Job).where(Job.task == RETHEME_TASK))
        }
    assert len(runs) == 2


def test_the_themes_page_shows_progress_and_a_theme_is_deleted_after_confirmation(
    db: Database,
    factory: Factory,
    browser: Browser,  # noqa: F811
) -> None:
    org = factory.organisation()
    seed(db, org.id, KASSA)
    with db.transaction(org.id) as session:
        theme = theme_rules.create_theme(session, ThemeIn(key="kassa", terms={"fi": ["kassa"]}))
        analyse(session, list(session.scalars(select(CommentAnalysis.id))))
    client = signed_in(browser, factory, org, Role.ANALYST, "en")
    page = client.get("/text/themes")
    assert re.search(r'id="reanalysing">[^<]*: 0 %', page.text)
    edit = client.get(f"/text/themes/{theme.id}")
    assert "The theme is taken off the 2 comments that name it." in edit.text
    assert f'action="/text/themes/{theme.id}/delete"' in edit.text
    fi = signed_in(browser, factory, org, Role.ANALYST, "fi")
    assert f'action="/text/themes/{theme.id}/delete"' in fi.get(f"/text/themes/{theme.id}").text
    gone = client.post(
        f"/text/themes/{theme.id}/delete",
        data={"csrf_token": csrf_from(edit.text)},
        follow_redirects=False,
    )
    assert gone.status_code == 303 and gone.headers["location"] == "/text/themes?done=deleted"
    assert "The theme was deleted." in client.get(gone.headers["location"]).text
    assert not any("kassa" in keys for keys in keys_of(db, org.id).values())
    with db.transaction(org.id, readonly=True) as session:
        stored = session.scalars(select(CommentAnalysis.themes)).all()
        assert all(t["key"] != "kassa" for themes in stored for t in themes)
        assert theme.key not in {t.key for t in theme_rules.list_themes(session)}
    assert (
        client.post(
            f"/text/themes/{theme.id}/delete", data={"csrf_token": csrf_from(edit.text)}
        ).status_code
        == 404
    )


# --- catching up -----------------------------------------------------------------------


def submit(db: Database, fx: SurveyFixture, nps: int, comment: str) -> uuid.UUID:
    """A finished response with a comment, with no observer listening (lost)."""
    with db.transaction(fx.org.id) as session:
        survey = service.get_survey(session, fx.actor, fx.survey_id)
        response, _ = responses.do_submit(
            session,
            survey,
            Submission(
                answers={"ease": {"expected": 4, "experienced": 2}, "nps": nps, "why_low": comment},
                language="fi",
                finished=True,
                channel=ResponseChannel.LINK,
            ),
        )
        return response.id


def count(db: Database, org_id: uuid.UUID, *where: Any) -> int:
    with db.transaction(org_id, readonly=True) as session:
        return int(
            session.scalar(select(func.count()).select_from(CommentAnalysis).where(*where)) or 0
        )


def test_the_catch_up_job_stores_and_analyses_what_the_lost_observer_left(
    db: Database, factory: Factory, jobs: Runner
) -> None:
    fx = make_survey(db, factory.organisation("Kadonnut Oy"))
    quiet = make_survey(db, factory.organisation("Hiljainen Oy"))
    lost = [submit(db, fx, 2, "Jonossa meni tunti."), submit(db, fx, 3, "Hinta oli kallis.")]
    submit(db, fx, 9, "")  # no comment: nothing to catch up on
    with db.transaction(fx.org.id) as session:
        # A comment stored whose analysis job was lost (the worker crashed, then gave up).
        submit_comments(session, [CommentIn(text="Kassa oli hidas.", source="import", ref="x")])
    with db.transaction(ALL_TENANTS) as session:
        session.execute(delete(Job).where(Job.task == ANALYSE_TASK))
    assert count(db, fx.org.id) == 1 and count(db, quiet.org.id) == 0

    def scan() -> None:
        with db.transaction(ALL_TENANTS) as session:
            enqueue(session, text_catchup.SCAN_TASK)
        jobs.run_pending()

    scan()  # everything is younger than the grace period: the observer may still come
    assert count(db, fx.org.id, CommentAnalysis.analysed_at.is_not(None)) == 0
    earlier = utcnow() - timedelta(minutes=5)
    with db.transaction(fx.org.id) as session:
        session.execute(update(SurveyResponse).values(finished_at=earlier))
        session.execute(update(CommentAnalysis).values(answered_at=earlier))
    scan()
    with db.transaction(fx.org.id, readonly=True) as session:
        rows = session.scalars(select(CommentAnalysis)).all()
        assert {r.response_id for r in rows if r.response_id} == set(lost)
        assert all(r.analysed_at is not None and r.sentiment for r in rows)
    assert len(rows) == 3
    assert count(db, quiet.org.id) == 0
    with db.transaction(ALL_TENANTS, readonly=True) as session:
        orgs = session.scalars(select(Job.organisation_id).where(Job.task == "text.catchup"))
        assert set(orgs) == {fx.org.id}
        # Nothing is behind any more: the next scan finds no organisation.
        assert text_catchup.organisations_behind(session, utcnow()) == set()
