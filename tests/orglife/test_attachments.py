"""Meeting attachments: optional photos and PDFs kept through core.uploads (the photo
decoded and encoded again, its EXIF gone, a generated name), served only within scope
with nosniff and a safe disposition, added and removed through the action table on the
page and in the API, each change an event row and an audit entry."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jiceng.core.errors import ApplicationError, NotFound
from jiceng.core.models import AuditEntry
from jiceng.orglife import services
from jiceng.orglife.errors import OrgLifeErrorCode as Code
from jiceng.orglife.models import Meeting, MeetingAttachment, MeetingEvent

from .conftest import day

GPS_IFD = 0x8825
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (31.0, 12.0, 34.5)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _photo(name="会议.jpg"):
    return SimpleUploadedFile(name, _jpeg_with_gps(), content_type="image/jpeg")


def test_a_meeting_needs_no_attachment(life):
    meeting = life.meeting()
    assert meeting.pk and not meeting.attachments.exists()


def test_a_photo_is_reencoded_under_a_generated_name(life, territory):
    meeting = life.meeting()
    user = territory.users["xh_c1_secretary"]
    upload = SimpleUploadedFile("x.html", _jpeg_with_gps() + b"<html>", content_type="text/html")
    attachment = services.meeting_attachment_add(
        actor=user, meeting=meeting, upload=upload, caption="会场"
    )
    assert attachment.kind == "photo" and attachment.caption == "会场"
    assert attachment.file.name.endswith(".jpg") and "x" not in attachment.file.name.split("/")[-1]
    stored = attachment.file.open("rb").read()
    assert b"<html>" not in stored
    assert GPS_IFD not in Image.open(io.BytesIO(stored)).getexif()
    event = meeting.events.get(action=MeetingEvent.Action.ATTACHED)
    assert event.previous["attachment"] == attachment.pk
    entry = AuditEntry.objects.get(target_type="orglife.meetingattachment")
    assert entry.action == "create" and entry.changes["kind"] == "photo"


@pytest.mark.parametrize(
    "content, code",
    [
        (b"MZ\x90\x00 not an image", Code.ATTACHMENT_TYPE),
        (b"%PDF-1.4 no trailer", Code.ATTACHMENT_TYPE),
        (b"", Code.ATTACHMENT_REQUIRED),
    ],
)
def test_refusals_name_the_file(life, territory, content, code):
    meeting = life.meeting()
    upload = SimpleUploadedFile("a.pdf", content, content_type="application/pdf")
    with pytest.raises(ApplicationError) as caught:
        services.meeting_attachment_add(
            actor=territory.users["xh_c1_secretary"], meeting=meeting, upload=upload
        )
    assert (caught.value.code, caught.value.field) == (code, "file")
    assert not MeetingAttachment.objects.exists()


def test_another_community_cannot_attach(life, territory):
    meeting = life.meeting()
    with pytest.raises(NotFound):
        services.meeting_attachment_add(
            actor=territory.users["hp_s1_staff"], meeting=meeting, upload=_photo()
        )


def test_served_only_within_scope_with_safe_headers(client, life, territory):
    meeting = life.meeting()
    user = territory.users["xh_c1_secretary"]
    photo = services.meeting_attachment_add(actor=user, meeting=meeting, upload=_photo())
    pdf = services.meeting_attachment_add(
        actor=user,
        meeting=meeting,
        upload=SimpleUploadedFile("签到表.pdf", PDF, content_type="application/pdf"),
    )
    territory.client_for(client, "xh_c1_secretary")
    for url in (
        reverse("orglife:attachment", args=[photo.pk]),
        f"/api/orglife/attachments/{photo.pk}/file",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline; filename=")
        assert "会议" not in response["Content-Disposition"]
    response = client.get(reverse("orglife:attachment", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "sandbox" in response["Content-Security-Policy"]
    territory.client_for(client, "hp_s1_staff")
    assert client.get(reverse("orglife:attachment", args=[photo.pk])).status_code == 404
    assert client.get(f"/api/orglife/attachments/{photo.pk}/file").status_code == 404


def test_page_and_api_attach_and_remove_through_the_action_table(client, life, territory):
    meeting = life.meeting()
    territory.client_for(client, "xh_c1_secretary")
    response = client.post(
        f"/api/orglife/meetings/{meeting.pk}/attach",
        {"caption": "签到表", "file": SimpleUploadedFile("s.pdf", PDF)},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["kind"] for a in body["attachments"]] == ["document"]
    assert body["attachments"][0]["url"].startswith("/api/orglife/attachments/")
    response = client.post(
        f"/api/orglife/meetings/{meeting.pk}/attach",
        {"caption": "说明\x00", "file": _photo()},
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (Code.TEXT_CONTROL, "caption")
    page = reverse("orglife:meeting", args=[meeting.pk])
    response = client.post(
        reverse("orglife:act", args=["meetings", meeting.pk, "attach"]),
        {"caption": "会场", "file": _photo(), "next": page},
    )
    assert response.status_code == 302
    assert meeting.attachments.count() == 2
    html = client.get(page).content.decode()
    photo = meeting.attachments.get(kind="photo")
    assert reverse("orglife:attachment", args=[photo.pk]) in html
    assert 'enctype="multipart/form-data"' in html
    response = client.post(f"/api/orglife/attachments/{photo.pk}/remove", {}, "application/json")
    assert response.status_code == 200, response.content
    assert list(meeting.attachments.values_list("kind", flat=True)) == ["document"]
    assert AuditEntry.objects.filter(
        target_type="orglife.meetingattachment", action="delete"
    ).exists()
    assert meeting.events.filter(action=MeetingEvent.Action.DETACHED).count() == 1


def test_recording_on_the_phone_with_a_photo(client, life, territory):
    territory.client_for(client, "xh_c1_secretary")
    url = reverse("orglife:meeting_new") + f"?org={territory.orgs['xh_c1_b1'].pk}"
    response = client.post(
        url,
        {"kind": "themed_day", "held_on": str(day(4)), "topic": "清理楼道", "file": [_photo()]},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.attachments.get().kind == "photo"
    body = {
        "org": territory.orgs["xh_c1_b1"].pk,
        "kind": "lecture",
        "held_on": str(day(5)),
        "topic": "党课",
    }
    response = client.post("/api/orglife/meetings", json.dumps(body), "application/json")
    assert response.status_code == 201 and response.json()["attachments"] == []
