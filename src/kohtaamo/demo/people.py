"""Realistic, seeded demo people, companies and customer profiles, streamed.

Everything draws from the ``random.Random`` it is given (never the module globals), so a
seed reproduces the same people. Memory stays bounded at any size: e-mail uniqueness is
tracked per name combination (a few hundred thousand at most, however many people) and
business ids come from a permutation of the number space, not from a set of used ones.
Addresses use the reserved ``.example`` top-level domain, so no demo mail can reach anyone.
"""

from __future__ import annotations

import itertools
import random
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, Literal, TypeVar

from kohtaamo.demo.names import (
    ASSOCIATIONS,
    CITIES,
    CITY_GENITIVES,
    CONSUMER_DOMAINS,
    ENGLISH_PREFIXES,
    FIRST_NAMES,
    LAST_NAMES,
    PLACE_GENITIVES,
    PUBLIC_BODIES,
    TRADES,
    Language,
)

# Who buys event tickets in Finland: mostly Finnish speakers, a Swedish-speaking
# minority, and English speakers in the cities.
FINNISH_MARKET: Mapping[Language, float] = {"fi": 0.84, "sv": 0.06, "en": 0.10}

CustomerKind = Literal["consumer", "corporate"]
T = TypeVar("T")


@dataclass(frozen=True)
class Segment:
    key: str
    kind: CustomerKind
    fi: str
    en: str
    weight: float
    ages: tuple[int, int] = (18, 80)  # consumers only


SEGMENTS: tuple[Segment, ...] = (
    Segment("families", "consumer", "Lapsiperheet", "Families", 0.26, (28, 50)),
    Segment("young_adults", "consumer", "Nuoret aikuiset", "Young adults", 0.24, (18, 29)),
    Segment("culture_lovers", "consumer", "Kulttuurin ystävät", "Culture lovers", 0.22, (30, 70)),
    Segment("sports_fans", "consumer", "Urheilufanit", "Sports fans", 0.16, (18, 65)),
    Segment("seniors", "consumer", "Seniorit", "Seniors", 0.12, (65, 88)),
    Segment("sme", "corporate", "Pk-yritykset", "Small and medium companies", 0.50),
    Segment("enterprise", "corporate", "Suuryritykset", "Large companies", 0.25),
    Segment("public_sector", "corporate", "Julkinen sektori", "Public sector", 0.15),
    Segment("associations", "corporate", "Yhdistykset", "Associations", 0.10),
)
SEGMENT_BY_KEY = {s.key: s for s in SEGMENTS}

EMPLOYEES = {
    "sme": (5, 249),
    "enterprise": (250, 12_000),
    "public_sector": (40, 6_000),
    "associations": (1, 40),
}


def ascii_fold(text: str) -> str:
    """'Mäkelä' -> 'makela', "O'Brien" -> 'obrien': the local part of an address."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-"))


class _Weighted(Generic[T]):
    """``rng.choices`` with cumulative weights computed once (hot at a million rows)."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [v for v, _ in pairs]
        self.cum = list(itertools.accumulate(w for _, w in pairs))

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cum)[0]


class EmailMaker:
    """Unique addresses: the first Aino Virtanen is aino.virtanen@, the second aino.virtanen2@."""

    def __init__(self) -> None:
        self._seen: Counter[str] = Counter()

    def address(self, parts: Sequence[str], domain: str) -> str:
        local = ".".join(p for p in (ascii_fold(part) for part in parts) if p) or "user"
        key = f"{local}@{domain}"
        self._seen[key] += 1
        n = self._seen[key]
        return key if n == 1 else f"{local}{n}@{domain}"


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    language: Language
    city: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PeopleGenerator:
    def __init__(
        self, rng: random.Random, languages: Mapping[Language, float] = FINNISH_MARKET
    ) -> None:
        self.rng = rng
        self._language = _Weighted(list(languages.items()))
        self._cities = {
            lang: _Weighted([(c, float(w)) for c, w in cities]) for lang, cities in CITIES.items()
        }

    def person(self, language: Language | None = None) -> Person:
        lang = language or self._language.pick(self.rng)
        rng = self.rng
        # Finland-Swedes often carry Finnish first names and vice versa.
        first_pool = FIRST_NAMES["fi"] if lang == "sv" and rng.random() < 0.2 else FIRST_NAMES[lang]
        return Person(
            first_name=rng.choice(first_pool),
            last_name=rng.choice(LAST_NAMES[lang]),
            language=lang,
            city=self._cities[lang].pick(rng),
        )

    def people(self, count: int, language: Language | None = None) -> Iterator[Person]:
        for _ in range(count):
            yield self.person(language)


# --- companies ---------------------------------------------------------------------

_ID_SPACE = 10_000_000
_ID_STEP = 3_141_593  # coprime with 10**7: i -> offset + i*step visits every number once
_Y_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
_LEGAL_FORMS = frozenset({"Oy", "Ab", "Ltd", "ry", "&"})


def business_id_check_digit(digits: str) -> int | None:
    """The check digit of a Finnish business id (Y-tunnus); None where none is valid."""
    remainder = sum(int(d) * w for d, w in zip(digits, _Y_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    return None if remainder == 1 else 11 - remainder


def business_ids(rng: random.Random) -> Iterator[str]:
    """Unique, valid business ids ('1234567-8') in a seeded order, without remembering them."""
    offset = rng.randrange(_ID_SPACE)
    for i in range(_ID_SPACE):
        digits = f"{(offset + i * _ID_STEP) % _ID_SPACE:07d}"
        check = business_id_check_digit(digits)
        if check is not None and digits[0] != "0":
            yield f"{digits}-{check}"


@dataclass(frozen=True)
class Company:
    name: str
    business_id: str
    industry: str
    segment: str
    employees: int
    city: str
    domain: str
    language: Language


class CompanyGenerator:
    def __init__(self, rng: random.Random, people: PeopleGenerator | None = None) -> None:
        self.rng = rng
        self.people = people or PeopleGenerator(rng)
        self._ids = business_ids(rng)
        self._domains: Counter[str] = Counter()

    def company(self, segment: str = "sme") -> Company:
        rng = self.rng
        name, industry, language, city = self._name(segment)
        low, high = EMPLOYEES[segment]
        # Company sizes are heavy-tailed: most are near the bottom of their band.
        employees = min(high, int(low * rng.paretovariate(1.2)))
        base = "-".join(ascii_fold(w) for w in name.split() if w not in _LEGAL_FORMS)
        self._domains[base] += 1
        n = self._domains[base]
        domain = f"{base}.example" if n == 1 else f"{base}-{n}.example"
        city = city or self.people.person(language).city
        return Company(name, next(self._ids), industry, segment, employees, city, domain, language)

    def _name(self, segment: str) -> tuple[str, str, Language, str | None]:
        rng = self.rng
        if segment in ("public_sector", "associations"):
            templates = PUBLIC_BODIES if segment == "public_sector" else ASSOCIATIONS
            template, industry = rng.choice(templates)
            city, genitive = rng.choice(CITY_GENITIVES)
            return template.format(gen=genitive), industry, "fi", city
        fi_trade, en_trade, industry = rng.choice(TRADES)
        style = rng.random()
        if style < 0.45:
            return f"{rng.choice(PLACE_GENITIVES)} {fi_trade} Oy", industry, "fi", None
        if style < 0.70:
            surname = rng.choice(LAST_NAMES["fi"])
            pattern = rng.choice(("{s} & Co Oy", "{t} {s} Oy", "{s}-Yhtiöt Oy", "{s} Group Oy"))
            return pattern.format(s=surname, t=fi_trade), industry, "fi", None
        if style < 0.85:
            surname = rng.choice(LAST_NAMES["sv"])
            pattern = rng.choice(("{s} & Söner Ab", "{s} {t} Ab", "Oy {s} Ab"))
            return pattern.format(s=surname, t=en_trade), industry, "sv", None
        return f"{rng.choice(ENGLISH_PREFIXES)} {en_trade} Ltd", industry, "en", None


# --- customer profiles -------------------------------------------------------------


@dataclass(frozen=True)
class CustomerProfile:
    """What a CRM would know about one customer: for the Journeys contributor to store."""

    index: int
    kind: CustomerKind
    external_id: str
    name: str
    email: str
    language: Language
    city: str
    segment: str
    customer_since: datetime
    attributes: dict[str, str | int | bool] = field(default_factory=dict)


def customer_profiles(
    rng: random.Random,
    count: int,
    *,
    reference_date: datetime,
    corporate_share: float = 0.12,
) -> Iterator[CustomerProfile]:
    """``count`` consumer and corporate customers, one at a time.

    Corporate customers are a contact person at a company (several contacts may share one
    company); consumers carry an age, a loyalty-card flag and a preferred channel.
    """
    people = PeopleGenerator(rng)
    companies = CompanyGenerator(rng, people)
    emails = EmailMaker()
    consumer_segments = _Weighted([(s.key, s.weight) for s in SEGMENTS if s.kind == "consumer"])
    corporate_segments = _Weighted([(s.key, s.weight) for s in SEGMENTS if s.kind == "corporate"])
    consumer_domains = _Weighted([(d, float(w)) for d, w in CONSUMER_DOMAINS])
    recent: list[Company] = []
    for index in range(count):
        since = reference_date - timedelta(days=int(rng.triangular(0, 8 * 365, 200)))
        if rng.random() < corporate_share:
            # Reuse a recent company now and then: big customers have several contacts.
            if recent and rng.random() < 0.3:
                company = rng.choice(recent)
            else:
                company = companies.company(corporate_segments.pick(rng))
                recent = [*recent[-49:], company]
            swedish = company.language == "sv" and rng.random() < 0.6
            contact = people.person("sv" if swedish else None)
            yield CustomerProfile(
                index=index,
                kind="corporate",
                external_id=f"B{index + 1:07d}",
                name=contact.name,
                email=emails.address((contact.first_name, contact.last_name), company.domain),
                language=contact.language,
                city=company.city,
                segment=company.segment,
                customer_since=since,
                attributes={
                    "company": company.name,
                    "business_id": company.business_id,
                    "industry": company.industry,
                    "employees": company.employees,
                    "framework_agreement": rng.random() < 0.35,
                },
            )
            continue
        person = people.person()
        segment = SEGMENT_BY_KEY[consumer_segments.pick(rng)]
        yield CustomerProfile(
            index=index,
            kind="consumer",
            external_id=f"C{index + 1:07d}",
            name=person.name,
            email=emails.address((person.first_name, person.last_name), consumer_domains.pick(rng)),
            language=person.language,
            city=person.city,
            segment=segment.key,
            customer_since=since,
            attributes={
                "age": rng.randint(*segment.ages),
                "loyalty_member": rng.random() < 0.38,
                "preferred_channel": rng.choices(
                    ("app", "web", "email", "phone"), weights=(40, 35, 18, 7)
                )[0],
            },
        )
