"""Photo checks: at most 5, each at most 5 MB, and really a JPEG, PNG or WebP image."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_PHOTOS = 5
MAX_BYTES = 5 * 1024 * 1024
FORMATS = {"JPEG", "PNG", "WEBP"}


def check_photos(photos: Sequence, *, field: str = "photos") -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({field: _("最多上传%(n)s张照片") % {"n": MAX_PHOTOS}})
    for f in photos:
        name = getattr(f, "name", "") or ""
        if f.size > MAX_BYTES:
            raise ValidationError({field: _("照片“%(f)s”超过5MB") % {"f": name}})
        try:
            f.seek(0)
            with Image.open(f) as img:
                fmt = img.format
                img.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError({field: _("“%(f)s”不是有效的图片（支持 JPG、PNG、WebP）") % {"f": name}}) from exc
        finally:
            f.seek(0)
        if fmt not in FORMATS:
            raise ValidationError({field: _("“%(f)s”格式不支持（支持 JPG、PNG、WebP）") % {"f": name}})
