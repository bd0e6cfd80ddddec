"""What the demo cases say: the customers' problems, the handlers' plans and notes, the
customers' replies, in Finnish and English.

A :class:`Problem` belongs to the touchpoint where the customer met it and names its
root cause: the touchpoint, theme (a key of ``text/data/themes.json``) and the standard
that was broken. Several problems share a root cause on purpose (the entrance queues
come from the ticket e-mail's QR codes, payments fail in the checkout), so that the
root-cause report shows recurring problems worth a programme action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Words:
    """One problem told in one language."""

    title: str
    description: str  # what the customer said or the handler heard
    what_went_wrong: str  # the honest admission in the apology
    plan_action: str  # what will be done, promised to the customer
    action_note: str  # what was done (internal)


@dataclass(frozen=True)
class Problem:
    touchpoint: str  # where the customer met it
    root: str  # the touchpoint where it was caused
    theme: str
    standard: str  # the standard broken, in the organisation's language (grouped on)
    root_note: str  # what the handler found out (internal)
    weight: float  # how common among complaints and manual cases
    words: dict[str, Words]


def _w(*parts: str) -> Words:
    return Words(*parts)


ELAMYS_PROBLEMS: Final[tuple[Problem, ...]] = (
    Problem(
        "venue.entry",
        "ticket.email",
        "speed_waiting",
        "Sisäänpääsy alle 10 minuutissa",
        "Lippusähköpostin QR-koodi oli liian pieni lukulaitteille; ovella tarkastettiin käsin.",
        3.0,
        {
            "fi": _w(
                "Jono ovella, QR-koodi ei lukeutunut",
                "Jonotimme ovella 40 minuuttia, koska lippujen QR-koodit eivät lukeutuneet. "
                "Esityksen alku jäi näkemättä.",
                "Lippusähköpostin QR-koodi ei lukeutunut ovella, ja jouduitte jonottamaan "
                "niin kauan, että esityksen alku jäi näkemättä. Se ei ole hyväksyttävää.",
                "Korjaamme lippusähköpostin QR-koodin koon ja lisäämme ovelle kaksi "
                "lukulaitetta. Hyvitämme teille kaksi lippua seuraavaan esitykseen.",
                "QR-koodin koko korjattu lippupohjaan, lisälukulaitteet tilattu, "
                "hyvityskoodi lähetetty asiakkaalle.",
            ),
            "en": _w(
                "Queue at the door, QR code would not scan",
                "We queued 40 minutes at the door because the QR codes of our tickets "
                "would not scan. We missed the start of the show.",
                "The QR code in your ticket e-mail did not scan at the door, and you queued "
                "so long that you missed the start of the show. That is not acceptable.",
                "We are fixing the size of the QR code in the ticket e-mail and adding two "
                "scanners at the door. We will credit you two tickets to a coming show.",
                "QR code size fixed in the ticket template, extra scanners ordered, "
                "credit code sent to the customer.",
            ),
        },
    ),
    Problem(
        "venue.entry",
        "venue.entry",
        "information",
        "Selkeät opasteet sisäänkäynnille",
        "Sisäänkäynnin B opasteet puuttuivat remontin jälkeen.",
        1.5,
        {
            "fi": _w(
                "Oikeaa ovea ei löytynyt",
                "Opasteet puuttuivat, kiersimme koko hallin ympäri ennen kuin löysimme "
                "oikean sisäänkäynnin.",
                "Sisäänkäynnin B opasteet puuttuivat, ja jouduitte etsimään oikeaa ovea.",
                "Lisäämme opasteet pysäköintihallista sisäänkäynnille ja kerromme oikean "
                "oven jatkossa lippusähköpostissa.",
                "Uudet opasteet asennettu, lippusähköpostiin lisätty saapumisohje.",
            ),
            "en": _w(
                "Could not find the right door",
                "There were no signs; we walked round the whole hall before we found the "
                "right entrance.",
                "The signs to entrance B were missing, and you had to look for the right door.",
                "We are putting up signs from the car park to the entrance and will name "
                "the right door in the ticket e-mail from now on.",
                "New signs installed, arrival instructions added to the ticket e-mail.",
            ),
        },
    ),
    Problem(
        "web.checkout",
        "web.checkout",
        "ease_of_use",
        "Maksu onnistuu ensimmäisellä yrityksellä",
        "Maksupalvelun aikakatkaisu oli liian lyhyt mobiilipankkitunnistautumiselle.",
        2.5,
        {
            "fi": _w(
                "Maksu epäonnistui verkkokaupassa",
                "Maksu epäonnistui kolme kertaa ja lopulta veloitus tuli kahdesti.",
                "Verkkokassan maksu katkesi pankkitunnistautumisen aikana, ja tililtänne "
                "veloitettiin kahdesti.",
                "Palautamme ylimääräisen veloituksen kolmen arkipäivän kuluessa ja "
                "pidennämme maksun aikarajaa, jotta sama ei toistu.",
                "Tuplaveloitus palautettu, maksun aikaraja nostettu 10 minuuttiin.",
            ),
            "en": _w(
                "Payment failed in the web shop",
                "The payment failed three times and in the end I was charged twice.",
                "The checkout's payment broke off during the bank's sign-in, and your "
                "account was charged twice.",
                "We will refund the extra charge within three working days and lengthen "
                "the payment time limit so that this does not happen again.",
                "Double charge refunded, payment time limit raised to 10 minutes.",
            ),
        },
    ),
    Problem(
        "web.checkout",
        "web.checkout",
        "price",
        "Kokonaishinta näkyy ennen kassaa",
        "Palvelumaksu näytettiin vasta kassan viimeisellä sivulla.",
        1.0,
        {
            "fi": _w(
                "Palvelumaksu tuli yllätyksenä",
                "Palvelumaksu näkyi vasta aivan lopussa. Tuntui harhaanjohtavalta.",
                "Palvelumaksu näkyi vasta kassan viimeisellä sivulla, vaikka sen olisi "
                "pitänyt näkyä heti hinnassa.",
                "Näytämme kokonaishinnan palvelumaksuineen jo tapahtumasivulla ja "
                "palautamme tämän tilauksen palvelumaksun.",
                "Kokonaishinta näkyy nyt tapahtumasivulla, palvelumaksu hyvitetty.",
            ),
            "en": _w(
                "The service fee came as a surprise",
                "The service fee only showed at the very end. It felt misleading.",
                "The service fee only showed on the last page of the checkout, although it "
                "should have been in the price from the start.",
                "We will show the full price with the fee already on the event page and "
                "refund the fee of this order.",
                "Full price now shown on the event page, service fee refunded.",
            ),
        },
    ),
    Problem(
        "invoice",
        "invoice",
        "billing",
        "Lasku vastaa tilausvahvistusta",
        "Laskutusjärjestelmään oli jäänyt vanha hinnasto yritystilaisuuksille.",
        2.0,
        {
            "fi": _w(
                "Laskussa väärä summa",
                "Yritystilaisuuden laskussa oli 18 henkeä enemmän kuin tilasimme.",
                "Laskullenne oli tullut vanhan hinnaston mukainen summa ja väärä osallistujamäärä.",
                "Lähetämme hyvityslaskun ja oikean laskun viikon kuluessa ja tarkistamme "
                "kaikki saman kuukauden yrityslaskut.",
                "Hyvityslasku ja uusi lasku lähetetty, hinnasto päivitetty.",
            ),
            "en": _w(
                "Wrong amount on the invoice",
                "The invoice for our company event charged for 18 more people than we booked.",
                "Your invoice was made with the old price list and the wrong number of guests.",
                "We will send a credit note and a correct invoice within a week and check "
                "every company invoice of the same month.",
                "Credit note and new invoice sent, price list updated.",
            ),
        },
    ),
    Problem(
        "event.show",
        "event.show",
        "information",
        "Esitys alkaa ilmoitettuna aikana",
        "Tekniikan vaihto venyi, eikä yleisölle kuulutettu viivästyksestä.",
        1.5,
        {
            "fi": _w(
                "Esitys alkoi myöhässä ilman selitystä",
                "Esitys alkoi 35 minuuttia myöhässä, eikä kukaan kertonut miksi.",
                "Esityksen alku viivästyi 35 minuuttia, emmekä kertoneet yleisölle syytä.",
                "Kuulutamme jatkossa jokaisesta yli 10 minuutin viiveestä ja lähetämme "
                "teille lahjakortin.",
                "Viiveohje lisätty vuoropäällikön tarkistuslistaan, lahjakortti lähetetty.",
            ),
            "en": _w(
                "The show started late without a word",
                "The show started 35 minutes late and nobody told us why.",
                "The show started 35 minutes late and we did not tell the audience why.",
                "From now on we announce every delay over 10 minutes, and we are sending "
                "you a gift card.",
                "Delay announcement added to the shift manager's checklist, gift card sent.",
            ),
        },
    ),
    Problem(
        "service.phone",
        "service.phone",
        "speed_waiting",
        "Puheluun vastataan 5 minuutissa",
        "Asiakaspalvelussa oli vain yksi henkilö vuorossa myynnin avautuessa.",
        1.5,
        {
            "fi": _w(
                "Puhelinjono kesti 45 minuuttia",
                "Jonotin asiakaspalveluun 45 minuuttia ja puhelu katkesi.",
                "Jouduitte jonottamaan 45 minuuttia, ja puhelu katkesi ennen kuin pääsitte "
                "puhumaan kanssamme.",
                "Soitamme teille huomenna ja hoidamme asianne. Lisäämme vuoroihin väkeä "
                "suurten myyntien alkaessa.",
                "Asiakkaalle soitettu ja asia hoidettu, vuorolistaan lisätty myyntipäivät.",
            ),
            "en": _w(
                "Waited 45 minutes on the phone",
                "I waited 45 minutes for customer service and the call dropped.",
                "You waited 45 minutes, and the call dropped before you could speak with us.",
                "We will call you tomorrow and sort it out, and we will staff up when big "
                "ticket sales open.",
                "Called the customer back and sorted it, sales days added to the rota.",
            ),
        },
    ),
    Problem(
        "refund.request",
        "refund.request",
        "billing",
        "Palautus tilillä 5 arkipäivässä",
        "Peruutetun tapahtuman palautuserä jäi maksupalvelussa käsittelemättä.",
        1.5,
        {
            "fi": _w(
                "Peruutetun tapahtuman rahat eivät ole tulleet",
                "Tapahtuma peruttiin kolme viikkoa sitten, eikä rahoja ole vieläkään palautettu.",
                "Peruutetun tapahtuman palautuksenne jäi käsittelemättä, ja odotitte "
                "rahojanne kolme viikkoa.",
                "Maksamme palautuksen tänään ja tarkistamme, ettei muita palautuksia ole jäänyt "
                "samaan erään.",
                "Palautus maksettu, jumiin jäänyt erä käsitelty (42 palautusta).",
            ),
            "en": _w(
                "No refund for the cancelled event",
                "The event was cancelled three weeks ago and I still have not had my money back.",
                "Your refund for the cancelled event was never processed, and you have "
                "waited three weeks for your money.",
                "We will pay the refund today and check that no other refunds were stuck "
                "in the same batch.",
                "Refund paid, the stuck batch processed (42 refunds).",
            ),
        },
    ),
    Problem(
        "ticket.email",
        "ticket.email",
        "delivery",
        "Liput sähköpostissa minuutin kuluessa ostosta",
        "Sähköpostipalvelun lähetysjono ruuhkautui suuren myynnin aikana.",
        1.0,
        {
            "fi": _w(
                "Liput eivät tulleet sähköpostiin",
                "Ostin liput eilen, mutta sähköpostia ei ole tullut.",
                "Lippunne eivät lähteneet sähköpostiin ostoksen jälkeen.",
                "Lähetämme liput uudelleen heti ja lisäämme liput myös sovellukseen.",
                "Liput lähetetty uudelleen, lähetysjonon valvonta lisätty.",
            ),
            "en": _w(
                "Tickets never arrived by e-mail",
                "I bought tickets yesterday but no e-mail has come.",
                "Your tickets were not sent by e-mail after your purchase.",
                "We are sending the tickets again now and adding them to the app as well.",
                "Tickets resent, monitoring added to the sending queue.",
            ),
        },
    ),
    Problem(
        "venue.cloakroom",
        "venue.cloakroom",
        "staff_attitude",
        "Narikka palauttaa vaatteet",
        "Narikan numerolaput olivat sekaisin, ja väliaikainen työntekijä ei saanut perehdytystä.",
        0.8,
        {
            "fi": _w(
                "Takki hukassa narikassa",
                "Takkini oli annettu jollekulle toiselle, ja henkilökunta oli tylyä.",
                "Takkinne annettiin narikasta väärälle henkilölle, ja meidän olisi pitänyt "
                "auttaa teitä ystävällisemmin.",
                "Korvaamme takin arvon ja perehdytämme narikan henkilökunnan uudelleen.",
                "Takin arvo korvattu, narikan perehdytys pidetty.",
            ),
            "en": _w(
                "Coat lost at the cloakroom",
                "My coat had been given to someone else, and the staff were rude.",
                "Your coat was handed to the wrong person at the cloakroom, and we should "
                "have helped you far more kindly.",
                "We will pay for the coat and train the cloakroom staff again.",
                "Coat paid for, cloakroom training held.",
            ),
        },
    ),
    Problem(
        "corporate.event",
        "catering.delivery",
        "food_drink",
        "Tarjoilu valmiina sovittuun aikaan",
        "Pitopalvelun kuljetus lähti myöhässä, koska tilaus oli väärällä päivällä.",
        1.0,
        {
            "fi": _w(
                "Tarjoilu myöhästyi yritystilaisuudesta",
                "Illallinen tuli tunnin myöhässä ja vieraamme odottivat nälkäisinä.",
                "Pitopalvelun tilaus oli kirjattu väärälle päivälle, ja illallinen "
                "myöhästyi tunnin.",
                "Hyvitämme tarjoilun hinnan ja otamme käyttöön tilausten kaksoistarkistuksen.",
                "Tarjoilu hyvitetty, tilausten tarkistuslista otettu käyttöön.",
            ),
            "en": _w(
                "Catering late at the company event",
                "Dinner came an hour late and our guests waited hungry.",
                "The catering order was booked on the wrong day, and dinner came an hour late.",
                "We will credit the catering and start checking every order twice.",
                "Catering credited, order checklist introduced.",
            ),
        },
    ),
)

NORDIC_PROBLEMS: Final[tuple[Problem, ...]] = (
    Problem(
        "app.ticket",
        "app.ticket",
        "ease_of_use",
        "The pass works offline",
        "The app needed a network connection to show the pass; the festival field has none.",
        2.0,
        {
            "en": _w(
                "Festival pass would not open in the app",
                "My pass would not open at the gate because there was no network.",
                "Your festival pass needed a network connection to open, and the gate has none.",
                "We are releasing an app update that keeps the pass offline, and we will "
                "refund your day ticket.",
                "App update released, day ticket refunded.",
            ),
        },
    ),
    Problem(
        "web.booking",
        "web.booking",
        "billing",
        "One booking, one charge",
        "The booking page allowed a double click on 'Pay'.",
        1.5,
        {
            "en": _w(
                "Charged twice for one pass",
                "I booked one festival pass and was charged twice.",
                "Our booking page charged you twice for one pass.",
                "We will refund the second charge within three days and fix the pay button.",
                "Refund made, pay button now disabled after the first click.",
            ),
        },
    ),
    Problem(
        "venue.entry",
        "venue.entry",
        "speed_waiting",
        "Inside within ten minutes",
        "Only two of six gates were open on Saturday afternoon.",
        1.5,
        {
            "en": _w(
                "An hour's queue at the festival gate",
                "We queued for an hour at the gate on Saturday and missed our band.",
                "Only two gates were open on Saturday, and you queued for an hour.",
                "We will open every gate at peak times and send you passes for next summer.",
                "Gate rota changed, passes for next summer sent.",
            ),
        },
    ),
)

# The customer's answers to the apology (replies that come back onto the case).
REPLIES: Final[dict[str, tuple[str, ...]]] = {
    "fi": (
        "Kiitos nopeasta vastauksesta, odotan korjausta.",
        "Hyvä kuulla, että asia otetaan vakavasti.",
        "Kiitos. Toivottavasti sama ei toistu ensi kerralla.",
        "Selvä, kiitos tiedosta.",
    ),
    "en": (
        "Thank you for the quick answer, I look forward to the fix.",
        "Good to hear that you take it seriously.",
        "Thanks. I hope it will not happen again next time.",
        "OK, thank you for letting me know.",
    ),
}

# What customers wrote in the follow-up, by its outcome.
FOLLOWUP_COMMENTS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "put_right": {
        "fi": ("Asia hoitui hyvin, kiitos!", "Yllätyin, miten hyvin asia hoidettiin.", ""),
        "en": (
            "It was sorted out well, thank you!",
            "I was surprised how well you handled it.",
            "",
        ),
    },
    "partly": {
        "fi": ("Rahat tulivat, mutta kesti kauan.", "Osittain, odotan vielä hyvitystä."),
        "en": ("The money came, but it took long.", "Partly, I am still waiting for the credit."),
    },
    "not_put_right": {
        "fi": ("Mitään ei ole tapahtunut.", "Sama ongelma toistui seuraavalla kerralla."),
        "en": ("Nothing has happened.", "The same problem came back the next time."),
    },
}

NO_CONTACT_REASONS: Final[dict[str, tuple[str, ...]]] = {
    "fi": (
        "Sähköposti palautui, eikä puhelinnumeroa ole.",
        "Asiakas ei vastannut kahteen soittoon eikä viestiin.",
    ),
    "en": (
        "The e-mail bounced and there is no phone number.",
        "The customer did not answer two calls or a message.",
    ),
}

REOPEN_REASONS: Final[dict[str, str]] = {
    "fi": "Asiakas vastasi, ettei asiaa ole korjattu.",
    "en": "The customer answered that it has not been put right.",
}
