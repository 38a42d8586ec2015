"""Request photos: an image claiming huge dimensions is refused at the field (not a 500), and stored
photos carry no EXIF (a resident's photo taken at home would give away where they live)."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.core.models import Event
from gongzhi.workorders.models import Attachment, Request

GPS_IFD = 0x8825


def bomb_png(width=30000, height=30000) -> SimpleUploadedFile:
    """A valid PNG header claiming width×height pixels, with almost no data: a few hundred bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    return SimpleUploadedFile("bomb.png", raw, content_type="image/png")


def photo_with_gps(fmt="JPEG", orientation=None) -> SimpleUploadedFile:
    img = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Phone"  # Make
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (34.0, 15.0, 30.0), 3: "E", 4: (108.0, 56.0, 10.0)})
    buf = io.BytesIO()
    img.save(buf, fmt, exif=exif.tobytes())
    name = "home.jpg" if fmt == "JPEG" else f"home.{fmt.lower()}"
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def _rows():
    return Request.objects.count(), Attachment.objects.count(), Event.objects.count()


@pytest.mark.parametrize("size", [(30000, 30000), (8000, 6000)])
def test_a_huge_image_is_refused_on_the_page(client, tree, resident, managed, utilities, size):
    client.force_login(resident)
    before = _rows()
    r = client.post("/requests/new/", {"category": "utilities", "description": "漏水", "urgency": "normal",
                                       "place": tree["household"].pk, "photos": [bomb_png(*size)]})
    assert r.status_code == 200 and "图片尺寸过大" in r.content.decode()
    assert _rows() == before


def test_a_huge_image_is_refused_by_the_api(client, tree, resident, managed, utilities):
    client.force_login(resident)
    before = _rows()
    r = client.post("/api/requests/file", data={"category": "utilities", "description": "楼道灯不亮",
                                                "place": tree["household"].pk, "photos": [bomb_png()]})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail[0]["loc"] == ["body", "photos"] and "图片尺寸过大" in detail[0]["msg"]
    assert _rows() == before


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_stored_photo_has_no_exif(client, tree, resident, managed, utilities, fmt):
    client.force_login(resident)
    upload = photo_with_gps(fmt)
    with Image.open(io.BytesIO(upload.read())) as original:  # the upload does carry the position
        assert original.getexif().get_ifd(GPS_IFD)
    upload.seek(0)
    r = client.post("/api/requests/file", data={"category": "utilities", "description": "楼道灯不亮",
                                                "place": tree["household"].pk, "photos": [upload]})
    assert r.status_code == 201, r.content
    stored = Attachment.objects.get()
    with stored.file.open("rb") as f, Image.open(f) as img:
        assert img.format == fmt and img.size == (40, 20)
        assert not img.getexif().get_ifd(GPS_IFD) and len(img.getexif()) == 0
        assert "exif" not in img.info


def test_a_stored_photo_keeps_its_orientation(client, tree, resident, managed, utilities):
    client.force_login(resident)
    r = client.post("/requests/new/", {"category": "utilities", "description": "漏水", "urgency": "normal",
                                       "place": tree["household"].pk, "photos": [photo_with_gps(orientation=6)]})
    assert r.status_code == 302
    with Attachment.objects.get().file.open("rb") as f, Image.open(f) as img:
        assert img.size == (20, 40)  # rotated as the phone meant it, the tag gone
        assert len(img.getexif()) == 0
