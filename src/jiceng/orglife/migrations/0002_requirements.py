"""The required frequencies of 《中国共产党支部工作条例（试行）》 (2018), seeded as data: a
deployment may tighten them (services.requirement_update); the compliance calculation reads the table.
The rows are written out here (a migration keeps its own copy); `orglife.requirements`
holds the same defaults for `ensure_requirements`."""

from django.db import migrations

from jiceng.core.fresh_schema import on_empty_database

BASIS = "《中国共产党支部工作条例（试行）》（2018）"
BRANCHES = "branch,joint_branch,general_branch"
REQUIREMENTS = [
    ("member_meeting", "quarter", 1, BRANCHES),
    ("committee_meeting", "month", 1, BRANCHES),
    ("group_meeting", "month", 1, "group"),
    ("lecture", "quarter", 1, BRANCHES),
    ("themed_day", "month", 1, BRANCHES),
    ("org_life_review", "year", 1, BRANCHES),
    ("member_appraisal", "year", 1, BRANCHES),
]


@on_empty_database
def seed(apps, schema_editor):
    Requirement = apps.get_model("orglife", "MeetingRequirement")
    for kind, period, times, org_kinds in REQUIREMENTS:
        Requirement.objects.update_or_create(
            kind=kind,
            defaults={"period": period, "times": times, "org_kinds": org_kinds, "basis": BASIS},
        )


def unseed(apps, schema_editor):
    Requirement = apps.get_model("orglife", "MeetingRequirement")
    Requirement.objects.filter(kind__in=[r[0] for r in REQUIREMENTS], basis=BASIS).delete()


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
