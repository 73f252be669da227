"""Uploads, checked once for pages and API alike: images made safe to keep and to show
(issue 22), PDFs, and workbooks to import (issue 18).

What the client sent is never stored: the image is decoded with Pillow under a pixel
limit and encoded again, so the EXIF block (with its GPS position: a resident's home),
colour profiles, text chunks and any bytes after the image (a ZIP or HTML polyglot) are
gone. The file name is generated here and its extension comes from the format Pillow
detected, never from the name or the Content-Type the client chose ("evil.html",
"photo‮gpj.exe"). Stored files are served only through views that check the viewer's
scope (appeals.views.photo), never from MEDIA_ROOT directly.
"""

import io
import uuid
import warnings
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jiceng.core.errors import CoreErrorCode, ValidationFailed

IMAGE_MAX_BYTES = 5 * 1024 * 1024
# A 48-megapixel phone camera is 8000 × 6000; a header claiming 100,000 × 100,000 (a
# decompression bomb) is refused before a pixel is decoded.
IMAGE_MAX_PIXELS = 50_000_000
# Detected format → (extension, content type, save options).
IMAGE_FORMATS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "JPEG": ("jpg", "image/jpeg", {"quality": 85, "optimize": True}),
    "PNG": ("png", "image/png", {"optimize": True}),
    "WEBP": ("webp", "image/webp", {"quality": 85}),
}
CONTENT_TYPES = {ext: content_type for ext, content_type, _o in IMAGE_FORMATS.values()}

MSG_IMAGE_TYPE = _("照片应为 JPG、PNG 或 WebP 格式")
MSG_IMAGE_SIZE = _("照片不能超过5MB")
MSG_IMAGE_PIXELS = _("照片像素过多（最多5000万像素），请缩小后再上传")
MSG_IMAGE_BROKEN = _("照片文件已损坏或不完整，无法读取")


def reencode_image(upload, *, field: str = "photo", prefix: str = "") -> ContentFile:
    """The upload decoded and encoded again as a new file with a generated name, or
    ValidationFailed naming the field."""
    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationFailed(MSG_IMAGE_SIZE, field=field, code=CoreErrorCode.UPLOAD_IMAGE_SIZE)
    upload.seek(0)
    data = upload.read(IMAGE_MAX_BYTES + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
            image: Image.Image = opened
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationFailed(
                    MSG_IMAGE_PIXELS, field=field, code=CoreErrorCode.UPLOAD_IMAGE_PIXELS
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(
            MSG_IMAGE_PIXELS, field=field, code=CoreErrorCode.UPLOAD_IMAGE_PIXELS
        ) from None
    except UnidentifiedImageError:
        raise ValidationFailed(
            MSG_IMAGE_TYPE, field=field, code=CoreErrorCode.UPLOAD_IMAGE_TYPE
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationFailed(
            MSG_IMAGE_BROKEN, field=field, code=CoreErrorCode.UPLOAD_IMAGE_BROKEN
        ) from None
    detected = opened.format or ""
    extension, _type, options = IMAGE_FORMATS[detected]
    # Turn the pixels as the EXIF orientation says, since the EXIF block will be gone.
    image = ImageOps.exif_transpose(image)
    if detected == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    encoded = io.BytesIO()
    # Nothing of the original's metadata is passed on: no exif, icc_profile or pnginfo.
    image.save(encoded, format=detected, **options)
    return ContentFile(encoded.getvalue(), name=f"{prefix}{uuid.uuid4().hex}.{extension}")


def content_type_of(name: str) -> str:
    """The content type of a stored image, from the extension this module gave it."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


# ---- documents (a scanned sign-in sheet, a meeting's slides as PDF) -------------------------

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
PDF_CONTENT_TYPE = "application/pdf"
MSG_DOCUMENT_SIZE = _("文件不能超过10MB")
MSG_DOCUMENT_TYPE = _("文件应为 PDF 格式")


def is_pdf(upload) -> bool:
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    return head.lstrip(b"\r\n\t ").startswith(b"%PDF-")


def accept_pdf(upload, *, field: str = "file", prefix: str = "") -> ContentFile:
    """A PDF cannot be re-encoded as an image is, so it is checked by its content (the
    PDF header and trailer, never the name or Content-Type the client chose), kept under a
    generated name, and must be served only as a download (`attachment`, nosniff, a
    sandboxing CSP), never inline."""
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationFailed(
            MSG_DOCUMENT_SIZE, field=field, code=CoreErrorCode.UPLOAD_DOCUMENT_SIZE
        )
    upload.seek(0)
    data = upload.read(DOCUMENT_MAX_BYTES + 1)
    if not data.lstrip(b"\r\n\t ").startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise ValidationFailed(
            MSG_DOCUMENT_TYPE, field=field, code=CoreErrorCode.UPLOAD_DOCUMENT_TYPE
        )
    return ContentFile(data, name=f"{prefix}{uuid.uuid4().hex}.pdf")


CONTENT_TYPES["pdf"] = PDF_CONTENT_TYPE


# ---- workbooks (a roster to import) ---------------------------------------------------------


def accept_workbook(upload) -> bytes:
    """A spreadsheet to import, checked when it is submitted so that a refusal is
    immediate: its size before it is read whole, then core.excel's checks on its content
    (an xlsx zip with a workbook, no zip bomb, no formulas, not too many rows), never the
    name or Content-Type the client chose. Returns the bytes, for the job to read."""
    from jiceng.core.excel import MAX_FILE_BYTES, MSG_TOO_BIG, check_file

    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationFailed(MSG_TOO_BIG, field="file", code=CoreErrorCode.EXCEL_TOO_BIG)
    upload.seek(0)
    data = upload.read(MAX_FILE_BYTES + 1)
    check_file(data)
    return data
