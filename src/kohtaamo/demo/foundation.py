"""Foundation demo data: the events company, a second organisation, staff in every role.

Tapahtumatalo Elämys Oy sells event tickets to consumers and produces events for
companies. Its named staff (one per role) are the documented demo logins; more staff,
scaled with the demo's size, have no password (as if invited but not yet signed in).
A smaller Swedish organisation, where the demo manager is an administrator, shows the
organisation switcher and tenant isolation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from kohtaamo.accounts import repository as accounts_repo
from kohtaamo.accounts import service as accounts
from kohtaamo.accounts.permissions import Role
from kohtaamo.demo.generator import DemoContext, contributor
from kohtaamo.demo.people import EmailMaker, PeopleGenerator, Person
from kohtaamo.storage.db import Database

DEMO_PASSWORD: Final = "kohtaamo-demo"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    slug: str
    locale: str
    timezone: str


@dataclass(frozen=True)
class DemoLogin:
    """A person with the demo password, and their role in each organisation (by slug)."""

    email: str
    name: str
    title: str
    locale: str
    roles: tuple[tuple[str, Role], ...]


MAIN_ORGANISATION: Final = DemoOrganisation(
    "Tapahtumatalo Elämys Oy", "elamys", "fi", "Europe/Helsinki"
)
# Named so that it sorts after the main organisation: sign-in opens the first one by name.
SECOND_ORGANISATION: Final = DemoOrganisation(
    "Västkust Nordic Events AB", "nordic-events", "en", "Europe/Stockholm"
)
ORGANISATIONS: Final = (MAIN_ORGANISATION, SECOND_ORGANISATION)

_E, _N = MAIN_ORGANISATION.slug, SECOND_ORGANISATION.slug
MANAGER_EMAIL: Final = "manager@elamys.example"
DEMO_LOGINS: Final[tuple[DemoLogin, ...]] = (
    DemoLogin(
        MANAGER_EMAIL, "Maija Lehtonen", "Asiakaskokemuspäällikkö", "fi",
        ((_E, Role.OWNER), (_N, Role.ADMIN)),
    ),
    DemoLogin("admin@elamys.example", "Juha Nieminen", "Järjestelmävastaava", "fi",
              ((_E, Role.ADMIN),)),
    DemoLogin("analyst@elamys.example", "Aino Virtanen", "Asiakasanalyytikko", "fi",
              ((_E, Role.ANALYST),)),
    DemoLogin("handler@elamys.example", "Sanna Korhonen", "Asiakaspalvelun tiiminvetäjä", "fi",
              ((_E, Role.CASE_HANDLER),)),
    DemoLogin("viewer@elamys.example", "Pekka Mäkinen", "Tapahtumatuottaja", "fi",
              ((_E, Role.VIEWER),)),
    DemoLogin("owner@nordic-events.example", "Karin Lindqvist", "Managing director", "en",
              ((_N, Role.OWNER),)),
    DemoLogin("analyst@nordic-events.example", "Oskar Berg", "Insights analyst", "en",
              ((_N, Role.ANALYST),)),
)  # fmt: skip

# Extra staff of the events company: mostly the people who handle customers' cases.
STAFF_ROLES: Final = ((Role.CASE_HANDLER, 50), (Role.VIEWER, 30), (Role.ANALYST, 15),
                      (Role.ADMIN, 5))  # fmt: skip
STAFF_DOMAIN: Final = "elamys.example"


def demo_exists(db: Database) -> bool:
    """Has the demo organisation been created in this database?"""
    with db.transaction(readonly=True) as session:
        return accounts_repo.organisation_by_slug(session, MAIN_ORGANISATION.slug) is not None


@contributor(order=10, name="foundation.organisations")
def organisations(ctx: DemoContext) -> None:
    ctx.progress("organisations", 0, len(ORGANISATIONS))
    # Organisations are not tenant data: a session without a tenant may create them.
    with ctx.db.transaction() as session:
        for spec in ORGANISATIONS:
            org = accounts.do_create_organisation(
                session, name=spec.name, slug=spec.slug, locale=spec.locale
            )
            # The service has no time-zone parameter yet; the demo sets it directly.
            org.timezone = spec.timezone
            session.flush()
            ctx.add_organisation(org, main=spec is MAIN_ORGANISATION)
    ctx.counts["organisations"] += len(ORGANISATIONS)
    ctx.progress("organisations", len(ORGANISATIONS), len(ORGANISATIONS))


@contributor(order=11, name="foundation.logins")
def demo_logins(ctx: DemoContext) -> None:
    """The documented logins, one per role (hashing their passwords takes a moment)."""
    ctx.progress("demo logins", 0, len(DEMO_LOGINS))
    for done, login in enumerate(DEMO_LOGINS, start=1):
        with ctx.db.transaction() as session:
            user = accounts.do_create_user(
                session, email=login.email, name=login.name, password=DEMO_PASSWORD,
                locale=login.locale,
            )  # fmt: skip
        for slug, role in login.roles:
            with ctx.db.transaction(ctx.organisations[slug].id) as session:
                accounts.do_add_member(session, user=user, role=role)
            if slug == MAIN_ORGANISATION.slug:
                ctx.users_by_role[role].append(user)
        ctx.progress("demo logins", done, len(DEMO_LOGINS))
    ctx.counts["demo logins"] += len(DEMO_LOGINS)


@contributor(order=12, name="foundation.staff")
def staff(ctx: DemoContext) -> None:
    """More staff of the events company, in proportion to the demo's size."""
    people = PeopleGenerator(ctx.rng, {"fi": 0.9, "sv": 0.07, "en": 0.03})
    emails = EmailMaker()
    roles = [role for role, _ in STAFF_ROLES]
    weights = [weight for _, weight in STAFF_ROLES]
    count = ctx.scale.extra_staff
    rows = ((people.person(), ctx.rng.choices(roles, weights)[0]) for _ in range(count))

    def write(session: Session, batch: Sequence[tuple[Person, Role]]) -> None:
        for person, role in batch:
            user = accounts.do_create_user(
                session,
                email=emails.address((person.first_name, person.last_name), STAFF_DOMAIN),
                name=person.name,
                password=None,
                locale="en" if person.language == "en" else "fi",
            )
            accounts.do_add_member(session, user=user, role=role)
            ctx.users_by_role[role].append(user)

    ctx.write_in_batches(
        "staff", rows, total=count, tenant=ctx.organisation.id, write=write, batch_size=500
    )
