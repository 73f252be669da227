"""The demo's year of the responsibility system (issue 17): a scheme in two versions,
opened and published; task lists from the scheme and the upper level; every report
drafted, reviewed by the upper level and a members' representative, published; a
ranking; problems with rectification items; two weak-org candidates, one confirmed and
rectified (cleared by its review); star ratings, an inspection with findings and a talk."""

from collections import Counter

from jiceng.assessment.models import (
    Assessment,
    Problem,
    Rectification,
    Report,
    Reviewer,
    Scheme,
    TaskItem,
)
from jiceng.supervision.models import Inspection, StarRating, Talk, WeakOrgCase


def test_the_demo_runs_a_year_of_assessment(street_demo):
    versions = Counter(Scheme.objects.values_list("state", flat=True))
    assert versions == {"superseded": 1, "open": 1}
    scheme = Scheme.objects.get(state="open")
    assert scheme.is_published
    rows = Assessment.objects.filter(scheme=scheme)
    assert {"street", "community"} <= set(rows.values_list("group", flat=True))
    assert not rows.filter(rank__isnull=True).exists() and rows.filter(rank=1).exists()
    sources = set(TaskItem.objects.values_list("source", flat=True))
    assert sources == {"scheme", "upper"} and TaskItem.objects.filter(done_on__isnull=False)
    assert set(Report.objects.values_list("state", flat=True)) == {"published"}
    given = Reviewer.objects.filter(grade__gt="")
    assert set(given.values_list("capacity", flat=True)) == {"upper_committee", "representative"}
    assert set(Problem.objects.values_list("source", flat=True)) >= {"review", "inspection"}
    states = set(Rectification.objects.values_list("state", flat=True))
    assert {"open", "submitted", "closed", "returned"} <= states


def test_the_demo_has_weak_orgs_stars_an_inspection_and_a_talk(street_demo):
    cases = Counter(WeakOrgCase.objects.values_list("state", flat=True))
    assert cases == {"candidate": 1, "cleared": 1}
    assert StarRating.objects.filter(confirmed_at__isnull=False).exists()
    recorded = Inspection.objects.filter(state="recorded")
    assert recorded.exists() and all(i.findings and i.problems for i in recorded)
    assert Talk.objects.exists()
