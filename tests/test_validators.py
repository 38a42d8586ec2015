"""Chinese identifiers: 身份证 via stdnum.cn.ric, 统一社会信用代码 via stdnum.cn.uscc plus letter-led codes."""

import datetime
from pathlib import Path

import pytest
import stdnum
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.validators import clean_id_number, clean_phone, clean_uscc, id_area_exists

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


def real_id(area: str, birth: str, order: str = "002") -> str:
    """A well-formed 身份证号码: area code, birth date (YYYYMMDD), order code and its MOD 11-2 check."""
    body = area + birth + order
    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize(("value", "message"), [
    ("11010519491231002X", None),
    ("11010519491231002x", None),
    ("110105194912310021", "身份证号码校验位错误"),
    (real_id("110105", "19491331"), "身份证号码中的出生日期无效"),  # month 13, right check character
    ("1101051949123100", "身份证号码格式错误，应为18位"),
    ("11010519491231002Y", "身份证号码格式错误，应为18位"),
    ("1101051949123100X2", "身份证号码格式错误，应为18位"),
])
def test_id_numbers(value, message):
    if message is None:
        assert clean_id_number(value) == value.upper()
    else:
        with pytest.raises(ValidationError) as exc:
            clean_id_number(value)
        assert exc.value.messages == [message]


# the numbers: codes stdnum knows only from 1983 on (莲湖区, 西湖区) or later (南山区 from 1990),
# carried by people born before the code existed
@pytest.mark.parametrize("value", [
    "610104194803150022",
    real_id("610104", "19300101"), real_id("610104", "19821231"),
    real_id("330106", "19520704"), real_id("440305", "19451001"),
    real_id("610116", "19600229", "013"),  # 长安区 from 2002; 29 February of a leap year
])
def test_births_before_the_area_code_was_assigned_are_accepted(value):
    assert not ric.is_valid(value)  # stdnum alone refuses them
    assert clean_id_number(value) == value


# codes abolished since: the cards issued under them are still in use
@pytest.mark.parametrize("value", [
    real_id("110103", "19650312"),  # 崇文区, to 2010
    real_id("110104", "19901120"),  # 宣武区, to 2010
    real_id("610121", "19550601"),  # 长安县, to 2002
    real_id("610125", "20100101"),  # 户县, 1983-2016: born after it was abolished, registered earlier
])
def test_abolished_area_codes_are_accepted(value):
    assert clean_id_number(value) == value


def test_the_check_character_x():
    value = next(v for n in range(1000) if (v := real_id("610104", "19480315", f"{n:03d}")).endswith("X"))
    assert clean_id_number(value.lower()) == value
    with pytest.raises(ValidationError) as exc:
        clean_id_number(value[:17] + "0")
    assert exc.value.messages == ["身份证号码校验位错误"]
    # and a number whose check digit is 0..9 is refused with an X
    digit = real_id("610104", "19480315", "000")
    assert not digit.endswith("X")
    with pytest.raises(ValidationError):
        clean_id_number(digit[:17] + "X")


@pytest.mark.parametrize(("value", "message"), [
    (real_id("999999", "19800101"), "身份证号码中的地区码不存在"),
    (real_id("619999", "19800101"), "身份证号码中的地区码不存在"),  # a province, but no such county
    (real_id("000000", "19800101"), "身份证号码中的地区码不存在"),
    (real_id("610104", "18991231"), "身份证号码中的出生日期无效"),  # before 1900
    (real_id("610104", "19000101"), None),
    (real_id("610104", "19810229"), "身份证号码中的出生日期无效"),  # not a leap year
    (real_id("610104", "19800431"), "身份证号码中的出生日期无效"),
    (real_id("610104", "19800100"), "身份证号码中的出生日期无效"),
])
def test_what_is_truly_impossible_is_refused(value, message):
    if message is None:
        assert clean_id_number(value) == value
        return
    with pytest.raises(ValidationError) as exc:
        clean_id_number(value)
    assert exc.value.messages == [message]


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        clean_id_number(real_id("610104", f"{tomorrow:%Y%m%d}"))
    assert exc.value.messages == ["身份证号码中的出生日期无效"]
    assert clean_id_number(real_id("610104", f"{today:%Y%m%d}")) == real_id("610104", f"{today:%Y%m%d}")


def _listed_codes() -> set[str]:
    """Every 6-digit code in stdnum's data file (a 2-digit province line, then its 4-digit county lines)."""
    codes, province = set(), ""
    for line in (Path(stdnum.__file__).parent / "cn" / "loc.dat").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        head = line.split()[0]
        if not line.startswith(" "):
            province = head
        elif "county=" in line:
            codes.add(province + head)
    return codes


def test_every_code_of_every_period_exists():
    """Each code of the list, current or abolished, is accepted; a code the list does not hold is not."""
    codes = _listed_codes()
    assert len(codes) > 5000
    assert {"610104", "610100", "110103", "440305"} <= codes
    assert all(id_area_exists(code) for code in codes)
    unlisted = [f"{n:06d}" for n in range(610100, 610200) if f"{n:06d}" not in codes]
    assert unlisted and not any(id_area_exists(code) for code in unlisted)
    assert not id_area_exists("61010") and not id_area_exists("61010A")


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
