"""The seeded frequencies equal the defaults `ensure_requirements` restores, and it never
overwrites a deployment's change."""

from jiceng.orglife.models import MeetingRequirement
from jiceng.orglife.requirements import DEFAULTS, ensure_requirements


def test_migration_rows_equal_the_defaults_and_changes_are_kept(requirements):
    rows = set(MeetingRequirement.objects.values_list("kind", "period", "times", "org_kinds"))
    assert rows == set(DEFAULTS)
    MeetingRequirement.objects.filter(kind="lecture").update(period="month")
    MeetingRequirement.objects.filter(kind="themed_day").delete()
    assert ensure_requirements() == 1
    assert MeetingRequirement.objects.get(kind="lecture").period == "month"
    assert MeetingRequirement.objects.filter(kind="themed_day").exists()
