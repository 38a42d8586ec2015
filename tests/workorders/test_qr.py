"""楼栋二维码 and 扫码反映问题: the printed sheets (one page per building, the QR code read back from the PDF), the
phone intake page (signed in, or by a phone verification code), its bad input (nothing written), the sending
limits, and the phone-owner rule (docs/privacy.md)."""

from __future__ import annotations

import io
import re

import pytest
import segno
import zxingcpp
from django.core import signing
from django.test import override_settings
from pypdf import PdfReader

from gongzhi.core.models import Event
from gongzhi.core.permissions import SYSTEM
from gongzhi.people import accounts
from gongzhi.people import actions as people_actions
from gongzhi.people.models import CodePurpose, Person, VerificationCode
from gongzhi.places import actions as place_actions
from gongzhi.places.models import Kind
from gongzhi.workorders import actions, qr
from gongzhi.workorders.models import Channel, Request

from ..capture import SENT
from ..conftest import make_account

PHONE = "13912345678"
CODE = re.compile(r"验证码：(\d{6})")


@pytest.fixture
def building2(tree):
    return place_actions.create_place(parent=tree["compound"], kind=Kind.BUILDING, name="2号楼", code="C1-2",
                                      by=SYSTEM)


def sheet_pages(pdf: bytes):
    return PdfReader(io.BytesIO(pdf)).pages


def decoded(page) -> list[str]:
    """Every QR code on the page's images, read back with zxing-cpp."""
    texts = []
    for image in page.images:
        texts += [r.text for r in zxingcpp.read_barcodes(image.image.convert("L"))]
    return texts


def matrix_of(page) -> list[list[bool]]:
    """The module matrix of the page's QR image: one sample in the middle of every module."""
    image = page.images[0].image.convert("L")
    n = image.width // qr.MODULE_PX
    return [[image.getpixel((x * qr.MODULE_PX + qr.MODULE_PX // 2, y * qr.MODULE_PX + qr.MODULE_PX // 2)) < 128
             for x in range(n)] for y in range(n)]


@pytest.fixture
def channel(settings):
    settings.NOTIFICATION_CHANNELS = ["tests.capture.RecordingChannel"]


@pytest.fixture
def send_code(channel, django_capture_on_commit_callbacks):
    """``send_code(client, token, phone=…)`` → (the page's answer, the code the channel was handed or None)."""

    def send(client, token, phone=PHONE, **fields):
        SENT.clear()
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(f"/r/{token}/", {"step": "send", "phone": phone, **fields})
        return r, (CODE.search(SENT[-1]["text"]).group(1) if SENT else None)

    return send


# ---------------------------------------------------------------- the sheets


@override_settings(GONGZHI_PUBLIC_URL="https://gongzhi.example.cn/")
def test_compound_pdf_has_one_page_per_building_and_each_code_reads_back_to_its_link(
        client, tree, building2, community_staff):
    client.force_login(community_staff)
    r = client.get(f"/requests/qr/{tree['compound'].pk}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pages = sheet_pages(r.content)
    assert len(pages) == 2  # 1号楼, 2号楼 — not the unit or the households
    for page, building in zip(pages, [tree["building"], building2], strict=True):
        link = qr.link_for(building)
        assert link.startswith("https://gongzhi.example.cn/r/")
        assert decoded(page) == [link]
        # and module by module what segno makes of that link
        expected = [[bool(m) for m in row] for row in segno.make(link, error=qr.QR_ERROR).matrix_iter(border=4)]
        assert matrix_of(page) == expected
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4
        text = page.extract_text()
        assert "扫码反映问题" in text and building.name in text and "尚书苑" in text
        assert "验证码" in text  # the instructions say how to file without an account
    assert Event.objects.filter(verb="workorders.print_qr_sheets", actor=community_staff).count() == 1


def test_units_and_a_single_building(client, tree, building2, street_staff):
    client.force_login(street_staff)
    assert len(sheet_pages(client.get(f"/requests/qr/{tree['compound'].pk}.pdf?units=1").content)) == 3
    one = sheet_pages(client.get(f"/requests/qr/{building2.pk}.pdf").content)
    assert len(one) == 1 and decoded(one[0]) == [qr.link_for(building2)]


def test_a_compound_without_buildings_says_so(client, tree, community_staff):
    client.force_login(community_staff)
    r = client.get(f"/requests/qr/{tree['compound2'].pk}.pdf", follow=True)
    assert "该区域下没有楼栋" in r.content.decode()
    assert not Event.objects.filter(verb="workorders.print_qr_sheets").exists()


def test_sheets_page_lists_the_compounds_of_ones_scope(client, tree, community_staff, outsider, resident):
    client.force_login(community_staff)
    html = client.get("/requests/qr/").content.decode()
    assert "尚书苑" in html and "安定苑" not in html
    assert f"/requests/qr/{tree['compound'].pk}.pdf" in html
    client.force_login(outsider)
    assert client.get(f"/requests/qr/{tree['compound'].pk}.pdf").status_code == 404
    client.force_login(resident)
    assert client.get("/requests/qr/").status_code == 403


# ---------------------------------------------------------------- the token


def test_the_token_opens_the_place_and_nothing_else(client, tree):
    token = qr.token_for(tree["building"])
    assert token == qr.token_for(tree["building"])  # the same sheet whenever printed
    html = client.get(f"/r/{token}/").content.decode()
    assert "尚书苑 1号楼" in html
    edited = token[:-1] + ("x" if token[-1] != "x" else "y")
    assert client.get(f"/r/{edited}/").status_code == 404  # edited signature
    other = signing.Signer(salt=qr.SALT).sign_object(tree["other_building"].pk)
    swapped = other.split(":")[0] + ":" + token.split(":", 1)[1]  # another place's id under this signature
    assert client.get(f"/r/{swapped}/").status_code == 404
    forged = signing.Signer(salt="another-salt").sign_object(tree["other_building"].pk)
    assert client.get(f"/r/{forged}/").status_code == 404
    household = signing.Signer(salt=qr.SALT).sign_object(tree["household"].pk)
    assert client.get(f"/r/{household}/").status_code == 404  # a signed id of a place no sheet is for
    assert client.get("/r/garbage/").status_code == 404


# ---------------------------------------------------------------- filing without an account


def test_file_without_an_account_by_a_code(client, tree, utilities, send_code, captured_events):
    token = qr.token_for(tree["building"])
    r, code = send_code(client, token, description="电梯停了")
    assert r.status_code == 200 and "验证码已发送到 139****5678" in r.content.decode()
    assert "电梯停了" in r.content.decode()  # what was typed is kept
    assert VerificationCode.objects.filter(purpose=CodePurpose.INTAKE, user=None).count() == 1
    sent = Event.objects.get(verb="people.send_phone_code")
    assert (sent.place_path, sent.after["phone"]) == (tree["building"].path, "139****5678")
    with captured_events() as events:
        r = client.post(f"/r/{token}/", {"step": "file", "phone": PHONE, "code": code, "category": "utilities",
                                         "description": "电梯停了", "contact_name": "王女士"})
    assert r.status_code == 302
    req = Request.objects.get()
    assert (req.place, req.channel, req.contact_phone, req.contact_name, req.reporter, req.filed_by) == (
        tree["building"], Channel.QR, PHONE, "王女士", None, None)
    assert req.phone_index and not Person.objects.filter(phone=PHONE).exists()  # no account, no person
    assert [e.verb for e in events] == ["workorders.file_request"] and events[0].actor is None
    assert "已提交，编号" in client.get(r["Location"]).content.decode()
    # the code is used up
    r = client.post(f"/r/{token}/", {"step": "file", "phone": PHONE, "code": code, "category": "utilities",
                                     "description": "又停了"})
    assert "验证码错误或已过期" in r.content.decode() and Request.objects.count() == 1


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"code": "000000"}, "code", "验证码错误，还可再试 4 次"),
    ({"code": ""}, "code", "请输入短信验证码"),
    ({"category": ""}, "category", "请选择诉求类别"),
    ({"category": "nonsense"}, "category", "请选择诉求类别"),
    ({"description": "  "}, "description", "请描述遇到的问题"),
    ({"description": "长" * 1001}, "description", "问题描述不能超过1000个字"),
    ({"phone": "12345"}, "phone", "不是有效的中国大陆电话号码"),
    ({"phone": ""}, "phone", "请填写手机号"),
    ({"phone": "13800000000"}, "code", "验证码错误或已过期"),  # a code was never sent to this one
    ({"contact_name": "王" * 51}, "contact_name", "50"),
])
def test_bad_input_is_refused_in_chinese_and_files_nothing(client, tree, utilities, send_code, fields, field,
                                                           message):
    token = qr.token_for(tree["building"])
    _r, code = send_code(client, token)
    if fields.get("code") == "000000" and code == "000000":
        fields = {"code": "111111"}
    data = {"step": "file", "phone": PHONE, "code": code, "category": "utilities", "description": "楼道灯坏了",
            **fields}
    r = client.post(f"/r/{token}/", data)
    assert r.status_code == 400
    form = r.context["form"]
    assert any(message in e for e in form.errors.get(field, [])), form.errors
    assert Request.objects.count() == 0
    # the right code still works afterwards when only the other fields were wrong
    if field not in ("code", "phone"):
        r = client.post(f"/r/{token}/", {**data, "category": "utilities", "description": "楼道灯坏了",
                                         "contact_name": ""})
        assert r.status_code == 302 and Request.objects.count() == 1


def test_an_expired_code_and_too_many_attempts(client, tree, utilities, send_code):
    token = qr.token_for(tree["building"])
    _r, code = send_code(client, token)
    data = {"step": "file", "phone": PHONE, "category": "utilities", "description": "漏水"}
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        assert f"还可再试 {left} 次" in client.post(f"/r/{token}/", {**data, "code": wrong}).content.decode()
    assert "输错次数过多" in client.post(f"/r/{token}/", {**data, "code": wrong}).content.decode()
    assert "输错次数过多" in client.post(f"/r/{token}/", {**data, "code": code}).content.decode()  # even the right one
    assert Event.objects.filter(verb="people.reject_code").count() == 5
    VerificationCode.objects.update(created_at="2000-01-01T00:00Z", expires_at="2000-01-01T00:10Z")
    _r, code = send_code(client, token)
    VerificationCode.objects.filter(used_at=None).update(expires_at="2000-01-01T00:10Z")
    assert "验证码错误或已过期" in client.post(f"/r/{token}/", {**data, "code": code}).content.decode()
    assert Request.objects.count() == 0


def test_sending_is_rate_limited_per_phone_and_per_address(client, tree, send_code):
    token = qr.token_for(tree["building"])
    send_code(client, token)
    r, code = send_code(client, token)
    assert code is None and "验证码发送过于频繁" in r.content.decode()
    # an hour's allowance per address: other phones from the same address
    VerificationCode.objects.update(created_at="2000-01-01T00:00Z")
    assert VerificationCode.objects.count() == 1
    for n in range(accounts.MAX_PER_HOUR_IP):
        VerificationCode.objects.create(purpose=CodePurpose.INTAKE, phone_index=f"x{n}", code_hash="!",
                                        ip="127.0.0.1", expires_at="2099-01-01T00:00Z")
    r, code = send_code(client, token, phone="13700002222")
    assert code is None and "验证码发送次数过多" in r.content.decode()
    r, code = send_code(client, token, phone="12")
    assert code is None and r.status_code == 400


# ---------------------------------------------------------------- signed in, and the phone's owner later


def test_a_signed_in_resident_files_as_themselves(client, tree, resident, utilities):
    client.force_login(resident)
    token = qr.token_for(tree["building"])
    html = client.get(f"/r/{token}/").content.decode()
    assert 'name="phone"' not in html
    r = client.post(f"/r/{token}/", {"step": "file", "category": "utilities", "description": "楼道灯坏了"})
    req = Request.objects.get()
    assert r["Location"] == f"/requests/{req.pk}/"
    assert (req.reporter, req.filed_by, req.channel, req.phone_index) == (resident.person, resident, Channel.QR, "")


def test_the_phones_owner_sees_it_once_their_account_proves_the_phone(
        client, tree, utilities, channel, community_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.send_phone_code(phone=PHONE)
    code = CODE.search(SENT[-1]["text"]).group(1)
    req = actions.file_request_by_phone(place=tree["building"], phone=PHONE, code=code, category=utilities,
                                        description="电梯异响")
    owner = make_account("owner_qr", place=tree["household2"], home=tree["household2"])
    Person.objects.filter(user=owner).update(phone=PHONE)
    owner.refresh_from_db()
    # the phone is typed on the person, but not proven: not theirs yet
    assert not Request.objects.visible_to(owner).filter(pk=req.pk).exists()
    # 忘记密码 with that phone proves it
    SENT.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accounts.request_password_reset(phone=PHONE)
    code = CODE.search(SENT[-1]["text"]).group(1)
    accounts.reset_password(phone=PHONE, code=code, password="Lianhu-2026-xin")
    client.login(username="owner_qr", password="Lianhu-2026-xin")
    html = client.get("/requests/").content.decode()
    assert req.number in html
    assert client.get(f"/requests/{req.pk}/").status_code == 200
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(pk=owner.pk)
    assert owner.has_perm("workorders.rate_request", req)
    ids = set(Request.objects.filter(pk__in=Request.objects.visible_ids(owner)).values_list("pk", flat=True))
    assert ids == set(Request.objects.visible_to(owner).values_list("pk", flat=True)) and req.pk in ids
    # a new phone is not proven: the old phone's requests stop being theirs
    people_actions.update_person(owner.person, by=community_staff, phone="13600003333")
    owner = get_user_model().objects.get(pk=owner.pk)
    assert not Request.objects.visible_to(owner).filter(pk=req.pk).exists()
    # and someone else whose person merely carries the phone never sees it
    other = make_account("other_qr", place=tree["household"], home=tree["household"])
    Person.objects.filter(user=other).update(phone=PHONE)
    other = get_user_model().objects.get(pk=other.pk)
    assert not Request.objects.visible_to(other).filter(pk=req.pk).exists()


def test_filed_by_phone_reaches_the_dispatchers_queue(client, tree, utilities, send_code, community_staff,
                                                      captured_notifications):
    token = qr.token_for(tree["building"])
    _r, code = send_code(client, token)
    with captured_notifications() as told:
        client.post(f"/r/{token}/", {"step": "file", "phone": PHONE, "code": code, "category": "utilities",
                                     "description": "楼顶漏水"})
    req = Request.objects.get()
    assert told.users == {"community"}
    client.force_login(community_staff)
    html = client.get("/requests/").content.decode()
    assert req.number in html


def test_the_phones_owner_is_told_of_the_progress(tree, utilities, send_code, client, community_staff, managed,
                                                  captured_notifications):
    token = qr.token_for(tree["building"])
    _r, code = send_code(client, token)
    client.post(f"/r/{token}/", {"step": "file", "phone": PHONE, "code": code, "category": "utilities",
                                 "description": "楼顶漏水"})
    req = Request.objects.get()
    owner = make_account("owner_qr", place=tree["household2"], home=tree["household2"])
    Person.objects.filter(user=owner).update(phone=PHONE, verified_phone_index=req.phone_index)
    with captured_notifications() as told:
        actions.dispatch_request(req, to=managed, by=community_staff)
    assert "owner_qr" in told.users


def test_a_bad_phone_on_sending_names_only_the_phone(client, tree, send_code):
    r, code = send_code(client, qr.token_for(tree["building"]), phone="110")
    assert code is None and r.status_code == 400
    assert set(r.context["form"].errors) == {"phone"}
    assert not VerificationCode.objects.exists() and not Event.objects.filter(verb="people.send_phone_code").exists()
