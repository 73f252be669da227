"""What the duties app lends the linkage app (linkage.admission): the admitted-duty
check before a department's dispatch goes down, the duties a department may cite, and
the district's register of tasks a street marked as outside its list."""

from collections.abc import Sequence

from jiceng.appeals.models import HandlingUnit
from jiceng.core.models import Area
from jiceng.core.types import Actor
from jiceng.duties import selectors, services


def require(*, department: HandlingUnit, places: Sequence[Area], reference) -> str:
    """The cited duty's title, or DutyNotAdmitted (field "duty") with its code."""
    return services.require_admitted(department=department, recipients=places, duty=reference).title


def choices(departments: Sequence[HandlingUnit]) -> list[tuple[str, str]]:
    return [
        (str(duty.pk), f"{duty.title}（{department.name}）")
        for department in departments
        for duty in selectors.admitted_duties_of(department=department)
    ]


def record_outside_list(
    *, actor: Actor, street: Area, department: HandlingUnit, description: str, reference: str
) -> None:
    services.outside_list_report(
        actor=actor,
        street=street,
        department=department,
        description=description,
        task_reference=reference,
    )


def register() -> None:
    from jiceng.linkage import admission

    admission.register(
        admission.DutyAdmission(
            require=require, choices=choices, record_outside_list=record_outside_list
        )
    )
