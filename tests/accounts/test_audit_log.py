"""The audit log: changes to access and views or exports of personal data leave an entry
in the same transaction; entries cannot be changed; owners alone read and export them,
and another organisation's entries never show."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kohtaamo.accounts import service
from kohtaamo.accounts.permissions import Role, Scope
from kohtaamo.audit import service as audit
from kohtaamo.audit.models import AuditEvent
from kohtaamo.audit.service import AuditTampering
from kohtaamo.storage.db import Database
from kohtaamo.webhooks import service as webhooks
from kohtaamo.webhooks.schemas import EndpointIn
from tests.factories import Factory, sign_in


def _actions(db: Database, org_id: object) -> list[str]:
    with db.transaction(org_id, readonly=True) as session:  # type: ignore[arg-type]
        return [e.action for e in reversed(audit.entries(session))]


def test_access_changes_are_recorded_with_who_and_what(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    owner = factory.member(org, Role.OWNER)
    with db.transaction(org.id) as session:
        analyst = service.do_invite_member(
            session, owner.actor, email="anna@example.test", name="Anna", role=Role.ANALYST
        )
        service.do_change_role(session, owner.actor, analyst.id, Role.ADMIN)
        service.do_change_role(session, owner.actor, analyst.id, Role.ADMIN)  # no change
        key, plaintext = service.do_create_api_key(
            session, owner.actor, name="CRM", scopes=[Scope.READ]
        )
        service.do_revoke_api_key(session, owner.actor, key.id)
        service.do_revoke_api_key(session, owner.actor, key.id)  # already revoked
        service.do_disable_member(session, owner.actor, analyst.id)
    assert _actions(db, org.id) == [
        "member.invited",
        "member.role_changed",
        "apikey.created",
        "apikey.revoked",
        "member.disabled",
    ]
    with db.transaction(org.id, readonly=True) as session:
        rows = {e.action: e for e in audit.entries(session)}
        everything = " ".join(str(e.detail) for e in rows.values())
    assert rows["member.role_changed"].detail == {"from": "analyst", "to": "admin"}
    assert rows["member.role_changed"].actor_user_id == owner.user.id
    assert rows["apikey.created"].detail["scopes"] == ["read"]
    assert plaintext.split("_")[-1] not in everything  # the secret is never logged


def test_webhook_changes_name_the_host_only(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    owner = factory.member(org, Role.OWNER)
    data = EndpointIn(
        url="http://127.0.0.1:9/in?token=s3cret",
        event_types=["case.opened"],
        allowed_private_range="127.0.0.0/8",
    )
    with db.transaction(org.id) as session:
        endpoint = webhooks.do_create_endpoint(session, data, owner.actor)
        webhooks.do_rotate_secret(session, endpoint.id, owner.actor)
        webhooks.do_disable(session, endpoint.id, owner.actor)
        webhooks.do_enable(session, endpoint.id, owner.actor)
        webhooks.do_delete_endpoint(session, endpoint.id, owner.actor)
    assert _actions(db, org.id) == [
        "webhook.created",
        "webhook.secret_rotated",
        "webhook.disabled",
        "webhook.enabled",
        "webhook.deleted",
    ]
    with db.transaction(org.id, readonly=True) as session:
        details = [e.detail for e in audit.entries(session)]
    assert all(d["host"] == "127.0.0.1:9" for d in details)
    assert "s3cret" not in str(details)


def test_entries_are_append_only(db: Database, factory: Factory) -> None:
    org = factory.organisation()
    owner = factory.member(org, Role.OWNER)
    with db.transaction(org.id) as session:
        service.do_create_api_key(session, owner.actor, name="k", scopes=[Scope.READ])
    with pytest.raises(AuditTampering), db.transaction(org.id) as session:
        entry = session.scalars(select(AuditEvent)).one()
        entry.action = "nothing.happened"
        session.flush()
    with pytest.raises(AuditTampering), db.transaction(org.id) as session:
        session.delete(session.scalars(select(AuditEvent)).one())
        session.flush()
    assert _actions(db, org.id) == ["apikey.created"]
    with pytest.raises(KeyError), db.transaction(org.id) as session:
        audit.record(session, "undeclared.action")


def test_owner_reads_and_exports_only_their_organisation(
    db: Database, factory: Factory, client: TestClient
) -> None:
    org, other = factory.organisation(), factory.organisation()
    owner = factory.member(org, Role.OWNER)
    stranger = factory.member(other, Role.OWNER)
    with db.transaction(org.id) as session:
        service.do_create_api_key(session, owner.actor, name="Oma avain", scopes=[Scope.READ])
    with db.transaction(other.id) as session:
        service.do_create_api_key(session, stranger.actor, name="Vieras", scopes=[Scope.READ])
    sign_in(client, owner.user.email)
    page = client.get("/settings/audit", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "Created an API key" in page.text and owner.user.name in page.text
    assert "Vieras" not in page.text and stranger.user.name not in page.text
    assert client.get("/settings/audit?action=member.disabled").text.count("data-action=") == 0

    exported = client.get("/settings/audit.csv")
    assert exported.status_code == 200 and exported.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert {r["action"] for r in rows} == {"apikey.created", "audit.exported"}
    assert _actions(db, org.id)[-1] == "audit.exported"  # the export is itself recorded
    assert _actions(db, other.id) == ["apikey.created"]


def test_only_owners_see_the_log(db: Database, factory: Factory, client: TestClient) -> None:
    org = factory.organisation()
    admin = factory.member(org, Role.ADMIN)
    sign_in(client, admin.user.email)
    assert client.get("/settings/audit").status_code == 403
    assert client.get("/settings/audit.csv").status_code == 403
    assert 'href="/settings/audit"' not in client.get("/settings").text


def test_viewing_a_case_and_exporting_responses_are_recorded(
    db: Database, factory: Factory, client: TestClient
) -> None:
    from tests.web.cases_desk import make_desk

    owner = factory.member(factory.organisation(), Role.OWNER)
    desk = make_desk(db, owner)
    case_id = desk.case()
    sign_in(client, owner.user.email)
    assert client.get(f"/cases/{case_id}").status_code == 200
    survey_id = desk.survey.survey_id
    assert client.get(f"/feedback/surveys/{survey_id}/responses.csv").status_code == 200
    other_case = make_desk(db, factory.member(factory.organisation(), Role.OWNER)).case()
    assert client.get(f"/cases/{other_case}").status_code == 404
    with db.transaction(desk.org_id, readonly=True) as session:
        seen = [(e.action, e.object_type, e.object_id) for e in audit.entries(session)]
    assert ("personal.viewed", "case", str(case_id)) in seen
    assert ("personal.exported", "survey", str(survey_id)) in seen
    assert all(oid != str(other_case) for _, _, oid in seen)
