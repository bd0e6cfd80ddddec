"""Personal data out of comments: e-mail addresses, phone numbers, Finnish personal
identity codes (henkilötunnus), payment card numbers and IBANs become placeholders.

Numbers are redacted only when they prove to be what they look like (the hetu's check
character, Luhn with a card issuer's prefix and length, IBAN mod-97), so order numbers,
prices and dates stay. Phone numbers have no checksum: they need a Finnish prefix
(0 + area or mobile code) with separators, a mobile number's exact shape, or an
international prefix (+ or 00).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

PLACEHOLDERS = {
    "email": "[email]",
    "iban": "[iban]",
    "hetu": "[hetu]",
    "card": "[card]",
    "phone": "[phone]",
}


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    counts: dict[str, int]


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")

# ddmmyy, century sign (+ 1800s; - U V W X Y 1900s; A B C D E F 2000s), nnn, check.
_HETU = re.compile(r"(?<![\w-])(\d{6})([-+ABCDEFUVWXYabcdefuvwxy])(\d{3})([0-9A-Ya-y])(?![\w-])")
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"

_IBAN = re.compile(r"(?<![\w])([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})(?![\w])")

_CARD = re.compile(r"(?<![\w.,-])(\d(?:[ -]?\d){12,18})(?![\w]|[.,]\d)")

_PHONE = re.compile(
    r"(?<![\w+.,/:-])("
    r"(?:\+|00)[1-9]\d{0,2}[ -]?(?:\(0?\d{1,4}\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){1,4}"  # +358 40 …
    r"|\(?0[1-9]\d{0,2}\)?[ -]\d{3,4}[ -]?\d{2,4}(?:[ -]\d{2,4})?"  # 040 123 4567, 09-123 456
    r"|0(?:4\d|50)\d{6,8}"  # 0401234567: mobile, written together
    r")(?![\w]|[.,]\d)"
)


def hetu_is_valid(code: str) -> bool:
    """Whether a henkilötunnus has a real date and the right check character."""
    match = _HETU.fullmatch(code)
    if not match:
        return False
    digits, _sign, serial, check = match.groups()
    day, month = int(digits[:2]), int(digits[2:4])
    if not (1 <= day <= 31 and 1 <= month <= 12) or int(serial) < 2:
        return False
    return _HETU_CHECK[int(digits + serial) % 31] == check.upper()


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_issuer_ok(digits: str) -> bool:
    """Prefix and length of a real card scheme: a Luhn-valid order number is not a card."""
    n = len(digits)
    if digits[0] == "4":
        return n in (13, 16, 19)  # Visa
    two, four = int(digits[:2]), int(digits[:4])
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16  # Mastercard
    if two in (34, 37):
        return n == 15  # American Express
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19  # Discover
    if 3528 <= four <= 3589:
        return 16 <= n <= 19  # JCB
    if two == 62:
        return 16 <= n <= 19  # UnionPay
    if two in (36, 38) or 300 <= int(digits[:3]) <= 305:
        return 14 <= n <= 19  # Diners
    return False


def card_is_valid(number: str) -> bool:
    digits = re.sub(r"[ -]", "", number)
    return 13 <= len(digits) <= 19 and _card_issuer_ok(digits) and luhn_is_valid(digits)


def iban_is_valid(iban: str) -> bool:
    compact = iban.replace(" ", "").upper()
    if not (15 <= len(compact) <= 34) or (compact.startswith("FI") and len(compact) != 18):
        return False
    rearranged = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1
    except ValueError:
        return False


def _phone_is_plausible(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    if number.startswith("00"):
        # "00" + country code reads like a zero-padded order number unless it is long.
        return 10 <= len(digits) - 2 <= 15
    if number.startswith("+"):
        return 8 <= len(digits) <= 15
    return 7 <= len(digits) <= 12


_Check = Callable[[str], bool]
_STEPS: tuple[tuple[str, re.Pattern[str], _Check | None], ...] = (
    ("email", _EMAIL, None),
    ("iban", _IBAN, iban_is_valid),
    ("hetu", _HETU, hetu_is_valid),
    ("card", _CARD, card_is_valid),
    ("phone", _PHONE, _phone_is_plausible),
)


def redact(text: str) -> Redaction:
    """``text`` with personal data replaced by placeholders, and how many of each."""
    counts: dict[str, int] = {}
    for kind, pattern, check in _STEPS:
        if kind == "email" and "@" not in text:
            continue

        def replace(match: re.Match[str], kind: str = kind, check: _Check | None = check) -> str:
            if check is not None and not check(match.group(0)):
                return match.group(0)
            counts[kind] = counts.get(kind, 0) + 1
            return PLACEHOLDERS[kind]

        text = pattern.sub(replace, text)
    return Redaction(text, counts)
