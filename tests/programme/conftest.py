from tests.analytics.conftest import analytics_store

__all__ = ["analytics_store"]
