"""The second demo organisation's journey: a small, different one, so isolation shows.

Västkust Nordic Events AB runs a summer festival: six touchpoints (three with the same
keys as the events company's, which must not mix), one journey and 300 festival-goers
with about a thousand events. Switching organisation in the demo shows another world.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from kohtaamo.demo.generator import DemoContext, contributor
from kohtaamo.demo.journeys import build_catalogue, journey_table
from kohtaamo.demo.journeys_bulk import CustomerIds, EventTarget, insert_customers, write_events
from kohtaamo.demo.paths_sim import END, EventChunk, JourneySpec, TouchpointSpec

CUSTOMERS = 300
SLUG = "nordic-events"

TEAMS = ["Marketing", "Digital", "Festival production", "Customer care"]
T = TouchpointSpec
TOUCHPOINTS = [
    T("newsletter", "Uutiskirje", "Newsletter", "Nyhetsbrev", "email", "Marketing", "content",
      "The newsletter tells me the line-up before tickets sell out."),
    T("web.booking", "Verkkovaraus", "Online booking", "Bokning på webben", "website", "Digital",
      "functional", "Booking a festival pass takes two minutes.", True),
    T("app.ticket", "Lippu sovelluksessa", "Ticket in the app", "Biljett i appen", "mobile_app",
      "Digital", "functional", "My pass is in the app and works offline."),
    T("venue.entry", "Sisäänpääsy", "Festival entry", "Insläpp", "service_delivery",
      "Festival production", "functional", "I am inside within ten minutes.", True),
    T("event.show", "Konsertti", "The concert", "Konserten", "service_delivery",
      "Festival production", "psychological", "The concert is worth the trip.", True),
    T("feedback.survey", "Palautekysely", "Feedback survey", "Enkät", "email", "Customer care",
      "content", "The survey is short and they act on it."),
]  # fmt: skip
JOURNEY = JourneySpec(
    "festival-pass",
    "Festivaalipassin polku",
    "Festival pass journey",
    "From the newsletter to the concert and the feedback survey.",
    "Marketing",
    "consumer",
    [
        ("Löytäminen", "Discover", "Upptäcka", ["newsletter"]),
        ("Varaus", "Book", "Boka", ["web.booking", "app.ticket"]),
        ("Festivaali", "Festival", "Festivalen", ["venue.entry", "event.show"]),
        ("Jälkeen", "After", "Efter", ["feedback.survey"]),
    ],
)
START = {"newsletter": 0.6, "web.booking": 0.4}
NEXT: dict[str, dict[str, float]] = {
    "newsletter": {"web.booking": 0.7, END: 0.3},
    "web.booking": {"app.ticket": 0.85, END: 0.15},
    "app.ticket": {"venue.entry": 0.9, END: 0.1},
    "venue.entry": {"event.show": 0.97, END: 0.03},
    "event.show": {"feedback.survey": 0.5, "web.booking": 0.1, END: 0.4},
    "feedback.survey": {"newsletter": 0.2, END: 0.8},
}
HOURS = {"newsletter": 40, "web.booking": 0.2, "app.ticket": 300, "venue.entry": 0.5,
         "event.show": 20, "feedback.survey": 200}  # fmt: skip
REGIONS = {"Göteborg": 60, "Kungsbacka": 8, "Borås": 10, "Uddevalla": 6, "Halmstad": 9,
           "Trollhättan": 6, "Oslo": 4}  # fmt: skip
LOCALES = {"sv": 0.6, "en": 0.3, "fi": 0.1}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def simulate(rng: random.Random, reference: datetime) -> EventChunk:
    """Every festival-goer's path, grouped by customer in time order."""
    keys = [t.key for t in TOUCHPOINTS]
    rows: list[tuple[int, int, int, float]] = []
    origin = reference - timedelta(days=300)
    for customer in range(CUSTOMERS):
        at = origin + timedelta(days=rng.uniform(0, 270))
        step = _pick(rng, START)
        for _ in range(12):
            value = (
                round(rng.uniform(450, 1650) * rng.randint(1, 3), 2)
                if step == "web.booking"
                else 0.0
            )
            rows.append((customer, keys.index(step), int(at.timestamp() * 1_000_000), value))
            nxt = _pick(rng, NEXT[step])
            if nxt == END:
                break
            at += timedelta(hours=rng.expovariate(1 / HOURS[step]) + 0.01)
            step = nxt
    customer_, touchpoint, ts, order_value = zip(*rows, strict=True)
    return EventChunk(
        np.array(customer_, np.int64),
        np.array(touchpoint, np.int32),
        np.array(ts, np.int64),
        np.array(order_value, np.float64),
    )


def external_id(number: int) -> str:
    return f"K{number + 1:05d}"  # kund


@contributor(order=25, name="journeys.nordic")
def nordic(ctx: DemoContext) -> None:
    org = ctx.organisations[SLUG].id
    rng = ctx.rng
    catalogue = build_catalogue(
        ctx.db, org, teams=TEAMS, touchpoints=TOUCHPOINTS, journey_specs=[JOURNEY],
        journey_name="en",
    )  # fmt: skip
    chunk = simulate(rng, ctx.reference_date)
    ids = CustomerIds(CUSTOMERS)
    numbers = np.arange(CUSTOMERS, dtype=np.int64)
    spend = np.bincount(chunk.customer, weights=chunk.order_value, minlength=CUSTOMERS)
    bookings = np.bincount(chunk.customer, weights=chunk.order_value > 0, minlength=CUSTOMERS)
    first_ts = np.full(CUSTOMERS, np.iinfo(np.int64).max)
    np.minimum.at(first_ts, chunk.customer, chunk.ts_us)

    def rows() -> Iterator[dict[str, Any]]:
        for number, row_id in zip(numbers.tolist(), ids.uuids(numbers), strict=True):
            first = datetime.fromtimestamp(int(first_ts[number]) / 1e6, UTC)
            club = rng.random() < 0.3
            yield {
                "id": row_id,
                "external_id": external_id(number),
                "segment": "consumer",
                "region": _pick(rng, {k: float(v) for k, v in REGIONS.items()}),
                "plan": "festival_club" if club else "standard",
                "customer_since": (first - timedelta(days=rng.choice([0, 0, 365, 730]))).date(),
                "purchases": int(bookings[number]),
                "lifetime_value": round(float(spend[number]), 2),
                "locale": _pick(rng, LOCALES),
                "attributes": {"age": rng.randint(18, 70), "festival_club": club},
                "consents": {
                    "surveys": rng.random() < 0.8,
                    "marketing": club or rng.random() < 0.4,
                },
                "created_at": ctx.reference_date,
                "updated_at": ctx.reference_date,
            }

    ctx.write_in_batches(
        "festival customers", rows(), total=CUSTOMERS, tenant=org, write=insert_customers
    )
    target = EventTarget(
        customer_ids=ids,
        external_ids=lambda n: [external_id(i) for i in n.tolist()],
        touchpoint_ids=[catalogue.touchpoints[t.key] for t in TOUCHPOINTS],
        journey_ids=journey_table(catalogue, [t.key for t in TOUCHPOINTS])[:1],
        kind=np.zeros(CUSTOMERS, np.int8),
    )
    write_events(
        ctx, "festival events", [chunk], total=int(chunk.customer.size), target=target, tenant=org
    )
