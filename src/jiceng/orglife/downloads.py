"""A meeting's attachment as it leaves: only to those who may see the meeting (the
selector scopes it), with the content type of what core.uploads stored, `nosniff`, a
generated name, never cached by a shared cache. A photo shows inline; a PDF (checked by
content but not re-encoded) only downloads, under a sandboxing CSP."""

from django.http import FileResponse

from jiceng.core.uploads import content_type_of
from jiceng.orglife.models import MeetingAttachment


def attachment_response(attachment: MeetingAttachment) -> FileResponse:
    extension = attachment.extension
    name = f"meeting-{attachment.meeting_id}-{attachment.pk}.{extension}"
    response = FileResponse(
        attachment.file.open("rb"), content_type=content_type_of(attachment.file.name)
    )
    disposition = "inline" if attachment.kind == MeetingAttachment.Kind.PHOTO else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
