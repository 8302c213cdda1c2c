"""Search forms of names, and the credit-code rules."""

import random

import pytest

from registry.agencies.credit_code import (
    CreditCodeError,
    check_credit_code,
    generate_credit_code,
)
from registry.agencies.names import initials_of, normalise_name, pinyin_of


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("江阴环评", "jiangyinhuanping", "jyhp"),
        ("江阴市长江测绘有限公司", "jiangyinshichangjiangcehuiyouxiangongsi", "jyscjchyxgs"),
        ("江阴市长泾镇规划设计院", "jiangyinshichangjingzhenguihuashejiyuan", "jyscjzghsjy"),
        ("重庆银行", "chongqingyinhang", "cqyh"),
        ("ＡＢＣ测绘（江阴）有限公司", "abccehuijiangyinyouxiangongsi", "abcchjyyxgs"),
    ],
)
def test_names_get_their_pinyin_and_initials(name, pinyin, initials):
    assert pinyin_of(name) == pinyin
    assert initials_of(name) == initials


def test_normalised_names_fold_width_case_and_punctuation():
    assert normalise_name("  ＡＢＣ测绘（江阴）有限公司 ") == "abc测绘江阴有限公司"


def test_generated_codes_pass_the_check():
    rng = random.Random(7)
    for _ in range(50):
        code = generate_credit_code(rng)
        assert check_credit_code(code) == code


def test_inner_spaces_and_case_do_not_matter():
    assert check_credit_code(" 9135 0100 m000 100y43 ") == "91350100M000100Y43"


def test_checksum_failures_are_marked_as_such(app):
    with pytest.raises(CreditCodeError) as caught, app.test_request_context():
        check_credit_code("91350100M000100Y44")
    assert caught.value.claimable
