"""A piece of rectification evidence as it leaves: only to those who may see the item
(the selector scopes it), with the content type of what core.uploads stored, `nosniff`,
a generated name, never cached by a shared cache. A photo shows inline; a PDF only
downloads, under a sandboxing CSP."""

from django.http import FileResponse

from jiceng.assessment.models import Evidence
from jiceng.core.uploads import PDF_CONTENT_TYPE, content_type_of


def evidence_response(evidence: Evidence) -> FileResponse:
    content_type = content_type_of(evidence.file.name)
    extension = evidence.file.name.rsplit(".", 1)[-1]
    name = f"evidence-{evidence.rectification_id}-{evidence.pk}.{extension}"
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    disposition = "attachment" if content_type == PDF_CONTENT_TYPE else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
