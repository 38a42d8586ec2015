"""The public description mask (Open311 feed): phone numbers, landlines, ID numbers and room numbers in
whatever spelling a resident types them — +86, spaces, dashes, parentheses, full-width digits."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gongzhi.core.masking import mask_public_text

FULL = str.maketrans("0123456789+-() ", "０１２３４５６７８９＋－（）\u3000")
HALF = str.maketrans("０１２３４５６７８９＋－（）\u3000", "0123456789+-() ")
# what must not survive: five or more digits in a row, whatever single separators sit between them
LONG_DIGITS = re.compile(r"\d(?:[ \-.]?\d){4,}")

words = st.text(st.sampled_from("电梯异响请回电楼道灯坏了谢谢，。！师傅联系我"), max_size=12)
digit = st.sampled_from("0123456789")
sep = st.sampled_from(["", "", " ", "-"])


def digits(n: int, first: str = "0123456789"):
    return st.tuples(st.sampled_from(first), st.text(digit, min_size=n - 1, max_size=n - 1)).map("".join)


@st.composite
def spelled(draw, groups: list[str]) -> str:
    """The groups of a number joined with the same or different separators, maybe in full-width."""
    text = groups[0] + "".join(draw(sep) + g for g in groups[1:])
    return text.translate(FULL) if draw(st.booleans()) else text


@st.composite
def mobiles(draw) -> str:
    number = draw(st.sampled_from("3456789")) + draw(digits(9))
    body = draw(spelled(["1" + number[:2], number[2:6], number[6:]]))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "+86-", "0086", "86 ", "（+86）", "(+86) "]))
    if draw(st.booleans()):
        prefix = prefix.translate(FULL)
    return prefix + body


@st.composite
def landlines(draw) -> str:
    area = draw(st.sampled_from(["010", "021", "029", "0917", "0755"]))
    local = draw(digits(draw(st.sampled_from([7, 8])), first="23456789"))
    cut = draw(st.integers(3, 4))
    form = draw(st.sampled_from(["{a}-{l}", "({a}){l}", "({a}) {l}", "{a} {l}", "+86 {a2} {l}", "{a}{l}"]))
    text = form.format(a=area, a2=area[1:], l=local[:cut] + draw(sep) + local[cut:])
    return text.translate(FULL) if draw(st.booleans()) else text


@st.composite
def id_numbers(draw) -> str:
    eighteen = draw(st.booleans())
    body = draw(digits(17 if eighteen else 15, first="123456"))
    if eighteen:
        body += draw(st.sampled_from("0123456789Xx"))
    cuts = sorted(draw(st.lists(st.integers(1, len(body) - 1), max_size=4, unique=True)))
    parts = [body[i:j] for i, j in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    return draw(spelled(parts))


@st.composite
def rooms(draw) -> str:
    b, u, r = draw(st.integers(1, 40)), draw(st.integers(1, 9)), draw(st.integers(101, 3308))
    form = draw(st.sampled_from(["{b}号楼{u}单元{r}", "{b}号楼{u}单元{r}室", "{b}栋{u}单元{r}", "{b}幢{r}室",
                                 "{r}室", "{b}-{u}-{r}", "{b}号楼 {u}单元 {r}号", "{b}座{r}"]))
    text = form.format(b=b, u=u, r=r)
    return text.translate(FULL) if draw(st.booleans()) else text


COUNTRY = re.compile(r"^\(?(?:\+|00)?86\)?[ -]?")


def _check(before: str, secret: str, after: str) -> str:
    masked = mask_public_text(before + secret + after)
    assert masked.startswith(before) and masked.endswith(after), masked
    middle = COUNTRY.sub("", masked[len(before):len(masked) - len(after)].translate(HALF))  # +86 is no secret
    assert not LONG_DIGITS.search(middle), masked
    return middle


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words, mobiles(), words)
@example("请回电", "+86 138 1234 5678", "谢谢")
@example("请回电", "１３８－１２３４－５６７８", "")
@example("", "0086-13812345678", "")
def test_mobile_numbers_in_any_spelling_are_masked(before, secret, after):
    _check(before, secret, after)


@settings(max_examples=200, deadline=None)
@given(words, landlines(), words)
@example("物业电话", "029-88881234", "")
@example("物业电话", "(029)88881234", "")
@example("物业电话", "（０２９）８８８８－１２３４", "")
def test_landlines_are_masked(before, secret, after):
    _check(before, secret, after)


@settings(max_examples=200, deadline=None)
@given(words, id_numbers(), words)
@example("身份证", "610104199001011234", "")
@example("身份证", "610104900101123", "")
@example("身份证", "610104 19900101 123X", "")
def test_id_numbers_15_18_and_spaced_are_masked(before, secret, after):
    middle = _check(before, secret, after)
    assert "*" in middle


@settings(max_examples=200, deadline=None)
@given(words, rooms(), words)
@example("我家", "3号楼2单元501", "漏水")
@example("", "501室", "楼上漏水")
def test_room_numbers_typed_in_a_description_are_masked(before, secret, after):
    middle = _check(before, secret, after)
    assert not re.search(r"\d", middle), middle


@pytest.mark.parametrize("text", [
    "电梯异响，预计3天内修好，费用200元",
    "2026-12-04 上午10:30 楼道灯不亮",
    "1楼大厅的门坏了",
    "",
])
def test_ordinary_text_is_left_as_it_is(text):
    assert mask_public_text(text) == text


def test_the_contact_name_typed_in_the_description_is_masked():
    assert mask_public_text("我是张建国，电梯坏了", names=["张建国"]) == "我是张**，电梯坏了"


def test_the_mobile_keeps_its_familiar_shape():
    assert mask_public_text("请回电13912345678") == "请回电139****5678"

