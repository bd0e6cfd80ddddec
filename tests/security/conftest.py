from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kohtaamo.storage.db import Database
from tests.security.world import World, build_world


@pytest.fixture
def world(db: Database, client: TestClient) -> World:
    built = build_world(db)
    built.client = client
    return built
