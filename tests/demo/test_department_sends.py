"""The demo's departments' dispatches to the demo street (issue 16): a task citing the
admitted duty sent, a notice the street marked as outside its duty list (which the
district sees on its workbench), and a task citing the refused duty refused at sending,
left a draft whose page says why."""

from jiceng.accounts.models import User
from jiceng.dashboard.workbench import workbench_items
from jiceng.duties.errors import DutyErrorCode
from jiceng.linkage import selectors
from jiceng.linkage.models import Dispatch, Recipient


def test_the_demo_departments_send_and_one_unadmitted_task_is_refused(street_demo):
    sent = Dispatch.objects.filter(sender_department__isnull=False)
    task = sent.get(kind="task", state="sent")
    assert task.duty_reference and task.recipients.count() == 1
    receipt = task.recipients.get().receipt
    assert receipt.opened_at is not None and receipt.acknowledged_at is None
    marked = Recipient.objects.get(outside_list_marked_at__isnull=False)
    assert marked.dispatch.kind == "notice" and marked.area.level == "street"
    draft = sent.get(state="draft")
    refusal = selectors.admission_refusal(draft)
    assert refusal is not None and refusal.code == str(DutyErrorCode.DUTY_NOT_ADMITTED)

    department = User.objects.get(username="demo_department")
    mine = set(selectors.dispatch_list(viewer=department).values_list("pk", flat=True))
    assert mine == {task.pk, marked.dispatch_id}
    district = User.objects.get(username="demo_district")
    todos = [t for t in workbench_items(viewer=district) if t.source == "linkage_outside_list"]
    assert [t.url for t in todos] == [f"/linkage/dispatches/{marked.dispatch_id}/"]


def test_the_pages_show_it(client, street_demo):
    draft = Dispatch.objects.get(sender_department__isnull=False, state="draft")
    client.force_login(User.objects.get(username="demo_district"))
    page = client.get(f"/linkage/dispatches/{draft.pk}/").content.decode()
    assert "不能下发" in page and "未经区委区政府审核准入" in page
    listed = client.get("/linkage/dispatches/?outside=1").content.decode()
    assert "关于协助开展占道经营专项整治的通知" in listed


def test_the_demo_street_sends_to_the_orgs_its_compliance_rule_flags(street_demo):
    """One notice by an org rule (issue 16: "the orgs flagged by a rule"): the demo
    street's community orgs behind on 三会一课 this year, each an org recipient."""
    from jiceng.core.org_measures import org_measure
    from jiceng.core.outcomes import Period
    from jiceng.linkage.services.dispatches import org_candidates

    sent = Dispatch.objects.get(targeting=Dispatch.Targeting.ORG_RULE, state="sent")
    rows = list(sent.recipients.select_related("org__area"))
    assert rows and all(r.org_id and r.area_id is None for r in rows)
    assert all(r.org.area.path.startswith(sent.sender_area.path) for r in rows)
    figures = org_measure(sent.rule_outcome).measure(
        org_candidates(sent), Period.parse(sent.rule_period)
    )
    behind = {pk for pk, f in figures.items() if f.value is not None and f.value < 0.9}
    assert {r.org_id for r in rows} == behind
