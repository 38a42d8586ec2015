"""Chinese identifiers: 身份证 via stdnum.cn.ric, 统一社会信用代码 via stdnum.cn.uscc plus letter-led codes."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.validators import clean_id_number, clean_phone, clean_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def with_check(body: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return body + ALPHABET[(31 - total % 31) % 31]


def test_stdnum_accepts_digit_led_codes():
    assert clean_uscc("91110000600037341L") == "91110000600037341L"


@pytest.mark.parametrize("code", [with_check("Y1610104MA6U00X00"), with_check("N2610104MA6U00X00"),
                                  with_check("A1110000MA01ABCD1")])
def test_letter_led_codes_allowed_by_gb32100_are_accepted(code):
    assert not uscc.is_valid(code)  # stdnum alone refuses them
    assert clean_uscc(code) == code


@pytest.mark.parametrize(("code", "message"), [
    ("91110000600037341X", "统一社会信用代码校验位错误"),
    ("Y1610104MA6U00X00A", "统一社会信用代码校验位错误"),
    ("12345", "统一社会信用代码格式错误，应为18位数字或大写字母"),
    ("Y1ABCDEFMA6U00X00U", "统一社会信用代码格式错误，应为18位数字或大写字母"),
])
def test_bad_codes_get_chinese_messages(code, message):
    with pytest.raises(ValidationError) as exc:
        clean_uscc(code)
    assert exc.value.messages == [message]


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit()))
def test_every_check_character_computed_by_the_standard_validates(body):
    assert clean_uscc(with_check(body)) == with_check(body)


@pytest.mark.parametrize(("value", "message"), [
    ("11010519491231002X", None),
    ("11010519491231002x", None),
    ("110105194912310021", "身份证号码校验位错误"),
    ("110105194913310021", "身份证号码中的地区码或出生日期无效"),  # month 13, right check digit
    ("1101051949123100", "身份证号码格式错误，应为18位"),
])
def test_id_numbers(value, message):
    if message is None:
        assert clean_id_number(value) == value.upper()
    else:
        with pytest.raises(ValidationError) as exc:
            clean_id_number(value)
        assert exc.value.messages == [message]


@pytest.mark.parametrize(("value", "expected"), [("13800138000", "13800138000"), ("+86 138 0013 8000", "13800138000"),
                                                 ("029-87654321", "2987654321")])
def test_phones(value, expected):
    assert clean_phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "abc", "+1 202 555 0100", "1380013800"])
def test_bad_phones(value):
    with pytest.raises(ValidationError):
        clean_phone(value)


def test_masks():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_phone("13812345678") == "138****5678"
