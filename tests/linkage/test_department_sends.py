"""A department sends notices and tasks down (SPEC §7, duty admission): a task to streets
and what lies under them must cite a duty the district admitted for every recipient's
street, or it is refused at sending with the duties app's code naming the field "duty";
only the department's staff act on its sends; a department sees only its own sends, the
district all of them; a recipient street marks a department's task as outside its duty
list, which the district and the sending department see."""

import json

import pytest

from jiceng.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry
from jiceng.dashboard.workbench import workbench_items
from jiceng.duties import services as duty_services
from jiceng.duties.errors import DutyErrorCode, DutyNotAdmitted
from jiceng.duties.models import OutsideListReport
from jiceng.linkage import selectors, services
from jiceng.linkage.errors import LinkageErrorCode as Code
from jiceng.linkage.models import Dispatch, Notification, Recipient
from tests.linkage.conftest import future


def _task(w, *, actor="xh_chengguan", department=None, duty=None, streets=("xh_s1",), **extra):
    a = w.t.areas
    facts = services.DispatchFacts(
        kind=extra.pop("kind", Dispatch.Kind.TASK),
        title="门责制度落实检查情况报送",
        body="请按准入事项开展门责检查并报送情况。",
        deadline=future(),
        targeting=extra.pop("targeting", Dispatch.Targeting.LIST),
        target_level=extra.pop("target_level", Dispatch.Level.STREET),
        target_areas=[a[s] for s in streets],
        duty_reference=None if duty is None else str(duty),
        **extra,
    )
    fields = [] if facts.kind == Dispatch.Kind.NOTICE else [
        services.FieldFacts(label="检查户次", kind="number")
    ]  # fmt: skip
    return services.dispatch_create(
        actor=w.user(actor) if actor else None,
        sender_area=a["xh"],
        sender_department=department or w.department,
        facts=facts,
        fields=fields,
    )


def _refused_code(w, draft, actor="xh_chengguan") -> str:
    with pytest.raises(DutyNotAdmitted) as refused:
        services.dispatch_send(actor=w.user(actor), dispatch=draft)
    assert refused.value.field == "duty"
    draft.refresh_from_db()
    assert draft.state == Dispatch.State.DRAFT
    assert not Recipient.objects.filter(dispatch=draft).exists()
    return refused.value.code


def test_a_task_citing_its_admitted_duty_is_sent(duty_world):
    w = duty_world
    duty = w.admitted()
    draft = _task(w, duty=duty.pk)
    assert draft.sender_department == w.department
    sent = services.dispatch_send(actor=w.user("xh_chengguan"), dispatch=draft)
    assert sent.state == Dispatch.State.SENT
    assert [r.area_id for r in sent.recipients.all()] == [w.t.areas["xh_s1"].pk]
    entry = AuditEntry.objects.filter(target_type="linkage.dispatch", target_id=str(sent.pk))
    assert entry.get(action="update").changes["duty"] == duty.title
    told = Notification.objects.get(recipient=w.user("xh_s1_staff"), title__contains="门责")
    assert "徐汇区城管执法局" in told.body


@pytest.mark.parametrize(
    "case, code",
    [
        ("none", DutyErrorCode.DUTY_MISSING),
        ("refused", DutyErrorCode.DUTY_NOT_ADMITTED),
        ("pending", DutyErrorCode.DUTY_NOT_ADMITTED),
        ("other_department", DutyErrorCode.DUTY_OTHER_DEPARTMENT),
        ("street_not_covered", DutyErrorCode.DUTY_NOT_COVERING),
        ("community_of_another_street", DutyErrorCode.DUTY_NOT_COVERING),
        ("not_a_number", DutyErrorCode.DUTY_MISSING),
    ],
)
def test_an_unadmitted_task_is_refused(duty_world, case, code):
    w = duty_world
    if case == "none":
        draft = _task(w)
    elif case == "refused":
        duty = w.apply()
        duty_services.duty_act(
            actor=w.user("xh_admin"), duty=duty, action="refuse", reason="未随事下沉经费"
        )
        draft = _task(w, duty=duty.pk)
    elif case == "pending":
        draft = _task(w, duty=w.apply().pk)
    elif case == "other_department":
        other = w.apply(actor="xh_fangguan", department=w.other_department)
        other = duty_services.duty_act(actor=w.user("xh_admin"), duty=other, action="admit")
        draft = _task(w, duty=other.pk)
    elif case == "street_not_covered":
        draft = _task(w, duty=w.admitted().pk, streets=("xh_s1", "xh_s2"))
    elif case == "community_of_another_street":
        draft = _task(
            w,
            duty=w.admitted().pk,
            targeting=Dispatch.Targeting.CHILDREN,
            target_level=Dispatch.Level.COMMUNITY,
            streets=(),
        )
    else:
        draft = _task(w, duty="门责")
    assert _refused_code(w, draft) == str(code)


def test_a_revoked_duty_stops_the_next_task(duty_world):
    w = duty_world
    duty = w.admitted()
    draft = _task(w, duty=duty.pk)
    duty_services.duty_act(actor=w.user("xh_admin"), duty=duty, action="revoke", reason="撤销")
    assert _refused_code(w, draft) == str(DutyErrorCode.DUTY_NOT_ADMITTED)


def test_a_notice_needs_no_duty_but_one_it_cites_is_checked(duty_world):
    w = duty_world
    notice = _task(w, kind=Dispatch.Kind.NOTICE)
    assert services.dispatch_send(actor=w.user("xh_chengguan"), dispatch=notice).state == "sent"
    cited = _task(w, kind=Dispatch.Kind.NOTICE, duty=w.apply().pk)
    assert _refused_code(w, cited) == str(DutyErrorCode.DUTY_NOT_ADMITTED)


def test_the_draft_page_check_says_why_before_sending(duty_world):
    w = duty_world
    draft = _task(w)
    refusal = selectors.admission_refusal(draft)
    assert refusal is not None and refusal.code == str(DutyErrorCode.DUTY_MISSING)
    assert selectors.admission_refusal(_task(w, duty=w.admitted().pk)) is None


def test_only_the_department_staff_draft_and_act_for_it(duty_world):
    w = duty_world
    a = w.t.areas
    duty = w.admitted()
    draft = _task(w, duty=duty.pk)
    # The district sees its department's draft but does not act on it.
    with pytest.raises(PermissionDenied):
        services.dispatch_send(actor=w.user("xh_admin"), dispatch=draft)
    # Another department does not even see it.
    with pytest.raises(NotFound):
        services.dispatch_send(actor=w.user("xh_fangguan"), dispatch=draft)
    # Nor may anyone draft for a department it does not work in.
    with pytest.raises((NotFound, PermissionDenied)):
        _task(w, actor="xh_fangguan", department=w.department)
    # A department sends from the area it serves, nowhere else.
    with pytest.raises(ValidationFailed) as refused:
        services.dispatch_create(
            actor=w.user("xh_chengguan"),
            sender_area=a["xh_s1"],
            sender_department=w.department,
            facts=services.DispatchFacts(kind="notice", title="通知", target_areas=[a["xh_c1"]]),
        )
    assert refused.value.code == Code.SENDER_DEPARTMENT
    services.dispatch_send(actor=w.user("xh_chengguan"), dispatch=draft)


def test_a_department_sees_its_own_sends_and_the_district_sees_all(duty_world):
    w = duty_world
    a = w.t.areas
    mine = _task(w, duty=w.admitted().pk)
    services.dispatch_send(actor=w.user("xh_chengguan"), dispatch=mine)
    theirs = _task(w, actor="xh_fangguan", department=w.other_department, kind="notice")
    district = services.dispatch_create(
        actor=w.user("xh_admin"),
        sender_area=a["xh"],
        facts=services.DispatchFacts(
            kind="notice", title="区里的通知", target_level="street", targeting="children"
        ),
    )

    def seen(user, **filters) -> set[int]:
        rows = selectors.dispatch_list(viewer=w.user(user), **filters)
        return set(rows.values_list("pk", flat=True))

    assert seen("xh_chengguan") == {mine.pk}
    assert seen("xh_chengguan", mine=True) == {mine.pk}
    assert seen("xh_fangguan") == {theirs.pk}
    assert seen("xh_admin") == {mine.pk, theirs.pk, district.pk}
    # The district's own sends are its to act on; its departments' are theirs.
    assert seen("xh_admin", mine=True) == {district.pk}
    # The department follows delivery of its own send, not of others'.
    rows = selectors.recipients_of(viewer=w.user("xh_chengguan"), dispatch=mine)
    assert [r.area_id for r in rows] == [a["xh_s1"].pk]
    with pytest.raises(NotFound):
        selectors.dispatch_get(viewer=w.user("xh_chengguan"), dispatch_id=district.pk)
    # The recipient sees what was sent to it.
    received = selectors.received_list(viewer=w.user("xh_s1_staff"))
    assert mine.pk in set(received.values_list("dispatch_id", flat=True))
    # Another district's staff see none of it.
    assert seen("hp_admin") == set()


@pytest.fixture
def marked(duty_world):
    w = duty_world
    task = _task(w, duty=w.admitted().pk)
    services.dispatch_send(actor=w.user("xh_chengguan"), dispatch=task)
    recipient = Recipient.objects.get(dispatch=task)
    services.recipient_mark_outside_list(
        actor=w.user("xh_s1_staff"), recipient=recipient, reason="该事项应由执法中队承担"
    )
    recipient.refresh_from_db()
    return w, task, recipient


def test_a_street_marks_a_department_task_as_outside_its_list(marked):
    w, task, recipient = marked
    assert recipient.is_outside_list
    assert recipient.outside_list_reason == "该事项应由执法中队承担"
    assert recipient.outside_list_marked_by == w.user("xh_s1_staff")
    entry = AuditEntry.objects.get(target_type="linkage.recipient", target_id=str(recipient.pk))
    assert entry.changes["outside_list"]["new"] == "该事项应由执法中队承担"
    # The district's register of such tasks has it, naming the task.
    report = OutsideListReport.objects.get(task_reference=f"调度-{task.pk}")
    assert (report.street, report.department) == (w.t.areas["xh_s1"], w.department)
    with pytest.raises(Conflict) as again:
        services.recipient_mark_outside_list(
            actor=w.user("xh_s1_staff"), recipient=recipient, reason="再标一次"
        )
    assert again.value.code == Code.OUTSIDE_LIST_MARKED
    assert OutsideListReport.objects.count() == 1
    # The department's staff hear of it, with a link to their send.
    told = Notification.objects.get(recipient=w.user("xh_chengguan"), title__contains="清单外")
    assert told.link == f"/linkage/dispatches/{task.pk}/" and told.body == "该事项应由执法中队承担"
    assert not Notification.objects.filter(
        recipient=w.user("xh_fangguan"), title__contains="清单外"
    ).exists()


def _outside_todos(user) -> list:
    return [t for t in workbench_items(viewer=user) if t.source == "linkage_outside_list"]


def test_who_sees_the_mark(marked):
    w, task, recipient = marked

    def marks(user) -> list[int]:
        return list(selectors.outside_list_marks(viewer=w.user(user)).values_list("pk", flat=True))

    assert marks("xh_admin") == [recipient.pk]
    assert marks("xh_chengguan") == [recipient.pk]
    assert marks("xh_fangguan") == []
    assert marks("hp_admin") == []
    listed = selectors.dispatch_list(viewer=w.user("xh_admin"), outside_list=True)
    assert [(d.pk, d.outside_list_count) for d in listed] == [(task.pk, 1)]
    todos = _outside_todos(w.user("xh_admin"))
    assert len(todos) == 1 and str(task.pk) in todos[0].url
    assert not _outside_todos(w.user("xh_s1_staff"))
    assert not _outside_todos(w.user("xh_chengguan"))
    # Once the department closes the task, the district has nothing left to follow.
    services.dispatch_close(actor=w.user("xh_chengguan"), dispatch=task)
    assert not _outside_todos(w.user("xh_admin"))


def test_only_a_street_s_copy_of_a_department_dispatch_can_be_marked(duty_world, marked):
    w, _task_sent, _recipient = marked
    a = w.t.areas
    district = services.dispatch_create(
        actor=w.user("xh_admin"),
        sender_area=a["xh"],
        facts=services.DispatchFacts(
            kind="notice", title="区里的通知", target_level="street", targeting="children"
        ),
    )
    services.dispatch_send(actor=w.user("xh_admin"), dispatch=district)
    own = Recipient.objects.get(dispatch=district, area=a["xh_s1"])
    with pytest.raises(ValidationFailed) as refused:
        services.recipient_mark_outside_list(
            actor=w.user("xh_s1_staff"), recipient=own, reason="不是部门派的"
        )
    assert refused.value.code == Code.OUTSIDE_LIST_NOT_FOR
    notice = _task(
        w,
        kind="notice",
        targeting=Dispatch.Targeting.CHILDREN,
        target_level=Dispatch.Level.COMMUNITY,
        streets=(),
    )
    services.dispatch_send(actor=w.user("xh_chengguan"), dispatch=notice)
    community = Recipient.objects.get(dispatch=notice, area=a["xh_c1"])
    with pytest.raises(ValidationFailed) as refused:
        services.recipient_mark_outside_list(
            actor=w.user("xh_c1_secretary"), recipient=community, reason="社区不是街道"
        )
    assert refused.value.code == Code.OUTSIDE_LIST_NOT_FOR
    # Another street may not mark the first street's copy; a blank reason is refused.
    street_copy = Recipient.objects.get(dispatch=_task_sent)
    with pytest.raises((NotFound, PermissionDenied)):
        services.recipient_mark_outside_list(
            actor=w.user("xh_s2_staff"), recipient=street_copy, reason="不是我的"
        )
    fresh = _task(w, kind="notice")
    services.dispatch_send(actor=w.user("xh_chengguan"), dispatch=fresh)
    with pytest.raises(ValidationFailed) as refused:
        services.recipient_mark_outside_list(
            actor=w.user("xh_s1_staff"), recipient=fresh.recipients.get(), reason=" \x00"
        )
    assert refused.value.field == "reason"
    assert not fresh.recipients.get().is_outside_list


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_the_api_and_the_pages_give_the_same_refusal_and_mark(client, duty_world):
    w = duty_world
    a = w.t.areas
    client.force_login(w.user("xh_chengguan"))
    body = {
        "sender_area": a["xh"].pk,
        "sender_department": w.department.pk,
        "kind": "task",
        "title": "门责检查",
        "deadline": future().isoformat(),
        "targeting": "list",
        "target_level": "street",
        "target_areas": [a["xh_s1"].pk],
        "fields": [{"label": "检查户次", "kind": "number"}],
    }
    created = _post(client, "/api/linkage/dispatches", body)
    assert created.status_code == 201, created.content
    assert created.json()["sender_department_name"] == "徐汇区城管执法局"
    pk = created.json()["id"]
    refused = _post(client, f"/api/linkage/dispatches/{pk}/send")
    assert refused.status_code == 400
    assert refused.json()["code"] == "duties_duty_missing"
    assert refused.json()["field"] == "duty"
    assert Dispatch.objects.get(pk=pk).state == "draft"
    # The page shows the same refusal on the draft and on pressing send.
    page = client.get(f"/linkage/dispatches/{pk}/")
    assert "部门向街道派任务须注明已准入的下沉事项" in page.content.decode()
    pressed = client.post(f"/linkage/act/dispatches/{pk}/send/", {}, follow=True)
    assert "部门向街道派任务须注明已准入的下沉事项" in pressed.content.decode()
    # Another department's id is out of sight.
    foreign = _post(
        client, "/api/linkage/dispatches", {**body, "sender_department": w.other_department.pk}
    )
    assert foreign.status_code == 404

    # The page drafts for the department with the admitted duty chosen, and sends.
    duty = w.admitted()
    form = client.get("/linkage/dispatches/new/").content.decode()
    assert f'value="department:{w.department.pk}"' in form and duty.title in form
    posted = client.post(
        "/linkage/dispatches/new/",
        {
            "sender": f"department:{w.department.pk}",
            "duty_reference": str(duty.pk),
            "kind": "task",
            "title": "门责检查（页面）",
            "deadline": future().isoformat(),
            "targeting": "list",
            "target_level": "street",
            "target_areas": [str(a["xh_s1"].pk)],
            "field_label_0": "检查户次",
            "field_kind_0": "number",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:2000]
    draft = Dispatch.objects.get(title="门责检查（页面）")
    assert (draft.sender_department, draft.duty_reference) == (w.department, str(duty.pk))
    client.post(f"/linkage/act/dispatches/{draft.pk}/send/", {})
    assert Dispatch.objects.get(pk=draft.pk).state == "sent"

    # The street marks it outside its list through the API; the page offers the same.
    copy = Recipient.objects.get(dispatch=draft)
    client.force_login(w.user("xh_s1_staff"))
    assert "标记为清单外事项" in client.get(f"/linkage/received/{copy.pk}/").content.decode()
    blank = _post(client, f"/api/linkage/received/{copy.pk}/mark_outside_list", {"reason": " "})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    done = _post(
        client, f"/api/linkage/received/{copy.pk}/mark_outside_list", {"reason": "不在清单内"}
    )
    assert done.status_code == 200, done.content
    assert done.json()["outside_list"] is True
    again = client.post(
        f"/linkage/act/received/{copy.pk}/mark_outside_list/", {"reason": "再标"}, follow=True
    )
    assert "该事项已标记为清单外事项" in again.content.decode()
    # The sending department sees the mark on its page; the district in its filter.
    client.force_login(w.user("xh_chengguan"))
    assert "不在清单内" in client.get(f"/linkage/dispatches/{draft.pk}/").content.decode()
    client.force_login(w.user("xh_admin"))
    listed = client.get("/api/linkage/dispatches?outside_list=true").json()["items"]
    assert [d["id"] for d in listed] == [draft.pk]
    assert "门责检查（页面）" in client.get("/linkage/dispatches/?outside=1").content.decode()
