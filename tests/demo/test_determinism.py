"""Same seed, same data; another seed, other data (ids and times aside)."""

import pytest
from django.db import transaction

from jiceng.demo.generator import demo_generate
from tests.demo.conftest import demo_snapshot


def build(seed: int) -> dict:
    """Build the street demo, read it back, then roll it away."""
    with transaction.atomic():
        demo_generate(scale="street", seed=seed)
        snapshot = demo_snapshot()
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.slow
@pytest.mark.django_db
def test_same_seed_same_snapshot_other_seed_other_snapshot():
    first = build(42)
    again = build(42)
    assert first == again
    assert all(first.values())
    other = build(43)
    assert other != first
    # The territory is the official one whatever the seed; only generated data differ.
    official = [a for a in first["areas"] if a[2] in ("city", "district", "street", "community")]
    assert official == [
        a for a in other["areas"] if a[2] in ("city", "district", "street", "community")
    ]
    assert {u[0] for u in first["units"]}.isdisjoint({u[0] for u in other["units"]})
