"""Who sees what of duty admission, from one setup: a department its own applications
and what names it, a street its duty list and what concerns it, the district all of
its own; another district, a community, a member nothing. Success and denial alike."""

import pytest
from django.utils import timezone

from jiceng.core.scope import scope_for
from jiceng.duties import services
from jiceng.duties.models import (
    Duty,
    DutyTarget,
    FieldOfficeAssessment,
    OutsideListReport,
    PowerRequest,
)

MODELS = (Duty, DutyTarget, PowerRequest, FieldOfficeAssessment, OutsideListReport)


@pytest.fixture
def rows(duty_world):
    w = duty_world
    duty = w.admitted(streets=[w.t.areas["xh_s1"], w.t.areas["xh_s2"]])
    w.consent()
    services.assessment_record(
        actor=w.user("xh_s1_staff"), street=w.t.areas["xh_s1"], department=w.department,
        office_name="执法中队", head_name="张伟", year=timezone.localdate().year, grade="good",
    )  # fmt: skip
    services.outside_list_report(
        actor=w.user("xh_s2_staff"), street=w.t.areas["xh_s2"], department=w.department,
        description="清单外",
    )  # fmt: skip
    return duty


# (viewer, Duty, DutyTarget, PowerRequest, FieldOfficeAssessment, OutsideListReport)
EXPECTED = [
    ("superuser", (1, 2, 1, 1, 1)),
    ("city_admin", (1, 2, 1, 1, 1)),
    ("xh_admin", (1, 2, 1, 1, 1)),
    ("xh_chengguan", (1, 2, 1, 1, 1)),  # its own department's everything
    ("xh_fangguan", (0, 0, 0, 0, 0)),  # another department: nothing of 城管's
    ("xh_s1_staff", (0, 1, 1, 1, 0)),  # its own street's line, request, assessment
    ("xh_s2_staff", (0, 1, 0, 0, 1)),
    ("hp_admin", (0, 0, 0, 0, 0)),
    ("xh_c1_secretary", (0, 0, 0, 0, 0)),
    ("xh_member", (0, 0, 0, 0, 0)),
    ("xh_unit_secretary", (0, 0, 0, 0, 0)),
    ("nobody", (0, 0, 0, 0, 0)),
]


@pytest.mark.parametrize("username, counts", EXPECTED)
def test_who_sees_what(duty_world, rows, username, counts):
    user = duty_world.user(username)
    seen = [scope_for(user).filter(model.objects.all()).count() for model in MODELS]
    assert seen == list(counts)
