"""A dispatch's attachment as it leaves: only to those who may see the dispatch or are
among its recipients (the selector scopes it), with the content type of what
core.uploads stored, `nosniff`, a generated name, never cached by a shared cache. A
photo shows inline; a PDF only downloads, under a sandboxing CSP."""

from django.http import FileResponse

from jiceng.core.uploads import content_type_of
from jiceng.linkage.models import DispatchAttachment


def attachment_response(attachment: DispatchAttachment) -> FileResponse:
    extension = attachment.file.name.rsplit(".", 1)[-1].lower()
    name = f"dispatch-{attachment.dispatch_id}-{attachment.pk}.{extension}"
    response = FileResponse(
        attachment.file.open("rb"), content_type=content_type_of(attachment.file.name)
    )
    photo = attachment.kind == DispatchAttachment.Kind.PHOTO
    response["Content-Disposition"] = f'{"inline" if photo else "attachment"}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
