"""Form tokens and rate limits of public survey submissions, without a database."""

from __future__ import annotations

import threading

import pytest

from kohtaamo.surveys.abuse import (
    FORM_TOKEN_MAX_AGE_S,
    FormToken,
    RateLimiter,
    RateLimits,
    SubmissionLimits,
    client_hash,
    read_form_token,
    sign_form_token,
)

SECRET = "a-secret-of-at-least-thirty-two-characters"
NOW = 1_800_000_000.0


def token(**changes: object) -> FormToken:
    values: dict[str, object] = {
        "slug": "abcdefghijkl",
        "page": "p1",
        "submission": "sub-1",
        "issued_at": NOW,
        "started_at": NOW - 30,
        "language": "fi",
        "resume": "resume-1",
        "hidden": {"store": "tre"},
    }
    return FormToken(**(values | changes))  # type: ignore[arg-type]


def test_a_signed_token_reads_back() -> None:
    signed = sign_form_token(SECRET, token())

    assert read_form_token(SECRET, signed, slug="abcdefghijkl", now=NOW + 5) == token()


@pytest.mark.parametrize(
    ("signed_with", "slug", "now"),
    [
        ("another-secret-of-at-least-thirty-two-chars", "abcdefghijkl", NOW),  # forged
        (SECRET, "another-slug", NOW),  # another survey's page
        (SECRET, "abcdefghijkl", NOW + FORM_TOKEN_MAX_AGE_S + 1),  # expired
        (SECRET, "abcdefghijkl", NOW - 3600),  # from the future
    ],
)
def test_foreign_expired_and_forged_tokens_are_refused(
    signed_with: str, slug: str, now: float
) -> None:
    signed = sign_form_token(signed_with, token())

    assert read_form_token(SECRET, signed, slug=slug, now=now) is None


def test_a_changed_payload_breaks_the_signature() -> None:
    signed = sign_form_token(SECRET, token())
    other_payload = sign_form_token(SECRET, token(honeypot=True)).split(".")[0]

    tampered = other_payload + "." + signed.split(".")[1]

    assert read_form_token(SECRET, tampered, slug="abcdefghijkl", now=NOW) is None
    for garbage in ("", "no-dot", "a.b.c", "!!!.???", "x" * 20_000 + ".y"):
        assert read_form_token(SECRET, garbage, slug="abcdefghijkl", now=NOW) is None


def test_client_hash_is_stable_and_keyed() -> None:
    assert client_hash(SECRET, "203.0.113.5") == client_hash(SECRET, "203.0.113.5")
    assert client_hash(SECRET, "203.0.113.5") != client_hash(SECRET, "203.0.113.6")
    assert client_hash(SECRET, "203.0.113.5") != client_hash(SECRET + "x", "203.0.113.5")
    assert "203.0.113.5" not in client_hash(SECRET, "203.0.113.5")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_limit_then_refills_at_its_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(window_s=60, clock=clock)

    allowed = [limiter.take(("k",), 3) for _ in range(3)]
    refused = limiter.take(("k",), 3)

    assert allowed == [None, None, None]
    assert refused == pytest.approx(20.0)  # one token per 20 s
    clock.now = 19.0
    assert limiter.take(("k",), 3) is not None
    clock.now = 40.0
    assert limiter.take(("k",), 3) is None  # 1 token back after 20 s
    assert limiter.take(("other",), 3) is None  # keys are separate
    assert limiter.take(("k",), 0) is None  # 0: no limit


def test_least_recently_used_buckets_are_forgotten_first() -> None:
    limiter = RateLimiter(window_s=60, max_keys=2, clock=Clock())
    limiter.take(("a",), 1)
    limiter.take(("b",), 1)
    limiter.take(("c",), 1)  # forgets a

    assert limiter.take(("a",), 1) is None
    assert limiter.take(("c",), 1) is not None


def test_buckets_count_exactly_under_concurrency() -> None:
    limiter = RateLimiter(window_s=3600)
    results: list[float | None] = []
    lock = threading.Lock()

    def hammer() -> None:
        for _ in range(50):
            outcome = limiter.take(("shared",), 100)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(1 for r in results if r is None) == 100


def test_submission_limits_per_client_and_per_organisation() -> None:
    limits = SubmissionLimits(
        RateLimits(per_client=2, per_organisation=3), RateLimiter(clock=Clock())
    )

    first_client = [limits.check("org", "survey", "10.0.0.1") for _ in range(3)]
    other_client = [limits.check("org", "survey", "10.0.0.2") for _ in range(2)]

    assert first_client == [None, None, 30]  # Retry-After: whole seconds
    assert other_client[0] is None and other_client[1] is not None  # the organisation is full
    # the organisation refused it, so the client's own allowance was given back
    assert limits.limiter.take(("client", "survey", "10.0.0.2"), 2) is None
    assert limits.check("another-org", "survey", "10.0.0.3") is None
