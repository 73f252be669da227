"""The live services and the recorded history take a case's steps through the same
lifecycle (appeals.states): the same steps give the same timeline and the same case."""

import datetime

from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Appeal

CASE_FIELDS = (
    "state",
    "unit_id",
    "unroutable_reason",
    "public_reply",
    "resolved",
    "satisfaction",
    "reopen_count",
    "response_overdue",
    "resolution_overdue",
)


def _timeline(appeal: Appeal) -> list[tuple]:
    return [
        (e.action, e.from_state, e.to_state, e.note, e.is_public, e.data)
        for e in appeal.events.order_by("at", "id")
    ]


def test_the_same_steps_live_and_recorded_give_the_same_case(world):
    users = world.t.users
    handler, staff = users["xh_c1_secretary"], users["xh_s1_staff"]
    text = "楼下垃圾三天没人清运"
    live = world.intake(text=text)
    services.appeal_accept(actor=handler, appeal=live)
    services.appeal_start(actor=handler, appeal=live, note="已联系环卫所")
    services.appeal_reply(actor=handler, appeal=live, reply="已清运")
    services.appeal_rate(
        appeal=live, resolved=False, satisfaction="unsatisfied", comment="没清干净"
    )
    services.appeal_reopen(actor=None, appeal=live, reason="又堆满了")
    services.appeal_dispatch(actor=staff, appeal=live, unit=world.street_unit)
    services.appeal_return(actor=users["xh_s1_staff"], appeal=live, reason="属物业职责")
    services.appeal_dispatch(actor=staff, appeal=live, unit=world.community_unit)
    services.appeal_accept(actor=handler, appeal=live)
    services.appeal_reply(actor=handler, appeal=live, reply="物业已彻底清理")
    services.appeal_rate(appeal=live, resolved=True, satisfaction="satisfied")
    live.refresh_from_db()

    start = timezone.now() - datetime.timedelta(hours=2)
    minutes = iter(range(1, 100))

    def step(action, **values):
        at = start + datetime.timedelta(minutes=next(minutes))
        return services.CaseStep(action=action, at=at, **values)

    recorded_case = services.CaseRecord(
        intake=services.Intake(
            channel="resident",
            category=world.category("sanitation"),
            area=world.t.areas["xh_g1"],
            description=text,
        ),
        received_at=start,
        steps=[
            step("dispatch", unit=world.community_unit),
            step("accept"),
            step("start", note="已联系环卫所"),
            step("reply", note="已清运"),
            step("rate", resolved=False, satisfaction="unsatisfied", note="没清干净"),
            step("reopen", note="又堆满了"),
            step("dispatch", unit=world.street_unit, note=""),
            step("return", note="属物业职责"),
            step("dispatch", unit=world.community_unit),
            step("accept"),
            step("reply", note="物业已彻底清理"),
            step("rate", resolved=True, satisfaction="satisfied"),
        ],
    )
    assert services.appeal_bulk_create(actor=None, cases=[recorded_case]) == 1
    recorded = Appeal.objects.exclude(pk=live.pk).get()

    assert [getattr(recorded, f) for f in CASE_FIELDS] == [getattr(live, f) for f in CASE_FIELDS]
    assert recorded.state == Appeal.State.CLOSED
    live_timeline, recorded_timeline = _timeline(live), _timeline(recorded)
    assert [e[:3] for e in recorded_timeline] == [e[:3] for e in live_timeline]
    # A dispatch differs by design: the rule's at intake, the street's by hand (internal,
    # its own note), a recorded one shown to the resident as the automatic one is.
    for (action, *_states, note, public, data), (_a, *_s, live_note, live_public, live_data) in zip(
        recorded_timeline, live_timeline, strict=True
    ):
        if action != "dispatch":
            assert (note, public, data) == (live_note, live_public, live_data), action
