"""The one permission table: which role may do what.

The UI (menus, buttons), the API (route guards), API key scopes and the authorisation
tests all read this table. Anything not granted here is denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    ANALYST = "analyst"
    CASE_HANDLER = "case_handler"
    VIEWER = "viewer"


class Scope(StrEnum):
    """What an API key may do. Keys never manage people or other keys."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Permission:
    slug: str
    label_en: str
    label_fi: str
    roles: frozenset[Role]
    writes: bool
    api_key: bool = True  # may an API key with a matching scope use it?


R = Role
_ALL = frozenset(Role)
_STAFF_ADMIN = frozenset({R.OWNER, R.ADMIN})
_ANALYSTS = frozenset({R.OWNER, R.ADMIN, R.ANALYST})
_HANDLERS = frozenset({R.OWNER, R.ADMIN, R.CASE_HANDLER})

PERMISSIONS: dict[str, Permission] = {
    p.slug: p
    for p in (
        Permission("org.view", "See the organisation", "Nähdä organisaatio", _ALL, False),
        Permission(
            "org.manage",
            "Rename or configure the organisation",
            "Muuttaa organisaation asetuksia",
            frozenset({R.OWNER}),
            True,
            api_key=False,
        ),
        Permission(
            "members.view",
            "See users and roles",
            "Nähdä käyttäjät ja roolit",
            _STAFF_ADMIN,
            False,
            api_key=False,
        ),
        Permission(
            "members.manage",
            "Invite users, change roles, disable users",
            "Kutsua käyttäjiä, muuttaa rooleja, poistaa käyttäjiä käytöstä",
            _STAFF_ADMIN,
            True,
            api_key=False,
        ),
        Permission(
            "apikeys.manage",
            "Create and revoke API keys",
            "Luoda ja perua API-avaimia",
            _STAFF_ADMIN,
            True,
            api_key=False,
        ),
        Permission("journeys.view", "See journeys and paths", "Nähdä polut", _ALL, False),
        Permission(
            "journeys.edit",
            "Edit journeys and touchpoints",
            "Muokata polkuja ja kohtaamispisteitä",
            _ANALYSTS,
            True,
        ),
        Permission(
            "events.ingest", "Send interaction events", "Lähettää tapahtumia", _ANALYSTS, True
        ),
        Permission(
            "feedback.view", "See surveys and responses", "Nähdä kyselyt ja vastaukset", _ALL, False
        ),
        Permission(
            "feedback.edit",
            "Edit and send surveys",
            "Muokata ja lähettää kyselyjä",
            _ANALYSTS,
            True,
        ),
        Permission(
            "feedback.submit",
            "Submit survey responses (kiosks, other systems)",
            "Lähettää kyselyvastauksia (kioskit, muut järjestelmät)",
            _ANALYSTS,
            True,
        ),
        Permission("analytics.view", "See analytics", "Nähdä analytiikka", _ALL, False),
        Permission(
            "analytics.edit",
            "Record assumptions, targets and benchmark values",
            "Kirjata oletuksia, tavoitteita ja vertailuarvoja",
            _ANALYSTS,
            True,
        ),
        Permission(
            "text.view",
            "See open comments",
            "Nähdä avoimet vastaukset",
            frozenset({R.OWNER, R.ADMIN, R.ANALYST, R.CASE_HANDLER}),
            False,
        ),
        Permission("text.edit", "Edit comment themes", "Muokata teemoja", _ANALYSTS, True),
        Permission(
            "cases.view",
            "See cases",
            "Nähdä tapaukset",
            frozenset({R.OWNER, R.ADMIN, R.ANALYST, R.CASE_HANDLER}),
            False,
        ),
        Permission(
            "cases.handle",
            "Handle cases and write to customers",
            "Käsitellä tapauksia ja kirjoittaa asiakkaille",
            _HANDLERS,
            True,
        ),
        Permission(
            "cases.configure",
            "Edit case rules, message templates and service levels",
            "Muokata tapaussääntöjä, viestipohjia ja palvelutasoja",
            _STAFF_ADMIN,
            True,
        ),
        Permission(
            "webhooks.manage",
            "Manage webhooks",
            "Hallita webhookeja",
            _STAFF_ADMIN,
            True,
            api_key=False,
        ),
        Permission("programme.view", "See the CX programme", "Nähdä CX-ohjelma", _ALL, False),
        Permission(
            "programme.edit", "Edit the CX programme", "Muokata CX-ohjelmaa", _ANALYSTS, True
        ),
        Permission(
            "observations.submit",
            "Submit employee observations",
            "Kirjata työntekijähavaintoja",
            _ALL,
            True,
        ),
        Permission(
            "privacy.manage",
            "Export or erase a customer's data and set retention",
            "Viedä tai poistaa asiakkaan tiedot ja asettaa säilytysajat",
            _STAFF_ADMIN,
            True,
        ),
        Permission(
            "audit.view",
            "See and export the audit log",
            "Nähdä ja viedä tapahtumaloki",
            frozenset({R.OWNER}),
            False,
            api_key=False,
        ),
        Permission(
            "walkthroughs.record",
            "Walk the journey and record the checks",
            "Kulkea asiakkaan polku ja kirjata tarkistukset",
            frozenset({R.OWNER, R.ADMIN, R.ANALYST, R.CASE_HANDLER}),
            True,
            api_key=False,
        ),
    )
}


def role_may(role: Role, permission: str) -> bool:
    return role in PERMISSIONS[permission].roles


def scope_may(scopes: frozenset[Scope], permission: str) -> bool:
    perm = PERMISSIONS[permission]
    if not perm.api_key:
        return False
    return Scope.WRITE in scopes if perm.writes else bool(scopes)


def permissions_of(role: Role) -> frozenset[str]:
    return frozenset(slug for slug, p in PERMISSIONS.items() if role in p.roles)


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    R.OWNER: ("Owner", "Omistaja"),
    R.ADMIN: ("Administrator", "Ylläpitäjä"),
    R.ANALYST: ("Analyst", "Analyytikko"),
    R.CASE_HANDLER: ("Case handler", "Tapauskäsittelijä"),
    R.VIEWER: ("Viewer", "Katselija"),
}
