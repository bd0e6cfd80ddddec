"""The demo surveys of Tapahtumatalo Elämys Oy: what they ask, in Finnish, English, Swedish.

Six touchpoint surveys, each asked right after one encounter of the demo journeys and
each with an expectation–experience pair (asked twice, "what did you expect / what did
you get", except customer service, asked as one comparison), effort or satisfaction
where natural, the feelings the encounter left and an open comment; and a relationship
survey (NPS, why, how four encounters went, repurchase intent, trust). Page 1 holds the
scores, page 2 the rest, so that a respondent who stops half-way leaves a partial
response with scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kohtaamo.surveys.catalogue import SurveyKind
from kohtaamo.surveys.definition import SurveyDefinition


def t(fi: str, en: str, sv: str) -> dict[str, str]:
    return {"fi": fi, "en": en, "sv": sv}


FIVE = {
    "min": 1,
    "max": 5,
    "min_label": t("Erittäin huono", "Very poor", "Mycket dålig"),
    "max_label": t("Erinomainen", "Excellent", "Utmärkt"),
}
EXPECTED = t("Mitä odotit", "What you expected", "Vad du förväntade dig")
EXPERIENCED = t("Mitä koit", "What you got", "Vad du upplevde")


def pair(
    key: str, touchpoint: str, text: dict[str, str], *, required: bool = True
) -> dict[str, Any]:
    return {
        "key": key,
        "type": "expectation_experience",
        "pair_form": "double",
        "touchpoint": touchpoint,
        "required": required,
        "text": text,
        "help": t(
            "Arvioi ensin, mitä odotit, ja sitten, miten se todella meni.",
            "First rate what you expected, then how it really went.",
            "Bedöm först vad du förväntade dig och sedan hur det faktiskt gick.",
        ),
        "scale": FIVE,
        "expected_label": EXPECTED,
        "experienced_label": EXPERIENCED,
    }


def ces(key: str, touchpoint: str, text: dict[str, str]) -> dict[str, Any]:
    return {
        "key": key,
        "type": "ces",
        "touchpoint": touchpoint,
        "required": True,
        "text": text,
        "scale": {
            "min": 1,
            "max": 7,
            "min_label": t("Täysin eri mieltä", "Strongly disagree", "Helt oenig"),
            "max_label": t("Täysin samaa mieltä", "Strongly agree", "Helt enig"),
        },
    }


def csat(
    key: str, touchpoint: str, text: dict[str, str], *, required: bool = True
) -> dict[str, Any]:
    return {
        "key": key,
        "type": "csat",
        "touchpoint": touchpoint,
        "required": required,
        "text": text,
        "scale": {
            "min": 1,
            "max": 5,
            "min_label": t("Erittäin tyytymätön", "Very dissatisfied", "Mycket missnöjd"),
            "max_label": t("Erittäin tyytyväinen", "Very satisfied", "Mycket nöjd"),
        },
    }


def feelings(text: dict[str, str]) -> dict[str, Any]:
    return {"key": "feelings", "type": "emotion", "text": text, "max_choices": 3}


def comment(text: dict[str, str]) -> dict[str, Any]:
    return {"key": "comment", "type": "text", "text": text, "max_length": 2000}


def document(
    title: dict[str, str], first: list[dict[str, Any]], second: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "default_language": "fi",
        "languages": ["fi", "en", "sv"],
        "title": title,
        "intro": t(
            "Vastaaminen vie noin minuutin. Kiitos, että autat meitä parantamaan!",
            "This takes about a minute. Thank you for helping us improve!",
            "Det tar ungefär en minut. Tack för att du hjälper oss att bli bättre!",
        ),
        "thanks": t(
            "Kiitos palautteestasi – luemme jokaisen vastauksen.",
            "Thank you for your feedback – we read every response.",
            "Tack för din feedback – vi läser varje svar.",
        ),
        "pages": [
            {
                "key": "scores",
                "title": t("Arvio", "Your rating", "Ditt omdöme"),
                "questions": first,
            },
            {
                "key": "more",
                "title": t("Kerro lisää", "Tell us more", "Berätta mer"),
                "questions": second,
            },
        ],
    }


@dataclass(frozen=True)
class SurveySpec:
    key: str
    name: str
    kind: SurveyKind
    touchpoint: str | None  # the encounter it follows (None: the relationship)
    definition: dict[str, Any]

    def parsed(self) -> SurveyDefinition:
        return SurveyDefinition.model_validate(self.definition)


ENTRY = SurveySpec(
    "entry",
    "Saapuminen ja sisäänpääsy",
    SurveyKind.TOUCHPOINT,
    "venue.entry",
    document(
        t("Miten pääsit sisään?", "How was getting in?", "Hur gick insläppet?"),
        [
            pair(
                "arrival",
                "venue.entry",
                t(
                    "Saapuminen ja sisäänpääsy (pysäköinti, opasteet, jonot, lipuntarkastus)",
                    "Arriving and getting in (parking, signs, queues, ticket check)",
                    "Ankomst och insläpp (parkering, skyltar, köer, biljettkontroll)",
                ),
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
        [
            feelings(
                t("Miltä saapuminen tuntui?", "How did arriving feel?", "Hur kändes ankomsten?")
            ),
            comment(
                t(
                    "Mitä voisimme tehdä ovella paremmin?",
                    "What could we do better at the door?",
                    "Vad kunde vi göra bättre vid entrén?",
                )
            ),
            {"key": "gate", "type": "hidden"},  # from the QR code at each entrance
        ],
    ),
)

EVENT = SurveySpec(
    "event",
    "Tapahtumakokemus",
    SurveyKind.TOUCHPOINT,
    "event.show",
    document(
        t("Miten tapahtuma onnistui?", "How was the event?", "Hur var evenemanget?"),
        [
            pair(
                "show",
                "event.show",
                t(
                    "Itse esitys tai tapahtuma",
                    "The show or event itself",
                    "Själva föreställningen eller evenemanget",
                ),
            ),
            csat(
                "bar",
                "venue.bar",
                t(
                    "Kuinka tyytyväinen olit baarin ja kahvion palveluun?",
                    "How satisfied were you with the bar and café?",
                    "Hur nöjd var du med baren och kaféet?",
                ),
                required=False,
            ),
            csat(
                "overall",
                "event.show",
                t(
                    "Kuinka tyytyväinen olit tapahtumaan kokonaisuutena?",
                    "How satisfied were you with the event as a whole?",
                    "Hur nöjd var du med evenemanget som helhet?",
                ),
            ),
        ],
        [
            feelings(
                t(
                    "Millaisen tunteen ilta jätti?",
                    "How did the evening leave you feeling?",
                    "Vilken känsla lämnade kvällen?",
                )
            ),
            comment(
                t(
                    "Kerro omin sanoin: mikä onnistui, mikä jäi harmittamaan?",
                    "In your own words: what worked, what was a let-down?",
                    "Med egna ord: vad fungerade, vad var en besvikelse?",
                )
            ),
        ],
    ),
)

CHECKOUT = SurveySpec(
    "checkout",
    "Verkkokaupan kassa",
    SurveyKind.TOUCHPOINT,
    "web.checkout",
    document(
        t(
            "Miten lippujen ostaminen sujui?",
            "How did buying tickets go?",
            "Hur gick biljettköpet?",
        ),
        [
            pair(
                "purchase",
                "web.checkout",
                t(
                    "Lippujen ostaminen verkkokaupassa",
                    "Buying tickets in the web shop",
                    "Att köpa biljetter i webbutiken",
                ),
            ),
            ces(
                "purchase_effort",
                "web.checkout",
                t(
                    "Lippujen ostaminen oli helppoa.",
                    "Buying the tickets was easy.",
                    "Det var lätt att köpa biljetterna.",
                ),
            ),
        ],
        [
            feelings(t("Miltä ostaminen tuntui?", "How did buying feel?", "Hur kändes köpet?")),
            comment(
                t(
                    "Jäikö jokin mietityttämään ostaessa?",
                    "Did anything puzzle you while buying?",
                    "Var det något som förbryllade dig under köpet?",
                )
            ),
        ],
    ),
)

SERVICE = SurveySpec(
    "service",
    "Asiakaspalvelu",
    SurveyKind.TOUCHPOINT,
    "service.phone",
    document(
        t(
            "Miten asiakaspalvelu onnistui?",
            "How did customer service do?",
            "Hur skötte sig kundtjänsten?",
        ),
        [
            {
                "key": "service",
                "type": "expectation_experience",
                "pair_form": "compared",
                "touchpoint": "service.phone",
                "required": True,
                "text": t(
                    "Miten palvelu onnistui verrattuna siihen, mitä odotit?",
                    "How did the service compare with what you expected?",
                    "Hur var servicen jämfört med vad du förväntade dig?",
                ),
                "scale": {
                    "min": -2,
                    "max": 2,
                    "min_label": t("Paljon huonommin", "Much worse", "Mycket sämre"),
                    "max_label": t("Paljon paremmin", "Much better", "Mycket bättre"),
                },
            },
            {
                "key": "resolved",
                "type": "yes_no",
                "required": True,
                "text": t(
                    "Saitko asiasi hoidettua?",
                    "Was your matter sorted out?",
                    "Blev ditt ärende löst?",
                ),
            },
            ces(
                "service_effort",
                "service.phone",
                t(
                    "Asiani hoitaminen oli vaivatonta.",
                    "Getting my matter handled was effortless.",
                    "Det var enkelt att få mitt ärende skött.",
                ),
            ),
        ],
        [
            feelings(
                t(
                    "Miltä yhteydenotto tuntui?",
                    "How did contacting us feel?",
                    "Hur kändes kontakten?",
                )
            ),
            comment(
                t(
                    "Mitä asiakaspalvelun pitäisi tehdä toisin?",
                    "What should customer service do differently?",
                    "Vad borde kundtjänsten göra annorlunda?",
                )
            ),
        ],
    ),
)

CORPORATE = SurveySpec(
    "corporate-event",
    "Yritystapahtuman palaute",
    SurveyKind.TOUCHPOINT,
    "corporate.event",
    document(
        t(
            "Miten yritystapahtumanne onnistui?",
            "How did your company event go?",
            "Hur gick ert företagsevenemang?",
        ),
        [
            pair(
                "delivery",
                "corporate.event",
                t(
                    "Tapahtuman toteutus kokonaisuutena",
                    "How the event was delivered as a whole",
                    "Hur evenemanget genomfördes som helhet",
                ),
            ),
            pair(
                "catering",
                "catering.delivery",
                t(
                    "Tarjoilut ja catering",
                    "Food, drinks and catering",
                    "Servering och catering",
                ),
            ),
            csat(
                "overall",
                "corporate.event",
                t(
                    "Kuinka tyytyväisiä olitte yhteistyöhön?",
                    "How satisfied were you with working with us?",
                    "Hur nöjda var ni med samarbetet?",
                ),
            ),
        ],
        [
            feelings(
                t(
                    "Millaisen tunteen tapahtuma jätti?",
                    "How did the event leave you feeling?",
                    "Vilken känsla lämnade evenemanget?",
                )
            ),
            comment(
                t(
                    "Mitä teemme ensi kerralla toisin?",
                    "What should we do differently next time?",
                    "Vad ska vi göra annorlunda nästa gång?",
                )
            ),
        ],
    ),
)

INVOICE = SurveySpec(
    "invoice",
    "Laskutus",
    SurveyKind.TOUCHPOINT,
    "invoice",
    document(
        t("Oliko laskumme kunnossa?", "Was our invoice in order?", "Var vår faktura i ordning?"),
        [
            pair(
                "invoice",
                "invoice",
                t(
                    "Laskun selkeys ja oikeellisuus",
                    "How clear and correct the invoice was",
                    "Hur tydlig och korrekt fakturan var",
                ),
            ),
            ces(
                "invoice_effort",
                "invoice",
                t(
                    "Laskun tarkistaminen ja hyväksyminen oli vaivatonta.",
                    "Checking and approving the invoice was effortless.",
                    "Det var enkelt att granska och godkänna fakturan.",
                ),
            ),
        ],
        [
            feelings(
                t(
                    "Miltä laskun käsittely tuntui?",
                    "How did handling the invoice feel?",
                    "Hur kändes det att hantera fakturan?",
                )
            ),
            comment(
                t(
                    "Mitä laskulta puuttui tai mikä siinä oli vialla?",
                    "What was missing from the invoice, or wrong with it?",
                    "Vad saknades på fakturan eller vad var fel?",
                )
            ),
        ],
    ),
)

RELATIONSHIP = SurveySpec(
    "relationship",
    "Asiakassuhde (NPS)",
    SurveyKind.RELATIONSHIP,
    None,
    document(
        t(
            "Mitä mieltä olet Elämyksestä?",
            "What do you think of Elämys?",
            "Vad tycker du om Elämys?",
        ),
        [
            {
                "key": "nps",
                "type": "nps",
                "required": True,
                "text": t(
                    "Kuinka todennäköisesti suosittelisit Tapahtumatalo Elämystä ystävällesi "
                    "tai kollegallesi?",
                    "How likely are you to recommend Tapahtumatalo Elämys to a friend or "
                    "colleague?",
                    "Hur troligt är det att du skulle rekommendera Tapahtumatalo Elämys "
                    "till en vän eller kollega?",
                ),
                "scale": {
                    "min": 0,
                    "max": 10,
                    "min_label": t(
                        "En lainkaan todennäköisesti", "Not at all likely", "Inte alls troligt"
                    ),
                    "max_label": t(
                        "Erittäin todennäköisesti", "Extremely likely", "Mycket troligt"
                    ),
                },
            },
            {
                "key": "why",
                "type": "text",
                "text": t(
                    "Mikä on tärkein syy antamaasi arvosanaan?",
                    "What is the main reason for your score?",
                    "Vad är det viktigaste skälet till ditt betyg?",
                ),
            },
            # How the encounters went, rated once a quarter alongside the NPS: the
            # drivers of the key-driver analysis (optional: skip what you never used).
            csat(
                "rate_entry",
                "venue.entry",
                t("Sisäänpääsy tapahtumiin", "Getting into events", "Insläppet till evenemang"),
                required=False,
            ),
            csat(
                "rate_show",
                "event.show",
                t("Esitykset ja tapahtumat", "The shows and events", "Föreställningarna"),
                required=False,
            ),
            csat(
                "rate_checkout",
                "web.checkout",
                t("Lippujen ostaminen verkossa", "Buying tickets online", "Att köpa biljetter"),
                required=False,
            ),
            csat(
                "rate_invoice",
                "invoice",
                t("Laskutus", "Invoicing", "Faktureringen"),
                required=False,
            ),
        ],
        [
            {
                "key": "repurchase",
                "type": "rating",
                "role": "repurchase_intent",
                "text": t(
                    "Kuinka todennäköisesti ostat meiltä uudelleen seuraavan vuoden aikana?",
                    "How likely are you to buy from us again within a year?",
                    "Hur troligt är det att du köper av oss igen inom ett år?",
                ),
                "scale": {
                    "min": 1,
                    "max": 5,
                    "min_label": t("Tuskin", "Hardly", "Knappast"),
                    "max_label": t("Varmasti", "Certainly", "Säkert"),
                },
            },
            {
                "key": "trust",
                "type": "rating",
                "role": "trust",
                "text": t(
                    "Luotan siihen, että Elämys pitää lupauksensa.",
                    "I trust Elämys to keep its promises.",
                    "Jag litar på att Elämys håller vad de lovar.",
                ),
                "scale": {
                    "min": 1,
                    "max": 5,
                    "min_label": t("Täysin eri mieltä", "Strongly disagree", "Helt oenig"),
                    "max_label": t("Täysin samaa mieltä", "Strongly agree", "Helt enig"),
                },
            },
        ],
    ),
)

SURVEYS: tuple[SurveySpec, ...] = (
    ENTRY,
    EVENT,
    CHECKOUT,
    SERVICE,
    CORPORATE,
    INVOICE,
    RELATIONSHIP,
)
TOUCHPOINT_SURVEYS = {s.touchpoint: s for s in SURVEYS if s.touchpoint is not None}
