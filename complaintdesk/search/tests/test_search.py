"""Full-text search of complaints on the database (SQLite FTS5 and PostgreSQL tsvector alike), through
the API's `q=` and the domain function: Chinese two-character words, mixed model names, traditional and
full-width text, ranking, tenancy with counts, hostile queries, and a message written later."""

import importlib
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from complaintdesk.complaints import services
from complaintdesk.complaints.models import Complaint
from complaintdesk.complaints.tests import factories
from complaintdesk.search import index
from complaintdesk.search import query as search
from complaintdesk.search.models import ComplaintText
from complaintdesk.search.text import tokens

# Complaints as consumers write them (each: shop, consumer, description, product, order number).
ACME = {
    "power_bank": (
        "收到的充电宝用了三天就电池鼓包，外壳都裂开了，太危险了。要求全额退款。",
        "罗马仕 20000毫安充电宝",
        "JD-20250601-8848",
    ),
    "phone": (
        "买的小米14 Pro手机屏幕有一条绿线，联系客服说要寄回检测，已经十天没有消息。",
        "小米14 Pro 16+512G",
        "TB-3391-0027",
    ),
    "mooncakes": (
        "打开月饼礼盒，发现有两块已经发霉，生产日期却是上个月。商家拒绝退货。",
        "广式月饼礼盒",
        "PDD-55012",
    ),
    "charger": (  # written in traditional characters
        "買的iPhone 15充電器插上就發燙，退款申請被拒絕了。",
        "iPhone 15 原裝充電器",
        "JD-20250702-1010",
    ),
    "earbuds": (  # typed with a full-width keyboard
        "ＡｉｒＰｏｄｓ　Ｐｒｏ左耳没有声音，申请换货三次都被驳回。",
        "ＡｉｒＰｏｄｓ　Ｐｒｏ",
        "ＪＤ－８８２１",
    ),
}
BAZAAR = {
    "down_jacket": ("羽绒服洗了一次就严重掉毛，还有一股霉味，要求退款。", "白鸭绒羽绒服", "BZ-10086"),
    "scooter": ("电动滑板车的电池鼓包，充电时冒烟，商家说是人为损坏。", "九号滑板车 F30", "BZ-777"),
}


@pytest.fixture
def shelf(people):
    """Alice's complaints at Acme, Erin's at Bazaar: {name: complaint}."""
    out = {}
    for shop, consumer, texts in ((people.acme, people.alice, ACME), (people.bazaar, people.erin, BAZAAR)):
        for name, (description, product, order_number) in texts.items():
            out[name] = factories.complaint(
                consumer, shop, description=description, product=product, order_number=order_number
            )
    return out


def found(user, q: str, **filters) -> list[int]:
    scope = search.Scope.of(user, filters.pop("merchant", None))
    from complaintdesk.complaints.queries import visible_complaints  # noqa: PLC0415 - test helper

    return list(search.matching(visible_complaints(user), q, scope).values_list("pk", flat=True))


def names(shelf, ids) -> set[str]:
    by_id = {c.pk: name for name, c in shelf.items()}
    return {by_id[i] for i in ids}


@pytest.mark.django_db
def test_two_character_chinese_words_match(people, shelf):
    assert names(shelf, found(people.rita, "鼓包")) == {"power_bank", "scooter"}
    assert names(shelf, found(people.rita, "退款")) == {"power_bank", "charger", "down_jacket"}
    assert names(shelf, found(people.rita, "发霉")) == {"mooncakes"}
    assert names(shelf, found(people.rita, "退款 鼓包")) == {"power_bank"}  # words apart: all of them


@pytest.mark.django_db
def test_a_word_without_spaces_matches_as_written(people, shelf):
    assert names(shelf, found(people.rita, "电池鼓包")) == {"power_bank", "scooter"}
    assert found(people.rita, "鼓包电池") == []


@pytest.mark.django_db
def test_mixed_chinese_latin_and_digits(people, shelf):
    assert names(shelf, found(people.rita, "小米14")) == {"phone"}
    assert names(shelf, found(people.rita, "小米14 Pro")) == {"phone"}
    assert names(shelf, found(people.rita, "iPhone 15")) == {"charger"}
    assert names(shelf, found(people.rita, "iphone15")) == {"charger"}
    assert found(people.rita, "小米15") == []
    assert names(shelf, found(people.rita, "JD-20250601-8848")) == {"power_bank"}
    assert names(shelf, found(people.rita, "8848")) == {"power_bank"}


@pytest.mark.django_db
def test_traditional_simplified_and_full_width_find_each_other(people, shelf):
    assert names(shelf, found(people.rita, "充电器")) == {"charger"}  # simplified finds traditional
    assert names(shelf, found(people.rita, "發黴")) == {"mooncakes"}  # traditional finds simplified
    assert names(shelf, found(people.rita, "拒絕")) == {"mooncakes", "charger"}
    assert names(shelf, found(people.rita, "airpods pro")) == {"earbuds"}  # half-width finds full-width
    assert names(shelf, found(people.rita, "ＩＰＨＯＮＥ　１５")) == {"charger"}
    assert names(shelf, found(people.rita, "jd-8821")) == {"earbuds"}


@pytest.mark.django_db
def test_a_single_character_is_found_where_it_starts_a_pair_or_ends_a_run(people, shelf):
    # mooncakes: "…已经发霉，" (霉 ends its run); down_jacket: "霉味" (霉 starts a pair).
    assert names(shelf, found(people.rita, "霉")) == {"mooncakes", "down_jacket"}


@pytest.mark.django_db
def test_results_are_ranked_best_first(people):
    once = factories.complaint(
        people.alice,
        people.acme,
        description="快递送来的时候外箱破损，里面的台灯灯罩也碎了，另外充电宝有一点鼓包，"
        "客服让我先拍照再说，拍了照片之后又说要等仓库核实，到现在一个星期了还没有任何答复。",
    )
    thrice = factories.complaint(
        people.alice, people.acme, description="电池鼓包！鼓包越来越大，鼓包的地方很烫。"
    )
    newest_unrelated = factories.complaint(people.alice, people.acme, description="快递员态度很差。")
    ids = found(people.rita, "鼓包")
    assert ids == [thrice.pk, once.pk]
    assert newest_unrelated.pk not in ids


@pytest.mark.django_db
def test_a_search_answers_the_newest_matches_up_to_its_limit(people, shelf, monkeypatch):
    monkeypatch.setattr(search, "LIMIT", 1)
    assert found(people.rita, "鼓包") == [shelf["scooter"].pk]


@pytest.mark.django_db
def test_the_newest_matches_are_found_across_windows_of_ids_newest_first(people):
    # PostgreSQL asks for the newest two windows of ids first, then wider asks, then the rest in one query
    # (search.query.WINDOW, WIDEST); SQLite's index walks its matches in order: the same answer. Index rows
    # written directly, so that their ids stand where the windows fall.
    w = search.WINDOW
    # Windows 100, 99, 97, 60, 20 and 0: the first two asks (99-100, 95-98), the fifth (39-70), and older
    # than every window asked for.
    ids = [100 * w + 1, 99 * w + 5, 97 * w, 60 * w + 3, 20 * w, 7]
    # Acme's, in bureau 8's charge but two (its windows are the bureau's own, not the shop's).
    elsewhere = {97 * w, 7}
    rows = [
        (pk, "充电宝电池鼓包，要求退款。", f"m{people.acme.pk} b{9 if pk in elsewhere else 8}") for pk in ids
    ]
    rows.append((100 * w + 2, "电池鼓包了，要求退款", f"m{people.bazaar.pk} b8 c{people.alice.pk}"))
    rows.append((100 * w + 3, "快递太慢了", f"m{people.acme.pk} b8"))
    ComplaintText.objects.bulk_create(
        ComplaintText(complaint_id=pk, terms=terms, tails=tails, scope=scope)
        for (pk, terms, tails), scope in ((index.row(pk, text, "", ""), scope) for pk, text, scope in rows)
    )
    words = search.parse("退款 鼓包")
    acme = search.Scope(merchant_id=people.acme.pk)
    try:
        assert search.newest_ids(words, acme, 10) == ids
        assert search.newest_ids(words, acme, 3) == ids[:3]
        assert search.newest_ids(words, acme, 1000) == ids  # too few in the newest windows: the rest at once
        assert search.newest_ids(words, search.Scope(), 10) == sorted([*ids, 100 * w + 2], reverse=True)
        assert search.newest_ids(words, search.Scope(), 2) == [100 * w + 2, 100 * w + 1]
        in_8 = [100 * w + 2] + [pk for pk in ids if pk not in elsewhere]
        assert search.newest_ids(words, search.Scope(bureau_id=8), 10) == in_8
        assert search.newest_ids(words, search.Scope(bureau_id=8), 2) == in_8[:2]
        assert search.newest_ids(words, search.Scope(bureau_id=9), 10) == sorted(elsewhere, reverse=True)
    finally:  # rows of no complaint: gone before the test's end checks the foreign keys
        ComplaintText.objects.filter(pk__in=[row[0] for row in rows]).delete()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's document")
def test_postgresql_keeps_each_complaints_windows_of_ids_in_its_document(people, shelf):
    complaint = shelf["power_bank"]
    n = complaint.pk // search.WINDOW
    bureau = complaint.bureau_id
    assert bureau is not None
    asks = [
        *(f"'w{n}'", f"'m{complaint.merchant_id}w{n}'", f"'b{bureau}w{n}'", f"'b{bureau}'"),
        *(f"'w{n + 1}'", f"'m{people.bazaar.pk}w{n}'", f"'b{bureau}w{n + 1}'", f"'b{bureau + 1}w{n}'"),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["document @@ %s::tsquery"] * len(asks)) + " FROM search_complainttext "
            "WHERE complaint_id = %s",
            [*asks, complaint.pk],
        )
        assert cursor.fetchone() == (True,) * 4 + (False,) * 4


@pytest.mark.django_db
def test_migration_0004_names_each_rows_bureau_in_charge_and_its_reverse_takes_it_away(shelf):
    # The rows stored before it name the shop and the consumer only: 0004 writes the bureau in too, and on
    # PostgreSQL makes the document (with the bureau's windows) again. Run here on the test's rows through
    # a stand-in for the migration's schema editor (SQLite's cannot run inside the test's transaction).
    migration = importlib.import_module("complaintdesk.search.migrations.0004_bureau_scope")
    complaint = shelf["power_bank"]
    bureau = complaint.bureau_id
    district = search.Scope(bureau_id=bureau)
    assert index.SCOPE == migration.SCOPE
    before = ComplaintText.objects.get(pk=complaint.pk).scope
    assert f" b{bureau}" in before and complaint.pk in search.newest_ids(search.parse("鼓包"), district, 10)

    def run(scope, windows):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # the test's deferred foreign keys, before ALTER TABLE
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            editor = SimpleNamespace(connection=connection, execute=lambda sql, params: cursor.execute(sql))
            migration._rewrite(scope, windows)(None, editor)

    run(migration.SCOPE_BEFORE, migration.WINDOWS_BEFORE)
    assert ComplaintText.objects.get(pk=complaint.pk).scope == before.replace(f" b{bureau}", "")
    assert search.newest_ids(search.parse("鼓包"), district, 10) == []
    run(migration.SCOPE, migration.WINDOWS)
    assert ComplaintText.objects.get(pk=complaint.pk).scope == before
    assert complaint.pk in search.newest_ids(search.parse("鼓包"), district, 10)


@pytest.mark.django_db
def test_another_shops_complaint_is_never_found_nor_counted(people, shelf, api):
    # Bob serves Acme: the scooter's 鼓包 and the jacket's 霉味 are Bazaar's.
    assert names(shelf, found(people.bob, "鼓包")) == {"power_bank"}
    assert found(people.bob, "霉味") == []
    assert found(people.bob, "鼓包", merchant=people.bazaar.pk) == []
    assert names(shelf, found(people.dave, "鼓包")) == {"scooter"}
    assert names(shelf, found(people.erin, "退款")) == {"down_jacket"}  # a consumer: her own only
    assert found(people.alice, "霉味") == []

    bob = api(people.bob)
    for q in ("鼓包", "霉味", "BZ-777", "退款"):
        body = bob.get("/complaints", {"q": q}).json()
        assert {i["merchant"] for i in body["items"]} <= {people.acme.pk}
        assert body["count"] == len(body["items"])
    assert bob.get("/complaints", {"q": "霉味"}).json() == {"items": [], "count": 0, "next": None}
    assert bob.get("/complaints", {"q": "鼓包", "merchant": people.bazaar.pk}).json()["count"] == 0
    rita = api(people.rita).get("/complaints", {"q": "鼓包", "merchant": people.bazaar.pk}).json()
    assert [i["id"] for i in rita["items"]] == [shelf["scooter"].pk] and rita["count"] == 1


@pytest.mark.django_db
def test_the_api_combines_q_with_the_other_filters_and_orders_by_rank(people, shelf, api):
    Complaint.objects.filter(pk=shelf["power_bank"].pk).update(state="closed")
    rita = api(people.rita)
    body = rita.get("/complaints", {"q": "鼓包", "state": "closed"}).json()
    assert [i["id"] for i in body["items"]] == [shelf["power_bank"].pk]
    assert rita.get("/complaints", {"q": "   "}).json()["count"] == len(shelf)  # no words: no search


HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "NEAR(鼓包 退款, 2)",
    "'; DROP TABLE complaints_complaint; --",
    ":",
    "terms : 鼓包",
    "scope : m1",
    '鼓包" OR "退款',
    "鼓包 OR 霉味",
    "^鼓包",
    "鼓包*",
    "{terms tails}: 鼓包",
    "'鼓包':* | '霉味'",
    "!!(鼓包) <-> 退款",
    "\\",
    "鼓包" * 60,
]


@pytest.mark.django_db
@pytest.mark.parametrize("q", HOSTILE)
def test_search_syntax_and_sql_in_a_query_are_only_words(people, shelf, api, q):
    before = Complaint.objects.count(), ComplaintText.objects.count()
    for user in (people.rita, people.bob):
        answer = api(user).get("/complaints", {"q": q})
        assert answer.status_code == 200, answer.content
        assert [i["id"] for i in answer.json()["items"]] == found(user, q)
        if user is people.bob:
            assert all(i["merchant"] == people.acme.pk for i in answer.json()["items"])
    assert (Complaint.objects.count(), ComplaintText.objects.count()) == before


@pytest.mark.django_db
def test_hostile_queries_find_what_their_words_find(people, shelf):
    # The operators are words: "鼓包" OR "霉味" asks for three words, one of which ("or") no complaint has.
    assert found(people.rita, "鼓包 OR 霉味") == []
    assert names(shelf, found(people.rita, '鼓包"')) == {"power_bank", "scooter"}
    assert names(shelf, found(people.rita, "鼓包*")) == {"power_bank", "scooter"}
    assert found(people.bob, f"scope : m{people.bazaar.pk}") == []


@pytest.mark.django_db
def test_a_message_written_later_becomes_searchable_in_its_transaction(people, shelf, api):
    complaint = shelf["power_bank"]
    assert found(people.rita, "补发") == []
    with pytest.raises(RuntimeError), transaction.atomic():
        services.perform(complaint.pk, people.bob, "respond", "已联系快递公司补发新的充电宝，请注意查收。")
        assert names(shelf, found(people.rita, "补发")) == {"power_bank"}  # inside: already there
        raise RuntimeError("the request fails after the message")
    assert found(people.rita, "补发") == []  # rolled back with the message
    services.perform(complaint.pk, people.bob, "respond", "已联系快递公司补发新的充电宝，请注意查收。")
    assert names(shelf, found(people.rita, "补发 鼓包")) == {"power_bank"}  # the message and the description
    assert names(shelf, found(people.alice, "补发")) == {"power_bank"}
    assert found(people.dave, "补发") == []


@pytest.mark.django_db
def test_what_the_system_writes_is_not_indexed(people, shelf):
    complaint = shelf["phone"]
    services.record_event(complaint, None, "remind", complaint.state, complaint.state, "提醒：商家即将超时")
    assert found(people.rita, "超时") == []


@pytest.mark.django_db
def test_a_complaint_without_a_row_gets_one_with_its_next_message(people, shelf):
    complaint = shelf["mooncakes"]
    services.perform(complaint.pk, people.bob, "respond", "已安排顺丰上门取件。")
    ComplaintText.objects.filter(complaint=complaint).delete()
    services.perform(complaint.pk, people.bob, "reply", "取件员改约明天上门，月饼不用寄回，扔掉即可。")
    assert names(shelf, found(people.rita, "顺丰 扔掉 发霉")) == {"mooncakes"}


@pytest.mark.django_db
def test_the_rebuild_writes_every_complaint_and_its_messages_again(people, shelf):
    services.perform(shelf["phone"].pk, people.bob, "respond", "已为您申请换新，请耐心等待。")
    rows = {r.pk: (r.terms, r.tails, r.scope) for r in ComplaintText.objects.all()}
    ComplaintText.objects.all().delete()
    assert found(people.rita, "鼓包") == []
    call_command("rebuild_search_index", "--no-progress", "--batch-size", "3")
    assert {r.pk: (r.terms, r.tails, r.scope) for r in ComplaintText.objects.all()} == rows
    assert names(shelf, found(people.rita, "鼓包")) == {"power_bank", "scooter"}
    assert names(shelf, found(people.rita, "换新 绿线")) == {"phone"}


@pytest.mark.django_db
def test_an_imported_batch_is_searchable(people, tmp_path):
    people.acme.refresh_from_db()
    path = tmp_path / "hotline.csv"
    path.write_text(
        "external_id,received_at,merchant,category,wanted_outcome,description,product,order_number\n"
        f"RX-1,2026-09-01,{people.acme.credit_code},quality,refund,"
        "电热水壶用了一周底部漏水，申请退货被拒。,美的电热水壶,JD-9001\n"
        f"RX-2,2026-09-02,{people.acme.credit_code},delivery,refund,快递显示签收但我没有收到包裹。,,SF-42\n",
        encoding="utf-8",
    )
    call_command("import_complaints", str(path), "--no-progress")
    imported = Complaint.objects.get(external_id="RX-1")
    assert found(people.rita, "漏水 热水壶") == [imported.pk]
    assert found(people.bob, "签收") == [Complaint.objects.get(external_id="RX-2").pk]
    assert found(people.dave, "漏水") == []


def test_postgresql_asks_for_weights_only_where_a_phrase_is_read_again():
    # GIN answers an unweighted query of single terms exactly; a weight would make it read every
    # candidate's document again (a big shop's common words: thousands of them).
    shop = search.Scope(merchant_id=6)
    assert search.tsquery(search.parse("退款 鼓包"), shop) == "'m6' & '退款' & '鼓包'"
    assert search.tsquery(search.parse("霉 iPhone")) == "'霉':* & 'iphone'"
    assert (
        search.tsquery(search.parse("电池鼓包 it's"))
        == "('电池':A <-> '池鼓':A <-> '鼓包':A) & ('it':A <-> 's':A)"
    )


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's parser")
def test_postgresql_makes_exactly_our_terms_its_lexemes(people, shelf):
    # The generated column reads the terms through to_tsvector('simple'): its parser must split them at
    # the spaces only and keep each whole, or a search would miss what the index holds.
    sample = "".join(d for d, _, _ in ACME.values()) + " café ÉCOLE 0000123 x1y2 ｆｕｌｌ"
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('simple', %s))", [" ".join(tokens(sample))])
        lexemes = set(cursor.fetchone()[0])
    assert lexemes == set(tokens(sample))
