"""Moderation of what the public feed shows (issue 22): a description reaches Open311
only as a staff member of the case's street published it, with personal data removed;
the service is scoped, audited and recorded as an event; page and API alike."""

import json

import pytest

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, AppealEvent
from jiceng.core.errors import NotFound, PermissionDenied, ValidationFailed
from jiceng.core.models import AuditEntry

WORDS = "张三丰 住 幸福小区3号楼502室，楼下垃圾三天没人清运，电话13812345678"
EDITED = "小区楼下垃圾三天没人清运"


def _feed(client, code: str) -> dict:
    return client.get(f"/open311/v2/requests/{code}.json").json()[0]


def test_published_description_appears_in_the_feed_and_withdraws(client, world):
    case = world.intake(text=WORDS)
    assert _feed(client, case.tracking_code)["description"] == ""
    listed = client.get("/open311/v2/requests.xml").content.decode()
    assert "张三丰" not in listed and "502" not in listed
    staff = world.t.users["xh_s1_staff"]
    services.appeal_publish_description(actor=staff, appeal=case, text=EDITED)
    case.refresh_from_db()
    assert case.description == WORDS  # the resident's words are kept as written
    assert (case.public_description, case.description_published_by) == (EDITED, staff)
    assert _feed(client, case.tracking_code)["description"] == EDITED
    event = AppealEvent.objects.filter(appeal=case).latest("id")
    assert (event.action, event.is_public, event.actor) == ("publish", False, staff)
    audit = AuditEntry.objects.filter(target_type="appeals.appeal", target_id=str(case.pk))
    assert audit.latest("id").changes == {"public_description": {"old": "", "new": EDITED}}

    services.appeal_publish_description(actor=staff, appeal=case, text="  ")
    case.refresh_from_db()
    assert case.public_description == "" and case.description_published_at is None
    assert _feed(client, case.tracking_code)["description"] == ""
    assert AppealEvent.objects.filter(appeal=case).latest("id").action == "unpublish"


@pytest.mark.parametrize(
    "text", ["请打 138 1234 5678", "身份证310104198506010012", "座机(021)64871234"]
)
def test_numbers_left_in_the_edit_are_refused(world, text):
    case = world.intake(text=WORDS)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.appeal_publish_description(
            actor=world.t.users["xh_s1_staff"], appeal=case, text=text
        )
    assert refused.value.field == "public_description"
    case.refresh_from_db()
    assert case.public_description == "" and AuditEntry.objects.count() == before


def test_only_the_street_and_above_may_publish(world):
    case = world.intake(text=WORDS)
    with pytest.raises(NotFound):  # another district's staff do not see the case
        services.appeal_publish_description(
            actor=world.t.users["hp_s1_staff"], appeal=case, text=EDITED
        )
    with pytest.raises(PermissionDenied):  # the community sees it, the street moderates
        services.appeal_publish_description(
            actor=world.t.users["xh_c1_secretary"], appeal=case, text=EDITED
        )
    services.appeal_publish_description(actor=world.t.users["xh_admin"], appeal=case, text=EDITED)
    case.refresh_from_db()
    assert case.public_description == EDITED


def test_page_and_api_publish(client, world):
    case = world.intake(text=WORDS)
    client.force_login(world.t.users["xh_s1_staff"])
    page = client.get(f"/appeals/{case.pk}/").content.decode()
    # The form suggests the text with the masking's numbers out; names stay for a person.
    assert 'name="public_description"' in page and "138****5678" in page
    response = client.post(f"/appeals/{case.pk}/publish/", {"public_description": EDITED})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.public_description == EDITED
    refused = client.post(
        f"/appeals/{case.pk}/publish/", {"public_description": "电话13812345678"}, follow=True
    )
    assert "公开描述中仍有电话号码或身份证号" in refused.content.decode()

    answer = client.post(
        f"/api/appeals/{case.pk}/publish",
        json.dumps({"public_description": "垃圾已堆三天"}),
        content_type="application/json",
    )
    assert answer.status_code == 200
    detail = client.get(f"/api/appeals/{case.pk}").json()
    assert detail["public_description"] == "垃圾已堆三天"
    client.force_login(world.t.users["hp_s1_staff"])
    assert (
        client.post(f"/appeals/{case.pk}/publish/", {"public_description": ""}).status_code == 404
    )
    assert Appeal.objects.get(pk=case.pk).public_description == "垃圾已堆三天"


def test_tracking_page_and_public_api_show_no_description_and_mask_the_reply(client, world):
    case = world.intake(text=WORDS)
    handler = world.t.users["xh_c1_secretary"]
    services.appeal_accept(actor=handler, appeal=case)
    services.appeal_reply(actor=handler, appeal=case, reply="已清运，如有问题请拨 021-64871234")
    for url in (f"/track/{case.tracking_code}/", f"/api/public/track/{case.tracking_code}"):
        text = client.get(url).content.decode()
        assert "张三丰" not in text and "13812345678" not in text
        assert "64871234" not in text and "021-******34" in text
