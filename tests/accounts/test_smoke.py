from fastapi.testclient import TestClient

from tests.factories import Factory, sign_in


def test_sign_in_and_see_overview(client: TestClient, factory: Factory) -> None:
    org = factory.organisation(name="Tapahtumatalo Oy")
    member = factory.member(org)
    sign_in(client, member.user.email)
    page = client.get("/", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "Tapahtumatalo Oy" in page.text


def test_api_me(client: TestClient, factory: Factory) -> None:
    org = factory.organisation()
    key = factory.api_key(org)
    response = client.get("/api/v1/me", headers={"authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    assert response.json()["organisation"]["id"] == str(org.id)
