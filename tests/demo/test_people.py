"""Demo people, companies and customer profiles: realistic, seeded, unique, streamed."""

from __future__ import annotations

import inspect
import itertools
import random
from collections import Counter

import pytest

from kohtaamo.demo import REFERENCE_DATE
from kohtaamo.demo.names import CITIES, CITY_GENITIVES, FIRST_NAMES, LAST_NAMES
from kohtaamo.demo.people import (
    SEGMENT_BY_KEY,
    CompanyGenerator,
    EmailMaker,
    PeopleGenerator,
    ascii_fold,
    business_id_check_digit,
    business_ids,
    customer_profiles,
)


def profiles(seed: int, count: int) -> list[object]:
    return list(customer_profiles(random.Random(seed), count, reference_date=REFERENCE_DATE))


def test_the_same_seed_makes_the_same_customers() -> None:
    assert profiles(3, 500) == profiles(3, 500)
    assert profiles(3, 500) != profiles(4, 500)


def test_customers_are_streamed_not_listed() -> None:
    stream = customer_profiles(random.Random(1), 10**9, reference_date=REFERENCE_DATE)
    assert inspect.isgenerator(stream)
    assert len(list(itertools.islice(stream, 5))) == 5  # a billion would not fit


def test_emails_are_unique_ascii_and_undeliverable() -> None:
    customers = list(customer_profiles(random.Random(5), 20_000, reference_date=REFERENCE_DATE))
    emails = [c.email for c in customers]
    assert len(set(emails)) == len(emails)
    assert all(e.isascii() and e.endswith(".example") and e.count("@") == 1 for e in emails)


def test_consumers_and_companies_in_realistic_shares() -> None:
    customers = list(customer_profiles(random.Random(9), 10_000, reference_date=REFERENCE_DATE))
    kinds = Counter(c.kind for c in customers)
    assert 0.09 < kinds["corporate"] / len(customers) < 0.15
    languages = Counter(c.language for c in customers)
    assert languages["fi"] > languages["en"] > 0 and languages["sv"] > 0
    for customer in customers:
        segment = SEGMENT_BY_KEY[customer.segment]
        assert segment.kind == customer.kind
        assert customer.customer_since <= REFERENCE_DATE
        if customer.kind == "consumer":
            low, high = segment.ages
            assert low <= int(customer.attributes["age"]) <= high
            assert customer.external_id.startswith("C")
        else:
            assert business_id_check_digit(str(customer.attributes["business_id"])[:7]) == int(
                str(customer.attributes["business_id"])[-1]
            )
            assert customer.external_id.startswith("B")


def test_several_contacts_share_a_company() -> None:
    customers = list(customer_profiles(random.Random(2), 5_000, reference_date=REFERENCE_DATE))
    per_company = Counter(c.attributes["business_id"] for c in customers if c.kind == "corporate")
    assert max(per_company.values()) > 1


def test_people_draw_from_their_languages_lists() -> None:
    people = PeopleGenerator(random.Random(11))
    for person in people.people(2_000):
        assert person.last_name in LAST_NAMES[person.language]
        assert person.city in dict(CITIES[person.language])
        if person.language != "sv":  # Finland-Swedes may carry Finnish first names
            assert person.first_name in FIRST_NAMES[person.language]
    swedes = list(people.people(50, language="sv"))
    assert {p.language for p in swedes} == {"sv"}


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Mäkelä", "makela"), ("Åberg", "aberg"), ("O'Brien", "obrien"), ("Öhman", "ohman")],
)
def test_ascii_fold(text: str, folded: str) -> None:
    assert ascii_fold(text) == folded


def test_email_maker_numbers_namesakes() -> None:
    maker = EmailMaker()
    made = [maker.address(("Aino", "Mäkelä"), "posti.example") for _ in range(3)]
    assert made == [
        "aino.makela@posti.example",
        "aino.makela2@posti.example",
        "aino.makela3@posti.example",
    ]


def test_business_id_check_digit_matches_real_ids() -> None:
    assert business_id_check_digit("0112038") == 9  # Nokia Oyj, 0112038-9
    assert business_id_check_digit("1572860") == 0  # remainder 0 -> check digit 0
    assert business_id_check_digit("0000006") is None  # remainder 1: no valid id


def test_business_ids_are_unique_and_valid() -> None:
    ids = list(itertools.islice(business_ids(random.Random(4)), 50_000))
    assert len(set(ids)) == len(ids)
    for value in ids[:2_000]:
        digits, check = value.split("-")
        assert len(digits) == 7 and business_id_check_digit(digits) == int(check)


def test_companies_by_segment() -> None:
    companies = CompanyGenerator(random.Random(8))
    for segment in ("sme", "enterprise", "public_sector", "associations"):
        made = [companies.company(segment) for _ in range(200)]
        assert all(c.segment == segment for c in made)
        assert all(c.domain.endswith(".example") and c.domain.isascii() for c in made)
    public = companies.company("public_sector")
    # A city's own body is in that city: "Tampereen kaupunki" is in Tampere.
    assert (public.city, public.name.split()[0]) in CITY_GENITIVES
