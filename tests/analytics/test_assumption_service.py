"""The assumption register's services on the test database (SQLite, or PostgreSQL when
KOHTAAMO_TEST_DATABASE_URL is set), with planted answers in an in-memory store."""

from __future__ import annotations

import pytest

from kohtaamo.analytics import assumption_service as service
from kohtaamo.analytics.assumptions import CompareGroups, GapClaim
from kohtaamo.analytics.models import Assumption, AssumptionCheck
from kohtaamo.errors import InvalidInput, NotFound
from kohtaamo.storage.db import Database
from tests.analytics.assumption_world import csat_world, source_of_rows
from tests.factories import Factory


def _billing(**kw: object) -> service.AssumptionIn:
    spec = CompareGroups(
        metric="csat",
        dimension="segment",
        group_a="corporate",
        group_b="consumer",
        touchpoint="billing",
    )
    return service.AssumptionIn(spec=spec, **kw)


def test_create_check_list_recheck_delete(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    actor = factory.member(org).actor
    source = source_of_rows(csat_world(str(org.id)))
    with db.transaction(org.id) as session:
        row = service.do_create_assumption(session, actor, source, _billing(), locale="fi")
        assumption_id = row.id
        assert "Laskutus" in row.statement  # composed in Finnish: the touchpoint by its name
        assert row.verdict is None and row.kind == "compare_groups"
    with db.transaction(org.id) as session:
        first = service.do_check_assumption(session, actor, source, assumption_id)
        assert first.verdict == "holds" and first.result["a"]["n"] == 210
    with db.transaction(org.id) as session:
        service.do_check_assumption(session, actor, source, assumption_id)
    with db.transaction(org.id, readonly=True) as session:
        stored = service.get_assumption(session, actor, assumption_id)
        assert stored.verdict == "holds" and stored.checked_at is not None
        assert [a.id for a in service.list_assumptions(session, actor)] == [assumption_id]
        checks = service.list_checks(session, actor, assumption_id)
        assert len(checks) == 2 and checks[0].checked_at >= checks[1].checked_at
        assert checks[0].result["test"] == "two_proportion_z"
    with db.transaction(org.id) as session:
        service.do_delete_assumption(session, actor, assumption_id)
    with db.transaction(org.id, readonly=True) as session:
        assert session.query(Assumption).count() == 0
        assert session.query(AssumptionCheck).count() == 0


def test_written_statement_is_kept_and_english_is_composed(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    actor = factory.member(org).actor
    source = source_of_rows(csat_world(str(org.id)))
    with db.transaction(org.id) as session:
        mine = service.do_create_assumption(
            session, actor, source, _billing(statement="  Yritykset tykkäävät laskuista  ")
        )
        composed = service.do_create_assumption(session, actor, source, _billing(), locale="en")
        assert mine.statement == "Yritykset tykkäävät laskuista"
        assert composed.statement == (
            "Customer satisfaction (CSAT) at Billing is higher for corporate than for consumer."
        )


def test_create_refuses_what_the_data_lacks(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    actor = factory.member(org).actor
    source = source_of_rows(csat_world(str(org.id)))
    bad = service.AssumptionIn(spec=GapClaim(touchpoint="nowhere"))
    with db.transaction(org.id) as session, pytest.raises(InvalidInput) as caught:
        service.do_create_assumption(session, actor, source, bad)
    assert caught.value.problems[0].field == "touchpoint"
    with db.transaction(org.id, readonly=True) as session:
        assert session.query(Assumption).count() == 0


def test_another_organisation_cannot_reach_an_assumption(db: Database, factory: Factory) -> None:
    org, other = factory.organisation(), factory.organisation()
    actor, stranger = factory.member(org).actor, factory.member(other).actor
    source = source_of_rows(csat_world(str(org.id)))
    with db.transaction(org.id) as session:
        assumption_id = service.do_create_assumption(session, actor, source, _billing()).id
    with db.transaction(other.id) as session:
        assert service.list_assumptions(session, stranger) == []
        for call in (service.get_assumption, service.list_checks, service.do_delete_assumption):
            with pytest.raises(NotFound):
                call(session, stranger, assumption_id)
        with pytest.raises(NotFound):
            service.do_check_assumption(session, stranger, source, assumption_id)
