"""Word lists for realistic demo people and companies in Finland (and a little Sweden).

Common Finnish, Finland-Swedish/Swedish and English first and last names, Finnish cities
weighted by population, and the parts company names are built from. Data only: the
generators that draw from these lists are in :mod:`kohtaamo.demo.people`.
"""

from __future__ import annotations

from typing import Final, Literal

Language = Literal["fi", "sv", "en"]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _weighted(text: str) -> tuple[tuple[str, int], ...]:
    """'Helsinki:664 Espoo:305' -> (('Helsinki', 664), ('Espoo', 305))."""
    pairs = (item.rsplit(":", 1) for item in text.split())
    return tuple((name, int(weight)) for name, weight in pairs)


FIRST_NAMES: Final[dict[Language, tuple[str, ...]]] = {
    "fi": _words("""
        Aino Anna Helmi Emma Ella Sofia Olivia Venla Aada Maria Johanna Laura Sari Minna
        Tiina Päivi Anne Satu Pirjo Marja Hanna Katja Kaisa Elina Riikka Noora Eveliina
        Kristiina Leena Tuula Ritva Eeva Liisa Sanna Jenni Heidi Milla Iida Lotta Saara
        Outi Merja Anu Kirsi Elsa Aurora Juhani Mikko Matti Jukka Timo Pekka Antti Jari
        Mika Kari Markku Janne Ville Tuomas Lauri Eino Väinö Onni Leo Elias Oliver Eetu
        Aleksi Joonas Niko Sami Petri Harri Esa Heikki Olli Teemu Juho Risto Jussi Otto
        Veeti Kalle Ilkka Toni Jyrki Arttu Eemeli Tapio
    """),
    "sv": _words("""
        Karin Anna Maria Eva Sara Emma Elsa Linnea Ebba Ingrid Kristina Malin Sofia
        Frida Johanna Camilla Annika Matilda Erik Karl Lars Anders Johan Oskar Axel Nils
        Gustav Henrik Björn Mats Stefan Fredrik Jonas Mikael Patrik Anton
    """),
    "en": _words("""
        Emily Olivia Sophie Charlotte Grace Amelia Jessica Hannah Lucy Sarah Rachel
        Laura James Oliver Jack Harry George Thomas William Daniel Michael David Samuel
        Benjamin
    """),
}

LAST_NAMES: Final[dict[Language, tuple[str, ...]]] = {
    "fi": _words("""
        Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen
        Järvinen Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen
        Salonen Turunen Salo Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila
        Savolainen Lahtinen Ahonen Hiltunen Peltonen Hirvonen Kallio Leinonen Väisänen
        Manninen Pitkänen Toivonen Ojala Räsänen Anttila Seppälä Miettinen Leppänen
        Koivisto Aaltonen Huttunen Kettunen Pesonen Rautio Vainio Hakala Laaksonen
        Koponen Eskelinen
    """),
    "sv": _words("""
        Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Lindqvist Lindström
        Holmberg Sundström Nyberg Grönroos Björklund Backman Sjöberg Forsman Ekholm
        Lundqvist Wikström Blomqvist Berg Lindholm Granqvist Åberg Strömberg Sandberg
        Öhman
    """),
    "en": _words("""
        Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
        Walker Wright Robinson Thompson White Hughes Edwards Green Hall Clarke Murphy
        O'Brien Campbell
    """),
}

# Where the company's customers live, by language, weighted roughly by population
# (thousands). Swedish speakers concentrate on the coast, English speakers in the cities.
CITIES: Final[dict[Language, tuple[tuple[str, int], ...]]] = {
    "fi": _weighted("""
        Helsinki:664 Espoo:305 Tampere:249 Vantaa:243 Oulu:214 Turku:201 Jyväskylä:147
        Kuopio:124 Lahti:120 Pori:83 Kouvola:80 Joensuu:78 Lappeenranta:73
        Hämeenlinna:68 Vaasa:68 Seinäjoki:65 Rovaniemi:65 Mikkeli:52 Porvoo:51 Kotka:51
        Salo:51 Hyvinkää:47 Lohja:46 Järvenpää:46 Rauma:39 Kajaani:36 Kerava:37
        Savonlinna:32
    """),
    "sv": _weighted("""
        Helsingfors:60 Esbo:30 Vasa:25 Borgå:15 Åbo:12 Raseborg:18 Jakobstad:11
        Mariehamn:11 Kristinestad:4 Närpes:8 Karleby:6 Sibbo:12
    """),
    "en": _weighted("""
        Helsinki:60 Espoo:30 Vantaa:10 Tampere:10 Turku:8 Oulu:5
    """),
}

# Company names: "<place genitive> <trade> Oy", "<Surname> & Co Oy", "Nordic <trade> Ltd"…
PLACE_GENITIVES: Final = (
    "Helsingin", "Espoon", "Tampereen", "Turun", "Oulun", "Lahden", "Kuopion", "Jyväskylän",
    "Porin", "Vaasan", "Pohjolan", "Suomen", "Itä-Suomen", "Saimaan", "Lapin", "Pirkanmaan",
    "Uudenmaan", "Kymen", "Hämeen", "Karjalan", "Pohjanmaan", "Keski-Suomen",
)  # fmt: skip

# (Finnish trade word, English trade word, industry key)
TRADES: Final = (
    ("Rakennus", "Construction", "construction"),
    ("Konepaja", "Engineering", "manufacturing"),
    ("Ohjelmistot", "Software", "software"),
    ("Sähkö", "Electric", "energy"),
    ("Logistiikka", "Logistics", "logistics"),
    ("Kiinteistöt", "Properties", "real_estate"),
    ("Tilitoimisto", "Accounting", "finance"),
    ("Kuljetus", "Transport", "logistics"),
    ("Metalli", "Metals", "manufacturing"),
    ("Energia", "Energy", "energy"),
    ("Teknologia", "Technology", "software"),
    ("Elintarvike", "Foods", "food"),
    ("Terveyspalvelut", "Health", "health"),
    ("Kauppa", "Trading", "retail"),
    ("Pelit", "Games", "software"),
    ("Vakuutus", "Insurance", "finance"),
)

ENGLISH_PREFIXES: Final = ("Nordic", "Arctic", "Baltic", "Aurora", "Polar", "Northern", "Boreal")

# Public-sector and association customers book events too ("{gen}": a city's genitive).
CITY_GENITIVES: Final = (
    ("Helsinki", "Helsingin"), ("Espoo", "Espoon"), ("Tampere", "Tampereen"),
    ("Vantaa", "Vantaan"), ("Oulu", "Oulun"), ("Turku", "Turun"), ("Jyväskylä", "Jyväskylän"),
    ("Kuopio", "Kuopion"), ("Lahti", "Lahden"), ("Pori", "Porin"), ("Vaasa", "Vaasan"),
    ("Joensuu", "Joensuun"), ("Rovaniemi", "Rovaniemen"), ("Seinäjoki", "Seinäjoen"),
)  # fmt: skip
PUBLIC_BODIES: Final = (
    ("{gen} kaupunki", "public"),
    ("{gen} seudun kehitysyhtiö", "public"),
    ("{gen} kaupungin kulttuuripalvelut", "public"),
)
ASSOCIATIONS: Final = (
    ("{gen} Yrittäjät ry", "association"),
    ("{gen} Urheiluseura ry", "association"),
    ("{gen} Kauppakamari", "association"),
)

# Undeliverable (RFC 2606 ``.example``) mail domains for consumers.
CONSUMER_DOMAINS: Final = (
    ("posti.example", 40), ("koti.example", 25), ("mail.example", 20), ("netti.example", 15),
)  # fmt: skip
