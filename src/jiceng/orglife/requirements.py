"""The required frequencies of 《中国共产党支部工作条例（试行）》 (2018), the rows the data
migration seeds. `ensure_requirements` puts back any that are missing (a flushed test
database, a deployment that deleted one by mistake) without touching those a deployment
changed."""

from jiceng.orglife.models import MeetingRequirement

BASIS = "《中国共产党支部工作条例（试行）》（2018）"
BRANCHES = "branch,joint_branch,general_branch"
DEFAULTS: tuple[tuple[str, str, int, str], ...] = (
    ("member_meeting", "quarter", 1, BRANCHES),
    ("committee_meeting", "month", 1, BRANCHES),
    ("group_meeting", "month", 1, "group"),
    ("lecture", "quarter", 1, BRANCHES),
    ("themed_day", "month", 1, BRANCHES),
    ("org_life_review", "year", 1, BRANCHES),
    ("member_appraisal", "year", 1, BRANCHES),
)


def ensure_requirements() -> int:
    """Create the missing default requirements; returns how many were created."""
    created = 0
    for kind, period, times, org_kinds in DEFAULTS:
        _row, made = MeetingRequirement.objects.get_or_create(
            kind=kind,
            defaults={"period": period, "times": times, "org_kinds": org_kinds, "basis": BASIS},
        )
        created += made
    return created
