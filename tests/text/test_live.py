"""Text analytics on stored comments: the job on a response's arrival, idempotence,
lemma search with filters, tenant isolation, originals kept only when chosen, the
batch command."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kohtaamo.analytics import text_comments
from kohtaamo.cli.main import app as cli_app
from kohtaamo.config import Settings
from kohtaamo.jobs.runner import Runner
from kohtaamo.storage.db import Database
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.responses import Submission
from kohtaamo.text import theme_rules
from kohtaamo.text.models import CommentAnalysis, CommentLemma
from kohtaamo.text.schemas import CommentFilters, TextSettingsIn, ThemeIn
from kohtaamo.text.search import search_comments
from kohtaamo.text.service import CommentIn, submit_comments, update_settings
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey


@pytest.fixture
def fx(db: Database, factory: Factory) -> SurveyFixture:
    return make_survey(db, factory.organisation("Kauppa Oy"))


@pytest.fixture
def jobs(db: Database, settings: Settings) -> Iterator[Runner]:
    runner = Runner(db, settings, lease=timedelta(seconds=5), schedule=False)
    yield runner
    runner.stop()


@pytest.fixture
def observed(db: Database) -> Iterator[None]:
    unsubscribe = responses.subscribe(text_comments.observer(db))
    yield
    unsubscribe()


def submit(db: Database, fx: SurveyFixture, nps: int, comment: str, lang: str = "fi") -> None:
    with db.transaction(fx.org.id) as session:
        survey = service.get_survey(session, fx.actor, fx.survey_id)
        responses.do_submit(
            session,
            survey,
            Submission(
                answers={"ease": {"expected": 4, "experienced": 2}, "nps": nps, "why_low": comment},
                language=lang,
                finished=True,
                channel=ResponseChannel.LINK,
            ),
        )


def rows(db: Database, org_id: Any) -> list[CommentAnalysis]:
    with db.transaction(org_id, readonly=True) as session:
        found = list(session.scalars(select(CommentAnalysis)))
        session.expunge_all()
        return found


def test_a_finished_response_is_analysed_by_its_job(
    db: Database, fx: SurveyFixture, jobs: Runner, observed: None
) -> None:
    submit(
        db,
        fx,
        2,
        "Jonossa meni puoli tuntia, henkilökunta oli silti ystävällistä. Soita 040 123 4567",
    )
    (pending,) = rows(db, fx.org.id)
    assert pending.analysed_at is None and "[phone]" in pending.redacted_text
    assert pending.original_text is None  # the default: originals are not kept
    assert pending.rating_role == "nps" and pending.rating_value == 2
    assert jobs.run_pending() == 1
    (done,) = rows(db, fx.org.id)
    assert done.analysed_at is not None and done.language == "fi"
    keys = {t["key"]: t["sentiment"] for t in done.themes}
    assert keys.get("staff_attitude") == "positive"
    assert "speed_waiting" in keys
    # Idempotent: analysing again replaces, never doubles.
    with db.transaction(fx.org.id) as session:
        text_comments.submit_response(session, done.response_id)  # type: ignore[arg-type]
    jobs.run_pending()
    with db.transaction(fx.org.id, readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(CommentAnalysis)) == 1
        lemmas = list(session.scalars(select(CommentLemma.lemma)))
        assert len(lemmas) == len(set(lemmas)) and "jono" in lemmas


def test_originals_are_kept_only_when_the_organisation_chooses(
    db: Database, fx: SurveyFixture
) -> None:
    comment = CommentIn(text="Maili: matti@example.fi", source="import", ref="a1")
    with db.transaction(fx.org.id) as session:
        submit_comments(session, [comment])
    assert rows(db, fx.org.id)[0].original_text is None
    with db.transaction(fx.org.id) as session:
        update_settings(session, TextSettingsIn(keep_originals=True))
        submit_comments(session, [comment])
    (kept,) = rows(db, fx.org.id)
    assert kept.original_text == "Maili: matti@example.fi" and "[email]" in kept.redacted_text
    with db.transaction(fx.org.id) as session:
        update_settings(session, TextSettingsIn(keep_originals=False))
    assert rows(db, fx.org.id)[0].original_text is None  # turning it off forgets them


def _seed(db: Database, org_id: Any, texts: list[tuple[str, str]]) -> None:
    with db.transaction(org_id) as session:
        ids = submit_comments(
            session,
            [CommentIn(text=t, source="import", ref=f"r{i}", survey_language=lang)
             for i, (t, lang) in enumerate(texts)],
            analyse_later=False,
        )  # fmt: skip
        from kohtaamo.text.service import analyse

        analyse(session, ids)


def test_search_by_lemma_finds_inflected_and_derived_forms(db: Database, factory: Factory) -> None:
    org, other = factory.organisation("A Oy"), factory.organisation("B Oy")
    _seed(
        db,
        org.id,
        [
            ("Jonossa meni kauan.", "fi"),
            ("Jonotus oli turhauttavaa.", "fi"),
            ("Jonoon ei ollut ketään, hienoa!", "fi"),
            ("Hinta oli liian kallis.", "fi"),
            ("The queue was awful.", "en"),
        ],
    )
    _seed(db, other.id, [("Jonossa odotin tunnin.", "fi")])
    with db.transaction(org.id, readonly=True) as session:
        found = search_comments(session, CommentFilters(query="jono"))
        assert found.total == 3
        assert {c.text for c in found.items} == {
            "Jonossa meni kauan.", "Jonotus oli turhauttavaa.", "Jonoon ei ollut ketään, hienoa!"
        }  # fmt: skip
        positive = search_comments(session, CommentFilters(query="jono", sentiment="positive"))
        assert [c.text for c in positive.items] == ["Jonoon ei ollut ketään, hienoa!"]
        priced = search_comments(session, CommentFilters(theme="price"))
        assert [c.text for c in priced.items] == ["Hinta oli liian kallis."]
        english = search_comments(session, CommentFilters(query="queues", language="en"))
        assert english.total == 1
        from kohtaamo.kit.pagination import PageRequest

        paged = search_comments(session, CommentFilters(), PageRequest(limit=2, offset=4))
        assert paged.total == 5 and len(paged.items) == 1
    with db.transaction(other.id, readonly=True) as session:
        theirs = search_comments(session, CommentFilters(query="jono"))
        assert [c.text for c in theirs.items] == ["Jonossa odotin tunnin."]  # never org A's


def test_theme_editor_rules_change_the_analysis(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    _seed(db, org.id, [("Pyöräteline oli rikki.", "fi")])
    rule = ThemeIn(key="bike_racks", group="service", terms={"fi": ["pyöräteline"]})
    with db.transaction(org.id) as session:
        tried = theme_rules.try_rule(session, rule)
        assert tried["matched"] == 1 and tried["matches"][0]["lemmas"] == ["pyöräteline"]
        theme_rules.create_theme(session, rule)
        assert "bike_racks" in {t.key for t in theme_rules.list_themes(session)}
    _seed(db, org.id, [("Pyöräteline oli rikki.", "fi")])
    with db.transaction(org.id, readonly=True) as session:
        assert search_comments(session, CommentFilters(theme="bike_racks")).total == 1


def test_cli_reanalyze_analyses_history(
    cli_env: Database,
    runner: CliRunner,
    fx: SurveyFixture,
) -> None:
    submit(cli_env, fx, 5, "Kassalla palvelu oli nopeaa ja ystävällistä")
    submit(cli_env, fx, 1, "")
    assert rows(cli_env, fx.org.id) == []  # no observer in this test: nothing yet
    result = runner.invoke(cli_app, ["text", "reanalyze", "--org", fx.org.slug])
    assert result.exit_code == 0, result.output
    assert "1 comments analysed" in result.output
    (done,) = rows(cli_env, fx.org.id)
    assert done.sentiment == "positive" and done.rating_value == 5
    again = runner.invoke(cli_app, ["text", "reanalyze", "--org", fx.org.slug])
    assert again.exit_code == 0 and len(rows(cli_env, fx.org.id)) == 1
    missing = runner.invoke(cli_app, ["text", "reanalyze", "--org", "nope"])
    assert missing.exit_code == 1


def test_submitting_comments_again_replaces_them_in_one_lookup(
    db: Database, factory: Factory
) -> None:
    """The batch looks stored rows up in one query: a comment given twice in one call,
    or again later, stays one row with the newest text; another source's equal ref is
    another comment."""
    org = factory.organisation("Toinen Oy")
    first = CommentIn(text="Hidas toimitus", source="import", ref="a-1")
    with db.transaction(org.id) as session:
        ids = submit_comments(
            session, [first, first, CommentIn(text="Hyvä", source="import", ref="a-2")]
        )
    assert len(ids) == 2
    with db.transaction(org.id) as session:
        again = submit_comments(
            session,
            [
                CommentIn(text="Nopea toimitus", source="import", ref="a-1"),
                CommentIn(text="Muu", source="observation", ref="a-1"),
            ],
        )
    assert again[0] == ids[0] and again[1] not in ids
    stored = {(r.source, r.ref): r.redacted_text for r in rows(db, org.id)}
    assert stored == {
        ("import", "a-1"): "Nopea toimitus",
        ("import", "a-2"): "Hyvä",
        ("observation", "a-1"): "Muu",
    }
