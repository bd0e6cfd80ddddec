"""Comment theme and sentiment in the analytics store: the sync copies analysed survey
comments (and replaces them when re-analysed), the query layer slices survey metrics by
theme and comment sentiment and measures comment sentiment, never across organisations.
Expected numbers are computed from the operational rows, not written down."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.analytics import comments_sync, query, text_comments
from kohtaamo.analytics.catalogue import metric
from kohtaamo.analytics.service import record_erasure
from kohtaamo.analytics.source import Source
from kohtaamo.analytics.store import AnalyticsStore
from kohtaamo.analytics.sync import sync
from kohtaamo.api.v1.metrics import analytics_source
from kohtaamo.metrics._checks import Sufficiency
from kohtaamo.storage.db import Database
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import SurveyResponse
from kohtaamo.surveys.responses import Submission
from kohtaamo.text import theme_rules
from kohtaamo.text.models import CommentAnalysis, CommentTheme
from kohtaamo.text.schemas import ThemeIn
from kohtaamo.text.service import analyse
from tests.analytics.conftest import SyncedStore
from tests.factories import Factory
from tests.surveys.helpers import SurveyFixture, make_survey
from tests.web.conftest import Browser, browser  # noqa: F401  (fixture)
from tests.web.test_text_pages import signed_in

COMMENTS = [
    "Jonossa meni puoli tuntia, henkilökunta oli silti ystävällistä.",
    "Henkilökunta oli todella ystävällistä ja palvelu nopeaa.",
    "Jonotus kesti liian kauan eikä kukaan auttanut.",
    "Hinta oli liian kallis, mutta myyjä oli avulias.",
    "Odotin pitkään kassalla, huono kokemus.",
]


def submit(db: Database, fx: SurveyFixture, nps: int, comment: str) -> uuid.UUID:
    """A finished response with a comment, stored and analysed as the job would."""
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
        response_id = response.id
    with db.transaction(fx.org.id) as session:
        analyse(session, text_comments.submit_response(session, response_id))
    return response_id


def fill(db: Database, fx: SurveyFixture, n: int, offset: int = 0) -> None:
    for i in range(n):
        submit(db, fx, (i + offset) % 7, COMMENTS[(i + offset) % len(COMMENTS)])


def sync_all(store: SyncedStore) -> Source:
    store.last = sync(store.store, store.db, refresh_dimensions=True)
    return store.store.source()


def operational(db: Database, org_id: uuid.UUID) -> tuple[dict[str, set[str]], list[float]]:
    """Responses by theme key, and every comment score, of one organisation."""
    with db.transaction(org_id, readonly=True) as session:
        themes = session.execute(
            select(CommentTheme.key, CommentAnalysis.response_id).join(
                CommentAnalysis, CommentAnalysis.id == CommentTheme.analysis_id
            )
        ).all()
        scores = list(session.scalars(select(CommentAnalysis.score)))
    by_theme: dict[str, set[str]] = defaultdict(set)
    for key, response_id in themes:
        by_theme[key].add(str(response_id))
    return by_theme, [float(s) for s in scores if s is not None]


@pytest.fixture
def two(db: Database, factory: Factory) -> tuple[SurveyFixture, SurveyFixture]:
    return make_survey(db, factory.organisation("Meidän")), make_survey(
        db, factory.organisation("Muiden")
    )


def test_metrics_sliced_by_theme_count_each_response_under_its_themes_and_only_ours(
    db: Database, analytics_store: SyncedStore, two: tuple[SurveyFixture, SurveyFixture]
) -> None:
    ours, theirs = two
    fill(db, ours, 10)
    fill(db, theirs, 7, offset=1)
    source = sync_all(analytics_store)
    by_theme, scores = operational(db, ours.org.id)
    assert by_theme, "the comments name themes"
    spec = query.Spec(("responses", "comment_sentiment", "negative_comment_share"), ("theme",))
    found = {c.key["theme"]: c.values for c in query.cells(source, ours.org.id, spec)}
    named = {k: v for k, v in found.items() if k is not None}
    assert {k: int(v["responses"].value or 0) for k, v in named.items()} == {
        k: len(v) for k, v in by_theme.items()
    }
    # Sliced by theme, each comment counts once under each theme it names.
    assert all(v["comment_sentiment"].n == len(by_theme[k]) for k, v in named.items())
    # Another organisation's comments never show: not in the totals, not as keys.
    total = query.cells(source, ours.org.id, query.Spec(("comment_sentiment",)))[0]
    assert total.values["comment_sentiment"].n == len(scores) == 10
    theirs_total = query.cells(source, theirs.org.id, query.Spec(("comment_sentiment",)))[0]
    assert theirs_total.values["comment_sentiment"].n == 7
    c = source.comments
    assert set(source.execute(c.filter(c.organisation_id == str(ours.org.id))).organisation_id) == {
        str(ours.org.id)
    }


def test_comment_sentiment_is_the_mean_score_and_negative_share_counts_negatives(
    db: Database, analytics_store: SyncedStore, two: tuple[SurveyFixture, SurveyFixture]
) -> None:
    ours, theirs = two
    fill(db, ours, 31)
    fill(db, theirs, 5)
    source = sync_all(analytics_store)
    with db.transaction(ours.org.id, readonly=True) as session:
        rows = session.execute(select(CommentAnalysis.score, CommentAnalysis.sentiment)).all()
    spec = query.Spec(("comment_sentiment", "negative_comment_share"))
    cell = query.cells(source, ours.org.id, spec)[0]
    mean = cell.values["comment_sentiment"]
    assert mean.status is Sufficiency.OK and mean.n == len(rows) == 31
    assert mean.value == pytest.approx(sum(r.score for r in rows) / len(rows))
    share = cell.values["negative_comment_share"]
    negatives = sum(r.sentiment == "negative" for r in rows)
    assert share.value == pytest.approx(100 * negatives / len(rows))
    assert 0 < negatives < len(rows)
    # Sliced by comment sentiment: NPS of responses whose comment is negative.
    by = query.cells(source, ours.org.id, query.Spec(("nps", "responses"), ("comment_sentiment",)))
    counts = {c.key["comment_sentiment"]: c.values["responses"].value for c in by}
    assert counts.get("negative") == negatives
    assert metric("negative_comment_share").higher_is_better is False


def test_reanalysis_replaces_a_comments_rows_in_the_store(
    db: Database, analytics_store: SyncedStore, two: tuple[SurveyFixture, SurveyFixture]
) -> None:
    ours, _ = two
    fill(db, ours, 5)
    source = sync_all(analytics_store)
    before = source.execute(source.comment_themes)
    assert "kassa" not in set(before.theme)
    with db.transaction(ours.org.id) as session:
        theme_rules.create_theme(session, ThemeIn(key="kassa", terms={"fi": ["kassa"]}))
        analyse(session, list(session.scalars(select(CommentAnalysis.id))))
    source = sync_all(analytics_store)
    assert analytics_store.last is not None and analytics_store.last.comments_placed == 5
    after = source.execute(source.comment_themes)
    by_theme, _ = operational(db, ours.org.id)
    assert sorted(after.theme) == sorted(k for k, v in by_theme.items() for _ in v)
    assert "kassa" in set(after.theme)
    assert len(source.execute(source.comments)) == 5  # replaced, not doubled
    sync_all(analytics_store)
    assert analytics_store.last.comments_placed == 0  # the overlap re-read changes nothing


def test_small_chunks_copy_the_same_comments(
    db: Database,
    analytics_store: SyncedStore,
    two: tuple[SurveyFixture, SurveyFixture],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ours, theirs = two
    fill(db, ours, 4)
    fill(db, theirs, 3)
    with db.transaction(ours.org.id) as session:  # one analysis time for all four
        analyse(session, list(session.scalars(select(CommentAnalysis.id))))
    whole = sync_all(analytics_store)
    monkeypatch.setattr(comments_sync, "CHUNK", 2)  # chunk edges inside equal times too
    fresh = AnalyticsStore(":memory:")
    try:
        sync(fresh, db, refresh_dimensions=True)
        for table in ("comments", "comment_themes"):
            a = whole.execute(getattr(whole, table)).sort_values(["analysis_id"]).to_dict("records")
            src = fresh.source()
            b = src.execute(getattr(src, table)).sort_values(["analysis_id"]).to_dict("records")
            assert sorted(map(str, a)) == sorted(map(str, b)) and len(a) >= 7
    finally:
        fresh.close()


def test_rollups_never_answer_comment_metrics(
    db: Database, analytics_store: SyncedStore, two: tuple[SurveyFixture, SurveyFixture]
) -> None:
    ours, _ = two
    fill(db, ours, 6)
    source = sync_all(analytics_store)
    assert source.rollup is not None
    spec = query.Spec(("comment_sentiment", "nps"), ("touchpoint",))
    rolled = query.cells(source, ours.org.id, spec)
    raw = query.cells(replace(source, rollup=None), ours.org.id, spec)
    assert rolled == raw
    assert sum(c.values["comment_sentiment"].n for c in rolled) == 6


def test_erasing_a_response_takes_its_comments_out_of_the_store(
    db: Database, analytics_store: SyncedStore, two: tuple[SurveyFixture, SurveyFixture]
) -> None:
    ours, _ = two
    fill(db, ours, 3)
    first = submit(db, ours, 1, COMMENTS[2])
    source = sync_all(analytics_store)
    assert str(first) in set(source.execute(source.comments).response_id)
    with db.transaction(ours.org.id) as session:
        session.delete(session.get(SurveyResponse, first))
        record_erasure(session, response_ids=[first])
    source = sync_all(analytics_store)
    assert str(first) not in set(source.execute(source.comments).response_id)
    assert str(first) not in set(source.execute(source.comment_themes).response_id)
    assert len(source.execute(source.comments)) == 3


def test_the_metrics_api_lists_the_comment_metrics_and_slices_by_theme(
    db: Database,
    client: TestClient,
    factory: Factory,
    analytics_store: SyncedStore,
    two: tuple[SurveyFixture, SurveyFixture],
) -> None:
    ours, theirs = two
    fill(db, ours, 5)
    fill(db, theirs, 5, offset=2)
    sync_all(analytics_store)
    client.app.dependency_overrides[analytics_source] = analytics_store.source  # type: ignore[attr-defined]
    key = factory.api_key(ours.org, Scope.READ)
    spec = {"metrics": ["comment_sentiment", "negative_comment_share"], "by": ["theme"]}
    found = client.post(
        "/api/v1/metrics/query", json=spec, headers={"authorization": f"Bearer {key}"}
    )
    assert found.status_code == 200, found.text
    body = found.json()
    by_theme, _ = operational(db, ours.org.id)
    got = {c["key"]["theme"]: c["values"]["comment_sentiment"]["n"] for c in body["cells"]}
    assert got == {k: len(v) for k, v in by_theme.items()}
    assert body["labels"]["theme"]["staff_attitude"]
    listed = client.get("/api/v1/metrics", headers={"authorization": f"Bearer {key}"}).json()
    assert {"comment_sentiment", "negative_comment_share"} <= {
        m["slug"] for m in (listed["metrics"] if isinstance(listed, dict) else listed)
    }


def test_the_explorer_offers_theme_and_comment_sentiment(
    db: Database,
    factory: Factory,
    browser: Browser,  # noqa: F811
    two: tuple[SurveyFixture, SurveyFixture],
) -> None:
    ours, _ = two
    fill(db, ours, 5)
    for lang, words in (("fi", "Kommentin teema"), ("en", "Comment theme")):
        page = signed_in(browser, factory, ours.org, Role.ANALYST, lang).get(
            "/analytics/explore?metric=negative_comment_share&by=theme&by2=comment_sentiment"
        )
        assert page.status_code == 200, page.text
        assert 'value="theme"' in page.text and 'value="comment_sentiment"' in page.text
        if lang == "en":  # the Finnish words arrive with the merged translations
            assert words in page.text
