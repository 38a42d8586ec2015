"""Files attached to votes (方案, 合同) and proxies' written authorisations (委托书): PDF, JPEG or PNG,
recognised by their first bytes (not by the name or the browser's content type), at most 10 MB."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIGNATURES = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def check_upload(upload, field: str) -> None:
    """Raise ValidationError({field: ...}) unless ``upload`` (a Django File, or None/"" for none) is a PDF,
    JPEG or PNG of at most MAX_UPLOAD_BYTES. Leaves the file at its start."""
    if not upload:
        return
    size = getattr(upload, "size", None)
    if size is None or size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: _("文件不能超过10MB")})
    if size == 0:
        raise ValidationError({field: _("文件是空的，请重新选择")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in SIGNATURES):
        raise ValidationError({field: _("只能上传 PDF、JPG 或 PNG 文件")})


def upload_validator(field: str):
    """The same check as a form field validator (the message shown at the field)."""

    def validate(upload) -> None:
        try:
            check_upload(upload, field)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict[field]) from None

    return validate
