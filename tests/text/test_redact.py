"""Personal data is redacted when it proves to be what it looks like; numbers stay."""

from __future__ import annotations

import random

import pytest

from kohtaamo.text.redact import card_is_valid, hetu_is_valid, iban_is_valid, redact

CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(rng: random.Random, sign: str) -> str:
    digits = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(0, 99):02d}"
    serial = f"{rng.randint(2, 899):03d}"
    return f"{digits}{sign}{serial}{CHECK[int(digits + serial) % 31]}"


def luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        total = 0
        for i, char in enumerate(reversed(body + check)):
            value = int(char) * (2 if i % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return body + check
    raise AssertionError


def make_iban(country: str, bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


@pytest.mark.parametrize("sign", list("-+UVWXYABCDEF"))
def test_valid_hetu_with_every_century_sign_is_redacted(sign: str) -> None:
    rng = random.Random(sign)
    code = make_hetu(rng, sign)
    assert hetu_is_valid(code)
    result = redact(f"Henkilötunnukseni on {code}, soittakaa.")
    assert result.text == "Henkilötunnukseni on [hetu], soittakaa."
    assert result.counts == {"hetu": 1}


def test_invalid_hetu_is_not_redacted() -> None:
    code = make_hetu(random.Random(1), "A")
    wrong = code[:-1] + next(c for c in CHECK if c != code[-1])
    assert not hetu_is_valid(wrong)
    assert "hetu" not in redact(f"tunnus {wrong}").counts
    assert "hetu" not in redact("tunnus 320152-308T").counts  # no 32nd day


def test_cards_need_luhn_and_an_issuer() -> None:
    rng = random.Random(3)
    visa = luhn_complete("4", 16, rng)
    mastercard = luhn_complete("53", 16, rng)
    amex = luhn_complete("37", 15, rng)
    spaced = " ".join(visa[i : i + 4] for i in range(0, 16, 4))
    for number in (visa, mastercard, amex, spaced):
        assert card_is_valid(number)
        assert redact(f"Kortti {number} veloitettiin kahdesti").text == (
            "Kortti [card] veloitettiin kahdesti"
        )
    bad_luhn = visa[:-1] + str((int(visa[-1]) + 1) % 10)
    order_number = luhn_complete("9", 16, rng)  # passes Luhn, no card scheme starts with 9
    for number in (bad_luhn, order_number):
        assert redact(f"Tilaus {number}").text == f"Tilaus {number}"


def test_ibans_need_mod_97() -> None:
    finnish = make_iban("FI", "12345600000785")
    german = make_iban("DE", "370400440532013000")
    assert iban_is_valid(finnish) and iban_is_valid(german)
    grouped = " ".join(finnish[i : i + 4] for i in range(0, len(finnish), 4))
    result = redact(f"Hyvitys tilille {grouped} tai {german}.")
    assert result.text == "Hyvitys tilille [iban] tai [iban]."
    broken = finnish[:-1] + str((int(finnish[-1]) + 1) % 10)
    assert redact(f"tili {broken}").counts.get("iban") is None


@pytest.mark.parametrize(
    "phone",
    ["040 123 4567", "040-1234567", "0401234567", "+358 40 123 4567", "+358401234567",
     "09 123 4567", "(09) 123 4567", "+44 20 7946 0958", "+1 (555) 123-4567", "0044 20 7946 0958"],
)  # fmt: skip
def test_phone_numbers(phone: str) -> None:
    assert redact(f"Soittakaa {phone} kiitos").text == "Soittakaa [phone] kiitos"


def test_emails() -> None:
    result = redact("Vastatkaa osoitteeseen maija.meikalainen+cx@example.co.uk tai a_b@posti.fi.")
    assert result.text == "Vastatkaa osoitteeseen [email] tai [email]."


@pytest.mark.parametrize(
    "text",
    [
        "Tilaus 123456789 maksoi 1 299,00 € ja saapui 12.03.2024 klo 14.30.",
        "Päivämäärä 2024-03-12, asiakasnumero 0012345678, tilausnumero 00123456.",
        "Hinta 49.90 €, 3 kpl, vuonna 2023, 1 234 567 kävijää.",
        "Lippu #4512 rivi 12 paikka 34, bussi 550, postinumero 00100.",
    ],
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert redact(text).text == text
