import pytest

from tests.appeals.conftest import world  # noqa: F401  (the shared appeals fixture)
from tests.places.conftest import registry  # noqa: F401  (the standard address registry)


@pytest.fixture(autouse=True)
def _clear_rate_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def fill_lists(appeal_world) -> None:
    """Five tokens and subscriptions and the hotline batch, for query-count checks."""
    from jiceng.integrations import services

    from .test_hotline import orders, run

    admin = appeal_world.t.users["xh_admin"]
    for n in range(5):
        services.system_token_create(
            actor=admin, name=f"系统{n}", area=appeal_world.t.areas["xh"], permissions=["read"]
        )
        services.subscription_create(
            actor=admin,
            name=f"订阅{n}",
            url="https://example.org/h",
            events=["case.received"],
            area=appeal_world.t.areas["xh"],
        )
    run(appeal_world, orders())
