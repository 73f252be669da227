"""The street's assessment of field-office heads (人事考核权) as the responsibility system
reads it (assessment.given_grades): registered from DutiesConfig.ready(), read through
`selectors.assessment_list`, so what a viewer gets is what duties' scope lets them see
(a street and the district above it; a department its own offices' grades; a community
none)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.assessment.given_grades import GivenGrade, GivenGrades, register_given_grades
from jiceng.core.models import Area
from jiceng.duties.models import FieldOfficeAssessment
from jiceng.duties.selectors import assessment_list


def _rows(viewer, area: Area, year: int) -> list[GivenGrade]:
    if viewer is None:
        # The system (the demo, a bulk draft) answers for the subject, as outcomes do.
        found = FieldOfficeAssessment.objects.select_related("street", "department")
        found = found.filter(year=year).order_by("street__code", "office_name", "id")
    else:
        found = assessment_list(viewer=viewer, year=year)
    found = found.filter(street__path__startswith=area.path)
    page = reverse("duties:assessments")
    return [
        GivenGrade(
            giver=row.street.name,
            subject=row.office_name,
            person=row.head_name,
            department=row.department.name,
            grade=str(row.get_grade_display()),
            comment=row.comment,
            url=f"{page}?year={row.year}#assessment-{row.pk}",
        )
        for row in found
    ]


def register() -> None:
    register_given_grades(
        GivenGrades(
            key="duties.field_office_assessments",
            label=_("街道对派出机构负责人的考核"),
            rows=_rows,
            order=10,
        )
    )
