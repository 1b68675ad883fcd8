"""A deadline's stored rule and warning stay the English the API gives, and pages say them in the reader's
language: a centre rule's label and citation each translated, a guessed window's days kept as facts."""

from django.utils import translation

from complaintdesk.deadlines.rule_words import rule_text
from complaintdesk.deadlines.services import warning_text

ENQUIRY = (
    "Answer an enquiry within 7 working days (the centre's service standard) "
    "(Centre service standard (no statutory limit))"
)


def test_a_centre_rule_is_read_label_and_citation_each_in_chinese():
    with translation.override("zh-hans"):
        assert rule_text(ENQUIRY) == "7个工作日内答复咨询（中心服务标准）（中心服务标准（无法定时限））"
        assert rule_text("Accept or refuse within 7 working days of receipt (SAMR Order No. 20 art. 22)") == (
            "收到之日起7个工作日内决定是否受理（市场监管总局令第20号第二十二条）"
        )
        # The shop's default rules are translated whole.
        assert (
            rule_text("Resolution by the end of the 7th working day after receipt")
            == "收到后第7个工作日结束前处理完结"
        )


def test_a_rule_the_regulator_wrote_keeps_its_words_and_english_stays_as_stored():
    with translation.override("zh-hans"):
        assert rule_text("Our own rule (Local regulation art. 3)") == "Our own rule (Local regulation art. 3)"
        assert rule_text("Odd (unbalanced") == "Odd (unbalanced"
        assert rule_text("") == ""
    with translation.override("en"):
        assert rule_text(ENQUIRY) == ENQUIRY


def test_a_guessed_windows_warning_is_read_in_chinese_with_its_days():
    stored = (
        "No statutory calendar covers 2027-01-01, 2027-01-02, 2027-01-03…: the usual statutory holidays and "
        "weekends assumed, without adjusted working days."
    )
    with translation.override("zh-hans"):
        assert warning_text(stored) == (
            "尚无法定节假日数据覆盖 2027-01-01, 2027-01-02, 2027-01-03…：暂按通常的法定节假日和周末休息计算，未计调休工作日。"
        )
        assert warning_text("") == ""
    with translation.override("en"):
        assert warning_text(stored) == stored
