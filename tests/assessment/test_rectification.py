"""The problem and rectification lists: raised by the upper level, one item per problem,
closure submitted with evidence and confirmed only by the level above, returned with a
reason, refused from the wrong state; overdue items marked once and escalated."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jiceng.assessment import services
from jiceng.assessment.errors import (
    MSG_EVIDENCE_REQUIRED,
    MSG_HAS_RECTIFICATION,
    AssessmentErrorCode,
)
from jiceng.assessment.models import Problem, Rectification
from jiceng.assessment.states import RECTIFICATION_TRANSITIONS
from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry


def photo(name: str = "evidence.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def item(territory):
    problem = services.problem_raise(
        actor=territory.users["xh_s1_staff"],
        org=territory.orgs["xh_c1_gb"],
        source=Problem.Source.REVIEW,
        text="党员教育管理不够经常",
        year=2026,
    )
    return services.rectification_create(
        actor=territory.users["xh_s1_staff"],
        problem=problem,
        owner="张书记",
        measures="每月开展主题党日",
        deadline=datetime.date(2026, 6, 30),
    )


def test_problem_raised_by_upper_level_with_audit(territory, item):
    assert item.state == Rectification.State.OPEN
    assert item.org == territory.orgs["xh_c1_gb"]
    assert AuditEntry.objects.filter(target_type="assessment.problem").count() == 1
    assert AuditEntry.objects.filter(target_type="assessment.rectification").count() == 1


def test_the_assessed_level_cannot_raise_its_own_problems_and_others_do_not_see(territory):
    org = territory.orgs["xh_c1_gb"]
    with pytest.raises(PermissionDenied):
        services.problem_raise(
            actor=territory.users["xh_c1_secretary"], org=org, source="other", text="x", year=2026
        )
    with pytest.raises(NotFound):
        services.problem_raise(
            actor=territory.users["hp_s1_staff"], org=org, source="other", text="x", year=2026
        )
    assert not Problem.objects.exists()


def test_one_rectification_per_problem(territory, item):
    with pytest.raises(Conflict) as refused:
        services.rectification_create(
            actor=territory.users["xh_s1_staff"],
            problem=item.problem,
            owner="李",
            measures="m",
            deadline=datetime.date(2026, 7, 1),
        )
    assert refused.value.message == MSG_HAS_RECTIFICATION


def test_closure_needs_evidence_and_the_upper_level(territory, item):
    secretary, street = territory.users["xh_c1_secretary"], territory.users["xh_s1_staff"]
    with pytest.raises(ValidationFailed) as refused:
        services.rectification_submit(actor=secretary, item=item, note="已整改")
    assert refused.value.message == MSG_EVIDENCE_REQUIRED
    services.rectification_attach(actor=secretary, item=item, upload=photo(), caption="照片")
    services.rectification_submit(actor=secretary, item=item, note="已整改")
    with pytest.raises(PermissionDenied):
        services.rectification_confirm(actor=secretary, item=item)
    with pytest.raises(Conflict):
        services.rectification_submit(actor=secretary, item=item, note="again")
    services.rectification_return(actor=street, item=item, reason="佐证不足")
    item.refresh_from_db()
    assert item.state == Rectification.State.RETURNED
    with pytest.raises(Conflict):
        services.rectification_confirm(actor=street, item=item)
    services.rectification_submit(actor=secretary, item=item, note="补充了材料")
    closed = services.rectification_confirm(actor=street, item=item)
    assert closed.state == Rectification.State.CLOSED and closed.closed_by == street
    with pytest.raises(Conflict):
        services.rectification_return(actor=street, item=item, reason="x")


def test_overdue_marked_once_and_escalated_to_the_level_above(territory, item):
    assert services.rectification_overdue_check(today=datetime.date(2026, 6, 30)) == 0
    assert services.rectification_overdue_check(today=datetime.date(2026, 7, 1)) == 1
    item.refresh_from_db()
    assert item.overdue_marked_at is not None
    assert item.escalated_to == territory.areas["xh_s1"]
    assert services.rectification_overdue_check(today=datetime.date(2026, 7, 2)) == 0


@pytest.mark.parametrize(
    "field,value",
    [("measures", "x" * 501), ("measures", "a\x00b"), ("owner", ""), ("owner", "名" * 51)],
)
def test_hostile_input_refused_naming_the_field(territory, field, value):
    problem = services.problem_raise(
        actor=None, org=territory.orgs["xh_c1_gb"], source="other", text="问题", year=2026
    )
    data = {"owner": "张", "measures": "措施", "deadline": datetime.date(2026, 6, 1)}
    data[field] = value
    with pytest.raises(ValidationFailed) as refused:
        services.rectification_create(actor=None, problem=problem, **data)
    assert refused.value.field == field
    assert not Rectification.objects.exists()


RECTIFICATION_CALLS = {
    "attach": lambda t, item: services.rectification_attach(
        actor=t.users["xh_c1_secretary"], item=item, upload=photo(), caption="照片"
    ),
    "submit": lambda t, item: services.rectification_submit(
        actor=t.users["xh_c1_secretary"], item=item, note="已整改"
    ),
    "confirm": lambda t, item: services.rectification_confirm(
        actor=t.users["xh_s1_staff"], item=item
    ),
    "return": lambda t, item: services.rectification_return(
        actor=t.users["xh_s1_staff"], item=item, reason="佐证不足"
    ),
}


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (state, action)
        for state in Rectification.State.values
        for action, transition in RECTIFICATION_TRANSITIONS.items()
        if state not in transition.sources
    ],
)
def test_every_action_the_transition_table_refuses_is_refused(territory, item, state, action):
    """Walk the transition table: from each state, every action it does not allow is
    refused naming the state, and the item is left as it was."""
    services.rectification_attach(
        actor=territory.users["xh_c1_secretary"], item=item, upload=photo(), caption="照片"
    )
    Rectification.objects.filter(pk=item.pk).update(state=state)
    item.refresh_from_db()
    evidence = item.evidence.count()
    with pytest.raises(Conflict) as refused:
        RECTIFICATION_CALLS[action](territory, item)
    assert refused.value.code == AssessmentErrorCode.ILLEGAL_TRANSITION
    assert item.get_state_display() in refused.value.message
    item.refresh_from_db()
    assert (item.state, item.evidence.count()) == (state, evidence)
