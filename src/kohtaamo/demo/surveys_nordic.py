"""The second demo organisation's surveys: Västkust Nordic Events AB asks its festival-goers.

Two touchpoint surveys (the festival entry and the concert, each with an
expectation–experience pair) and a relationship NPS, in Swedish first, then English and
Finnish, like the festival's customers (see :mod:`kohtaamo.demo.journeys_nordic`). Some
of those who went through the entry or heard a concert answer a few hours later, tied to
that interaction event; some of those who consent to surveys answer the NPS once in
the autumn. Each answers in their own language, with a comment that fits their scores.
All of it goes through the survey services and ``responses.do_submit``: a few hundred
responses, so the second organisation's surveys, measures and comments are its own.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kohtaamo.demo.generator import DemoContext, contributor
from kohtaamo.demo.journeys import owner_actor
from kohtaamo.demo.journeys_nordic import SLUG
from kohtaamo.demo.surveys_defs import ces, comment, csat, pair, t
from kohtaamo.journeys.models import Customer, InteractionEvent, Touchpoint
from kohtaamo.kit.clock import frozen_at
from kohtaamo.surveys import repository as surveys_repo
from kohtaamo.surveys import responses, service
from kohtaamo.surveys.catalogue import ResponseChannel, SurveyKind
from kohtaamo.surveys.definition import SurveyDefinition
from kohtaamo.surveys.schemas import SurveyIn

PUBLISHED_DAYS_BEFORE = 320  # before the first festival-goer's first event
SLUG_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ANSWER_SHARE = {"venue.entry": 0.30, "event.show": 0.45}  # of the encounters
NPS_SHARE = 0.35  # of the customers who consent to surveys
NPS_WAVE_DAYS_BEFORE = 40  # the relationship survey went out this long before the end
BATCH = 200


def _document(title: dict[str, str], first: list[Any], second: list[Any]) -> dict[str, Any]:
    return {
        "default_language": "sv",
        "languages": ["sv", "en", "fi"],
        "title": title,
        "thanks": t(
            "Kiitos! Luemme jokaisen vastauksen ennen ensi kesää.",
            "Thank you! We read every answer before next summer.",
            "Tack! Vi läser varje svar före nästa sommar.",
        ),
        "pages": [{"key": "scores", "questions": first}, {"key": "more", "questions": second}],
    }


@dataclass(frozen=True)
class NordicSurvey:
    key: str
    name: str
    kind: SurveyKind
    touchpoint: str | None
    definition: dict[str, Any]


SURVEYS = (
    NordicSurvey(
        "festival-entry",
        "Insläpp",
        SurveyKind.TOUCHPOINT,
        "venue.entry",
        _document(
            t("Miten pääsit sisään?", "How was getting in?", "Hur gick insläppet?"),
            [
                pair(
                    "entry",
                    "venue.entry",
                    t("Sisäänpääsy festivaalille", "Getting into the festival", "Insläppet"),
                ),
                ces(
                    "entry_effort",
                    "venue.entry",
                    t(
                        "Sisälle pääseminen oli vaivatonta.",
                        "Getting in was effortless.",
                        "Det var enkelt att komma in.",
                    ),
                ),
            ],
            [comment(t("Mitä voisimme parantaa?", "What could we improve?", "Vad kan vi bättre?"))],
        ),
    ),
    NordicSurvey(
        "festival-concert",
        "Konserten",
        SurveyKind.TOUCHPOINT,
        "event.show",
        _document(
            t("Millainen konsertti oli?", "How was the concert?", "Hur var konserten?"),
            [
                pair("concert", "event.show", t("Konsertti", "The concert", "Konserten")),
                csat(
                    "overall",
                    "event.show",
                    t(
                        "Kuinka tyytyväinen olit festivaalipäivään?",
                        "How satisfied were you with the festival day?",
                        "Hur nöjd var du med festivaldagen?",
                    ),
                ),
            ],
            [comment(t("Kerro omin sanoin", "In your own words", "Med egna ord"))],
        ),
    ),
    NordicSurvey(
        "festival-nps",
        "Festivalens NPS",
        SurveyKind.RELATIONSHIP,
        None,
        _document(
            t("Suosittelisitko meitä?", "Would you recommend us?", "Skulle du rekommendera oss?"),
            [
                {
                    "key": "nps",
                    "type": "nps",
                    "required": True,
                    "text": t(
                        "Kuinka todennäköisesti suosittelisit festivaalia ystävällesi?",
                        "How likely are you to recommend the festival to a friend?",
                        "Hur troligt är det att du skulle rekommendera festivalen till en vän?",
                    ),
                },
            ],
            [comment(t("Miksi?", "Why?", "Varför?"))],
        ),
    ),
)

# A comment's sentence by topic, tone and language (a low score complains, a high praises).
COMMENTS: dict[str, dict[str, dict[str, str]]] = {
    "venue.entry": {
        "complaint": t(
            "Jono portilla oli pitkä ja lippua skannattiin kahdesti.",
            "The queue at the gate was long and my pass was scanned twice.",
            "Kön vid grinden var lång och passet skannades två gånger.",
        ),
        "praise": t(
            "Pääsimme sisään muutamassa minuutissa, hienosti järjestetty.",
            "We were inside in a few minutes, well organised.",
            "Vi var inne på några minuter, väl organiserat.",
        ),
    },
    "event.show": {
        "complaint": t(
            "Äänentoisto oli huono eikä lavalle nähnyt.",
            "The sound was poor and we could not see the stage.",
            "Ljudet var dåligt och vi såg inte scenen.",
        ),
        "praise": t(
            "Upea konsertti ja hyvä tunnelma, tulemme uudestaan.",
            "A great concert and a lovely atmosphere, we will be back.",
            "En fantastisk konsert och härlig stämning, vi kommer tillbaka.",
        ),
    },
    "relationship": {
        "complaint": t(
            "Liput olivat kalliita siihen nähden, mitä sai.",
            "The passes were expensive for what we got.",
            "Passen var dyra för vad vi fick.",
        ),
        "praise": t(
            "Paras festivaali länsirannikolla, suosittelen kaikille.",
            "The best festival on the west coast, I recommend it to everyone.",
            "Västkustens bästa festival, jag rekommenderar den till alla.",
        ),
    },
}
# How each encounter went on average (1–5): entry queues disappoint, the concert delights.
EXPECTED = {"venue.entry": 3.8, "event.show": 4.0}
EXPERIENCED = {"venue.entry": 3.3, "event.show": 4.3}


@dataclass(frozen=True)
class _Planned:
    survey: str
    at: datetime
    external_id: str
    language: str
    event_key: str | None
    touchpoint: str | None


def _score(rng: random.Random, mean: float, lo: int = 1, hi: int = 5) -> int:
    return max(lo, min(hi, round(rng.gauss(mean, 0.9))))


def _answers(rng: random.Random, p: _Planned) -> dict[str, Any]:
    """Scores around the touchpoint's means and a comment whose tone fits them."""
    lang = p.language
    if p.touchpoint is None:
        nps = max(0, min(10, round(rng.gauss(7.6, 2.0))))
        tone = "complaint" if nps <= 6 else "praise" if nps >= 9 else None
        out: dict[str, Any] = {"nps": nps}
    else:
        expected = _score(rng, EXPECTED[p.touchpoint])
        experienced = _score(rng, EXPERIENCED[p.touchpoint])
        pair_key = "entry" if p.touchpoint == "venue.entry" else "concert"
        out = {pair_key: {"expected": expected, "experienced": experienced}}
        if p.touchpoint == "venue.entry":
            out["entry_effort"] = max(1, min(7, round(experienced * 1.4 + rng.gauss(0, 0.8))))
        else:
            out["overall"] = max(1, min(5, round(experienced + rng.gauss(0, 0.6))))
        tone = "complaint" if experienced <= 2 else "praise" if experienced >= 5 else None
    if tone is not None and rng.random() < 0.6:
        out["comment"] = COMMENTS[p.touchpoint or "relationship"][tone][lang]
    return out


def _plan(ctx: DemoContext, session: Session) -> list[_Planned]:
    """Who answers which survey when: encounters of the surveyed touchpoints, then the NPS."""
    rng = ctx.rng
    end = ctx.reference_date
    rows = session.execute(
        select(
            Touchpoint.key,
            InteractionEvent.event_key,
            InteractionEvent.occurred_at,
            Customer.external_id,
            Customer.locale,
        )
        .join(Touchpoint, Touchpoint.id == InteractionEvent.touchpoint_id)
        .join(Customer, Customer.id == InteractionEvent.customer_id)
        .where(Touchpoint.key.in_(list(ANSWER_SHARE)))
        .order_by(InteractionEvent.event_key)
    ).all()
    by_touchpoint = {s.touchpoint: s.key for s in SURVEYS if s.touchpoint}
    planned: list[_Planned] = []
    for key, event_key, occurred, external, locale in rows:
        if rng.random() >= ANSWER_SHARE[key]:
            continue
        at = _aware(occurred) + timedelta(hours=rng.uniform(2, 30))
        if at < end:
            survey = by_touchpoint[key]
            planned.append(_Planned(survey, at, external, locale or "sv", event_key, key))
    consenting = session.execute(
        select(Customer.external_id, Customer.locale, Customer.consents).order_by(
            Customer.external_id
        )
    ).all()
    wave = end - timedelta(days=NPS_WAVE_DAYS_BEFORE)
    for external, locale, consents in consenting:
        if (consents or {}).get("surveys") and rng.random() < NPS_SHARE:
            at = wave + timedelta(hours=rng.uniform(1, 24 * 14))
            planned.append(_Planned("festival-nps", at, external, locale or "sv", None, None))
    planned.sort(key=lambda p: (p.at, p.survey, p.external_id))
    return planned


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; the demo's clock is in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contributor(order=45, name="surveys.nordic")
def nordic_surveys(ctx: DemoContext) -> None:
    """Create and publish the festival's surveys and store its festival-goers' answers."""
    org = ctx.organisations[SLUG].id
    actor = owner_actor(org)
    published = ctx.reference_date - timedelta(days=PUBLISHED_DAYS_BEFORE)
    ctx.progress("festival surveys", 0, len(SURVEYS))
    with frozen_at(published), ctx.db.transaction(org) as session:
        for spec in SURVEYS:
            definition = SurveyDefinition.model_validate(spec.definition)
            data = SurveyIn(
                key=spec.key,
                name=spec.name,
                kind=spec.kind,
                touchpoint=spec.touchpoint,
                definition=definition,
            )
            survey = service.do_create_survey(session, actor, data)
            survey.slug = "".join(ctx.rng.choice(SLUG_ALPHABET) for _ in range(12))
            service.do_publish(session, actor, survey.id)
    ctx.counts["festival surveys"] += len(SURVEYS)  # a step of its own: see ctx.progress
    ctx.progress("festival surveys", len(SURVEYS), len(SURVEYS))
    with ctx.db.transaction(org, readonly=True) as session:
        planned = _plan(ctx, session)
    rng = ctx.rng

    def write(session: Session, batch: Sequence[_Planned]) -> None:
        surveys = {s.key: s for s in surveys_repo.surveys(session)}
        for p in batch:
            seconds = max(20.0, rng.lognormvariate(4.0, 0.4))
            sub = responses.Submission(
                answers=_answers(rng, p),
                language=p.language,
                finished=True,
                channel=ResponseChannel.EMAIL if p.touchpoint is None else ResponseChannel.LINK,
                customer_external_id=p.external_id,
                event_key=p.event_key,
                started_at=p.at - timedelta(seconds=seconds),
            )
            with frozen_at(p.at):
                responses.do_submit(session, surveys[p.survey], sub)

    ctx.write_in_batches(
        "festival survey responses",
        planned,
        total=len(planned),
        tenant=org,
        write=write,
        batch_size=BATCH,
    )
