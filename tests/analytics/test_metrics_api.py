"""The metrics API: the catalogue in the caller's language, and metric queries over the
analytics store filled from real responses (sent through the survey API and synced)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kohtaamo.accounts.permissions import Scope
from kohtaamo.api.v1.metrics import analytics_source
from kohtaamo.storage.db import Database
from tests.analytics.conftest import SyncedStore
from tests.factories import Factory
from tests.journeys.helpers import seed
from tests.surveys.helpers import definition_data


class Api:
    def __init__(self, client: TestClient, key: str, language: str = "en") -> None:
        self.client = client
        self.headers = {"authorization": f"Bearer {key}", "accept-language": language}

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.request(method, f"/api/v1{path}", json=body, headers=self.headers)


def _answered(api: Api, scores: list[int], experienced: int = 2) -> str:
    body = {
        "key": "checkout",
        "name": "Kassa",
        "touchpoint": "checkout",
        "definition": definition_data(),
    }
    created = api("POST", "/surveys", body)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert api("POST", f"/surveys/{sid}/publish").status_code == 200
    for score in scores:
        answers = {"ease": {"expected": 4, "experienced": experienced}, "nps": score}
        sent = api("POST", f"/surveys/{sid}/responses", {"answers": answers, "channel": "kiosk"})
        assert sent.status_code == 201, sent.text
    return str(sid)


@pytest.fixture
def two_orgs(
    client: TestClient, db: Database, factory: Factory, analytics_store: SyncedStore
) -> Iterator[tuple[Api, Api]]:
    mine, theirs = factory.organisation(), factory.organisation()
    seed(db, mine)
    seed(db, theirs)
    a = Api(client, factory.api_key(mine, Scope.READ, Scope.WRITE))
    b = Api(client, factory.api_key(theirs, Scope.READ, Scope.WRITE))
    _answered(a, [9] * 20 + [0] * 15)
    _answered(b, [10] * 5, experienced=5)
    analytics_store.sync()
    client.app.dependency_overrides[analytics_source] = analytics_store.source  # type: ignore[attr-defined]
    try:
        yield a, b
    finally:
        client.app.dependency_overrides.pop(analytics_source, None)  # type: ignore[attr-defined]


def test_the_catalogue_is_listed_in_the_callers_language(
    client: TestClient, factory: Factory
) -> None:
    org = factory.organisation()
    key = factory.api_key(org, Scope.READ)
    english = Api(client, key)("GET", "/metrics")
    assert english.status_code == 200, english.text
    by_slug = {m["slug"]: m for m in english.json()["metrics"]}
    assert by_slug["nps"]["label"] == "Net Promoter Score"
    assert by_slug["nps"]["interval"] == "adjusted_wald"
    assert by_slug["csat"]["unit"] == "percent" and by_slug["csat"]["min_n"] == 30
    assert "mean:trust" in by_slug and "touchpoint" in english.json()["dimensions"]
    assert english.json()["periods"] == ["day", "week", "month", "quarter"]
    finnish = Api(client, key, "fi")("GET", "/metrics").json()
    assert [m["slug"] for m in finnish["metrics"]] == list(by_slug)


def test_a_query_counts_the_callers_responses_only(two_orgs: tuple[Api, Api]) -> None:
    a, _ = two_orgs
    spec = {
        "metrics": ["nps", "short_share", "expectation_gap", "responses", "mean:experience"],
        "by": ["touchpoint"],
    }
    found = a("POST", "/metrics/query", spec)
    assert found.status_code == 200, found.text
    body = found.json()
    (cell,) = body["cells"]
    values = cell["values"]
    assert values["nps"]["n"] == 35 and values["nps"]["status"] == "ok"
    assert values["nps"]["value"] == pytest.approx((20 - 15) / 35 * 100)
    assert values["nps"]["low"] < values["nps"]["value"] < values["nps"]["high"]
    assert values["short_share"]["value"] == 100.0
    assert values["expectation_gap"]["value"] == pytest.approx(-2.0)
    assert values["mean:experience"]["value"] == pytest.approx(2.0)
    assert values["responses"]["value"] == 35
    touchpoint = cell["key"]["touchpoint"]
    assert touchpoint is not None and body["labels"]["touchpoint"][touchpoint]
    assert [m["slug"] for m in body["metrics"]] == spec["metrics"]

    # No CSAT question: no data, never 0.
    found = a("POST", "/metrics/query", {"metrics": ["csat", "nps"], "by": ["language"]})
    assert found.status_code == 200, found.text
    for cell in found.json()["cells"]:
        assert cell["values"]["csat"] == {
            "status": "no_data", "value": None, "n": 0, "low": None, "high": None, "change": None
        }  # fmt: skip

    # All answers are from this month: the month before has no data to compare with.
    trend = {
        "metrics": ["nps"],
        "period": "month",
        "start": "2020-01-01T00:00:00Z",
        "end": "2100-01-01T00:00:00Z",
        "compare": True,
    }
    found = a("POST", "/metrics/query", trend)
    assert found.status_code == 200, found.text
    (cell,) = found.json()["cells"]
    change = cell["values"]["nps"]["change"]
    assert change["previous_status"] == "no_data" and change["delta"] is None


@pytest.mark.parametrize(
    ("spec", "field", "words"),
    [
        ({"metrics": ["happiness"]}, "body", "Unknown metric happiness."),
        ({"metrics": ["nps"], "by": ["colour"]}, "body", "Unknown dimension colour."),
        ({"metrics": ["nps"], "period": "fortnight"}, "body", "Unknown period fortnight"),
        ({"metrics": ["nps"], "compare": True}, "body", "needs a start and an end"),
        ({"metrics": ["nps"], "extra": 1}, "extra", ""),
        ({"metrics": []}, "metrics", ""),
        ({"metrics": ["response_rate"], "by": ["touchpoint"]}, "by", "only by survey"),
    ],
)
def test_bad_queries_are_422_with_the_reason(
    client: TestClient, factory: Factory, spec: dict[str, Any], field: str, words: str
) -> None:
    a = Api(client, factory.api_key(factory.organisation(), Scope.READ))
    found = a("POST", "/metrics/query", spec)
    assert found.status_code == 422, found.text
    problem = found.json()
    text = " ".join(
        [problem.get("detail", "")] + [e.get("message", "") for e in problem.get("errors", [])]
    )
    assert words in text, problem
    assert field in {e["field"] for e in problem["errors"]}
