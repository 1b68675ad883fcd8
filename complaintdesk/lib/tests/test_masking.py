import io
import logging

import pytest

from complaintdesk.lib.clientip import client_ip_from
from complaintdesk.lib.logfilter import MaskPersonalData
from complaintdesk.lib.masking import mask_name, mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call me on 13812345678 please", "call me on 138****5678 please"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("电话：13912345678。", "电话：139****5678。"),
        ("landline 021-63251234", "landline 021-****1234"),
        ("ID 11010119900307123X here", "ID 110101********X here"),
        ("ID 110101199003071234", "ID 110101********4"),
        ("mail zhang.san@example.com", "mail z***@example.com"),
        ("座机 (010) 1234 5678 转 0571-87654321-802", "座机 010-****5678 转 0571-****4321"),
        ("card 6222 0212 3456 7890 128", "card **** **** **** 0128"),
        ("call (555) 123-4567", "call ***-***-4567"),
        ("手机１３９－１２３４－５６７８。", "手机139****5678。"),
        ("邮箱 wangxm＠163.com", "邮箱 w***@163.com"),
        ("加我微信：zhang_san88", "加我微信：z***8"),
        ("QQ 12345678", "QQ 1***8"),
        ("住上海市黄浦区南京东路100号3室，谢谢", "住上海市黄浦区****，谢谢"),
        ("地址：阳光小区3栋2单元501室", "地址：****"),
    ],
)
def test_it_masks_phone_id_and_card_numbers_email_addresses_chat_ids_and_addresses(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "order 2026112800001234567890123",
        "order 4111111111111112",  # the length of a card number, but not Luhn-valid
        "amount 1299.00 on 2026-11-28",
        "TS-2026-0000042",
        "refund 12345",
        "订单号 JD-20261122-5567",  # the shop finds the order by it
    ],
)
def test_it_leaves_order_numbers_amounts_dates_and_references_alone(text):
    assert mask_text(text) == text


def test_names_keep_first_and_last_character():
    assert mask_name("alice") == "a***e"
    assert mask_name("张三") == "张*"
    assert mask_name("x") == "x*"
    assert mask_name("consumer12345678901") == "c******1"


def _log_through(handler, logger_name, *args, **kwargs):
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        logging.getLogger(logger_name).warning(*args, **kwargs)
    finally:
        handler.setStream(old)
    return stream.getvalue()


def _configured_handler(name):
    """The handler LOGGING configured (pytest adds its own to the root logger beside it)."""
    handler = logging._handlers.get(name)
    assert handler is not None, f"no {name!r} handler configured"
    return handler


def test_every_log_line_from_our_code_is_masked_by_the_configured_handler():
    handler = _configured_handler("console")
    assert any(isinstance(f, MaskPersonalData) for f in handler.filters)
    out = _log_through(
        handler, "complaintdesk.notify.outbox", "sms to %s failed: %s", "13812345678", "timeout"
    )
    assert "138****5678" in out and "13812345678" not in out


def test_djangos_request_log_goes_through_the_mask_too():
    handler = _configured_handler("console")
    out = _log_through(handler, "django.request", "Not Found: /shops/?q=%s", "110101199003071234")
    assert "110101********4" in out and "110101199003071234" not in out
    server = _configured_handler("django.server")
    assert any(isinstance(f, MaskPersonalData) for f in server.filters)


def test_exception_text_is_masked():
    handler = logging.StreamHandler(io.StringIO())
    handler.addFilter(MaskPersonalData())
    logger = logging.getLogger("complaintdesk.tests.masking")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("bad phone 13812345678")
        except ValueError:
            logger.exception("failed for %s", "a@example.com")
    finally:
        logger.removeHandler(handler)
    out = handler.stream.getvalue()
    assert "13812345678" not in out and "a@example.com" not in out
    assert "138****5678" in out and "a***@example.com" in out


def test_the_client_address_is_the_socket_unless_proxies_are_trusted():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    assert client_ip_from(meta, 0) == "10.0.0.2"
    # One proxy appends the address it saw; whatever the client wrote before that is ignored.
    assert client_ip_from(meta, 1) == "203.0.113.9"
    assert client_ip_from(meta, 2) == "6.6.6.6"
    assert client_ip_from({"REMOTE_ADDR": "10.0.0.2"}, 1) == "10.0.0.2"
    assert client_ip_from({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "<script>"}, 1) == "10.0.0.2"
    assert client_ip_from({}, 0) is None
