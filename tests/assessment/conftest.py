"""The assessment tests' fixtures: outcomes with known figures per org (registered for
the test only), a scheme for 徐汇 over them, opened."""

import pytest

from jiceng.assessment import services
from jiceng.assessment.services import ItemSpec, SchemeFacts
from jiceng.core import outcomes
from jiceng.core.outcomes import COUNT, RATE, Figure, Outcome
from tests.duties.conftest import duty_world  # noqa: F401  (departments, for given grades)

# Per org name: (rate numerator, denominator, count).
KNOWN = {
    "湖南路街道党工委": (9, 10, 3),
    "复兴西路社区党总支": (7, 10, 1),
    "湖南路街道非公企业联合党支部": (1, 2, 0),
    "上海徐汇某科技有限公司党支部": (0, 0, 5),
}


def _rate(org, period):
    n, d, _c = KNOWN.get(org.name, (0, 0, 0))
    return Figure.rate(n, d, f"/drill/{org.pk}")


def _count(org, period):
    return Figure.count(KNOWN.get(org.name, (0, 0, 0))[2])


@pytest.fixture
def known_outcomes():
    added = [
        Outcome(
            key="test.rate", label="测试比率", app="test", unit=RATE, sources=(), for_org=_rate
        ),
        Outcome(
            key="test.count", label="测试计数", app="test", unit=COUNT, sources=(), for_org=_count
        ),
    ]
    for o in added:
        outcomes.register_outcome(o)
    yield
    for o in added:
        outcomes._OUTCOMES.pop(o.key, None)


FACTS = SchemeFacts(
    name="2026年度基层党建考核",
    groups=["street", "community", "unit"],
    review_weight=30,
    items=[
        # 60 points: 0 at 50 %, full at 100 %.
        ItemSpec("test.rate", 60, "linear", floor=0.5, target=1.0),
        # 40 points: 2 or more → 50 %, 4 or more → all.
        ItemSpec("test.count", 40, "thresholds", thresholds=[[2, 0.5], [4, 1.0]]),
    ],
)


@pytest.fixture
def scheme(territory, known_outcomes):
    return services.scheme_create(
        actor=territory.users["xh_admin"], district=territory.areas["xh"], year=2026, facts=FACTS
    )


@pytest.fixture
def opened(territory, scheme):
    return services.scheme_open(actor=territory.users["xh_admin"], scheme=scheme)
