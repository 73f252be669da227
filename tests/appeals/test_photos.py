"""Uploads (issue 22): a photo is decoded under a pixel limit and encoded again, so its
EXIF (GPS), trailing bytes and chosen name are gone; the extension comes from the
detected format; the photo is served only to those who may see the case."""

import io
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jiceng.appeals import services
from jiceng.appeals.models import Appeal
from jiceng.core.errors import ValidationFailed
from jiceng.core.uploads import MSG_IMAGE_PIXELS, MSG_IMAGE_TYPE

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (31.0, 12.0, 34.5)  # a resident's home
    gps[3], gps[4] = "E", (121.0, 26.0, 35.0)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its data does not have (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _intake(world):
    return services.Intake(
        channel="grid",
        category=world.category("sanitation"),
        area=world.t.areas["xh_g1"],
        description="井盖缺失",
    )


def _file(world, name: str, content: bytes, content_type="image/jpeg") -> Appeal:
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return services.appeal_intake(actor=None, intake=_intake(world), photo=upload)[0]


def test_exif_gps_and_the_chosen_name_are_gone(world):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it was there
    case = _file(world, "evil.html", original, content_type="text/html")
    name = case.photo.name
    assert name.startswith("appeals/") and name.endswith(".jpg")
    assert "evil" not in name and len(name.rsplit("/", 1)[-1]) == len("0" * 32 + ".jpg")
    stored = case.photo.read()
    assert stored != original and b"PhoneMaker" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)


@pytest.mark.parametrize("name", ["photo\u202egpj.exe", "../../etc/passwd.png", "evil2.svg"])
def test_the_extension_comes_from_the_detected_type(world, name):
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(buffer, "PNG")
    case = _file(world, name, buffer.getvalue(), content_type="image/svg+xml")
    stored = case.photo.name.rsplit("/", 1)[-1]
    assert stored.endswith(".png") and "\u202e" not in stored and "passwd" not in stored
    assert Image.open(case.photo).mode == "RGBA"


def test_trailing_bytes_of_a_polyglot_are_dropped(world):
    payload = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04zip"
    case = _file(world, "x.jpg", _jpeg_with_gps() + payload)
    stored = case.photo.read()
    assert b"<script>" not in stored and b"PK\x03\x04" not in stored
    assert stored.endswith(b"\xff\xd9")  # the JPEG's own end, nothing after it


@pytest.mark.parametrize(
    "content, message",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", MSG_IMAGE_TYPE),
        (b"MZ\x90\x00" + b"\x00" * 200, MSG_IMAGE_TYPE),
        (b"GIF89a" + b"\x00" * 100, MSG_IMAGE_TYPE),  # a format not on the list
        (b"\xff\xd8\xff\xe0" + b"<html>not really a jpeg</html>", None),
    ],
)
def test_what_is_no_image_is_refused(world, content, message):
    with pytest.raises(ValidationFailed) as refused:
        _file(world, "x.jpg", content)
    assert refused.value.field == "photo"
    if message is not None:
        assert refused.value.message == message
    assert Appeal.objects.count() == 0


def test_a_decompression_bomb_is_refused_before_decoding(world):
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        _file(world, "bomb.png", _png_claiming(100_000, 100_000), content_type="image/png")
    assert refused.value.message == MSG_IMAGE_PIXELS and refused.value.field == "photo"
    assert time.monotonic() - started < 2
    assert Appeal.objects.count() == 0


def test_the_photo_is_served_only_within_scope(client, world):
    case = _file(world, "evil.html", _jpeg_with_gps())
    url = f"/appeals/{case.pk}/photo/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.t.users["xh_s1_staff"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="{case.tracking_code}.jpg"'
    assert b"".join(response.streaming_content) == case.photo.read()
    assert f'href="{url}"' in client.get(f"/appeals/{case.pk}/").content.decode()
    client.force_login(world.t.users["hp_s1_staff"])
    assert client.get(url).status_code == 404
    no_photo = world.intake()
    client.force_login(world.t.users["xh_s1_staff"])
    assert client.get(f"/appeals/{no_photo.pk}/photo/").status_code == 404
