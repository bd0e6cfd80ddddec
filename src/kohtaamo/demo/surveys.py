"""Demo surveys and responses: what Elämys's customers said about their encounters.

The surveys of :mod:`kohtaamo.demo.surveys_defs` are created and published through the
survey services. Responses follow the demo journeys: the path simulation is run again
with the demo's seed, and a response is drawn from customers' real encounters with
each survey's touchpoint (a QR code at the entrance minutes after getting in, the
checkout widget right after buying, an e-mail a day after the show — exactly when the
journey says the customer answered the feedback survey — or after a call, the invoice,
a company event), tied to that interaction event by its key; the relationship NPS goes
out in three waves. Scores come from :mod:`kohtaamo.demo.surveys_answers`.

Size: about 3,000 responses for the small demo (2,000 customers), growing as customers
to the power 0.65 (medium: ~24,000) up to 80,000 (large). A sample and every flagged
response go through ``responses.do_submit``; the rest are written by
:mod:`kohtaamo.demo.surveys_bulk` (the same rows, ~50× faster).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.demo import paths_sim as sim
from kohtaamo.demo.generator import DemoContext, contributor
from kohtaamo.demo.journeys import SHARED_KEY as JOURNEYS_KEY
from kohtaamo.demo.journeys import DemoJourneys, owner_actor
from kohtaamo.demo.surveys_answers import Respondent, answer, leanings
from kohtaamo.demo.surveys_bulk import LiveSurvey, insert_rows, qualifies, rows_of
from kohtaamo.demo.surveys_defs import SURVEYS, TOUCHPOINT_SURVEYS, SurveySpec
from kohtaamo.journeys import repository as journeys_repo
from kohtaamo.journeys.models import Customer
from kohtaamo.kit.clock import frozen_at
from kohtaamo.surveys import repository as surveys_repo
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel
from kohtaamo.surveys.models import Survey
from kohtaamo.surveys.schemas import SurveyIn, SurveySettings, WidgetSettings

SHARED_KEY = "surveys"  # ctx.shared[SHARED_KEY]: {survey key: LiveSurvey}
PUBLISHED_DAYS_BEFORE = 400  # surveys were set up before the simulated year began
MAX_RESPONSES = 80_000
SHARES = {
    "entry": 0.20,
    "event": 0.24,
    "checkout": 0.20,
    "service": 0.08,
    "corporate-event": 0.05,
    "invoice": 0.05,
    "relationship": 0.18,
}
MAX_OF_CANDIDATES = 0.7  # at most this share of a touchpoint's encounters answer
# Minutes from the encounter to the answer: (median, spread as a lognormal sigma).
DELAY_MINUTES = {
    "entry": (20, 0.8),
    "event": (24 * 60, 0.5),
    "checkout": (2, 0.6),
    "service": (6 * 60, 0.7),
    "corporate-event": (3 * 24 * 60, 0.5),
    "invoice": (6 * 24 * 60, 0.5),
}
# How people answer each survey: (channel weights, share who are anonymous).
CHANNELS: dict[str, tuple[dict[ResponseChannel, float], float]] = {
    "entry": ({ResponseChannel.QR: 0.85, ResponseChannel.LINK: 0.15}, 0.35),
    "event": ({ResponseChannel.EMAIL: 0.8, ResponseChannel.LINK: 0.2}, 0.0),
    "checkout": ({ResponseChannel.WIDGET: 0.9, ResponseChannel.LINK: 0.1}, 0.2),
    "service": ({ResponseChannel.EMAIL: 0.75, ResponseChannel.LINK: 0.25}, 0.0),
    "corporate-event": ({ResponseChannel.EMAIL: 1.0}, 0.0),
    "invoice": ({ResponseChannel.EMAIL: 1.0}, 0.0),
    "relationship": ({ResponseChannel.EMAIL: 1.0}, 0.0),
}
PARTIAL_RATE = {ResponseChannel.WIDGET: 0.12, ResponseChannel.QR: 0.08}
PARTIAL_RATE_OTHERWISE = 0.05
FLAGGED_RATE = 0.008
RELATIONSHIP_WAVES = (
    datetime(2026, 1, 19, 8, tzinfo=UTC),
    datetime(2026, 4, 20, 8, tzinfo=UTC),
    datetime(2026, 9, 14, 8, tzinfo=UTC),
)
DIRECT_SAMPLE = 60  # regular responses that go through do_submit (flagged ones always do)
BATCH = 2_000
SLUG_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def response_count(customers: int) -> int:
    """Small (2,000 customers): 3,000; medium (50,000): ~24,000; large: 80,000."""
    return min(MAX_RESPONSES, round(3_000 * (customers / 2_000) ** 0.65))


# --- the surveys ----------------------------------------------------------------------


def _settings(spec: SurveySpec) -> SurveySettings:
    if spec.key == "checkout":  # shown on the web shop's thank-you page
        return SurveySettings(
            allowed_origins=["https://www.elamys.example"],
            widget=WidgetSettings(trigger="custom_event", event_name="elamys:order-complete"),
        )
    return SurveySettings()


@contributor(order=30, name="surveys.catalogue")
def surveys(ctx: DemoContext) -> None:
    """Create and publish the demo surveys (links with seeded, stable slugs)."""
    org = ctx.organisation.id
    actor = owner_actor(org)
    made: dict[str, LiveSurvey] = {}
    ctx.progress("surveys", 0, len(SURVEYS))
    published = ctx.reference_date - timedelta(days=PUBLISHED_DAYS_BEFORE)
    with frozen_at(published), ctx.db.transaction(org) as session:
        for spec in SURVEYS:
            data = SurveyIn(
                key=spec.key,
                name=spec.name,
                kind=spec.kind,
                touchpoint=spec.touchpoint,
                definition=spec.parsed(),
                settings=_settings(spec),
            )
            survey = service.do_create_survey(session, actor, data)
            survey.slug = "".join(ctx.rng.choice(SLUG_ALPHABET) for _ in range(12))
            version = service.do_publish(session, actor, survey.id)
            made[spec.key] = LiveSurvey(
                survey.id,
                spec.key,
                survey.touchpoint_id,
                version.id,
                data.definition,
                data.settings.min_seconds,
            )
    ctx.shared[SHARED_KEY] = made
    ctx.counts["surveys"] += len(made)
    ctx.progress("surveys", len(made), len(SURVEYS))


# --- who answers, when ------------------------------------------------------------------


@dataclass
class _Candidates:
    customer: list[npt.NDArray[np.int64]]
    seq: list[npt.NDArray[np.int64]]
    at_us: list[npt.NDArray[np.int64]]
    weight: list[npt.NDArray[np.float64]]

    def joined(self) -> tuple[npt.NDArray[Any], ...]:
        columns = (self.customer, self.seq, self.at_us, self.weight)
        return tuple(np.concatenate(c) if c else np.zeros(0) for c in columns)


@dataclass(frozen=True)
class Planned:
    survey: str
    at: datetime
    customer: int | None  # customer number; None: anonymous
    seq: int | None  # the customer's event number of the encounter (its event key)


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _encounters(ctx: DemoContext, shared: DemoJourneys) -> dict[str, _Candidates]:
    """Every encounter with a surveyed touchpoint that could be answered before the end."""
    keys = sim.touchpoint_keys()
    by_index = {keys.index(tp): spec.key for tp, spec in TOUCHPOINT_SURVEYS.items()}
    feedback = keys.index("feedback.survey")
    end_us = _us(ctx.reference_date)
    seed = ctx.rng.getrandbits(63)
    found = {key: _Candidates([], [], [], []) for key in by_index.values()}
    for chunk in sim.simulate(shared.customers, ctx.seed):
        customer = chunk.customer.astype(np.int64)
        rng = np.random.default_rng([seed, int(customer[0])])
        starts = np.flatnonzero(np.r_[True, customer[1:] != customer[:-1]])
        seq = np.arange(customer.size) - np.repeat(starts, np.diff(np.r_[starts, customer.size]))
        same_next = np.r_[customer[1:] == customer[:-1], False]
        next_tp = np.r_[chunk.touchpoint[1:], -1]
        next_ts = np.r_[chunk.ts_us[1:], 0]
        for index, key in by_index.items():
            rows = np.flatnonzero(chunk.touchpoint == index)
            median, sigma = DELAY_MINUTES[key]
            delay = rng.lognormal(np.log(median), sigma, rows.size) * 60e6
            at = chunk.ts_us[rows] + delay.astype(np.int64)
            weight = np.ones(rows.size)
            if key == "event":  # the journey says when they answered the feedback survey
                answered = same_next[rows] & (next_tp[rows] == feedback)
                at = np.where(answered, next_ts[rows], at)
                weight[answered] = 4.0
            keep = at <= end_us
            found[key].customer.append(customer[rows][keep])
            found[key].seq.append(seq[rows][keep])
            found[key].at_us.append(at[keep])
            found[key].weight.append(weight[keep])
    return found


def _pick(rng: np.random.Generator, weights: npt.NDArray[np.float64], k: int) -> npt.NDArray[Any]:
    """``k`` indexes drawn without replacement, likelier by weight (Efraimidis–Spirakis)."""
    if k >= weights.size:
        return np.arange(weights.size)
    keys = np.log(rng.random(weights.size)) / weights
    return np.sort(np.argpartition(-keys, k)[:k])


def plan(ctx: DemoContext, shared: DemoJourneys) -> list[Planned]:
    """Who answers which survey when, in time order."""
    total = response_count(shared.customers)
    rng = np.random.default_rng(ctx.rng.getrandbits(63))
    planned: list[Planned] = []
    for key, found in _encounters(ctx, shared).items():
        customer, seq, at_us, weight = found.joined()
        k = min(round(total * SHARES[key]), round(MAX_OF_CANDIDATES * customer.size))
        for i in _pick(rng, weight, k).tolist():
            planned.append(_planned(key, int(at_us[i]), int(customer[i]), int(seq[i])))
    # The relationship survey: a sample of customers in each wave (the e-mail consent is
    # checked when their profiles are read).
    per_wave = round(total * SHARES["relationship"] / len(RELATIONSHIP_WAVES))
    for wave in RELATIONSHIP_WAVES:
        chosen = rng.choice(shared.customers, min(shared.customers, per_wave), replace=False)
        lag = np.minimum(rng.exponential(1.5 * 86_400e6, chosen.size), 14 * 86_400e6)
        for number, extra in zip(np.sort(chosen).tolist(), lag.tolist(), strict=True):
            planned.append(_planned("relationship", _us(wave) + int(extra), number, None))
    planned.sort(key=lambda p: (p.at, p.survey, -1 if p.customer is None else p.customer))
    return planned


def _planned(key: str, at_us: int, customer: int, seq: int | None) -> Planned:
    at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=at_us)
    return Planned(key, at, customer, seq)


# --- profiles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    locale: str
    vip: bool
    consents_to_surveys: bool


def _profiles(ctx: DemoContext, shared: DemoJourneys, numbers: set[int]) -> dict[int, _Profile]:
    by_external = {shared.external_id(n): n for n in numbers}
    found: dict[int, _Profile] = {}
    externals = sorted(by_external)
    with ctx.db.transaction(shared.organisation_id, readonly=True) as session:
        for lo in range(0, len(externals), 500):
            part = externals[lo : lo + 500]
            stmt = select(Customer.external_id, Customer.locale, Customer.plan, Customer.consents)
            for ext, locale, plan_, consents in session.execute(
                stmt.where(Customer.external_id.in_(part))
            ):
                found[by_external[ext]] = _Profile(
                    locale or "fi", plan_ == "vip", bool((consents or {}).get("surveys"))
                )
    return found


# --- submissions ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    survey: LiveSurvey
    sub: responses.Submission
    customer_id: uuid.UUID | None
    now: datetime
    direct: bool  # through do_submit


def _choose(rng: random.Random, weights: dict[ResponseChannel, float]) -> ResponseChannel:
    return rng.choices(list(weights), list(weights.values()))[0]


def _items(
    ctx: DemoContext,
    shared: DemoJourneys,
    live: dict[str, LiveSurvey],
    planned: Sequence[Planned],
    profiles: dict[int, _Profile],
) -> Iterator[_Item]:
    rng = ctx.rng
    moods = np.random.default_rng([ctx.seed, 99]).normal(0, 0.5, shared.customers)
    leaning = leanings(ctx.seed, shared.customers)  # the planted key driver, see answers
    assert shared.customer_ids is not None
    stride = max(1, len(planned) // DIRECT_SAMPLE)
    for n, p in enumerate(planned):
        survey = live[p.survey]
        channels, anonymous_share = CHANNELS[p.survey]
        channel = _choose(rng, channels)
        anonymous = rng.random() < anonymous_share
        profile = profiles.get(p.customer) if p.customer is not None else None
        if channel is ResponseChannel.EMAIL and not (profile and profile.consents_to_surveys):
            channel = ResponseChannel.LINK  # the link printed in the ticket or the receipt
        if anonymous or p.customer is None or profile is None:
            language = rng.choices(("fi", "sv", "en"), (0.88, 0.06, 0.06))[0]
            who = Respondent(False, False, rng.gauss(0, 0.5), language)
            external = event_key = customer_id = None
        else:
            corporate = bool(shared.corporate[p.customer])
            who = Respondent(
                corporate,
                profile.vip,
                float(moods[p.customer]),
                profile.locale,
                tuple(leaning[p.customer].tolist()),
            )
            external = shared.external_id(p.customer)
            event_key = None if p.seq is None else f"demo-{external}-{p.seq}"
            customer_id = shared.customer_ids.uuids(np.array([p.customer]))[0]
        partial = rng.random() < PARTIAL_RATE.get(channel, PARTIAL_RATE_OTHERWISE)
        spec = survey.definition
        answers = answer(rng, spec, _main_touchpoint(p.survey), who, p.at, first_page_only=partial)
        seconds = max(8.0, rng.lognormvariate(4.3, 0.5)) * (0.5 if partial else 1.0)
        flag = None if partial or rng.random() >= FLAGGED_RATE else rng.choice(("bot", "fast"))
        if flag == "fast":
            seconds = 1.0
        sub = responses.Submission(
            answers=answers,
            language=who.language,
            finished=not partial,
            channel=channel,
            pages={"scores"} if partial else {page.key for page in spec.pages},
            customer_external_id=external,
            context={"page": "/liput/kassa/valmis"} if channel is ResponseChannel.WIDGET else {},
            event_key=event_key,
            started_at=p.at - timedelta(seconds=seconds),
            honeypot=flag == "bot",
        )
        direct = flag is not None or n % stride == 0 or not qualifies(survey, sub, p.at)
        yield _Item(survey, sub, customer_id, p.at, direct)


def _main_touchpoint(survey_key: str) -> str | None:
    for tp, spec in TOUCHPOINT_SURVEYS.items():
        if spec.key == survey_key:
            return tp
    return None


def _write(session: Session, batch: Sequence[_Item]) -> None:
    touchpoints = journeys_repo.touchpoint_keys(session)
    rows: list[dict[str, Any]] = []
    numbers: list[dict[str, Any]] = []
    orm: dict[uuid.UUID, Survey] = {}
    for item in batch:
        if item.direct:
            survey = orm.get(item.survey.id) or surveys_repo.survey(session, item.survey.id)
            assert survey is not None
            orm[item.survey.id] = survey
            with frozen_at(item.now):
                responses.do_submit(session, survey, item.sub)
            continue
        row, measures = rows_of(
            item.survey,
            item.sub,
            customer_id=item.customer_id,
            touchpoints=touchpoints,
            now=item.now,
        )
        rows.append(row)
        numbers += measures
    insert_rows(session, rows, numbers)


@contributor(order=40, name="surveys.responses")
def survey_responses(ctx: DemoContext) -> None:
    shared: DemoJourneys = ctx.shared[JOURNEYS_KEY]
    live: dict[str, LiveSurvey] = ctx.shared[SHARED_KEY]
    planned = plan(ctx, shared)
    numbers = {p.customer for p in planned if p.customer is not None}
    profiles = _profiles(ctx, shared, numbers)
    # Relationship surveys are e-mailed, and only to those who said yes to surveys.
    planned = [
        p
        for p in planned
        if p.survey != "relationship"
        or (p.customer in profiles and profiles[p.customer].consents_to_surveys)
    ]
    ctx.write_in_batches(
        "survey responses",
        _items(ctx, shared, live, planned, profiles),
        total=len(planned),
        tenant=shared.organisation_id,
        write=_write,
        batch_size=BATCH,
    )
