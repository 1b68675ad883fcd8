"""The open-data scrubber on planted personal data."""

import pytest

from complaintdesk.lib.pii import id_check_character
from complaintdesk.stats.scrub import scrub

ID18 = "11010519491231002" + id_check_character("11010519491231002")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("联系我13812345678谢谢", "联系我[phone]谢谢"),
        ("电话 138-1234-5678 或 +86 139 1234 5678", "电话 [phone] 或 [phone]"),
        ("座机010-12345678，(021)6123 4567，0571 8765 4321", "座机[phone]，[phone]，[phone]"),
        ("call (555) 123-4567 or 555.123.4567 or +1 555 123 4567", "call [phone] or [phone] or [phone]"),
        ("mail wang.fang+shop@163.com now", "mail [email] now"),
        (f"身份证号{ID18}。", "身份证号[ID number]。"),
        ("老身份证110105491231002", "老身份证[ID number]"),
        ("我的身份证是11010519491231002x", "我的身份证是[ID number]"),  # wrong check digit, but a birth date
        ("卡号 6222 0212 3456 7890 128，4111111111111111", "卡号 [card number]，[card number]"),
        ("电话 139–1234–5678，１３９１２３４５６７８", "电话 [phone]，[phone]"),
        ("加我微信：zhang_san88，QQ 12345678", "加我微信：[WeChat/QQ id]，QQ [WeChat/QQ id]"),
        ("住上海市黄浦区南京东路100号3室。", "住[address]。"),
        ("for order JD-20261111-0042.", "for order [order number]."),
        ("Order 202611280000123457 arrived late", "Order [order number] arrived late"),
        ("Reference TS-2026-0000123, 3 items", "Reference [reference], 3 items"),
    ],
)
def test_personal_data_is_replaced(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "On XX/XX/XXXX I called (XXX) XXX-XXXX and XXXX XXXX said no.",  # the CFPB's own redactions stay
        "Paid $1,234.56 on 2019-10-25 and 12/05/2019, 3 items, 199.00 yuan.",
        "Item 202611280000123457 and 4111111111111112: neither an ID number nor Luhn-valid.",
        "我在上海市的门店买的，12月1号到货，微信支付了 99 元。",
    ],
)
def test_what_is_not_personal_stays(text):
    assert scrub(text) == text
