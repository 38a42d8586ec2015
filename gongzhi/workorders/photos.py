"""Photo checks: at most 5, each at most 5 MB and 40 megapixels, and really a JPEG, PNG or WebP image.

Stored photos are re-encoded without their metadata (:func:`without_metadata`): a phone's EXIF carries the
GPS position where it was taken, which for a resident's photo is usually their home."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def check_photos(photos: Sequence, *, field: str = "photos") -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({field: _("最多上传%(n)s张照片") % {"n": MAX_PHOTOS}})
    for f in photos:
        name = getattr(f, "name", "") or ""
        if f.size > MAX_BYTES:
            raise ValidationError({field: _("照片“%(f)s”超过5MB") % {"f": name}})
        try:
            f.seek(0)
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(f) as img:
                    fmt, (width, height) = img.format, img.size
                    if width * height > MAX_PIXELS:
                        raise ValidationError({field: _("“%(f)s”图片尺寸过大（最多4000万像素）") % {"f": name}})
                    img.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError({field: _("“%(f)s”图片尺寸过大（最多4000万像素）") % {"f": name}}) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError({field: _("“%(f)s”不是有效的图片（支持 JPG、PNG、WebP）") % {"f": name}}) from exc
        finally:
            f.seek(0)
        if fmt not in FORMATS:
            raise ValidationError({field: _("“%(f)s”格式不支持（支持 JPG、PNG、WebP）") % {"f": name}})


def without_metadata(f) -> ContentFile:
    """The checked photo ``f`` re-encoded in its own format with no EXIF (GPS, camera, time) or other
    metadata; the EXIF orientation is applied to the pixels first, so the photo still stands the right way."""
    f.seek(0)
    with Image.open(f) as img:
        fmt = img.format or "PNG"  # check_photos let only JPEG, PNG and WebP through
        img.load()
        upright = ImageOps.exif_transpose(img)
    out = io.BytesIO()
    options: dict = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    upright.save(out, format=fmt, **options)
    f.seek(0)
    # named by the server after the format it wrote: the uploader's name (evil.html, x.svg) is not kept
    return ContentFile(out.getvalue(), name=f"photo.{EXTENSIONS[fmt]}")
