"""Open comments of the demo responses: what Elämys's customers would write, and why.

A comment is made of sentences about one touchpoint in one tone, chosen from the
response's scores (a low score complains about that encounter, a high one praises it,
a middling one says both), with slots filled from small word lists, an optional opener
and closer, and a little of each writer's style. Finnish mostly, English for those who
answered in English or Swedish. :func:`tone_of` reads the tone back from a text (the
tests use it to check that comments agree with their scores).
"""

from __future__ import annotations

import random
import re
from functools import cache
from typing import Literal, NamedTuple

Tone = Literal["complaint", "mixed", "praise"]
TONES: tuple[Tone, ...] = ("complaint", "mixed", "praise")

# Sentences by topic (a touchpoint key, or "relationship"), tone and language.
SENTENCES: dict[str, dict[Tone, dict[str, list[str]]]] = {
    "venue.entry": {
        "complaint": {
            "fi": [
                "Pysäköintihalli oli täynnä ja jouduimme kiertämään {minutes} minuuttia.",
                "Jono ovella kesti {minutes} minuuttia, vaikka olimme paikalla ajoissa.",
                "Lipun QR-koodi ei lukeutunut ja jouduin etsimään tilausvahvistusta {where}.",
                "Opasteet {where} olivat puutteelliset, oikeaa ovea sai etsiä.",
                "Turvatarkastuksessa oli auki vain {lanes} linjaa, joten alku jäi näkemättä.",
            ],
            "en": [
                "The car park was full and we drove around for {minutes} minutes.",
                "The queue at the door took {minutes} minutes although we came early.",
                "The QR code on my ticket would not scan and I had to dig up the order e-mail.",
                "Signs {where_en} were poor, we had to hunt for the right door.",
                "Only {lanes_en} security lanes were open, so we missed the start.",
            ],
        },
        "mixed": {
            "fi": [
                "Sisäänpääsy sujui kohtalaisesti, mutta pysäköinti oli kallis.",
                "Ovella jonotettiin {minutes} minuuttia, henkilökunta oli silti ystävällistä.",
            ],
            "en": [
                "Getting in was OK, but parking was expensive.",
                "We queued {minutes} minutes at the door, the staff were friendly though.",
            ],
        },
        "praise": {
            "fi": [
                "Sisään pääsi {quickly}, lipuntarkastus toimi moitteettomasti.",
                "Henkilökunta ovella oli ystävällistä ja opasti hyvin.",
                "Pysäköinti sujui hyvin ja opasteet olivat selkeät.",
            ],
            "en": [
                "We got in {quickly_en}, the ticket check worked perfectly.",
                "The staff at the door were friendly and helpful.",
                "Parking was easy and the signs were clear.",
            ],
        },
    },
    "event.show": {
        "complaint": {
            "fi": [
                "Äänentoisto oli {sound} eikä puheesta saanut selvää.",
                "Istumapaikoilta ei nähnyt lavalle kunnolla.",
                "Esitys alkoi {minutes} minuuttia myöhässä ilman selitystä.",
                "Lipun hintaan nähden esitys oli {short}.",
            ],
            "en": [
                "The sound was {sound_en} and we could not make out the words.",
                "We could not see the stage properly from our seats.",
                "The show started {minutes} minutes late with no explanation.",
                "For the price of the ticket the show was {short_en}.",
            ],
        },
        "mixed": {
            "fi": [
                "Esitys oli ihan hyvä, mutta väliaika venyi liian pitkäksi.",
                "Hyvä ilta, vaikka salissa oli {temperature}.",
            ],
            "en": [
                "The show was fine, but the interval dragged on.",
                "A good evening, although the hall was {temperature_en}.",
            ],
        },
        "praise": {
            "fi": [
                "{Show} oli upea, {detail}!",
                "Äänentoisto ja valot olivat huippuluokkaa.",
                "{Who} puhuvat vieläkin illasta, kiitos elämyksestä!",
                "Paras näkemäni esitys {when}.",
            ],
            "en": [
                "The show was wonderful, {detail_en}!",
                "Sound and lighting were top class.",
                "{Who_en} are still talking about the evening, thank you!",
                "The best show I have seen {when_en}.",
            ],
        },
    },
    "venue.bar": {
        "complaint": {
            "fi": [
                "Baarin jono oli niin pitkä, että väliaika loppui kesken.",
                "Kahvion hinnat olivat kohtuuttomat: {price} euroa pullasta.",
            ],
            "en": [
                "The bar queue was so long that the interval ran out.",
                "The café prices were steep: {price_en} euros for a bun.",
            ],
        },
        "mixed": {
            "fi": ["Baarissa oli hyvä valikoima, mutta jonoa riitti."],
            "en": ["The bar had a good choice, but the queue was long."],
        },
        "praise": {
            "fi": ["Väliaikatarjoilut olivat valmiina pöydässä, todella kätevää."],
            "en": ["The interval drinks were waiting at the table, very handy."],
        },
    },
    "web.checkout": {
        "complaint": {
            "fi": [
                "Maksu epäonnistui {times} kertaa ennen kuin se meni läpi.",
                "Paikkojen valinta ei toiminut puhelimella.",
                "Palvelumaksu tuli yllätyksenä vasta kassalla.",
                "Kassa kaatui kesken ja jouduin aloittamaan alusta.",
            ],
            "en": [
                "Payment failed {times_en} times before it went through.",
                "Choosing seats did not work on my phone.",
                "The service fee was a surprise at the very end of checkout.",
                "Checkout crashed half-way and I had to start over.",
            ],
        },
        "mixed": {
            "fi": ["Ostaminen onnistui, mutta paikkakartta oli sekava."],
            "en": ["Buying worked, but the seat map was confusing."],
        },
        "praise": {
            "fi": [
                "Liput ostettu {duration}, todella helppoa.",
                "{Pay} toimi nopeasti ja liput tulivat heti sähköpostiin.",
                "Uusi kassa on selkeä, paikat näki heti.",
            ],
            "en": [
                "Tickets bought {duration_en}, really easy.",
                "{Pay} worked quickly and the tickets came straight away.",
                "The new checkout is clear, I could see the seats at once.",
            ],
        },
    },
    "service.phone": {
        "complaint": {
            "fi": [
                "Jonotin puhelimessa {minutes} minuuttia.",
                "Sain eri vastauksen chatissa ja puhelimessa.",
                "Hyvitystä on pitänyt kysyä {times} kertaa.",
                "Kukaan ei soittanut takaisin, vaikka niin luvattiin.",
            ],
            "en": [
                "I waited {minutes} minutes on the phone.",
                "Chat and phone gave me different answers.",
                "I have had to ask for my refund {times_en} times.",
                "Nobody called back although they promised to.",
            ],
        },
        "mixed": {
            "fi": ["Asia hoitui lopulta, mutta jonotus kesti {minutes} minuuttia."],
            "en": ["It got sorted in the end, but I waited {minutes} minutes."],
        },
        "praise": {
            "fi": [
                "Asiakaspalvelija {name} hoiti asian heti ja ystävällisesti.",
                "Sain lipun vaihdettua yhdellä puhelulla.",
                "Hyvitys tuli tilille {days} päivässä, kiitos!",
            ],
            "en": [
                "{name} in customer service sorted it out at once, very kindly.",
                "I changed my ticket with one phone call.",
                "The refund was in my account within {days} days, thanks!",
            ],
        },
    },
    "corporate.event": {
        "complaint": {
            "fi": [
                "Tekniikka petti kesken {part}, eikä paikalla ollut ketään korjaamassa.",
                "Aikataulu venyi {minutes} minuuttia, ja osa vieraista lähti ennen loppua.",
                "Sovittu {item} puuttui, vaikka se oli tilauksessa.",
            ],
            "en": [
                "The AV failed during {part_en} and nobody was there to fix it.",
                "The schedule ran {minutes} minutes late and guests left before the end.",
                "The {item_en} we had agreed on was missing although it was in the order.",
            ],
        },
        "mixed": {
            "fi": ["Tilaisuus onnistui, mutta tiedotus ennen tapahtumaa oli niukkaa."],
            "en": ["The event went well, but we heard little from you beforehand."],
        },
        "praise": {
            "fi": [
                "Vieraamme kiittelivät {what}.",
                "Projektipäällikkönne {name} piti langat käsissä alusta loppuun.",
                "Tapahtuma näytti juuri meiltä, {detail}.",
            ],
            "en": [
                "Our guests praised {what_en}.",
                "Your project manager {name} kept everything in hand from start to finish.",
                "The event looked just like us, {detail_en}.",
            ],
        },
    },
    "catering.delivery": {
        "complaint": {
            "fi": [
                "Catering myöhästyi {minutes} minuuttia.",
                "Erityisruokavaliot oli unohdettu, {diet} vieraat jäivät ilman.",
            ],
            "en": [
                "Catering was {minutes} minutes late.",
                "Special diets were forgotten and our {diet_en} guests went without.",
            ],
        },
        "mixed": {
            "fi": ["Ruoka oli hyvää, mutta sitä ei riittänyt kaikille."],
            "en": ["The food was good but there was not enough for everyone."],
        },
        "praise": {
            "fi": ["Tarjoilut olivat ajallaan ja ruoka erinomaista."],
            "en": ["Catering was on time and the food excellent."],
        },
    },
    "invoice": {
        "complaint": {
            "fi": [
                "Laskulla oli eri summa kuin tarjouksessa, erotus {amount} euroa.",
                "Laskulta puuttui {missing}, jota ostoreskontramme vaatii.",
                "Verkkolasku tuli väärään osoitteeseen ja jouduimme pyytämään uuden.",
                "Laskun erittely oli niin ylimalkainen, ettei sitä voinut tarkistaa.",
            ],
            "en": [
                "The invoice total differed from the proposal by {amount} euros.",
                "The invoice was missing the {missing_en} our accounts payable needs.",
                "The e-invoice went to the wrong address and we had to ask for a new one.",
                "The breakdown was so vague that we could not check the invoice.",
            ],
        },
        "mixed": {
            "fi": ["Lasku oli oikein, mutta se tuli vasta {days} päivää tapahtuman jälkeen."],
            "en": ["The invoice was correct, but it came {days} days after the event."],
        },
        "praise": {
            "fi": [
                "Lasku vastasi tarjousta ja tuli oikeaan verkkolaskuosoitteeseen.",
                "Selkeä erittely, hyväksyimme laskun saman tien.",
            ],
            "en": [
                "The invoice matched the proposal and reached the right e-invoice address.",
                "A clear breakdown, we approved the invoice right away.",
            ],
        },
    },
    "relationship": {
        "complaint": {
            "fi": [
                "Hinnat ovat nousseet, mutta palvelu ei ole parantunut.",
                "Asiakaspalveluun on vaikea saada yhteyttä.",
                "Viime tapahtumassa {letdown}, eikä kukaan pahoitellut.",
            ],
            "en": [
                "Prices have gone up but the service has not got better.",
                "Customer service is hard to reach.",
                "At the last event {letdown_en}, and nobody apologised.",
            ],
        },
        "mixed": {
            "fi": [
                "Tapahtumat ovat hyviä, mutta lippujen ostaminen ja pysäköinti kaipaavat "
                "parannusta.",
                "Ihan hyvä, mutta kilpailijoillakin on hyviä tapahtumia.",
            ],
            "en": [
                "The events are good, but buying tickets and parking need work.",
                "Fine, but your competitors have good events too.",
            ],
        },
        "praise": {
            "fi": [
                "Tapahtumat ovat aina elämyksiä, ja kaikki toimii.",
                "Luotettava kumppani, jolta saa aina mitä on luvattu.",
                "{Who} odottavat jo seuraavaa kertaa.",
            ],
            "en": [
                "Your events are always an experience and everything just works.",
                "A reliable partner that always delivers what was promised.",
                "{Who_en} are already looking forward to the next time.",
            ],
        },
    },
}

OPENERS: dict[Tone, dict[str, list[str]]] = {
    "complaint": {
        "fi": ["Harmillinen kokemus.", "Pettymys."],
        "en": ["Not great.", "Disappointing."],
    },
    "mixed": {"fi": ["Ihan ok.", "Pääosin hyvä."], "en": ["Mostly fine.", "OK overall."]},
    "praise": {"fi": ["Kiitos!", "Mahtavaa!"], "en": ["Thank you!", "Brilliant!"]},
}
CLOSERS: dict[Tone, dict[str, list[str]]] = {
    "complaint": {
        "fi": ["Toivottavasti korjaatte tämän.", "Tämä pitää korjata ennen seuraavaa kertaa."],
        "en": ["Please fix this.", "I hope this is sorted before next time."],
    },
    "mixed": {
        "fi": ["Pienillä muutoksilla täydellinen."],
        "en": ["Small changes would make it perfect."],
    },
    "praise": {
        "fi": ["Tulemme varmasti uudestaan.", "Jatkakaa samaan malliin!"],
        "en": ["We will certainly come again.", "Keep it up!"],
    },
}

SLOTS: dict[str, list[str]] = {
    "minutes": ["15", "20", "25", "30", "40", "45"],
    "times": ["kaksi", "kolme", "neljä"],
    "lanes": ["kaksi", "kolme"],
    "lanes_en": ["two", "three"],
    "times_en": ["two", "three", "four"],
    "price_en": ["5.50", "6", "7.90"],
    "days": ["2", "3", "5", "14", "21"],
    "amount": ["120", "250", "480", "1 200"],
    "price": ["5,50", "6", "7,90"],
    "where": ["parkkihallissa", "pääovella", "aulassa", "sisäpihalla"],
    "where_en": ["in the car park", "at the main door", "in the lobby"],
    "quickly": ["nopeasti", "muutamassa minuutissa", "ilman jonoja"],
    "quickly_en": ["quickly", "in a few minutes", "without queueing"],
    "sound": ["liian kova", "puuroutuva", "rätisevä"],
    "sound_en": ["too loud", "muddy", "crackling"],
    "short": ["liian lyhyt", "pettymys", "keskeneräisen oloinen"],
    "short_en": ["too short", "a let-down", "half-finished"],
    "temperature": ["kuuma", "kylmä", "tunkkaista"],
    "temperature_en": ["hot", "cold", "stuffy"],
    "Show": ["Esitys", "Konsertti", "Koko ilta", "Näytös"],
    "detail": ["tunnelma oli käsinkosketeltava", "lavastus oli hieno", "laulajat loistivat"],
    "detail_en": ["the atmosphere was electric", "the staging was great", "the singers shone"],
    "Who": ["Lapset", "Vanhempani", "Ystäväni", "Työkaverit"],
    "Who_en": ["The kids", "My parents", "My friends"],
    "when": ["vuosiin", "tänä vuonna", "koskaan"],
    "when_en": ["in years", "this year", "ever"],
    "duration": ["parissa minuutissa", "hetkessä", "alle minuutissa"],
    "duration_en": ["in a couple of minutes", "in no time", "in under a minute"],
    "Pay": ["MobilePay", "Verkkopankki", "Korttimaksu", "Apple Pay"],
    "name": ["Sanna", "Mikko", "Laura", "Jussi", "Aino", "Petri"],
    "part": ["toimitusjohtajan puheen", "palkintojenjaon", "esitysten"],
    "part_en": ["the CEO's speech", "the awards", "the presentations"],
    "item": ["kuohuviinitarjoilu", "valokuvaaja", "vaatesäilytys"],
    "item_en": ["sparkling wine", "photographer", "cloakroom"],
    "what": ["ohjelmaa ja tarjoiluja", "tunnelmaa", "sujuvia järjestelyjä"],
    "what_en": ["the programme and the food", "the atmosphere", "the smooth arrangements"],
    "diet": ["gluteenittomat", "vegaaniset", "laktoosittomat"],
    "diet_en": ["gluten-free", "vegan", "lactose-free"],
    "missing": ["tilausnumero", "viitteemme", "kustannuspaikka"],
    "missing_en": ["order number", "reference", "cost centre"],
    "letdown": ["jonotimme tunnin", "paikkamme olivat myyty kahdesti", "ääni pätki"],
    "letdown_en": ["we queued for an hour", "our seats had been sold twice", "the sound cut out"],
}

_SLOT = re.compile(r"\{(\w+)\}")


def comment_language(response_language: str) -> str:
    """Finnish respondents write Finnish; English and Swedish ones, English."""
    return "fi" if response_language == "fi" else "en"


def make_comment(rng: random.Random, topic: str, tone: Tone, lang: str) -> str:
    """One or two sentences about ``topic`` in ``tone``, maybe with an opener and closer."""
    pool = SENTENCES[topic][tone][lang]
    count = 2 if len(pool) > 1 and rng.random() < 0.3 else 1
    parts = [_fill(rng, s) for s in rng.sample(pool, count)]
    if rng.random() < 0.25:
        parts.insert(0, rng.choice(OPENERS[tone][lang]))
    if rng.random() < 0.25:
        parts.append(rng.choice(CLOSERS[tone][lang]))
    text = " ".join(parts)
    style = rng.random()
    if style < 0.08:  # typed in a hurry on a phone
        text = text.lower().rstrip(".!")
    elif style < 0.12 and tone == "praise":
        text += " 👍"
    return text


def _fill(rng: random.Random, sentence: str) -> str:
    return _SLOT.sub(lambda m: rng.choice(SLOTS[m.group(1)]), sentence)


class Reading(NamedTuple):
    topic: str
    tone: Tone
    language: str


@cache
def _patterns() -> list[tuple[re.Pattern[str], Reading]]:
    found = []
    for topic, tones in SENTENCES.items():
        for tone, langs in tones.items():
            for lang, sentences in langs.items():
                for sentence in sentences:
                    parts = _SLOT.split(sentence)
                    # split gives text, slot, text, …: slots become alternations of fillers
                    regex = "".join(
                        re.escape(p.rstrip(".!"))
                        if i % 2 == 0
                        else "(?:" + "|".join(re.escape(f) for f in SLOTS[p]) + ")"
                        for i, p in enumerate(parts)
                    )
                    found.append((re.compile(regex, re.IGNORECASE), Reading(topic, tone, lang)))
    return found


def tone_of(text: str) -> Reading | None:
    """The topic, tone and language of a comment made by :func:`make_comment`, else ``None``."""
    for pattern, reading in _patterns():
        if pattern.search(text):
            return reading
    return None
