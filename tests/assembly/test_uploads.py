"""A vote's attachment and a proxy's authorisation: PDF, JPEG or PNG by their content, at most 10 MB;
anything else is a clear Chinese error and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.assembly import actions
from gongzhi.assembly.models import Ballot, Vote
from gongzhi.assembly.uploads import MAX_UPLOAD_BYTES

from .conftest import make_open, open_vote

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _create(estate, by, attachment):
    now = timezone.now()
    return actions.create_vote(compound=estate["compound"], kind="question", matter="hire_manager", title="续聘",
                               question="是否续聘？", opens_at=now + datetime.timedelta(days=16),
                               closes_at=now + datetime.timedelta(days=30), by=by, attachment=attachment)


@pytest.mark.parametrize("content", [PDF, PNG, JPEG])
def test_pdf_jpeg_and_png_are_accepted(estate, compound_staff, content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    vote = _create(estate, compound_staff, SimpleUploadedFile("方案.pdf", content))
    assert vote.attachment.read() == content


@pytest.mark.parametrize(("_case", "upload", "message"), [
    ("an html page named .pdf", SimpleUploadedFile("a.pdf", b"<html><script>alert(1)</script>"),
     "只能上传 PDF、JPG 或 PNG 文件"),
    ("a program", SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 20), "只能上传 PDF、JPG 或 PNG 文件"),
    ("an empty file", SimpleUploadedFile("a.pdf", b""), "文件是空的，请重新选择"),
    ("over 10 MB", SimpleUploadedFile("a.pdf", PDF + b"\x00" * MAX_UPLOAD_BYTES), "文件不能超过10MB"),
])
def test_other_attachments_are_refused_by_the_action(_case, upload, message, estate, compound_staff):
    with pytest.raises(ValidationError) as exc:
        _create(estate, compound_staff, upload)
    assert exc.value.message_dict == {"attachment": [message]}
    assert not Vote.objects.exists()


def test_the_form_says_so_at_the_field(client, estate, compound_staff):
    client.force_login(compound_staff)
    now = timezone.localtime()
    r = client.post("/votes/new/", {
        "compound": estate["compound"].pk, "kind": "question", "matter": "hire_manager", "title": "续聘",
        "question": "是否续聘？", "notice_days": 15,
        "opens_at": (now + datetime.timedelta(days=16)).strftime("%Y-%m-%d %H:%M"),
        "closes_at": (now + datetime.timedelta(days=30)).strftime("%Y-%m-%d %H:%M"),
        "attachment": SimpleUploadedFile("a.pdf", b"GIF89a not allowed")})
    assert r.status_code == 200 and "只能上传 PDF、JPG 或 PNG 文件" in r.content.decode()
    assert not Vote.objects.exists()


@pytest.fixture
def vote(estate, compound_staff):
    v = open_vote(estate, compound_staff)
    actions.announce_vote(v, by=compound_staff)
    return make_open(v)


def test_a_proxy_authorisation_must_be_a_scan(vote, estate, compound_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    unit, proxy = estate["units"]["401"], estate["owners"]["B"].person
    with pytest.raises(ValidationError) as exc:
        actions.cast_proxy_ballot(vote, unit=unit, proxy=proxy, choice="yes", by=compound_staff,
                                  authorisation=SimpleUploadedFile("委托书.jpg", b"not really a photo"))
    assert exc.value.message_dict == {"authorisation": ["只能上传 PDF、JPG 或 PNG 文件"]}
    assert not Ballot.objects.exists()
    ballot = actions.cast_proxy_ballot(vote, unit=unit, proxy=proxy, choice="yes", by=compound_staff,
                                       authorisation=SimpleUploadedFile("委托书.jpg", JPEG))
    assert ballot.channel == "proxy"


def test_the_proxy_form_refuses_a_bad_file(client, vote, estate, compound_staff):
    client.force_login(compound_staff)
    r = client.post(f"/votes/{vote.pk}/proxy/", {
        "unit": estate["units"]["401"].pk, "proxy": estate["owners"]["B"].person.pk, "choice": "yes",
        "authorisation": SimpleUploadedFile("a.png", b"\x00" * 40)})
    assert r.status_code == 400 and "只能上传 PDF、JPG 或 PNG 文件" in r.content.decode()
    assert not Ballot.objects.exists()
