"""Duty admission (职责下沉准入) and the street's five powers over department field
offices (五项权力).

A department (a handling unit of kind "department", appeals.HandlingUnit, whose staff
are its handlers) applies to push a duty (事项) down to streets or communities, with the
legal basis, the expected volume and the people and funds that go with it (权随事转、人随
事转、费随事转); the district reviews it and admits or refuses it with a reason, and may
revoke an admitted duty with a reason. An admitted duty appears in each target street's
duty list (街道职责清单). The lifecycle is one table (`duties.states`).

For the linkage app (tasks sent down by a department) — the public check, which this app
lends to linkage through its registry (`duties.linkage_admission`, registered in
`ready()`; linkage calls it when a department's dispatch is sent):

    from jiceng.duties.selectors import admitted_duty_for
    from jiceng.duties.services import require_admitted

    admitted_duty_for(department=unit, street_or_area=area, duty_id=duty_id)
        -> Duty | None   # the admitted duty of that department covering that place

    require_admitted(department=unit, recipients=[area, ...], duty=duty_or_id_or_None)
        # returns the Duty, or raises DutyNotAdmitted (a ValidationFailed, field "duty")
        # with a stable code (errors.DutyErrorCode.DUTY_MISSING / DUTY_NOT_ADMITTED /
        # DUTY_NOT_COVERING / DUTY_OTHER_DEPARTMENT) and a Chinese message naming the duty

A recipient is covered when it is, or lies under, one of the duty's target streets. A
street marks a task it received as outside its list (清单外事项) with
`services.outside_list_report` (an OutsideListReport: street, department, description,
a reference to the task, date) — directly for a task that came on paper, or through
linkage's mark on a received dispatch (reference "调度-<number>"); the district sees
every report of its streets.

The five powers as records and requests: the street's yearly assessment of field-office
heads (FieldOfficeAssessment), which the responsibility system reads through the
provider `given_grades` registers with assessment.given_grades (the district's yearly
results and a street committee secretary's report draft), and one PowerRequest
aggregate with a kind for consent (征得同意, asked by a department of the street),
planning participation (规划参与), major-matter proposals (重大事项建议) and
comprehensive-management coordination (综合管理), each with a deadline for the answer
and the answer recorded.
"""
