"""The unified social credit code (GB 32100-2015) on real published codes and on the
ways a clerk gets one wrong: the check character, a transposition, the length, letters
the code never uses, and what is only a matter of writing (case, spaces, full width)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from zhuanban.brand.validators import normalise_credit_code, validate_credit_code

# Real codes, as the national enterprise credit information publicity system
# (国家企业信用信息公示系统) publishes them; each checked against its source before use:
REAL_CODES = {
    # The infobox of the zh.wikipedia article 华为 (機構代碼).
    "华为技术有限公司": "914403001922038216",
    # Registry extracts quoted in public data sets: registration no. 330100400015575.
    "阿里巴巴（中国）网络技术有限公司": "91330100716105852F",
    # Registry extracts: organisation code 802100433, Beijing Baidu Netcom Science and
    # Technology Co., Ltd.
    "北京百度网讯科技有限公司": "91110000802100433B",
    # Published for Tencent's two Shenzhen companies (腾讯科技（深圳）有限公司 and
    # 深圳市腾讯计算机系统有限公司); the first has an X inside its organisation code.
    "腾讯（深圳）甲": "9144030071526726XG",
    "腾讯（深圳）乙": "91440300708461136T",
    # Registry extracts quoted in public data sets (legal representative 雷军).
    "小米科技有限责任公司": "91110108551385082Q",
    # Registry extracts: registration no. 520000000005018, AVIC Heavy Machinery Co., Ltd.
    "中航重机股份有限公司": "91520000214434146R",
}
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V


def refusal(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        validate_credit_code(value)
    return refused.value


def checksum_message(code: str, expected: str) -> str:
    return gettext(
        "The check character is wrong: a code beginning %(start)s must end in "
        "%(expected)s, not %(given)s. Check the code against the business licence."
    ) % {"start": code[:17], "expected": expected, "given": code[17]}


def other_check_character(code: str) -> str:
    return next(c for c in "0A1B" if c != code[17])


@pytest.mark.parametrize("code", REAL_CODES.values(), ids=REAL_CODES.keys())
def test_real_published_codes_pass(code):
    assert uscc.is_valid(code)
    validate_credit_code(code)
    assert normalise_credit_code(code) == code


@pytest.mark.parametrize("code", REAL_CODES.values(), ids=REAL_CODES.keys())
def test_a_wrong_check_character_names_the_right_one(code):
    corrupted = code[:17] + other_check_character(code)
    error = refusal(corrupted)
    assert error.code == "checksum"
    assert error.messages == [checksum_message(corrupted, code[17])]
    assert code[17] in error.messages[0]


@pytest.mark.parametrize("code", REAL_CODES.values(), ids=REAL_CODES.keys())
def test_two_body_characters_swapped_are_caught(code):
    # The first two different neighbours of the organisation code (characters 9 to 17).
    i = next(i for i in range(8, 16) if code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    error = refusal(swapped)
    assert error.code == "checksum"
    # The clerk is told which character the code as typed would need.
    assert uscc.calc_check_digit(swapped) in error.messages[0]
    assert error.messages == [checksum_message(swapped, uscc.calc_check_digit(swapped))]


@pytest.mark.parametrize("code", REAL_CODES.values(), ids=REAL_CODES.keys())
def test_one_body_digit_mistyped_is_caught(code):
    digit = next(i for i in range(8, 17) if code[i].isdigit())
    typo = code[:digit] + str((int(code[digit]) + 1) % 10) + code[digit + 1 :]
    assert refusal(typo).code == "checksum"


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("91440300192203821", 17),  # Huawei's code without its check character
        ("9144030019220382166", 19),
        ("914403001922038", 15),
        ("X", 1),
    ],
)
def test_a_wrong_length_says_how_long_the_code_is(value, length):
    error = refusal(value)
    assert error.code == "length"
    assert error.messages == [
        gettext("A unified social credit code has 18 characters; this one has %(n)d.")
        % {"n": length}
    ]


@pytest.mark.parametrize(
    "written",
    [
        "9144030071526726xg",  # lower case
        "91 4403 0071526726 XG",  # spaces as printed on some licences
        "9144-0300-7152-6726-XG",
        " 9144030071526726XG ",
        "９１４４０３００７１５２６７２６ＸＧ",  # full width, copied from a Chinese document
        "9144030071526726XG\u3000",  # an ideographic space
    ],
)
def test_how_a_code_is_written_does_not_matter(written):
    validate_credit_code(written)
    assert normalise_credit_code(written) == "9144030071526726XG"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_letters_the_code_never_uses_are_refused(letter):
    huawei = REAL_CODES["华为技术有限公司"]
    # A letter in the organisation code (character 12) or as the check character.
    for code in (huawei[:11] + letter + huawei[12:], huawei[:17] + letter):
        error = refusal(code)
        assert error.code == "format"
        assert error.messages == [
            gettext(
                "The code may hold only digits and capital letters other than I, O, Z, S and V."
            )
        ]


def test_the_letter_o_typed_for_a_zero_is_refused():
    assert refusal("91110000802100433B".replace("0", "O", 1)).code == "component"
    assert refusal("9111000080210O433B").code == "format"


@pytest.mark.parametrize(
    "code",
    [
        "9A4403001922038216",  # a letter in the region
        "٩١٤٤٠٣٠٠١٩٢٢٠٣٨٢١٦",  # Arabic-Indic digits are not the code's digits
    ],
)
def test_the_first_eight_characters_are_digits(code):
    error = refusal(code)
    assert error.code == "component"
    assert error.messages == [
        gettext(
            "The code's registration authority, organisation type or region (its first "
            "8 characters) is not valid."
        )
    ]


def test_the_message_reads_in_english_too():
    with translation.override("en"):
        english = refusal("914403001922038217").messages[0]
    assert "must end in 6, not 7" in english
    assert "9144030019220382" in english


bodies = st.text(alphabet=ALPHABET, min_size=9, max_size=9).map(lambda s: "91150921" + s)


@settings(max_examples=60, deadline=None)
@given(body=bodies, position=st.integers(8, 17), replacement=st.sampled_from(ALPHABET))
def test_any_single_character_changed_is_caught(body, position, replacement):
    """GB/T 17710 (mod 31 with weights prime to 31): every substitution in the
    organisation code or the check character is found."""
    code = body + uscc.calc_check_digit(body)
    validate_credit_code(code)
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    assert refusal(changed).code == "checksum"
