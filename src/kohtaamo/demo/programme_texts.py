"""The demo programme's words and numbers (see :mod:`kohtaamo.demo.programme`)."""

from __future__ import annotations

# (key, fi, en, meaning fi, meaning en, [(sub key, fi, en)])
ELEMENTS = [
    (
        "effortless",
        "Vaivaton",
        "Effortless",
        "Asiakas saa lippunsa, pääsee sisään ja saa apua ilman jonoja, arvailua tai toistamista.",
        "Customers get their tickets, get in and get help without queues, guessing or repeating "
        "themselves.",
        [
            ("buy-first-time", "Osto onnistuu kerralla", "Buying works the first time"),
            ("no-queues", "Ei jonoja", "No queues"),
        ],
    ),
    (
        "personal",
        "Henkilökohtainen",
        "Personal",
        "Tunnemme asiakkaan ja hänen tilaisuutensa; ihminen auttaa, kun apua tarvitaan.",
        "We know the customer and their occasion; a person helps when help is needed.",
        [
            ("known", "Tunnistamme sinut", "We know who you are"),
            ("human-help", "Ihminen auttaa", "A person helps"),
        ],
    ),
    (
        "trustworthy",
        "Luotettava",
        "Trustworthy",
        "Lupaukset pitävät: liput tulevat heti, rahat palautuvat ajallaan ja lasku on selvä.",
        "Promises hold: tickets arrive at once, refunds come on time and the invoice is clear.",
        [
            ("promises-hold", "Lupaukset pitävät", "Promises hold"),
            ("clear-invoice", "Selkeä lasku", "A clear invoice"),
        ],
    ),
]

# (sub-element, touchpoint, team, fi, en, check fi, check en)
STANDARDS = [
    (
        "buy-first-time",
        "web.checkout",
        "Digitaaliset palvelut",
        "Kassalla ostos valmis alle kahdessa minuutissa",
        "Checkout is done in under two minutes",
        "Osta lippu puhelimella ja ota aika.",
        "Buy a ticket on a phone and time it.",
    ),
    (
        "no-queues",
        "venue.entry",
        "Tapahtumatuotanto",
        "Kukaan ei jonota ovella yli kymmentä minuuttia",
        "Nobody queues at the door for more than ten minutes",
        "Tule ovelle 15 minuuttia ennen alkua ja mittaa jonotus.",
        "Arrive at the door 15 minutes before the start and time the queue.",
    ),
    (
        "human-help",
        "chat.faq",
        "Asiakaspalvelu",
        "Jokaiseen chat-kysymykseen vastataan kahdessa minuutissa",
        "Every chat question is answered within two minutes",
        "Kysy chatissa lipun siirrosta ja ota aika.",
        "Ask the chat about moving a ticket and time it.",
    ),
    (
        "known",
        "service.phone",
        "Asiakaspalvelu",
        "Puhelimeen vastataan kolmessa minuutissa ja omalla nimellä",
        "Calls are answered within three minutes, by name",
        "Soita asiakaspalveluun ja kirjaa odotusaika.",
        "Call customer service and note the wait.",
    ),
    (
        "promises-hold",
        "ticket.email",
        "Digitaaliset palvelut",
        "Liput tulevat viidessä minuutissa maksusta",
        "Tickets arrive within five minutes of payment",
        "Maksa lippu ja katso, milloin sähköposti tulee.",
        "Pay for a ticket and see when the e-mail arrives.",
    ),
    (
        "clear-invoice",
        "invoice",
        "Taloushallinto",
        "Laskun jokainen rivi on selvää kieltä",
        "The invoice shows every line in plain words",
        "Lue yrityslasku asiakkaan silmin: ymmärtääkö jokaisen rivin?",
        "Read a corporate invoice as the customer would: is every line clear?",
    ),
]

# (element or sub-element, standard's touchpoint or None, fi, en, metric, touchpoint or None,
#  target, tolerance); the direction is the metric's better side
MEASURES: list[tuple[str, str | None, str, str, str, str | None, float, float]] = [
    # all customers' NPS 9.9 (n 436): off track
    (
        "trustworthy",
        None,
        "Suositteluhalukkuus",
        "Likelihood to recommend",
        "nps",
        None,
        30,
        0,
    ),
    # show satisfaction 79.0 % (n 981): on track
    (
        "personal",
        None,
        "Tyytyväisyys esitykseen",
        "Satisfaction with the show",
        "csat",
        "event.show",
        75,
        0,
    ),
    # more than perfect: exceeded share at the show 43.8 % (n 625): on track
    (
        "personal",
        None,
        "Odotukset ylittyvät esityksessä",
        "The show exceeds expectations",
        "exceeded_share",
        "event.show",
        40,
        0,
    ),
    # checkout effort 4.8 (n 501): on track
    (
        "buy-first-time",
        "web.checkout",
        "Kassan vaivattomuus",
        "Checkout effort",
        "ces",
        "web.checkout",
        4.5,
        0,
    ),
    # more than perfect at checkout 27.7 % (n 501) against 30 with 5 points of tolerance: at risk
    (
        "buy-first-time",
        "web.checkout",
        "Kassa ylittää odotukset",
        "Checkout exceeds expectations",
        "exceeded_share",
        "web.checkout",
        30,
        5,
    ),
    # door: short of expectations 54.3 % (n 527), at most 40: off track
    (
        "no-queues",
        "venue.entry",
        "Ovella odotukset alittuvat",
        "Entry falls short",
        "short_share",
        "venue.entry",
        40,
        0,
    ),
    # phone: expectation gap −0.1 (n 218) with 0.2 tolerance: at risk
    (
        "known",
        "service.phone",
        "Puhelimen odotuskuilu",
        "Phone expectation gap",
        "expectation_gap",
        "service.phone",
        0,
        0.2,
    ),
    # invoice satisfaction 25.9 % (n 343): off track
    (
        "clear-invoice",
        "invoice",
        "Tyytyväisyys laskuun",
        "Satisfaction with the invoice",
        "csat",
        "invoice",
        50,
        0,
    ),
    # corporate events 69.9 % (n 83) against 70: the interval reaches it, at risk
    (
        "personal",
        None,
        "Yritystilaisuuksien tyytyväisyys",
        "Corporate event satisfaction",
        "csat",
        "corporate.event",
        70,
        0,
    ),
]

BENCHMARKS = [
    (
        "no-queues",
        "Pohjoismainen lentoyhtiö (esimerkki)",
        "Airline",
        "Self-service bag drop and boarding by rows keep most passengers under five minutes in "
        "a queue.",
        "Queue time under 5 min",
        80,
        "% of passengers",
        "illustrative",
    ),
    (
        "human-help",
        "Digipankki (esimerkki)",
        "Banking",
        "A named adviser answers the app chat; median first answer under a minute.",
        "Median first answer",
        1,
        "min",
        "illustrative",
    ),
    (
        "clear-invoice",
        "Energiayhtiö (esimerkki)",
        "Energy",
        "Invoices rewritten with customers: one page, a line per service, no abbreviations.",
        "",
        None,
        "",
        "illustrative",
    ),
]

DESCRIPTION = {
    "title_fi": "Elämyksen asiakaskokemus",
    "title_en": "The Elämys customer experience",
    "promise_fi": (
        "Jokainen asiakkaamme saa tapahtumasta elämyksen, ei vain lippua. Osto ja sisäänpääsy "
        "ovat niin vaivattomia, ettei niitä tarvitse ajatella. Kun asiakas tarvitsee apua, "
        "ihminen vastaa nopeasti ja tuntee hänen tilanteensa.\n\n"
        "Pidämme lupauksemme: liput tulevat heti, rahat palautuvat ajallaan ja lasku on selvä. "
        "Kun jokin menee pieleen, sanomme sen ääneen, pyydämme anteeksi ja korjaamme."
    ),
    "promise_en": (
        "Every customer gets an experience from the event, not just a ticket. Buying and "
        "getting in are so effortless that nobody has to think about them. When a customer "
        "needs help, a person answers quickly and knows their situation.\n\n"
        "We keep our promises: tickets arrive at once, refunds come on time and the invoice "
        "is clear. When something goes wrong, we say so, apologise and put it right."
    ),
    "closing_fi": "Kuljemme asiakkaan polun itse joka neljännes. Milloin sinä viimeksi?",
    "closing_en": "We walk our customer's journey ourselves every quarter. When did you last?",
}
