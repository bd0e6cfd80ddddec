"""Demo journeys: the events company's touchpoints, journeys, customers and their paths.

Tapahtumatalo Elämys Oy gets the catalogue of :mod:`kohtaamo.demo.paths_sim` (7 teams,
25 touchpoints in every channel, a consumer ticket journey and a corporate event
journey), ``size`` customers with CRM attributes, and the events of
:func:`~kohtaamo.demo.paths_sim.simulate` with the demo's seed, so that the demo
database holds the very paths the path-analytics benchmark measures. The Swedish second
organisation gets a small journey of its own (see :mod:`kohtaamo.demo.journeys_nordic`).

Catalogue data goes through the journeys services (validation runs); customers and
events are written in bulk by :mod:`kohtaamo.demo.journeys_bulk`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table

from kohtaamo.accounts.actor import Actor
from kohtaamo.accounts.permissions import Role
from kohtaamo.demo import paths_sim as sim
from kohtaamo.demo.generator import DemoContext, contributor
from kohtaamo.demo.journeys_bulk import (
    CUSTOMER_BATCH,
    CustomerIds,
    EventTarget,
    PathTotals,
    indexes_built_afterwards,
    insert_customers,
    path_totals,
    write_events,
)
from kohtaamo.demo.people import CustomerProfile, customer_profiles
from kohtaamo.journeys import journeymap
from kohtaamo.journeys import service as journeys
from kohtaamo.journeys.catalogue import Channel, FactorGroup
from kohtaamo.journeys.models import InteractionEvent
from kohtaamo.journeys.schemas import JourneyIn, PlacementIn, StageIn, TeamIn, TouchpointIn
from kohtaamo.storage.db import Database

CONSUMER, CORPORATE = 0, 1
JOURNEY_OF_KIND = ("consumer-ticket", "corporate-event")
SHARED_KEY = "journeys"  # ctx.shared[SHARED_KEY]: a DemoJourneys, for later contributors

# Locales of the events company's customers: Finnish mostly, Swedish ~6 %, English ~5 %.
ENGLISH_KEPT = 0.5  # people.py draws 10 % English speakers; half of them choose Finnish


@dataclass
class Catalogue:
    """What :func:`build_catalogue` made, by key."""

    teams: dict[str, uuid.UUID]
    touchpoints: dict[str, uuid.UUID]
    journeys: dict[str, uuid.UUID]
    placed_on: dict[str, list[str]]  # touchpoint key → keys of the journeys it sits on


@dataclass
class DemoJourneys:
    """The main organisation's journeys data, for contributors that come later."""

    organisation_id: uuid.UUID
    catalogue: Catalogue
    customers: int = 0
    customer_ids: CustomerIds | None = None
    corporate: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    events: int = 0

    def external_id(self, number: int) -> str:
        return external_id(number, bool(self.corporate[number]))


def external_id(number: int, corporate: bool) -> str:
    """Customer number 122 → 'C0000123' (consumer) or 'Y0000123' (corporate, Y-tunnus)."""
    return f"{'Y' if corporate else 'C'}{number + 1:07d}"


def owner_actor(organisation_id: uuid.UUID) -> Actor:
    return Actor(organisation_id=organisation_id, role=Role.OWNER)


def build_catalogue(
    db: Database,
    organisation_id: uuid.UUID,
    *,
    teams: Sequence[str],
    touchpoints: Sequence[sim.TouchpointSpec],
    journey_specs: Sequence[sim.JourneySpec],
    journey_name: str = "fi",
) -> Catalogue:
    """Teams, touchpoints and journeys with stages and placements, through the services."""
    actor = owner_actor(organisation_id)
    with db.transaction(organisation_id) as session:
        team_ids = {
            name: journeys.do_create_team(session, actor, TeamIn(name=name)).id for name in teams
        }
        tp_ids = {
            spec.key: journeys.do_create_touchpoint(
                session,
                actor,
                TouchpointIn(
                    key=spec.key,
                    name_fi=spec.fi,
                    name_en=spec.en,
                    name_sv=spec.sv,
                    channel=Channel(spec.channel),
                    factor_group=FactorGroup(spec.factor),
                    owner_team_id=team_ids[spec.team],
                    expectation=spec.expectation,
                    critical=spec.critical,
                ),
            ).id
            for spec in touchpoints
        }
        journey_ids: dict[str, uuid.UUID] = {}
        placed_on: dict[str, list[str]] = {key: [] for key in tp_ids}
        for spec in journey_specs:
            journey = journeymap.do_create_journey(
                session,
                actor,
                JourneyIn(
                    key=spec.key,
                    name=spec.name_fi if journey_name == "fi" else spec.name_en,
                    description=spec.description,
                    owner_team_id=team_ids[spec.owner_team],
                    target_segment=spec.segment,
                    stages=[
                        StageIn(name_fi=fi, name_en=en, name_sv=sv) for fi, en, sv, _ in spec.stages
                    ],
                ),
            )
            journey_ids[spec.key] = journey.id
            for stage, (*_, keys) in zip(journey.stages, spec.stages, strict=True):
                for key in keys:
                    journeymap.do_place_touchpoint(
                        session, actor, journey.id, tp_ids[key], PlacementIn(stage_id=stage.id)
                    )
                    placed_on[key].append(spec.key)
    return Catalogue(team_ids, tp_ids, journey_ids, placed_on)


def journey_table(catalogue: Catalogue, keys: Sequence[str]) -> list[list[uuid.UUID | None]]:
    """[customer kind][touchpoint index] → the journey an event there belongs to.

    A touchpoint on one journey belongs to it whoever meets it (a consumer who calls about
    a company event is on the corporate journey then); one on both journeys (customer
    service, the feedback survey) belongs to the journey of the customer's kind.
    """
    table: list[list[uuid.UUID | None]] = []
    for kind_journey in JOURNEY_OF_KIND:
        row: list[uuid.UUID | None] = []
        for key in keys:
            on = catalogue.placed_on.get(key, [])
            chosen = on[0] if len(on) == 1 else kind_journey if kind_journey in on else None
            row.append(None if chosen is None else catalogue.journeys[chosen])
        table.append(row)
    return table


# --- the events company ---------------------------------------------------------------


@contributor(order=20, name="journeys.catalogue")
def catalogue(ctx: DemoContext) -> None:
    org = ctx.organisation.id
    ctx.progress("touchpoints", 0, len(sim.TOUCHPOINTS))
    made = build_catalogue(
        ctx.db, org, teams=sim.TEAMS, touchpoints=sim.TOUCHPOINTS, journey_specs=sim.JOURNEYS
    )
    ctx.shared[SHARED_KEY] = DemoJourneys(org, made)
    ctx.counts["touchpoints"] += len(made.touchpoints)
    ctx.counts["journeys"] += len(made.journeys)
    ctx.progress("touchpoints", len(made.touchpoints), len(sim.TOUCHPOINTS))


@contributor(order=21, name="journeys.customers")
def customers(ctx: DemoContext) -> None:
    """``size`` customers whose purchases and lifetime value agree with their paths."""
    shared: DemoJourneys = ctx.shared[SHARED_KEY]
    count = ctx.scale.customers
    shared.customers = count
    shared.corporate = sim.is_corporate(count, ctx.seed)
    shared.customer_ids = ids = CustomerIds(count)
    profiles = CrmProfiles(ctx.rng, ctx.reference_date)
    numpy_seed = ctx.rng.getrandbits(63)
    keys = sim.touchpoint_keys()
    purchases = [keys.index("payment"), keys.index("invoice")]
    newsletter = keys.index("newsletter")

    def rows() -> Iterator[dict[str, Any]]:
        for chunk in sim.simulate(count, ctx.seed):
            totals = path_totals(chunk, purchases)
            shared.events += int(totals.events.sum())
            numbers = np.arange(totals.first, totals.first + totals.events.size)
            yield from profiles.rows(
                numbers,
                ids.uuids(numbers),
                shared.corporate[numbers],
                totals,
                totals.touched(newsletter),
                np.random.default_rng([numpy_seed, totals.first]),
            )

    shared.events = 0
    ctx.write_in_batches(
        "customers",
        rows(),
        total=count,
        tenant=shared.organisation_id,
        write=insert_customers,
        batch_size=CUSTOMER_BATCH,
    )


@contributor(order=22, name="journeys.events")
def events(ctx: DemoContext) -> None:
    shared: DemoJourneys = ctx.shared[SHARED_KEY]
    assert shared.customer_ids is not None
    keys = sim.touchpoint_keys()
    cat = shared.catalogue
    target = EventTarget(
        customer_ids=shared.customer_ids,
        external_ids=lambda numbers: [
            external_id(n, c)
            for n, c in zip(numbers.tolist(), shared.corporate[numbers].tolist(), strict=True)
        ],
        touchpoint_ids=[cat.touchpoints[k] for k in keys],
        journey_ids=journey_table(cat, keys),
        kind=shared.corporate.astype(np.int8),
    )
    with indexes_built_afterwards(ctx.db, cast(Table, InteractionEvent.__table__)):
        write_events(
            ctx,
            "interaction events",
            sim.simulate(shared.customers, ctx.seed),
            total=shared.events,
            target=target,
            tenant=shared.organisation_id,
        )


# --- CRM profiles -----------------------------------------------------------------------

_DAY_US = 86_400 * 1_000_000


class CrmProfiles:
    """Customer rows: people.py's profiles plus plan, history, locale and consents.

    Purchases and lifetime value are the simulated year's purchases and order values
    plus an earlier history drawn from the years the customer had been one before.
    """

    EARLIER_RATE = (1.1, 0.8)  # purchases a year before the simulated one: consumer, corporate
    VIP_VALUE = 1_500.0  # euros of lifetime value that make a ticket buyer a VIP

    def __init__(self, rng: random.Random, reference: datetime) -> None:
        self.rng = rng
        self.reference = reference
        self._streams = tuple(
            customer_profiles(
                random.Random(rng.getrandbits(64)),
                10**9,
                reference_date=reference,
                corporate_share=share,
            )
            for share in (0.0, 1.0)
        )

    def rows(
        self,
        numbers: npt.NDArray[np.int64],
        ids: list[uuid.UUID],
        corporate: npt.NDArray[np.bool_],
        totals: PathTotals,
        got_newsletter: npt.NDArray[np.bool_],
        history: np.random.Generator,
    ) -> Iterator[dict[str, Any]]:
        """One chunk of customers (numbers in a row), drawing their profiles in order."""
        profiles = [next(self._streams[c]) for c in corporate.tolist()]
        first_day = totals.first_ts // _DAY_US
        since_day = np.minimum(
            [int(p.customer_since.timestamp()) // 86_400 for p in profiles], first_day
        )
        years = (first_day - since_day) / 365.25
        earlier = history.poisson(
            np.where(corporate, self.EARLIER_RATE[1], self.EARLIER_RATE[0]) * years
        )
        one_purchase = np.where(
            corporate,
            history.lognormal(9.2, 0.6, numbers.size),
            history.uniform(29, 149, numbers.size) * history.integers(1, 5, numbers.size),
        )
        value = np.round(totals.spend + earlier * one_purchase, 2)
        purchases = totals.purchases + earlier
        last_seen = (totals.last_ts // _DAY_US).astype("datetime64[D]").astype(str)
        since = since_day.astype("datetime64[D]").tolist()
        for i, profile in enumerate(profiles):
            yield self._row(
                ids[i],
                external_id(int(numbers[i]), profile.kind == "corporate"),
                profile,
                since[i],
                int(purchases[i]),
                float(value[i]),
                str(last_seen[i]),
                bool(got_newsletter[i]),
            )

    def _row(
        self,
        row_id: uuid.UUID,
        external: str,
        profile: CustomerProfile,
        since: date,
        purchases: int,
        value: float,
        last_seen: str,
        got_newsletter: bool,
    ) -> dict[str, Any]:
        rng = self.rng
        corporate = profile.kind == "corporate"
        attrs: dict[str, Any] = {
            "sub_segment": profile.segment,
            **profile.attributes,
            "last_seen": last_seen,
        }
        if corporate:
            plan = "enterprise" if int(attrs["employees"]) >= 250 else "smb"
        elif value >= self.VIP_VALUE:
            plan = "vip"
        else:
            plan = "member" if attrs["loyalty_member"] else "basic"
        locale = profile.language
        if locale == "en" and rng.random() >= ENGLISH_KEPT:
            locale = "fi"
        # Whoever got the newsletter had said yes to marketing.
        marketing = got_newsletter or rng.random() < (0.3 if plan == "basic" else 0.55)
        return {
            "id": row_id,
            "external_id": external,
            "segment": profile.kind,
            "region": profile.city,
            "plan": plan,
            "customer_since": since,
            "purchases": purchases,
            "lifetime_value": value,
            "locale": locale,
            "attributes": attrs,
            "consents": {"surveys": rng.random() < 0.78, "marketing": marketing},
            "created_at": self.reference,
            "updated_at": self.reference,
        }
