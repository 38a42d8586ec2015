"""Serving uploaded files: the type comes from what the server decided about the bytes, never from the uploader's
file name, and a file that is not a re-encoded image is a download. Every such response is also sandboxed by
its own Content-Security-Policy, and ``nosniff`` (``SECURE_CONTENT_TYPE_NOSNIFF``) stops a browser from reading
an image as HTML. A stored name, which once was the uploader's, never reaches a header."""

from __future__ import annotations

from django.http import FileResponse

# what an upload may be served as, by its first bytes (WebP: RIFF....WEBP)
IMAGES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
DOCUMENTS = {"pdf": "application/pdf"}
SANDBOX = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def kind_of(head: bytes) -> str | None:
    """The extension of the format the first bytes of a file show (png, jpg, webp, pdf), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def serve_upload(field_file, *, name: str, inline_images: bool) -> FileResponse:
    """A stored file as a response named ``name`` plus the extension of what it is. With ``inline_images`` a
    PNG, JPEG or WebP (the photos, re-encoded on upload) is shown inline as that image type; anything else — and
    everything without it — is an attachment: a PDF as ``application/pdf``, an image as itself, any other bytes
    as ``application/octet-stream``. SVG, HTML or anything a browser could run is never served inline."""
    handle = field_file.open("rb")
    head = handle.read(16)
    handle.seek(0)
    kind = kind_of(head)
    content_type = IMAGES.get(kind or "") or DOCUMENTS.get(kind or "") or "application/octet-stream"
    inline = inline_images and kind in IMAGES
    filename = f"{name}.{kind}" if kind else name
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store" if not inline else "private, max-age=3600"
    return response
