"""Uploaded files are served with the type the server decided, never the one the uploader's file name suggests:
a photo is re-encoded and served as the image it is (inline, sandboxed, nosniff); anything else (a vote's
attachment, a stored file that is no image) is a download. A palette PNG named ``.html`` once ran its pixel
bytes as a script on the app's origin; an ``.svg`` was served as ``image/svg+xml``."""

import io
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.assembly import actions as vote_actions
from gongzhi.assembly.models import Vote
from gongzhi.workorders import actions
from gongzhi.workorders.models import Attachment
from tests.assembly import conftest as vote_fixtures
from tests.assembly.conftest import open_vote
from tests.workorders.conftest import managed, utilities  # noqa: F401 — fixtures

estate = vote_fixtures.estate
compound_staff = vote_fixtures.compound_staff

SCRIPT = b"<script>fetch('/people/').then(r=>r.text()).then(t=>alert(t))</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
TEMPLATES = Path(__file__).resolve().parent.parent / "gongzhi" / "templates"


def palette_png() -> bytes:
    """A palette PNG whose pixel bytes spell a script (what a browser sniffing HTML would run)."""
    img = Image.frombytes("P", (len(SCRIPT), 1), SCRIPT)
    img.putpalette(list(range(256)) * 3)
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=0)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def request_with(tree, resident, utilities, managed):  # noqa: F811
    def make(name: str, content: bytes, *, raw: bool = False):
        if raw:  # a file stored before this rule, as the uploader named it
            req = actions.file_request(by=resident, category=utilities, description="漏水", place=tree["household"])
            photo = Attachment(request=req, stage=Attachment.Stage.INTAKE)
            photo.file.save(name, ContentFile(content))
            return req, photo
        upload = SimpleUploadedFile(name, content, content_type="text/html")
        req = actions.file_request(by=resident, category=utilities, description="漏水", place=tree["household"],
                                   photos=[upload])
        return req, req.photos.get()
    return make


def test_a_photo_named_html_is_stored_and_served_as_the_png_it_is(client, resident, request_with):
    req, photo = request_with("evil.html", palette_png())
    assert photo.file.name.endswith(".png") and "evil" not in photo.file.name
    client.force_login(resident)
    r = client.get(f"/requests/{req.pk}/photos/{photo.pk}/")
    assert r.status_code == 200
    assert r["Content-Type"] == "image/png"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("inline")
    assert "html" not in r["Content-Disposition"]
    assert "sandbox" in r["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["old.html", "old.svg", "old"])
def test_a_stored_photo_is_typed_by_its_bytes_not_its_name(client, resident, request_with, name):
    req, photo = request_with(name, palette_png(), raw=True)
    client.force_login(resident)
    r = client.get(f"/requests/{req.pk}/photos/{photo.pk}/")
    assert r["Content-Type"] == "image/png"
    assert r["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("name", ["pic.svg", "pic.html", "pic.png"])
def test_a_stored_file_that_is_no_image_is_only_a_download(client, resident, request_with, name):
    req, photo = request_with(name, SVG, raw=True)
    client.force_login(resident)
    r = client.get(f"/requests/{req.pk}/photos/{photo.pk}/")
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"].startswith("attachment")
    assert "svg" not in r["Content-Disposition"] and "html" not in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name, content, served", [
    ("方案.html", b"%PDF-1.4\n" + SCRIPT, "application/pdf"),
    ("logo.svg", palette_png(), "image/png"),
    ("x.pdf", SVG, "application/octet-stream"),
])
def test_a_vote_attachment_is_a_download_of_the_type_its_bytes_are(client, estate, compound_staff, name, content,
                                                                    served):
    vote = open_vote(estate, compound_staff)
    vote_actions.announce_vote(vote, by=compound_staff)
    vote.attachment.save(name, ContentFile(content), save=False)
    Vote.objects.filter(pk=vote.pk).update(attachment=vote.attachment.name)
    r = client.get(f"/public/votes/{vote.pk}/attachment/")
    assert r.status_code == 200
    assert r["Content-Type"] == served
    assert r["Content-Disposition"].startswith("attachment")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r["Content-Security-Policy"]
    assert not re.search(r"\.(html|svg)", r["Content-Disposition"])


# --- every response: nosniff and a Content-Security-Policy without inline script --------------------

@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/api/docs", "/static/gongzhi/app.js",
                                  "/no-such-page/"])
def test_every_response_has_nosniff_and_the_policy(client, db, path):
    r = client.get(path)
    assert r["X-Content-Type-Options"] == "nosniff"
    policy = dict(d.strip().split(" ", 1) for d in r["Content-Security-Policy"].split(";") if d.strip())
    assert policy["script-src"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def test_no_template_has_inline_script_or_event_handlers():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
        found += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in HANDLER.finditer(text)]
    assert not found, found
