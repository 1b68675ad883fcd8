"""The terms of Chinese and mixed text, with no database: what is indexed and what is asked agree."""

import re

from hypothesis import given
from hypothesis import strategies as st

from complaintdesk.search import text
from complaintdesk.search.highlight import excerpt, highlight


def test_a_chinese_run_becomes_its_bigrams_and_its_tail():
    terms, tails = text.terms_and_tails("充电宝电池鼓包")
    assert terms == ["充电", "电宝", "宝电", "电池", "池鼓", "鼓包"]
    assert tails == ["包"]


def test_punctuation_separates_and_a_lone_character_is_its_own_term():
    assert text.tokens("发霉了，退款！霉") == ["发霉", "霉了", "退款", "霉"]


def test_letters_and_digits_split_where_they_meet_so_mixed_models_match_either_way():
    assert text.tokens("小米14 Pro") == ["小米", "14", "pro"]
    assert text.tokens("iPhone15") == text.tokens("iPhone 15") == ["iphone", "15"]
    assert text.tokens("JD-20250601-8848") == ["jd", "20250601", "8848"]


@given(
    st.text(alphabet=st.sampled_from("m c 6 12 x 鼓包退款 ｍ６ ٣ Ⅳ ² -_:'"), max_size=40)
    | st.text(max_size=40)
)
def test_no_term_mixes_letters_and_digits_nor_is_a_tail_more_than_one_character(value):
    # What lets PostgreSQL's query leave its lexemes unweighted (`search.query.tsquery`): a shop's or a
    # consumer's scope term ("m6", "c12") can never be a term of the text, nor a tail a longer term.
    terms, tails = text.terms_and_tails(value)
    for term in terms:
        assert re.fullmatch(r"\d+", term) or not re.search(r"\d", term), term
    assert all(len(tail) == 1 for tail in tails)


def test_full_width_and_traditional_text_fold_to_the_same_terms():
    assert text.normalise("ｉＰｈｏｎｅ　１５") == "iphone 15"
    assert text.tokens("買的充電器發燙，退款申請被拒絕") == text.tokens("买的充电器发烫，退款申请被拒绝")
    assert text.tokens("發黴") == ["发霉"]


def test_a_query_keeps_only_terms_never_search_syntax():
    phrases = text.parse('鼓包" OR "退款 NEAR( * : \'; DROP TABLE x; --')
    assert [p.terms for p in phrases] == [
        ("鼓包",),
        ("or",),
        ("退款",),
        ("near",),
        ("drop",),
        ("table",),
        ("x",),
    ]
    assert text.parse('" * : ( ) -- ;') == []


def test_a_query_word_without_spaces_is_one_phrase_and_a_lone_character_is_single():
    word, phrase, char = text.parse("鼓包 电池鼓包 霉")
    assert phrase.terms == ("电池", "池鼓", "鼓包") and not phrase.single
    assert char.single and not word.single


def test_spans_point_into_the_original_text():
    value = "買的ｉＰｈｏｎｅ１５充電器"
    assert [(t.text, value[t.start : t.end]) for t in text.spans(value)] == [
        ("买的", "買的"),
        ("iphone", "ｉＰｈｏｎｅ"),
        ("15", "１５"),
        ("充电", "充電"),
        ("电器", "電器"),
    ]


def test_highlight_escapes_the_text_then_marks_the_words():
    value = '<script>alert("鼓包")</script> 电池鼓包 & 退款'
    html = highlight(value, text.parse("鼓包 退款"))
    assert html == (
        "&lt;script&gt;alert(&quot;<mark>鼓包</mark>&quot;)&lt;/script&gt; "
        "电池<mark>鼓包</mark> &amp; <mark>退款</mark>"
    )


def test_highlight_marks_the_original_characters_of_a_folded_match():
    # "iphone15" matched ｉＰｈｏｎｅ　１５ as one phrase, space and all; touching matches are one mark.
    assert highlight("買的ｉＰｈｏｎｅ　１５充電器，", text.parse("iphone15 充电器")) == (
        "買的<mark>ｉＰｈｏｎｅ　１５充電器</mark>，"
    )
    assert (
        highlight("ＡｉｒＰｏｄｓ　Ｐｒｏ左耳", text.parse("airpods"))
        == "<mark>ＡｉｒＰｏｄｓ</mark>　Ｐｒｏ左耳"
    )


def test_a_phrase_is_marked_only_where_its_terms_stand_together():
    # 电池 and 鼓包 both occur, but "电池鼓包" only where they touch.
    value = "电池没问题，包装鼓包了，电池鼓包"
    assert highlight(value, text.parse("电池鼓包")) == "电池没问题，包装鼓包了，<mark>电池鼓包</mark>"


def test_a_lone_character_is_marked_wherever_it_stands():
    assert highlight("发霉，有霉味", text.parse("霉")) == "发<mark>霉</mark>，有<mark>霉</mark>味"


def test_an_excerpt_is_cut_around_the_first_match_of_the_first_text_that_matches():
    long = "这是一段很长的描述。" * 10 + "最后发现电池鼓包。" + "后面还有很多文字。" * 20
    found = excerpt(["没有关系的商品名", long], "鼓包")
    assert found.startswith("…") and found.endswith("…")
    assert "电池<mark>鼓包</mark>" in found
    assert excerpt(["没有关系的商品名"], "鼓包") is None


def test_an_excerpt_reads_each_texts_terms_once(monkeypatch):
    """The page's fifty excerpts: the text that matched is cut and marked from the stretches found, not
    tokenised again for the marks (it was, a fifth of a search page's excerpts at 10 M complaints)."""
    read = []
    spans = text.spans
    monkeypatch.setattr(text, "spans", lambda value: read.append(value) or spans(value))
    long = "屏幕有划痕。" * 30 + "充电宝鼓包，要求退款。"
    found = excerpt(["没有关系的商品名", long], "鼓包 退款")
    assert "<mark>鼓包</mark>" in found and "<mark>退款</mark>" in found
    assert read == ["没有关系的商品名", long]
