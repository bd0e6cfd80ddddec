"""The demo company's journeys, touchpoints and a simulation of the paths its customers take.

Tapahtumatalo Elämys Oy sells tickets to consumers and produces events for companies.
Paths are a Markov chain over touchpoints with realistic drop-offs, skipped steps and
loops back to customer service. The simulation is vectorised and deterministic (seeded),
so the demo database and the benchmarks draw from the very same customers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

REFERENCE_DATE = datetime(2026, 11, 1, tzinfo=UTC)
END = "__end__"


@dataclass(frozen=True)
class TouchpointSpec:
    key: str
    fi: str
    en: str
    sv: str
    channel: str
    team: str
    factor: str
    expectation: str
    critical: bool = False


TEAMS = [
    "Markkinointi",
    "Digitaaliset palvelut",
    "Myynti",
    "Asiakaspalvelu",
    "Tapahtumatuotanto",
    "Taloushallinto",
    "Logistiikka",
]

T = TouchpointSpec
TOUCHPOINTS: list[TouchpointSpec] = [
    T(
        "ad.social",
        "Somemainos",
        "Social media ad",
        "Annons i sociala medier",
        "social_media",
        "Markkinointi",
        "content",
        "Mainos kertoo selvästi mitä tapahtumassa on ja mitä se maksaa.",
    ),
    T(
        "ad.search",
        "Hakumainos",
        "Search ad",
        "Sökannons",
        "advertising",
        "Markkinointi",
        "content",
        "Hakutulos vie suoraan oikean tapahtuman sivulle.",
    ),
    T(
        "newsletter",
        "Uutiskirje",
        "Newsletter",
        "Nyhetsbrev",
        "email",
        "Markkinointi",
        "content",
        "Uutiskirje kertoo minua kiinnostavista tapahtumista ajoissa.",
    ),
    T(
        "web.event_page",
        "Tapahtumasivu",
        "Event page",
        "Evenemangssida",
        "website",
        "Digitaaliset palvelut",
        "content",
        "Sivulta löytyvät aikataulu, hinnat ja saapumisohjeet.",
        True,
    ),
    T(
        "app.browse",
        "Sovelluksen selaus",
        "App browsing",
        "Bläddring i appen",
        "mobile_app",
        "Digitaaliset palvelut",
        "functional",
        "Sovellus on nopea ja muistaa suosikkini.",
    ),
    T(
        "web.checkout",
        "Verkkokassa",
        "Checkout",
        "Kassa",
        "website",
        "Digitaaliset palvelut",
        "functional",
        "Lippujen valinta ja ostaminen sujuu muutamassa minuutissa.",
        True,
    ),
    T(
        "payment",
        "Maksu",
        "Payment",
        "Betalning",
        "billing",
        "Taloushallinto",
        "psychological",
        "Maksaminen on turvallista ja tuttu maksutapa löytyy.",
        True,
    ),
    T(
        "ticket.email",
        "Lippu sähköpostiin",
        "Ticket e-mail",
        "Biljett per e-post",
        "email",
        "Digitaaliset palvelut",
        "functional",
        "Lippu tulee heti ja toimii puhelimessa.",
    ),
    T(
        "reminder.email",
        "Muistutusviesti",
        "Reminder e-mail",
        "Påminnelse",
        "email",
        "Asiakaspalvelu",
        "content",
        "Muistutus kertoo ovien avautumisen ja kulkuyhteydet.",
    ),
    T(
        "chat.faq",
        "Chat ja usein kysytyt",
        "Chat and FAQ",
        "Chatt och vanliga frågor",
        "chat",
        "Asiakaspalvelu",
        "functional",
        "Saan vastauksen kysymykseeni heti.",
    ),
    T(
        "service.phone",
        "Asiakaspalvelu puhelimessa",
        "Customer service phone",
        "Kundtjänst per telefon",
        "phone",
        "Asiakaspalvelu",
        "psychological",
        "Asiani hoidetaan yhdellä soitolla ystävällisesti.",
        True,
    ),
    T(
        "venue.entry",
        "Sisäänpääsy",
        "Venue entry",
        "Insläpp",
        "service_delivery",
        "Tapahtumatuotanto",
        "functional",
        "Jonot ovella ovat lyhyitä ja lipun tarkastus sujuu.",
        True,
    ),
    T(
        "venue.cloakroom",
        "Narikka",
        "Cloakroom",
        "Garderob",
        "store",
        "Tapahtumatuotanto",
        "functional",
        "Narikassa ei tarvitse jonottaa väliajalla.",
    ),
    T(
        "venue.bar",
        "Baari ja kahvio",
        "Bar and café",
        "Bar och kafé",
        "store",
        "Tapahtumatuotanto",
        "content",
        "Tarjolla on hyvää ja kohtuuhintaista syötävää.",
    ),
    T(
        "event.show",
        "Esitys",
        "The show",
        "Föreställningen",
        "service_delivery",
        "Tapahtumatuotanto",
        "psychological",
        "Esitys on elämys, josta kerron ystävilleni.",
        True,
    ),
    T(
        "feedback.survey",
        "Palautekysely",
        "Feedback survey",
        "Enkät",
        "email",
        "Asiakaspalvelu",
        "content",
        "Kysely on lyhyt ja palautteellani on merkitystä.",
    ),
    T(
        "refund.request",
        "Hyvityspyyntö",
        "Refund request",
        "Begäran om återbetalning",
        "website",
        "Asiakaspalvelu",
        "psychological",
        "Hyvitys käsitellään nopeasti ja reilusti.",
    ),
    T(
        "social.share",
        "Jakaminen somessa",
        "Social sharing",
        "Delning i sociala medier",
        "social_media",
        "Markkinointi",
        "psychological",
        "Haluan jakaa kokemukseni.",
    ),
    T(
        "sales.meeting",
        "Myyntitapaaminen",
        "Sales meeting",
        "Säljmöte",
        "sales_meeting",
        "Myynti",
        "psychological",
        "Myyjä ymmärtää tavoitteemme ja ehdottaa sopivaa.",
        True,
    ),
    T(
        "proposal.email",
        "Tarjous",
        "Proposal",
        "Offert",
        "email",
        "Myynti",
        "content",
        "Tarjous on selkeä ja hinta perusteltu.",
    ),
    T(
        "planning.meeting",
        "Suunnittelupalaveri",
        "Planning meeting",
        "Planeringsmöte",
        "sales_meeting",
        "Tapahtumatuotanto",
        "functional",
        "Suunnitelma etenee sovitussa aikataulussa.",
    ),
    T(
        "catering.delivery",
        "Catering-toimitus",
        "Catering delivery",
        "Cateringleverans",
        "delivery",
        "Logistiikka",
        "functional",
        "Tarjoilut ovat paikalla ajallaan ja sovitusti.",
    ),
    T(
        "corporate.event",
        "Yritystapahtuma",
        "Corporate event",
        "Företagsevenemang",
        "service_delivery",
        "Tapahtumatuotanto",
        "psychological",
        "Vieraamme viihtyvät ja tapahtuma näyttää meiltä.",
        True,
    ),
    T(
        "invoice",
        "Lasku",
        "Invoice",
        "Faktura",
        "billing",
        "Taloushallinto",
        "functional",
        "Lasku vastaa tarjousta ja on helppo tarkistaa.",
        True,
    ),
    T(
        "followup.meeting",
        "Jälkipalaveri",
        "Follow-up meeting",
        "Uppföljningsmöte",
        "sales_meeting",
        "Myynti",
        "psychological",
        "Käymme yhdessä läpi mikä onnistui ja mitä parannetaan.",
    ),
]


@dataclass(frozen=True)
class JourneySpec:
    key: str
    name_fi: str
    name_en: str
    description: str
    owner_team: str
    segment: str
    stages: list[tuple[str, str, str, list[str]]]  # (fi, en, sv, touchpoint keys)


JOURNEYS: list[JourneySpec] = [
    JourneySpec(
        "consumer-ticket",
        "Kuluttajan lippupolku",
        "Consumer ticket journey",
        "Mainoksesta esitykseen ja palautteeseen: kuluttaja ostaa liput ja tulee paikalle.",
        "Markkinointi",
        "consumer",
        [
            ("Huomaaminen", "Awareness", "Uppmärksamhet", ["ad.social", "ad.search", "newsletter"]),
            ("Harkinta", "Consideration", "Övervägande", ["web.event_page", "app.browse"]),
            ("Osto", "Purchase", "Köp", ["web.checkout", "payment", "ticket.email"]),
            (
                "Ennen tapahtumaa",
                "Before the event",
                "Före evenemanget",
                ["reminder.email", "chat.faq", "service.phone"],
            ),
            (
                "Tapahtuma",
                "The event",
                "Evenemanget",
                ["venue.entry", "venue.cloakroom", "venue.bar", "event.show"],
            ),
            ("Jälkeen", "After", "Efter", ["feedback.survey", "refund.request", "social.share"]),
        ],
    ),
    JourneySpec(
        "corporate-event",
        "Yritystapahtuman polku",
        "Corporate event journey",
        "Ensitapaamisesta laskuun ja jälkipalaveriin: yritysasiakkaan tilaama tapahtuma.",
        "Myynti",
        "corporate",
        [
            ("Myynti", "Sales", "Försäljning", ["sales.meeting", "proposal.email"]),
            ("Suunnittelu", "Planning", "Planering", ["planning.meeting", "service.phone"]),
            ("Toteutus", "Delivery", "Genomförande", ["catering.delivery", "corporate.event"]),
            ("Laskutus", "Billing", "Fakturering", ["invoice"]),
            ("Jälkihoito", "Follow-up", "Uppföljning", ["followup.meeting", "feedback.survey"]),
        ],
    ),
]

# Transition model: from touchpoint -> {next touchpoint or END: weight}, and the typical
# delay (hours) before the next step. Loops back to customer service and skipped steps
# are deliberate: they are what path analytics must find.
CONSUMER_START = {
    "ad.social": 0.45,
    "ad.search": 0.25,
    "newsletter": 0.15,
    "web.event_page": 0.10,
    "app.browse": 0.05,
}
CORPORATE_START = {"sales.meeting": 0.8, "proposal.email": 0.2}
TRANSITIONS: dict[str, dict[str, float]] = {
    "ad.social": {"web.event_page": 0.7, "app.browse": 0.17, END: 0.13},
    "ad.search": {"web.event_page": 0.85, END: 0.15},
    "newsletter": {"web.event_page": 0.6, "app.browse": 0.25, END: 0.15},
    "web.event_page": {"web.checkout": 0.64, "chat.faq": 0.12, "app.browse": 0.12, END: 0.12},
    "app.browse": {"web.checkout": 0.65, "web.event_page": 0.15, END: 0.2},
    "web.checkout": {"payment": 0.85, "chat.faq": 0.05, END: 0.1},
    "payment": {"ticket.email": 0.93, "service.phone": 0.05, END: 0.02},
    "ticket.email": {"reminder.email": 0.7, "venue.entry": 0.2, "service.phone": 0.05, END: 0.05},
    "reminder.email": {"venue.entry": 0.85, "chat.faq": 0.07, "service.phone": 0.03, END: 0.05},
    "chat.faq": {"web.checkout": 0.3, "service.phone": 0.25, "venue.entry": 0.25, END: 0.2},
    "service.phone": {
        "venue.entry": 0.45,
        "refund.request": 0.15,
        "planning.meeting": 0.1,
        "web.checkout": 0.1,
        END: 0.2,
    },
    "venue.entry": {"venue.cloakroom": 0.45, "venue.bar": 0.2, "event.show": 0.33, END: 0.02},
    "venue.cloakroom": {"venue.bar": 0.45, "event.show": 0.55},
    "venue.bar": {"event.show": 0.9, END: 0.1},
    "event.show": {"feedback.survey": 0.6, "social.share": 0.14, "service.phone": 0.06, END: 0.2},
    "feedback.survey": {
        "social.share": 0.15,
        "refund.request": 0.04,
        "newsletter": 0.26,
        END: 0.55,
    },
    "refund.request": {"service.phone": 0.4, END: 0.6},
    "social.share": {END: 1.0},
    "sales.meeting": {"proposal.email": 0.85, END: 0.15},
    "proposal.email": {"planning.meeting": 0.65, "sales.meeting": 0.15, END: 0.2},
    "planning.meeting": {
        "catering.delivery": 0.55,
        "service.phone": 0.15,
        "planning.meeting": 0.1,
        "corporate.event": 0.2,
    },
    "catering.delivery": {"corporate.event": 0.97, END: 0.03},
    "corporate.event": {"invoice": 0.95, END: 0.05},
    "invoice": {"followup.meeting": 0.5, "feedback.survey": 0.3, "service.phone": 0.1, END: 0.1},
    "followup.meeting": {"feedback.survey": 0.4, "sales.meeting": 0.1, END: 0.5},
}
DELAY_HOURS = {
    "ad.social": 20,
    "ad.search": 2,
    "newsletter": 30,
    "web.event_page": 24,
    "app.browse": 12,
    "web.checkout": 0.1,
    "payment": 0.02,
    "ticket.email": 240,
    "reminder.email": 48,
    "chat.faq": 6,
    "service.phone": 30,
    "venue.entry": 0.3,
    "venue.cloakroom": 0.2,
    "venue.bar": 0.4,
    "event.show": 20,
    "feedback.survey": 24,
    "refund.request": 72,
    "social.share": 1,
    "sales.meeting": 96,
    "proposal.email": 150,
    "planning.meeting": 400,
    "catering.delivery": 3,
    "corporate.event": 120,
    "invoice": 200,
    "followup.meeting": 48,
}
MAX_STEPS = 24
CORPORATE_SHARE = 0.1


@dataclass(frozen=True)
class EventChunk:
    """Simulated events of a range of customers, in arrival (time) order per customer."""

    customer: npt.NDArray[np.int64]  # customer number (0-based, global)
    touchpoint: npt.NDArray[np.int32]  # index into TOUCHPOINTS
    ts_us: npt.NDArray[np.int64]
    order_value: npt.NDArray[np.float64]


def touchpoint_keys() -> list[str]:
    return [t.key for t in TOUCHPOINTS]


def is_corporate(customers: int, seed: int) -> npt.NDArray[np.bool_]:
    return np.random.default_rng([seed, 7]).random(customers) < CORPORATE_SHARE


def _matrices() -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    keys = touchpoint_keys()
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    cdf = np.zeros((n, n + 1))
    for src, targets in TRANSITIONS.items():
        row = np.zeros(n + 1)
        for dst, w in targets.items():
            row[n if dst == END else index[dst]] += w
        cdf[index[src]] = np.cumsum(row / row.sum())
    delay = np.array([DELAY_HOURS[k] for k in keys], dtype=np.float64)
    return cdf, delay


def _start_cdf(starts: dict[str, float]) -> npt.NDArray[np.float64]:
    index = {k: i for i, k in enumerate(touchpoint_keys())}
    row = np.zeros(len(index))
    for k, w in starts.items():
        row[index[k]] = w
    return np.cumsum(row / row.sum())


def simulate(customers: int, seed: int = 42, chunk: int = 100_000) -> Iterator[EventChunk]:
    """Yield every customer's path, ``chunk`` customers at a time (bounded memory)."""
    cdf, delay = _matrices()
    n_tp = cdf.shape[0]
    consumer_cdf, corporate_cdf = _start_cdf(CONSUMER_START), _start_cdf(CORPORATE_START)
    corporate_all = is_corporate(customers, seed)
    year_us = 365 * 24 * 3600 * 1_000_000
    origin = int((REFERENCE_DATE.timestamp() - 365 * 24 * 3600) * 1_000_000)
    payment, invoice = touchpoint_keys().index("payment"), touchpoint_keys().index("invoice")
    for lo in range(0, customers, chunk):
        hi = min(customers, lo + chunk)
        rng = np.random.default_rng([seed, lo])
        size = hi - lo
        corporate = corporate_all[lo:hi]
        u = rng.random(size)
        state = np.where(
            corporate,
            np.searchsorted(corporate_cdf, u, side="right"),
            np.searchsorted(consumer_cdf, u, side="right"),
        ).astype(np.int32)
        state = np.minimum(state, n_tp - 1)
        ts = origin + (rng.random(size) * year_us * 0.9).astype(np.int64)
        ids = np.arange(lo, hi, dtype=np.int64)
        cols: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int64]]] = []
        alive = np.ones(size, dtype=np.bool_)
        for _ in range(MAX_STEPS):
            who = np.flatnonzero(alive)
            if who.size == 0:
                break
            cols.append((ids[who], state[who].copy(), ts[who].copy()))
            nxt = (rng.random(who.size)[:, None] >= cdf[state[who]]).sum(axis=1)
            ended = nxt >= n_tp
            hours = rng.exponential(delay[state[who]]) + 0.001
            ts[who] += (hours * 3600 * 1_000_000).astype(np.int64)
            state[who] = np.where(ended, state[who], nxt).astype(np.int32)
            alive[who[ended]] = False
        customer = np.concatenate([c[0] for c in cols])
        touchpoint = np.concatenate([c[1] for c in cols])
        moment = np.concatenate([c[2] for c in cols])
        order = np.lexsort((moment, customer))
        customer, touchpoint, moment = customer[order], touchpoint[order], moment[order]
        value = np.zeros(customer.size)
        at_payment = touchpoint == payment
        value[at_payment] = np.round(
            rng.uniform(29, 149, int(at_payment.sum())) * rng.integers(1, 5, int(at_payment.sum())),
            2,
        )
        at_invoice = touchpoint == invoice
        value[at_invoice] = np.round(rng.lognormal(9.2, 0.6, int(at_invoice.sum())), 2)
        yield EventChunk(customer, touchpoint, moment, value)
