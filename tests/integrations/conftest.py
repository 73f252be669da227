import pytest

from tests.appeals.conftest import world  # noqa: F401  (the shared appeals fixture)


@pytest.fixture(autouse=True)
def _clear_rate_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
