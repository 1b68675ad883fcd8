"""The scale benchmark's database (bench/scale.py): millions of complaints as a city's or a province's
history holds them, made inside SQLite or PostgreSQL by INSERT … SELECT, the same spread on both.

What it makes, after `seed_demo` (whose 200 complaints, one story for each path through the lifecycle,
and 11 reports and enquiries are the templates):
- 16 district bureaus under the city centre, the seats of two platforms, `shops` shops of very different
  sizes (a Zipf spread: shop i gets a share proportional to about 1 / (i + 1.5), so the largest holds ~8 %
  of the complaints at 5,000 shops), most with a registered district, some with an unreachable address or
  none (in the charge of their platform's seat or the city centre), each in the charge of the bureau the
  app's own `centre.jurisdiction` names;
- `consumers` consumer accounts, and the benchmark's users: a district officer of the largest shop's
  bureau (`bench-district`), an agent of the largest shop (`bench-agent`) and a consumer who files one
  complaint in HEAVY_EVERY (`bench-consumer`); the city-level officer is seed_demo's `regulator`;
- the complaints, received at even intervals over `days` days up to now, in id order as a database that
  filed them as they came holds them. Each is a copy of a template, with every row that hangs on it
  (deadlines, events, the centre's case, letters, rating, follow-up calls: whatever the templates have),
  its times moved by the same amount, its shop, consumer and bureau its own. The template is drawn by age:
  a complaint received minutes ago is one of the open stories (its deadlines still run), one received a
  month ago mostly a finished one whose whole story fits in that month, and a few old ones still open
  (overdue: their deadlines were due long ago). STATE_WEIGHTS and OPEN_SHARE give the mix;
- reports and enquiries (one for every MATTERS_EVERY complaints) copied from the templates in the same way;
- evidence rows (a third of the complaints, one file on disk), pledge commitment tags, flags for review,
  promotion filings linked to complaints, alerts with their complaints, group complaints with members and
  public posts, and notifications under the bell of the benchmark's users;
- the search index's rows (from the terms of each text, made once by the app's own `search.index.row`),
  the rollups (the shops' by GROUP BY, `shop_rollups`, which bench/stats.py shares; the centre's by the
  app's own `centre_rollups.recompute`), then ANALYZE.
The secondary indexes of the tables it fills are dropped before and made again after (their own CREATE
INDEX statements); on PostgreSQL the foreign-key triggers are off during the load when the user may.

Every draw is a hash of the row's id (`Dialect.draw`), not random(): the same rows on both databases.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

# Which complaints end in which state (finished stories), and which open stories run, by weight.
STATE_WEIGHTS = {
    "resolved": 40, "closed": 35, "withdrawn": 14, "refused": 2, "agreed": 3, "terminated": 1,
    "submitted": 30, "responded": 24, "awaiting_consumer": 8, "resolution_proposed": 12, "disputed": 8,
    "escalated": 8, "in_mediation": 6, "testing": 3,
}  # fmt: skip
# Ages (seconds) where the template's draw changes, and the share of open stories (per mille) at each.
AGE_BUCKETS = [0, 3600, 6 * 3600, 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 60 * 86400,
               120 * 86400, 240 * 86400, 400 * 86400]  # fmt: skip
OPEN_SHARE = [1000, 1000, 950, 600, 350, 150, 60, 20, 4, 3, 2, 2]
SLOTS = 1000  # template slots per (age bucket, open or finished)
HEAVY_EVERY = 5000  # one complaint in this many is the benchmark's consumer's
MATTERS_EVERY = 50  # one report or enquiry per this many complaints
CHUNK = 1_000_000  # rows of one INSERT … SELECT (PostgreSQL keeps a transaction's deferred checks in memory)
# Times that are due, not done: a template's story ends at its last done time (what fits in a clone's age).
SCHEDULED = frozenset({"due_at", "remind_at", "next_check_at", "next_due"})
DISTRICTS = [
    ("黄浦区", "Huangpu"), ("徐汇区", "Xuhui"), ("长宁区", "Changning"), ("静安区", "Jing'an"),
    ("普陀区", "Putuo"), ("虹口区", "Hongkou"), ("杨浦区", "Yangpu"), ("闵行区", "Minhang"),
    ("宝山区", "Baoshan"), ("嘉定区", "Jiading"), ("浦东新区", "Pudong"), ("金山区", "Jinshan"),
    ("松江区", "Songjiang"), ("青浦区", "Qingpu"), ("奉贤区", "Fengxian"), ("崇明区", "Chongming"),
]  # fmt: skip
BRANDS = ["京华", "兰亭", "小满", "春城", "云帆", "星河", "锦绣", "知味", "安心", "优品", "乐享", "嘉禾"]
OUTLETS = ["旗舰店", "专营店", "专卖店", "官方店", "小店"]
# What consumers write (made up, as long as real complaints are): a complaint's text is one of these with
# one of the products, so searches find common and rarer words.
DESCRIPTIONS = [
    "收到的蓝牙耳机左耳没有声音，联系客服三天没有回复，要求退款。订单已签收，包装完好。",
    "充电宝使用两天后外壳鼓包发烫，担心安全问题，商家只同意换货不同意退款，请求12315协调。",
    "面包在保质期内发霉，购买后第二天打开就发现有霉点，要求退一赔十。联系电话13812345678。",
    "Ordered an iPhone 15 Pro 256GB, received a used phone with scratches; the shop refuses a refund.",
    "商家承诺七天无理由退货，但退回商品后一直不退款，已经超过十五天，客服电话打不通。",
    "外卖送达时餐品洒漏，平台客服让找商家，商家让找骑手，互相推诿，要求全额退款。",
    '小米14 Pro 屏幕出现绿线, "官方旗舰店"说是人为损坏要收维修费，我没有摔过手机。',
    "Delivery marked as signed but never arrived; courier says it was left at the door, nothing there.",
    "扫地机器人用了一个月底部漏水，售后说要寄回检测，检测费要我自己出。",
    "双十一预售的羽绒服一直不发货，客服说缺货，要求取消订单退定金被拒绝。",
]
PRODUCTS = ["蓝牙耳机 Pro 2", "20000mAh 充电宝", "全麦吐司 400g", "Apple iPhone 15 Pro 256GB",
            "连衣裙 M码", "外卖套餐", "小米14 Pro 16+512", "Running shoes size 42", "扫地机器人 S8",
            "羽绒服 L码"]  # fmt: skip
EVIDENCE_FILE = "evidence/bench/receipt.png"
# A 1×1 PNG: the evidence rows all point at it, so a download serves a real file.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8cf"
    "c0f01f0005000201a5d3b5e60000000049454e44ae426082"
)


# ------------------------------------------------------------------------------------------ dialects


class Dialect:
    """The SQL that differs between SQLite and PostgreSQL, as expressions over column expressions."""

    vendor = ""
    id_type = "bigint"
    P = 2147483647  # the draws' modulus (a prime): a draw is in [0, P)

    def __init__(self, zone: str) -> None:
        self.zone = zone

    def draw(self, k: int, x: str) -> str:
        """The k-th draw of row `x` (an integer expression): a hash, not random(), so that the rows are
        the same on both databases. Squared once so that two draws of one row are not on a line."""
        a, c = (1103515245, 48271, 69621, 16807, 39373, 2100005341, 630360016, 1583458089)[k % 8], 12345 + k
        y = f"((({x}) * {a} + {c}) % {self.P})"
        return f"(({y} * {y} + ({x})) % {self.P})"

    def one_if(self, cond: str) -> str:
        return f"(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    def real(self, x: str) -> str:
        return f"CAST({x} AS double precision)"


class SQLite(Dialect):
    """Datetimes are naive UTC text ('YYYY-MM-DD HH:MM:SS[.ffffff]'), booleans 0 and 1."""

    vendor = "sqlite"
    id_type = "INTEGER"

    def __init__(self, zone: str) -> None:
        super().__init__(zone)
        # The regulator's zone as a fixed offset: SQLite knows no zones (Asia/Shanghai keeps +8 all year).
        offsets = {ZoneInfo(zone).utcoffset(datetime(y, m, 1)) for y in range(2015, 2035) for m in (1, 7)}
        if len(offsets) != 1:
            raise ValueError(f"{zone} changes its offset: the SQLite generator needs a fixed one")
        self.offset = f"'{int(offsets.pop().total_seconds()):+d} seconds'"

    def series(self, lo: int, hi: int) -> str:
        return (
            f"(WITH RECURSIVE s(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM s WHERE i < {hi}) "
            f"SELECT i FROM s) s"
        )

    def ts(self, epoch: str) -> str:
        return f"datetime({epoch}, 'unixepoch')"

    def epoch(self, ts: str) -> str:
        return f"unixepoch({ts})"

    def shift(self, ts: str, seconds: str) -> str:
        # Whole seconds moved, the stored fraction kept as it was (NULL stays NULL).
        return f"(datetime({ts}, printf('%+d seconds', {seconds})) || substr({ts}, 20))"

    def micros(self, ts: str) -> str:
        return f"(unixepoch({ts}) * 1000000 + CASE WHEN length({ts}) > 19 THEN CAST(substr({ts} || '00000', 21, 6) AS INTEGER) ELSE 0 END)"

    def micros_between(self, later: str, earlier: str) -> str:
        return f"({self.micros(later)} - {self.micros(earlier)})"

    def local_day(self, ts: str) -> str:
        return f"date({ts}, {self.offset})"

    def local_date_before(self, ts: str, days: int) -> str:
        return f"date({ts}, {self.offset}, '-{days} days')"

    def hour(self, ts: str) -> str:
        # The zone is a whole number of hours from UTC: the local hour starts where the UTC hour does.
        return f"strftime('%Y-%m-%d %H:00:00', {ts})"

    def year(self, ts: str) -> str:
        return f"strftime('%Y', {ts}, {self.offset})"

    def zpad(self, number: str, width: int) -> str:
        return f"printf('%0{width}d', {number})"

    def least(self, a: str, b: str) -> str:
        return f"min({a}, {b})"

    def floor_int(self, x: str) -> str:
        return f"CAST(floor({x}) AS INTEGER)"

    def real(self, x: str) -> str:
        return f"CAST({x} AS REAL)"

    def bool(self, value: bool) -> str:
        return "1" if value else "0"

    def literal_duration(self, value: timedelta) -> str:
        return str(value // timedelta(microseconds=1))

    def literal_datetime(self, value: datetime) -> str:
        return "'" + value.astimezone(UTC).replace(tzinfo=None).isoformat(" ") + "'"


class PostgreSQL(Dialect):
    vendor = "postgresql"

    def series(self, lo: int, hi: int) -> str:
        return f"generate_series({lo}::bigint, {hi}::bigint) AS s(i)"

    def ts(self, epoch: str) -> str:
        return f"to_timestamp({epoch})"

    def epoch(self, ts: str) -> str:
        return f"floor(extract(epoch FROM {ts}))::bigint"

    def shift(self, ts: str, seconds: str) -> str:
        return f"({ts} + ({seconds}) * interval '1 second')"

    def micros_between(self, later: str, earlier: str) -> str:
        return f"(extract(epoch FROM ({later}) - ({earlier})) * 1000000)::bigint"

    def _local(self, ts: str) -> str:
        return f"({ts} AT TIME ZONE '{self.zone}')"

    def local_day(self, ts: str) -> str:
        return f"{self._local(ts)}::date"

    def local_date_before(self, ts: str, days: int) -> str:
        return f"({self._local(ts)} - interval '{days} days')::date"

    def hour(self, ts: str) -> str:
        # Django's connection works in UTC; the zone is a whole number of hours from it.
        return f"date_trunc('hour', {ts})"

    def year(self, ts: str) -> str:
        return f"to_char({self._local(ts)}, 'YYYY')"

    def zpad(self, number: str, width: int) -> str:
        # lpad cuts a longer text to the width: a wider number stays whole, as printf leaves it.
        return f"lpad(({number})::text, greatest({width}, length(({number})::text)), '0')"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})"

    def floor_int(self, x: str) -> str:
        return f"floor({x})::bigint"

    def bool(self, value: bool) -> str:
        return "true" if value else "false"

    def literal_duration(self, value: timedelta) -> str:
        return f"interval '{value.total_seconds()} seconds'"

    def literal_datetime(self, value: datetime) -> str:
        return f"'{value.astimezone(UTC).isoformat()}'::timestamptz"


def dialect_for(vendor: str, zone: str) -> Dialect:
    return {"sqlite": SQLite, "postgresql": PostgreSQL}[vendor](zone)


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def literal(d: Dialect, value) -> str:
    """A Python value as an SQL literal of the dialect (the generator's SQL takes no parameters)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return d.bool(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, datetime):
        return d.literal_datetime(value)
    if isinstance(value, date):
        return quote(value.isoformat())
    if isinstance(value, timedelta):
        return d.literal_duration(value)
    if isinstance(value, dict | list):
        return quote(json.dumps(value, ensure_ascii=False))
    raise TypeError(f"no SQL literal for {value!r}")


# ------------------------------------------------------------------------------------------ the rollups


def bucket_sql(micros: str) -> str:
    """`stats.buckets.bucket_of` in SQL on whole microseconds (exact: no floating point at the edges)."""
    from complaintdesk.stats import buckets  # noqa: PLC0415 - after django.setup()

    cases = []
    for limit, step in buckets._STEPS:
        us = step * 60_000_000
        cases.append(f"WHEN {micros} <= {limit * 60_000_000} THEN (({micros} + {us - 1}) / {us}) * {step}")
    return f"(CASE WHEN {micros} <= 0 THEN 0 {' '.join(cases)} ELSE {buckets.OVERFLOW} END)"


def shop_rollups(d: Dialect, step) -> None:
    """Every shop's rollup row (and the all-shops rows) by GROUP BY over the raw rows, following the
    contribution functions of `stats/rollups.py` (`rollups.differences()` checks them): what filing and
    answering the complaints one by one would have written. The tables must be empty; `step(label, sql)`
    runs each statement."""
    from complaintdesk.centre.models import Rating  # noqa: PLC0415 - after django.setup()
    from complaintdesk.complaints.models import Complaint, ComplaintEvent  # noqa: PLC0415 - after django.setup()
    from complaintdesk.deadlines.models import SHOP_PHASES, Deadline  # noqa: PLC0415 - after django.setup()
    from complaintdesk.pledges.models import ComplaintCommitment  # noqa: PLC0415 - after django.setup()
    from complaintdesk.stats import rollups  # noqa: PLC0415 - after django.setup()
    from complaintdesk.stats.models import ALL_CATEGORIES, ALL_SHOPS  # noqa: PLC0415 - after django.setup()

    t = {name: table.model._meta.db_table for name, table in rollups.TABLES.items()}
    c, dl, e = Complaint._meta.db_table, Deadline._meta.db_table, ComplaintEvent._meta.db_table
    tags = ComplaintCommitment._meta.db_table
    day = d.local_day("c.received_at")
    one = d.one_if
    finished = ", ".join(quote(s) for s in sorted(rollups.TERMINAL))
    phases = ", ".join(quote(p) for p in sorted(SHOP_PHASES))
    step("rollup: resolved complaints", f"CREATE TEMP TABLE bench_resolved (id {d.id_type} PRIMARY KEY)")
    step(
        "rollup: resolved complaints",
        f"INSERT INTO bench_resolved SELECT DISTINCT complaint_id FROM {e} WHERE to_state = 'resolved'",
    )
    step(
        "rollup: complaints by shop",
        f"INSERT INTO {t['complaints']} (day, shop, category, kind, channel, sector, received, resolved, finished) "
        f"SELECT {day}, c.merchant_id, c.category_id, c.kind, c.channel, c.sector, COUNT(*), "
        f"SUM({one('r.id IS NOT NULL')}), SUM({one(f'c.state IN ({finished})')}) "
        f"FROM {c} c LEFT JOIN bench_resolved r ON r.id = c.id GROUP BY 1, 2, 3, 4, 5, 6",
    )
    step(
        "rollup: complaints, all shops",
        f"INSERT INTO {t['complaints']} (day, shop, category, kind, channel, sector, received, resolved, finished) "
        f"SELECT day, {ALL_SHOPS}, category, kind, channel, sector, SUM(received), SUM(resolved), SUM(finished) "
        f"FROM {t['complaints']} WHERE shop <> {ALL_SHOPS} GROUP BY day, category, kind, channel, sector",
    )
    step(
        "rollup: shops",
        f"INSERT INTO {t['shops']} (day, shop, received, resolved, finished) "
        f"SELECT day, shop, SUM(received), SUM(resolved), SUM(finished) FROM {t['complaints']} GROUP BY day, shop",
    )
    in_time = "(d.met_at IS NOT NULL AND d.met_at <= d.due_at) OR (d.met_at IS NULL AND d.status = 'met')"
    late = "d.met_at IS NOT NULL AND d.met_at > d.due_at"
    cancelled, paused = (
        "d.met_at IS NULL AND d.status = 'cancelled'",
        "d.met_at IS NULL AND d.status = 'paused'",
    )
    step(
        "rollup: deadlines by shop",
        f"INSERT INTO {t['deadlines']} (day, shop, phase, rule, total, met_in_time, met_late, cancelled, paused) "
        f"SELECT {day}, c.merchant_id, d.phase, d.rule_label, COUNT(*), SUM({one(in_time)}), "
        f"SUM({one(late)}), SUM({one(cancelled)}), SUM({one(paused)}) "
        f"FROM {dl} d JOIN {c} c ON c.id = d.complaint_id WHERE d.phase IN ({phases}) GROUP BY 1, 2, 3, 4",
    )
    step(
        "rollup: deadlines, all shops",
        f"INSERT INTO {t['deadlines']} (day, shop, phase, rule, total, met_in_time, met_late, cancelled, paused) "
        f"SELECT day, {ALL_SHOPS}, phase, rule, SUM(total), SUM(met_in_time), SUM(met_late), SUM(cancelled), "
        f"SUM(paused) FROM {t['deadlines']} WHERE shop <> {ALL_SHOPS} GROUP BY day, phase, rule",
    )
    bucket = bucket_sql(d.micros_between("d.met_at", "d.starts_at"))
    step(
        "rollup: response times by shop",
        f"INSERT INTO {t['response']} (day, shop, phase, bucket, n) SELECT {day}, c.merchant_id, d.phase, "
        f"{bucket}, COUNT(*) FROM {dl} d JOIN {c} c ON c.id = d.complaint_id "
        f"WHERE d.met_at IS NOT NULL AND d.phase IN ({phases}) GROUP BY 1, 2, 3, 4",
    )
    step(
        "rollup: response times, all shops",
        f"INSERT INTO {t['response']} (day, shop, phase, bucket, n) SELECT day, {ALL_SHOPS}, phase, bucket, SUM(n) "
        f"FROM {t['response']} WHERE shop <> {ALL_SHOPS} GROUP BY day, phase, bucket",
    )
    step(
        "rollup: commitments by shop",
        f"INSERT INTO {t['commitments']} (day, shop, number, n) SELECT {day}, c.merchant_id, g.number, COUNT(*) "
        f"FROM {tags} g JOIN {c} c ON c.id = g.complaint_id GROUP BY 1, 2, 3",
    )
    step(
        "rollup: commitments, all shops",
        f"INSERT INTO {t['commitments']} (day, shop, number, n) SELECT day, {ALL_SHOPS}, number, SUM(n) "
        f"FROM {t['commitments']} WHERE shop <> {ALL_SHOPS} GROUP BY day, number",
    )
    step(
        "rollup: hours by shop and category",
        f"INSERT INTO {t['hours']} (hour, shop, category, n) SELECT {d.hour('c.received_at')}, c.merchant_id, "
        f"c.category_id, COUNT(*) FROM {c} c GROUP BY 1, 2, 3",
    )
    step(
        "rollup: hours by shop",
        f"INSERT INTO {t['hours']} (hour, shop, category, n) SELECT hour, shop, {ALL_CATEGORIES}, SUM(n) "
        f"FROM {t['hours']} WHERE category <> {ALL_CATEGORIES} GROUP BY hour, shop",
    )
    step(
        "rollup: hours, all shops",
        f"INSERT INTO {t['hours']} (hour, shop, category, n) SELECT hour, {ALL_SHOPS}, {ALL_CATEGORIES}, SUM(n) "
        f"FROM {t['hours']} WHERE category = {ALL_CATEGORIES} AND shop <> {ALL_SHOPS} GROUP BY hour",
    )
    month = "date(day, 'start of month')" if isinstance(d, SQLite) else "date_trunc('month', day)::date"
    for daily, keys, counters in (
        ("complaints", ", category, kind, channel, sector", "received, resolved, finished"),
        ("shops", "", "received, resolved, finished"),
        ("deadlines", ", phase, rule", "total, met_in_time, met_late, cancelled, paused"),
        ("response", ", phase, bucket", "n"),
    ):
        sums = ", ".join(f"SUM({counter})" for counter in counters.split(", "))
        step(
            f"rollup: {daily} by month",
            f"INSERT INTO {t[rollups.BY_MONTH[daily]]} (day, shop{keys}, {counters}) "
            f"SELECT {month}, shop{keys}, {sums} FROM {t[daily]} GROUP BY {month}, shop{keys}",
        )
    ratings = Rating._meta.db_table
    step(
        "rollup: ratings by shop",
        f"INSERT INTO {t['ratings']} (day, shop, n, score) SELECT {d.local_day('r.created_at')}, c.merchant_id, "
        f"COUNT(*), SUM(r.score) FROM {ratings} r JOIN {c} c ON c.id = r.complaint_id GROUP BY 1, 2",
    )
    step(
        "rollup: ratings, all shops",
        f"INSERT INTO {t['ratings']} (day, shop, n, score) SELECT day, {ALL_SHOPS}, SUM(n), SUM(score) "
        f"FROM {t['ratings']} WHERE shop <> {ALL_SHOPS} GROUP BY day",
    )
    step("rollup: resolved complaints", "DROP TABLE bench_resolved")


# ------------------------------------------------------------------------------------------ the load


@dataclass
class Spec:
    complaints: int
    shops: int
    consumers: int
    days: int

    @classmethod
    def of(cls, complaints: int, shops: int | None = None, consumers: int | None = None, days: int = 1095):
        """Thousands of shops and a consumer for every ten complaints at the large sizes, fewer below."""
        return cls(
            complaints,
            shops or max(20, min(5000, complaints // 1000)),
            consumers or max(50, min(2_000_000, complaints // 10)),
            days,
        )


class Loader:
    """Runs the generator's statements on Django's connection (no parameters: `literal` writes the values)
    and prints each step's rows and seconds, the chunks of one step added up."""

    def __init__(self, d: Dialect, out=print) -> None:
        from django.db import connection  # noqa: PLC0415 - after django.setup()

        self.d, self.connection, self.out = d, connection, out
        self.label, self.rows, self.seconds = None, 0, 0.0

    def run(self, sql: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.rowcount

    def rows_of(self, sql: str) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def step(self, label: str, sql: str) -> int:
        if label != self.label:
            self.flush()
            self.label = label
        started = time.perf_counter()
        rows = self.run(sql)
        self.rows += max(rows, 0)
        self.seconds += time.perf_counter() - started
        return rows

    def flush(self) -> None:
        if self.label is not None:
            self.out(f"  {self.label:<46} {self.rows:>12,} rows {self.seconds:7.1f} s")
        self.label, self.rows, self.seconds = None, 0, 0.0


def table(model) -> str:
    return model._meta.db_table


def column_defaults(d: Dialect, model, given: dict[str, str], now: datetime) -> dict[str, str]:
    """Every column of `model` (but an automatic key) as an SQL expression: `given` (by attname), else
    the field's default, else NULL for a nullable field, else `now` for a creation time."""
    from django.db.models import AutoField, BigAutoField, DateTimeField  # noqa: PLC0415

    out = {}
    for f in model._meta.concrete_fields:
        if f.attname in given:
            out[f.column] = given[f.attname]
        elif isinstance(f, AutoField | BigAutoField):
            continue
        elif f.has_default():
            out[f.column] = literal(d, f.get_default())
        elif f.null:
            out[f.column] = "NULL"
        elif isinstance(f, DateTimeField):
            out[f.column] = literal(d, now)
        elif f.empty_strings_allowed:
            out[f.column] = "''"
        else:
            raise ValueError(f"{model.__name__}.{f.attname}: no value to generate")
    return out


def insert_select(loader: Loader, label: str, model, given: dict, source: str, now: datetime) -> int:
    """INSERT INTO `model`'s table SELECT the `given` expressions (the rest defaults) FROM `source`."""
    columns = column_defaults(loader.d, model, given, now)
    q = loader.connection.ops.quote_name
    return loader.step(
        label,
        f"INSERT INTO {q(table(model))} ({', '.join(q(c) for c in columns)}) "
        f"SELECT {', '.join(columns.values())} FROM {source}",
    )


def chunks(first: int, last: int, size: int = CHUNK):
    for lo in range(first, last + 1, size):
        yield lo, min(last, lo + size - 1)


@dataclass
class Root:
    """What is copied from the templates: complaints or the centre's reports and enquiries."""

    name: str
    model: type
    consumer_field: str  # the template's person, whose rows become the copy's consumer's
    n: int
    base_id: int
    templates: list  # of Template
    related: list  # (model, field) of the rows that hang on a template and are copied with it


@dataclass
class Template:
    id: int
    epoch: int  # received, whole seconds
    span: float  # seconds from received to the last thing done
    state: str
    open: bool
    home: int | None = None  # the bureau that holds it in the end (its copies' is their shop's)


def _happened(model) -> list[str]:
    from django.db.models import DateTimeField  # noqa: PLC0415

    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, DateTimeField) and f.attname not in SCHEDULED
    ]


def templates_of(model, related, is_open) -> list[Template]:
    """Each template with the span of its story: its received time to the last time anything was done to
    it (its rows' times but the due ones)."""
    last = {}
    for row in model.objects.values("id", "state", "received_at", *_happened(model)):
        times = [v for k, v in row.items() if isinstance(v, datetime)]
        last[row["id"]] = [row, max(times)]
    for rel_model, field in related:
        for row in rel_model.objects.filter(**{f"{field.attname}__in": list(last)}).values(
            field.attname, *_happened(rel_model)
        ):
            times = [v for k, v in row.items() if isinstance(v, datetime)]
            entry = last[row[field.attname]]
            entry[1] = max([entry[1], *times])
    return [
        Template(i, int(row["received_at"].timestamp()), (end - row["received_at"]).total_seconds(),
                 row["state"], is_open(row["state"]))
        for i, (row, end) in sorted(last.items())
    ]  # fmt: skip


def template_slots(templates: list[Template], weight) -> list[tuple]:
    """(age bucket, open, slot, template id, template's received epoch, its bureau): SLOTS slots per bucket and
    openness, shared by weight (`weight(state)`, spread over that state's templates) among the templates
    whose story fits in the bucket's youngest age (else the shortest stories)."""
    rows = []
    for bucket, age in enumerate(AGE_BUCKETS):
        for is_open in (1, 0):
            kind = [t for t in templates if t.open == bool(is_open)] or templates
            fits = [t for t in kind if t.span <= age]
            if not fits:
                shortest = min(t.span for t in kind)
                fits = [t for t in kind if t.span == shortest]
            per_state = Counter(t.state for t in fits)
            weights = [weight(t.state) / per_state[t.state] for t in fits]
            total = sum(weights) or len(fits)
            weights = [w or total / len(fits) for w in weights]
            cumulative, acc = [], 0.0
            for w in weights:
                acc += w
                cumulative.append(acc / sum(weights))
            k = 0
            for slot in range(SLOTS):
                while k < len(fits) - 1 and (slot + 0.5) / SLOTS > cumulative[k]:
                    k += 1
                rows.append((bucket, is_open, slot, fits[k].id, fits[k].epoch, fits[k].home))
    return rows


def homes(complaints: Root, matters: Root) -> None:
    """Each template's own bureau: a complaint's at the centre, else its shop's in charge; a matter's."""
    from complaintdesk.centre.models import CentreCase, Matter  # noqa: PLC0415 - after django.setup()
    from complaintdesk.complaints.models import Complaint  # noqa: PLC0415 - after django.setup()

    ids = [t.id for t in complaints.templates]
    held = dict(CentreCase.objects.filter(complaint_id__in=ids).values_list("complaint_id", "bureau_id"))
    shops = dict(Complaint.objects.filter(id__in=ids).values_list("id", "merchant__jurisdiction_id"))
    for t in complaints.templates:
        t.home = held.get(t.id) or shops.get(t.id)
    own = dict(Matter.objects.filter(id__in=[t.id for t in matters.templates]).values_list("id", "bureau_id"))
    for t in matters.templates:
        t.home = own.get(t.id)


def values_table(loader: Loader, label: str, name: str, columns: str, rows: list[tuple]) -> None:
    """A temporary table `name` (`columns` as in CREATE TABLE) holding `rows` of literals."""
    loader.step(label, f"CREATE TEMP TABLE {name} ({columns})")
    for start in range(0, len(rows), 500):
        values = ", ".join(
            "(" + ", ".join(literal(loader.d, v) for v in row) + ")" for row in rows[start : start + 500]
        )
        loader.step(label, f"INSERT INTO {name} VALUES {values}")


def zipf_index(d: Dialect, x: str, shops: int) -> str:
    """Shop index 0 … shops-1 from draw `x`: P(index ≤ k) = ln(k + 2) / ln(shops + 1), about 1 / (k + 1.5)
    for shop k alone."""
    u = f"({d.real(x)} / {d.P})"
    return d.least(f"{d.floor_int(f'exp({u} * ln({shops + 1}))')} - 1", str(shops - 1))


def zipf_share(k: int, shops: int) -> float:
    return math.log((k + 2) / (k + 1)) / math.log(shops + 1)


# ------------------------------------------------------------------------------------------ people


@dataclass
class People:
    city: int
    districts: list[int]
    shops: list[tuple[int, int, int]]  # (index, merchant id, bureau in charge), the largest first
    regulator: int
    district_officer: int
    agent: int
    consumer: int
    pool_first: int
    pool_size: int


def people(loader: Loader, spec: Spec, now: datetime) -> People:
    """Bureaus, platforms' seats, shops and the benchmark's users (through the models: a few thousand
    rows), then the consumer accounts (by INSERT … SELECT)."""
    from complaintdesk.accounts.models import Role, User  # noqa: PLC0415 - after django.setup()
    from complaintdesk.centre import jurisdiction  # noqa: PLC0415 - after django.setup()
    from complaintdesk.centre.models import Bureau, BureauLevel, PlatformSeat  # noqa: PLC0415
    from complaintdesk.merchants.models import Merchant, Platform  # noqa: PLC0415 - after django.setup()
    from complaintdesk.merchants.uscc import check_character  # noqa: PLC0415 - after django.setup()

    started = time.perf_counter()
    city = Bureau.city_centre()
    districts = []
    for zh, en in DISTRICTS:
        bureau, _ = Bureau.objects.get_or_create(
            name_en=f"{en} District Market Regulation Bureau",
            defaults={"name_zh": f"上海市{zh}市场监督管理局", "level": BureauLevel.DISTRICT, "parent": city,
                      "address": f"上海市{zh}行政中心", "phone": "12315"},
        )  # fmt: skip
        districts.append(bureau)
    for platform, k in ((Platform.TAOBAO, 10), (Platform.JD, 2)):
        PlatformSeat.objects.get_or_create(platform=platform, defaults={"bureau": districts[k]})
    platforms = [p.value for p in Platform]
    shops = []
    for i in range(spec.shops):
        body = f"91310000MC{i:07d}"
        kind = i % 10  # 8 in 10 with a reachable registered address, 1 unreachable, 1 with none
        zh = DISTRICTS[i % len(DISTRICTS)][0]
        shop = Merchant(
            name=f"{BRANDS[i % len(BRANDS)]}{OUTLETS[(i // len(BRANDS)) % len(OUTLETS)]} {i + 1}",
            credit_code=body + check_character(body),
            platform=platforms[i % len(platforms)],
            shop_url=f"https://shop{i + 1}.example.cn",
            registered_address="" if kind == 9 else f"上海市{zh}示例路{i + 1}号",
            registered_district=None if kind == 9 else districts[i % len(districts)],
            address_unreachable=kind == 8,
            service_phone="" if i % 7 == 0 else f"400-820-{i % 10000:04d}",
            service_email="" if i % 7 == 0 else f"service{i + 1}@shop.example.cn",
            service_info_published_at=None if i % 7 == 0 else now,
        )
        jurisdiction.assign(shop)
        shops.append(shop)
    Merchant.objects.bulk_create(shops, batch_size=500)
    ids = dict(
        Merchant.objects.filter(credit_code__in=[s.credit_code for s in shops]).values_list(
            "credit_code", "id"
        )
    )
    shop_rows = [(i, ids[s.credit_code], s.jurisdiction_id) for i, s in enumerate(shops)]

    def user(username: str, role: str, **extra) -> int:
        account = User(username=username, role=role, email=f"{username}@bench.local", **extra)
        account.set_unusable_password()
        account.save()
        return account.pk

    regulator = User.objects.get(username="regulator").pk  # seed_demo's city-level officer
    district_officer = user("bench-district", Role.REGULATOR, bureau=districts[0])
    agent = user("bench-agent", Role.MERCHANT_AGENT, merchant_id=shop_rows[0][1])
    consumer = user("bench-consumer", Role.CONSUMER)
    first = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    loader.out(
        f"  {'bureaus, shops, the benchmark users':<46} {spec.shops:>12,} shops {time.perf_counter() - started:6.1f} s"
    )
    insert_select(
        loader, "consumer accounts", User,
        {"id": f"s.i + {first - 1}", "username": "'bench-c' || s.i", "password": "'!'", "role": quote(Role.CONSUMER),
         "date_joined": literal(loader.d, now), "is_active": loader.d.bool(True)},
        loader.d.series(1, spec.consumers), now,
    )  # fmt: skip
    loader.flush()
    return People(city.pk, [b.pk for b in districts], shop_rows, regulator, district_officer, agent, consumer,
                  first, spec.consumers)  # fmt: skip


# ------------------------------------------------------------------------------------------ copies


def related_of(root_model, skip: set) -> list:
    """(model, foreign key) of every kind of row that hangs on `root_model` by a foreign key, but `skip`."""
    out = []
    for rel in root_model._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many or model in skip or model._meta.auto_created or rel.field.primary_key:
            continue
        out.append((model, rel.field))
    return out


def _copy_expr(d: Dialect, f, root: Root, own: bool) -> str | None:
    """The copy's value of field `f` of a template row `t` (the root row itself when `own`, else a row
    hanging on the root row `r`), from the draw `g`."""
    from django.db.models import AutoField, BigAutoField, DateTimeField  # noqa: PLC0415

    from complaintdesk.accounts.models import User  # noqa: PLC0415
    from complaintdesk.centre.models import Bureau  # noqa: PLC0415
    from complaintdesk.merchants.models import Merchant  # noqa: PLC0415

    col = f"t.{f.column}"
    if isinstance(f, AutoField | BigAutoField):
        return "g.id" if own else None
    if f.is_relation and (f.many_to_one or f.one_to_one):
        target = f.related_model
        if not own and target is root.model:
            return "g.id"
        if target is User:
            person = f"r.{root.consumer_field}" if not own else None
            if own and f.attname == root.consumer_field:
                return f"CASE WHEN {col} IS NULL THEN NULL ELSE g.consumer_id END"
            if person:
                return f"CASE WHEN {col} = {person} THEN g.consumer_id ELSE {col} END"
            return col
        if target is Bureau:
            # The template's own bureau and the copy's trade places (a transposition: two bureaus a row
            # names apart stay apart, as a transfer's from and to must).
            return (
                f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} = g.home THEN g.bureau_id "
                f"WHEN {col} = g.bureau_id THEN g.home ELSE {col} END"
            )
        if target is Merchant:
            return f"CASE WHEN {col} IS NULL THEN NULL ELSE g.merchant_id END"
        return col
    if isinstance(f, DateTimeField):
        return d.shift(col, "g.shift")
    return col


def copy_rows(loader: Loader, root: Root, model, draw: str, source: str, overrides: dict, own: bool,
              lo: int, hi: int, order: str) -> None:  # fmt: skip
    q = loader.connection.ops.quote_name
    columns = {}
    for f in model._meta.concrete_fields:
        expr = overrides.get(f.attname) or _copy_expr(loader.d, f, root, own)
        if expr is not None:
            columns[f.column] = expr
    loader.step(
        f"{root.name}: {model._meta.verbose_name_plural}" if not own else root.name,
        f"INSERT INTO {q(table(model))} ({', '.join(q(c) for c in columns)}) SELECT {', '.join(columns.values())} "
        f"FROM {draw} g {source} WHERE g.id BETWEEN {lo} AND {hi} ORDER BY {order}",
    )


def draw_table(loader: Loader, root: Root, people: People, now_epoch: int, span: int, heavy: bool) -> str:
    """bench_draw_<root>: each copy's id, received time (even steps up to now, in id order), template (by
    age: `template_slots`), move in seconds from the template, shop (Zipf), bureau in charge, consumer,
    text and a spare draw `h`."""
    d, n, base = loader.d, root.n, root.base_id
    name = f"bench_draw_{root.name}"
    loader.step(
        f"{root.name}: draws",
        f"CREATE TEMP TABLE {name} (id {d.id_type} PRIMARY KEY, received bigint, tpl bigint, shift bigint, "
        f"merchant_id bigint, bureau_id bigint, home bigint, consumer_id bigint, d integer, h bigint)",
    )
    x = f"(s.i + {base - 1})"
    received = f"({now_epoch - span} + ((s.i - 1) * {span}) / {n})"
    age = f"({now_epoch} - x.received)"
    bucket = "CASE " + " ".join(
        f"WHEN {age} < {AGE_BUCKETS[b + 1]} THEN {b}" for b in range(len(AGE_BUCKETS) - 1)
    )
    bucket += f" ELSE {len(AGE_BUCKETS) - 1} END"
    share = "CASE " + " ".join(
        f"WHEN {age} < {AGE_BUCKETS[b + 1]} THEN {OPEN_SHARE[b]}" for b in range(len(AGE_BUCKETS) - 1)
    )
    share += f" ELSE {OPEN_SHARE[-1]} END"
    shops = len(people.shops)
    shop = zipf_index(d, "x.r3", shops)
    consumer = f"{people.pool_first} + x.r5 % {people.pool_size}"
    if heavy:  # at least fifty complaints of the benchmark's consumer, half of them at the largest shop
        every = max(2, min(HEAVY_EVERY, n // 50))
        shop = f"CASE WHEN x.r4 % {2 * every} = 0 THEN 0 ELSE {shop} END"
        consumer = f"CASE WHEN x.r4 % {every} = 0 THEN {people.consumer} ELSE {consumer} END"
    texts = len(DESCRIPTIONS) * len(PRODUCTS)
    for lo, hi in chunks(1, n):
        loader.step(
            f"{root.name}: draws",
            f"INSERT INTO {name} SELECT y.id, y.received, tp.tpl, y.received - tp.epoch, sh.merchant_id, "
            f"sh.bureau_id, tp.home, y.consumer_id, y.d, y.h FROM (SELECT x.id, x.received, {bucket} AS bucket, "
            f"CASE WHEN x.r1 % 1000 < {share} THEN 1 ELSE 0 END AS is_open, x.r2 % {SLOTS} AS slot, "
            f"{shop} AS shop, {consumer} AS consumer_id, x.r6 % {texts} AS d, x.r7 AS h FROM (SELECT {x} AS id, "
            f"{received} AS received, {', '.join(f'{d.draw(k, x)} AS r{k}' for k in range(1, 8))} "
            f"FROM {d.series(lo, hi)}) x) y JOIN bench_tpl_{root.name} tp ON tp.bucket = y.bucket "
            f"AND tp.is_open = y.is_open AND tp.slot = y.slot JOIN bench_shop sh ON sh.idx = y.shop",
        )
    if d.vendor == "postgresql":
        loader.step(f"{root.name}: draws", f"ANALYZE {name}")  # autovacuum never sees temporary tables
    return name


def template_tables(loader: Loader, root: Root) -> None:
    """The templates' rows in temporary tables (a few hundred: the copies join them by the template's id,
    whatever indexes the real tables have meanwhile), and the template slots."""
    q = loader.connection.ops.quote_name
    ids = ", ".join(str(t.id) for t in root.templates)
    label = f"{root.name}: templates"
    loader.step(
        label,
        f"CREATE TEMP TABLE bench_t_{root.name} AS SELECT * FROM {q(table(root.model))} WHERE id IN ({ids})",
    )
    for model, field in root.related:
        name = f"bench_t_{root.name}_{table(model)}"
        loader.step(
            label,
            f"CREATE TEMP TABLE {name} AS SELECT * FROM {q(table(model))} WHERE {q(field.column)} IN ({ids})",
        )
        loader.step(label, f"CREATE INDEX {name}_fk ON {name} ({q(field.column)})")
    values_table(
        loader, label, f"bench_tpl_{root.name}",
        "bucket integer, is_open integer, slot integer, tpl bigint, epoch bigint, home bigint, "
        "PRIMARY KEY (bucket, is_open, slot)",
        template_slots(root.templates, (lambda s: STATE_WEIGHTS.get(s, 1)) if root.name == "complaints" else (lambda s: 1)),
    )  # fmt: skip


def copy_root(loader: Loader, root: Root, draw: str, overrides: dict, text_join: str = "") -> None:
    """The copies of the templates, then every row hanging on them, chunk by chunk of ids."""
    last = root.base_id + root.n - 1
    for lo, hi in chunks(root.base_id, last):
        copy_rows(loader, root, root.model, draw, f"JOIN bench_t_{root.name} t ON t.id = g.tpl {text_join}",
                  overrides, True, lo, hi, "g.id")  # fmt: skip
    for model, field in root.related:
        if not loader.rows_of(f"SELECT 1 FROM bench_t_{root.name}_{table(model)} LIMIT 1"):
            continue  # no template has such rows: nothing to copy
        for lo, hi in chunks(root.base_id, last):
            copy_rows(
                loader, root, model, draw,
                f"JOIN bench_t_{root.name}_{table(model)} t ON t.{field.column} = g.tpl JOIN bench_t_{root.name} r ON r.id = g.tpl",
                {}, False, lo, hi, f"g.id, t.{loader.connection.ops.quote_name(model._meta.pk.column)}",
            )  # fmt: skip
    loader.flush()


# ------------------------------------------------------------------------------------------ indexes


def drop_indexes(loader: Loader, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the secondary indexes of `tables` (and on SQLite their triggers: the search index's, which
    `finish_indexes` rebuilds at once); returns (name, CREATE statement) to make them again."""
    names = ", ".join(quote(t) for t in sorted(set(tables)))
    if loader.d.vendor == "sqlite":
        found = loader.rows_of(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
            f"AND tbl_name IN ({names})"
        )
        for kind, name, _ in found:
            loader.run(f'DROP {kind.upper()} "{name}"')
        loader.out(f"  {'secondary indexes and triggers dropped':<46} {len(found):>12,}")
        # Triggers after indexes when made again.
        return sorted(
            ((name, sql) for kind, name, sql in found), key=lambda r: "TRIGGER" in r[1].upper()[:20]
        )
    found = loader.rows_of(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        f"JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname IN ({names}) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
    )
    for name, _ in found:
        loader.run(f"DROP INDEX {name}")
    loader.out(f"  {'secondary indexes and triggers dropped':<46} {len(found):>12,}")
    return found


def finish_indexes(loader: Loader, dropped: list[tuple[str, str]]) -> None:
    from complaintdesk.search.models import FTS_TABLE  # noqa: PLC0415

    for name, sql in dropped:
        kind = "trigger" if sql.lstrip().upper().startswith("CREATE TRIGGER") else "index"
        loader.step(f"{kind} {name}"[:46], sql)
    if loader.d.vendor == "sqlite" and loader.rows_of(
        f"SELECT 1 FROM sqlite_master WHERE name = '{FTS_TABLE}'"
    ):
        loader.step(
            "search index (FTS5) rebuilt", f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')"
        )
    loader.flush()


# ------------------------------------------------------------------------------------------ the rest


def search_rows(loader: Loader, draw: str, lo: int, hi: int, now: datetime) -> None:
    """Each copy's search index row, as `search.index.row` makes it: the terms of its text (made once per
    text by the app's own tokeniser), its order number, its template's messages; its scope by the app's own
    expression over the copy's complaint row (`c`)."""
    from complaintdesk.complaints.models import Complaint  # noqa: PLC0415
    from complaintdesk.search import index  # noqa: PLC0415
    from complaintdesk.search.models import ComplaintText  # noqa: PLC0415

    insert_select(
        loader, "search index rows", ComplaintText,
        {"complaint_id": "g.id", "terms": "x.terms || ' ' || c.order_number || COALESCE(m.terms, '')",
         "tails": "x.tails || COALESCE(m.tails, '')", "scope": index.SCOPE},
        f"{draw} g JOIN {table(Complaint)} c ON c.id = g.id JOIN bench_text x ON x.d = g.d "
        f"LEFT JOIN bench_msg m ON m.tpl = g.tpl WHERE g.id BETWEEN {lo} AND {hi} ORDER BY g.id",
        now,
    )  # fmt: skip


def text_tables(loader: Loader, root: Root) -> None:
    """bench_text: each description with each product, and their terms; bench_msg: the terms of the
    messages of each template (`search.index.indexes_message` says which)."""
    from complaintdesk.complaints.models import ComplaintEvent  # noqa: PLC0415
    from complaintdesk.search import index  # noqa: PLC0415

    rows = []
    for i, description in enumerate(DESCRIPTIONS):
        for j, product in enumerate(PRODUCTS):
            _, terms, tails = index.row(0, description, product, "")
            rows.append((i * len(PRODUCTS) + j, description, product, terms, tails))
    values_table(
        loader,
        "texts",
        "bench_text",
        "d integer PRIMARY KEY, description text, product text, terms text, tails text",
        rows,
    )
    messages: dict[int, list[str]] = {}
    events = ComplaintEvent.objects.filter(complaint_id__in=[t.id for t in root.templates]).order_by(
        "created_at", "id"
    )
    for event in events:
        if index.indexes_message(event):
            messages.setdefault(event.complaint_id, []).append(event.message)
    rows = []
    for tpl, texts in messages.items():
        _, terms, tails = index.row(0, "", "", "", *texts)
        rows.append((tpl, " " + terms if terms else "", " " + tails if tails else ""))
    values_table(loader, "texts", "bench_msg", "tpl bigint PRIMARY KEY, terms text, tails text", rows)
    loader.flush()


def complaint_extras(loader: Loader, draw: str, lo: int, hi: int, people: People, now: datetime) -> None:
    """Evidence (a third of the complaints, a ninth with two files), pledge commitment tags (1 %), flags
    for review (0.2 %, those older than a month cleared)."""
    from complaintdesk.centre.models import Flag, FlagReason  # noqa: PLC0415
    from complaintdesk.complaints.models import Complaint, Evidence  # noqa: PLC0415
    from complaintdesk.pledges.models import ComplaintCommitment  # noqa: PLC0415

    d, c = loader.d, table(Complaint)
    source = f"{draw} g JOIN {c} c ON c.id = g.id WHERE g.id BETWEEN {lo} AND {hi}"
    for k, every in ((0, 3), (1, 9)):
        insert_select(
            loader, "evidence", Evidence,
            {"complaint_id": "g.id", "file": quote(EVIDENCE_FILE), "original_name": quote(f"收据{k + 1}.png"),
             "content_type": "'image/png'", "extension": "'.png'", "size": str(len(PNG)),
             "sha256": quote(hashlib.sha256(PNG).hexdigest()), "uploaded_by_id": "g.consumer_id",
             "created_at": d.shift("c.received_at", str(600 * (k + 1)))},
            f"{source} AND g.h % {every} = 0 ORDER BY g.id", now,
        )  # fmt: skip
    insert_select(
        loader, "pledge commitment tags", ComplaintCommitment,
        {"complaint_id": "g.id", "number": "1 + (g.h / 7) % 8", "tagged_by_id": "g.consumer_id",
         "created_at": d.shift("c.received_at", "3600"), "merchant_id": "c.merchant_id",
         "bureau_id": "c.bureau_id", "received_at": "c.received_at"},
        f"{source} AND (g.h / 3) % 100 = 0 ORDER BY g.id", now,
    )  # fmt: skip
    month_ago = literal(d, now - timedelta(days=30))
    insert_select(
        loader, "flags for review", Flag,
        {"complaint_id": "g.id",
         "reason": f"CASE WHEN g.h % 2 = 0 THEN {quote(FlagReason.REPEAT)} ELSE {quote(FlagReason.MANY_SHOPS)} END",
         "raised_at": "c.received_at", "bureau_id": "c.bureau_id",
         "cleared_at": f"CASE WHEN c.received_at < {month_ago} THEN {d.shift('c.received_at', '86400')} END",
         "cleared_by_id": f"CASE WHEN c.received_at < {month_ago} THEN {people.regulator} END"},
        # Not a complaint whose template story already raised a flag (copied with it): one flag a reason.
        f"{source} AND (g.h / 11) % 500 = 0 AND NOT EXISTS (SELECT 1 FROM {table(Flag)} f "
        f"WHERE f.complaint_id = g.id) ORDER BY g.id", now,
    )  # fmt: skip


def notifications(loader: Loader, people: People, now: datetime) -> None:
    """The bell of the benchmark's users: the agent a notice per complaint of the shop, the consumer per
    complaint of theirs, the officers per complaint that reached the centre (the district officer's at
    its bureau); read an hour later, but those of the last two days."""
    from complaintdesk.centre.models import CentreCase  # noqa: PLC0415
    from complaintdesk.complaints.models import Complaint  # noqa: PLC0415
    from complaintdesk.notify.models import Notification  # noqa: PLC0415

    d, c, cc = loader.d, table(Complaint), table(CentreCase)
    recent = literal(d, now - timedelta(days=2))
    given = {
        "title": "'New complaint ' || c.reference", "link": "'/complaints/' || c.id || '/'",
        "created_at": "c.received_at",
        "read_at": f"CASE WHEN c.received_at < {recent} THEN {d.shift('c.received_at', '3600')} END",
    }  # fmt: skip
    for user, source in (
        (people.agent, f"{c} c WHERE c.merchant_id = {people.shops[0][1]}"),
        (people.consumer, f"{c} c WHERE c.consumer_id = {people.consumer}"),
        (people.regulator, f"{cc} k JOIN {c} c ON c.id = k.complaint_id"),
        (
            people.district_officer,
            f"{cc} k JOIN {c} c ON c.id = k.complaint_id WHERE k.bureau_id = {people.districts[0]}",
        ),
    ):
        insert_select(
            loader,
            "notifications",
            Notification,
            {**given, "user_id": str(user)},
            f"{source} ORDER BY c.id",
            now,
        )
    loader.flush()


class Timeline:
    """Where a time falls among the copies of a root: their ids are in received order at even steps."""

    def __init__(self, root: Root, now_epoch: int, span: int) -> None:
        self.root, self.first, self.span = root, now_epoch - span, span

    def id_at(self, at: datetime) -> int:
        i = int((at.timestamp() - self.first) * self.root.n // self.span)
        return self.root.base_id + max(0, min(self.root.n - 1, i))

    def at(self, fraction: float) -> datetime:
        return datetime.fromtimestamp(self.first + fraction * self.span, UTC)


def window(timeline: Timeline, k: int, shops: int, end: datetime, wanted: float) -> tuple[int, int]:
    """Ids before `end` among which shop k has about `wanted` complaints."""
    hi = timeline.id_at(end)
    return max(timeline.root.base_id, hi - int(wanted / zipf_share(k, shops))), hi


def promotions(loader: Loader, people: People, timeline: Timeline, count: int) -> int:
    """Promotion filings of the larger shops, copied from seed_demo's (their steps too), a day of each
    one's complaints at its shop linked to it."""
    from django.db.models import DateTimeField  # noqa: PLC0415

    from complaintdesk.complaints.models import Complaint  # noqa: PLC0415
    from complaintdesk.promotions.models import Promotion, PromotionEvent  # noqa: PLC0415

    started = time.perf_counter()
    templates = list(Promotion.objects.order_by("id"))
    if not templates:
        return 0
    events = {t.pk: list(PromotionEvent.objects.filter(promotion=t)) for t in templates}
    top = min(100, len(people.shops))

    def copy(row, **changes):
        values = {
            f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if not f.primary_key
        }
        return type(row)(**{**values, **changes})

    made, made_events, links = [], [], []
    for k in range(count):
        tpl = templates[k % len(templates)]
        starts = timeline.at((k + 1) / (count + 1))
        move = starts - tpl.starts_at
        shop = k % top
        dates = {f.attname: getattr(tpl, f.attname) + move for f in Promotion._meta.concrete_fields
                 if isinstance(f, DateTimeField) and getattr(tpl, f.attname) is not None}  # fmt: skip
        made.append(copy(tpl, merchant_id=people.shops[shop][1], name=f"{tpl.name} #{k + 1}", **dates))
        links.append((shop, min(tpl.ends_at + move, starts + timedelta(days=1))))
    Promotion.objects.bulk_create(made, batch_size=500)
    for promotion, tpl_index in zip(made, range(count), strict=True):
        tpl = templates[tpl_index % len(templates)]
        move = promotion.starts_at - tpl.starts_at
        made_events += [
            copy(e, promotion_id=promotion.pk, created_at=e.created_at + move) for e in events[tpl.pk]
        ]
    PromotionEvent.objects.bulk_create(made_events, batch_size=500)
    c = table(Complaint)
    for promotion, (shop, until) in zip(made, links, strict=True):
        loader.step(
            "promotions: complaints linked",
            f"UPDATE {c} SET promotion_id = {promotion.pk} WHERE id BETWEEN {timeline.id_at(promotion.starts_at)} "
            f"AND {timeline.id_at(until)} AND merchant_id = {people.shops[shop][1]} AND promotion_id IS NULL",
        )
    loader.flush()
    loader.out(f"  {'promotion filings':<46} {len(made):>12,} rows {time.perf_counter() - started:7.1f} s")
    return len(made)


def alerts(loader: Loader, people: People, timeline: Timeline, count: int) -> int:
    """Alerts of every kind at the larger shops over the whole period, each with about twenty of the
    shop's complaints before it; the last tenth open, the tenth before acknowledged, the rest closed."""
    from complaintdesk.alerts.models import Alert, AlertKind, AlertState  # noqa: PLC0415
    from complaintdesk.complaints.models import Category, Complaint  # noqa: PLC0415

    started = time.perf_counter()
    kinds = list(AlertKind)
    category = Category.objects.order_by("pk").values_list("pk", flat=True).first()
    top = min(50, len(people.shops))
    made = []
    for k in range(count):
        at = timeline.at((k + 1) / (count + 1))
        state = (
            AlertState.OPEN
            if k >= count * 0.9
            else AlertState.ACKNOWLEDGED
            if k >= count * 0.8
            else AlertState.CLOSED
        )
        kind = kinds[k % len(kinds)]
        made.append(Alert(
            kind=kind, merchant_id=people.shops[k % top][1], episode_key=f"bench-{k + 1}",
            category_id=category if kind == AlertKind.SURGE_CATEGORY else None,
            title=f"Complaint surge at shop {k % top + 1}", observed=40, expected=8.5, p_value=1e-6,
            window_start=at - timedelta(days=1), window_end=at, state=state, raised_at=at,
            acknowledged_by_id=None if state == AlertState.OPEN else people.regulator,
            acknowledged_at=None if state == AlertState.OPEN else at + timedelta(hours=2),
            closed_by_id=people.regulator if state == AlertState.CLOSED else None,
            closed_at=at + timedelta(days=3) if state == AlertState.CLOSED else None,
        ))  # fmt: skip
    Alert.objects.bulk_create(made, batch_size=500)
    through = Alert.complaints.through
    for k, alert in enumerate(made):
        lo, hi = window(timeline, k % top, len(people.shops), alert.raised_at, 40)
        loader.step(
            "alerts: complaints linked",
            f"INSERT INTO {table(through)} (alert_id, complaint_id) SELECT {alert.pk}, id FROM {table(Complaint)} "
            f"WHERE id BETWEEN {lo} AND {hi} AND merchant_id = {people.shops[k % top][1]} ORDER BY id LIMIT 20",
        )
    loader.flush()
    loader.out(f"  {'alerts':<46} {len(made):>12,} rows {time.perf_counter() - started:7.1f} s")
    return len(made)


def groups(loader: Loader, people: People, timeline: Timeline, now: datetime) -> int:
    """Two group complaints at each of the 20 largest shops (one open, one closed), a third of the shop's
    complaints of the fortnight before each opening its members, with the shop's answer and the centre's
    statement on its public page."""
    from complaintdesk.complaints import group_figures  # noqa: PLC0415
    from complaintdesk.complaints.models import (  # noqa: PLC0415
        Complaint,
        ComplaintGroup,
        GroupPost,
        GroupPostSide,
        GroupState,
    )

    made = []
    for k in range(min(20, len(people.shops))):
        for j, state in enumerate((GroupState.OPEN, GroupState.CLOSED)):
            opened = now - timedelta(days=3 + 60 * j + k)
            made.append(ComplaintGroup(
                merchant_id=people.shops[k][1], bureau_id=people.shops[k][2] or people.city,
                product=PRODUCTS[k % len(PRODUCTS)], problem=DESCRIPTIONS[k % len(DESCRIPTIONS)], state=state,
                opened_by_id=people.regulator, opened_at=opened,
                closed_at=opened + timedelta(days=30) if state == GroupState.CLOSED else None,
            ))  # fmt: skip
    ComplaintGroup.objects.bulk_create(made)
    posts = []
    for group in made:
        posts.append(GroupPost(group=group, side=GroupPostSide.SHOP, author_id=people.agent,
                               message="我们已查明原因，愿意为所有消费者退款。", created_at=group.opened_at + timedelta(days=1)))  # fmt: skip
        posts.append(GroupPost(group=group, side=GroupPostSide.CENTRE, author_id=people.regulator,
                               message="12315已介入调解。", created_at=group.opened_at + timedelta(days=2)))  # fmt: skip
    GroupPost.objects.bulk_create(posts)
    for group in made:
        lo, hi = timeline.id_at(group.opened_at - timedelta(days=14)), timeline.id_at(group.opened_at)
        loader.step(
            "group complaints: members",
            f"UPDATE {table(Complaint)} SET group_id = {group.pk} WHERE id BETWEEN {lo} AND {hi} "
            f"AND merchant_id = {group.merchant_id} AND group_id IS NULL AND id % 3 = 0",
        )
    loader.flush()
    group_figures.recount()  # the members joined around the models
    return len(made)


def rollups_from_scratch(loader: Loader) -> None:
    """The shops' rollups by GROUP BY (`shop_rollups`), the centre's by the app's own recomputation."""
    from django.db import transaction  # noqa: PLC0415

    from complaintdesk.stats import centre_rollups, rollups  # noqa: PLC0415
    from complaintdesk.stats.models import CentreLedger  # noqa: PLC0415

    for t in [*rollups.TABLES.values()]:
        loader.step("rollups emptied", f"DELETE FROM {table(t.model)}")
    loader.step("rollups emptied", f"DELETE FROM {table(CentreLedger)}")
    shop_rollups(loader.d, loader.step)
    loader.flush()
    started = time.perf_counter()
    deltas = rollups.Deltas()
    ledger = centre_rollups.recompute(deltas)
    with transaction.atomic():
        rollups.write(deltas, chunk=500)
        centre_rollups.replace_ledger(ledger)
    loader.out(
        f"  {'rollup: the centre (centre_rollups.recompute)':<46} {len(ledger):>12,} matters {time.perf_counter() - started:4.1f} s"
    )


def analyze(loader: Loader) -> None:
    started = time.perf_counter()
    if loader.d.vendor == "sqlite":
        loader.run("PRAGMA analysis_limit = 1000")
        loader.run("ANALYZE")
        loader.run("PRAGMA optimize")
    else:
        loader.run("VACUUM ANALYZE")  # the visibility map too: index-only scans, as a settled database has
    loader.out(f"  {'ANALYZE':<46} {'':>12} {time.perf_counter() - started:12.1f} s")


# ------------------------------------------------------------------------------------------ all of it


def build(spec: Spec, out=print) -> dict:
    """The whole data set on Django's connection (migrated, seed_demo loaded, nothing else); returns what
    it made (the manifest bench/scale.py keeps beside it)."""
    from django.conf import settings  # noqa: PLC0415
    from django.core.management.color import no_style  # noqa: PLC0415
    from django.db import DatabaseError, connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from complaintdesk.accounts.models import User  # noqa: PLC0415
    from complaintdesk.centre.models import Flag, Matter, MatterState  # noqa: PLC0415
    from complaintdesk.complaints.choices import TERMINAL_STATES  # noqa: PLC0415
    from complaintdesk.complaints.models import Complaint, Evidence, IdempotencyKey  # noqa: PLC0415
    from complaintdesk.notify.models import Notification  # noqa: PLC0415
    from complaintdesk.pledges.models import ComplaintCommitment  # noqa: PLC0415
    from complaintdesk.search.models import ComplaintText  # noqa: PLC0415

    started = time.perf_counter()
    d = dialect_for(connection.vendor, settings.COMPLAINTDESK_TIME_ZONE)
    loader = Loader(d, out)
    now = timezone.now().replace(microsecond=0)
    now_epoch, span = int(now.timestamp()), spec.days * 86400
    checks_off = False
    if d.vendor == "sqlite":
        # A throwaway database's load: no journal, no syncs, a big page cache (bench/stats.py does the same).
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "cache_size = -1000000",
            "temp_store = FILE",
        ):
            loader.run(f"PRAGMA {pragma}")
    else:
        loader.run("SET maintenance_work_mem = '1GB'")
        try:  # the foreign keys' triggers off while loading rows that refer to rows just made (a superuser may)
            loader.run("SET session_replication_role = replica")
            checks_off = True
        except DatabaseError:
            out("  (foreign-key checks stay on: the user may not set session_replication_role)")

    ppl = people(loader, spec, now)
    Path(settings.MEDIA_ROOT, EVIDENCE_FILE).parent.mkdir(parents=True, exist_ok=True)
    Path(settings.MEDIA_ROOT, EVIDENCE_FILE).write_bytes(PNG)
    values_table(
        loader,
        "shops",
        "bench_shop",
        "idx integer PRIMARY KEY, merchant_id bigint, bureau_id bigint",
        ppl.shops,
    )

    def next_id(model) -> int:
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    related = related_of(Complaint, {ComplaintText, IdempotencyKey})
    complaints = Root(
        "complaints", Complaint, "consumer_id", max(0, spec.complaints - Complaint.objects.count()), next_id(Complaint),
        templates_of(Complaint, related, lambda state: state not in TERMINAL_STATES), related,
    )  # fmt: skip
    related = related_of(Matter, set())
    matters = Root(
        "matters", Matter, "user_id", spec.complaints // MATTERS_EVERY, next_id(Matter),
        templates_of(Matter, related, lambda state: state == MatterState.RECEIVED), related,
    )  # fmt: skip
    homes(complaints, matters)
    for root in (complaints, matters):
        template_tables(loader, root)
    text_tables(loader, complaints)
    filled = [Complaint, Matter, *(m for m, _ in complaints.related + matters.related), Evidence,
              ComplaintCommitment, Flag, ComplaintText, Notification]  # fmt: skip
    dropped = drop_indexes(loader, [table(m) for m in filled])
    loader.flush()

    def received(x: str) -> str:
        return d.shift(f"{x}.received_at", "g.shift")

    draw = draw_table(loader, complaints, ppl, now_epoch, span, heavy=True)
    copy_root(loader, complaints, draw, {
        "reference": f"'TS-' || {d.year(received('t'))} || '-' || {d.zpad('g.id', 7)}",
        "consumer_id": "g.consumer_id", "order_number": d.zpad("(g.id * 7919) % 1000000000000", 12),
        "amount": "((g.h % 500000) / 100.0)", "order_date": d.local_date_before(received("t"), 3),
        "product": "x.product", "description": "x.description", "external_id": "''",
        "promotion_id": "NULL", "group_id": "NULL",
    }, "JOIN bench_text x ON x.d = g.d")  # fmt: skip
    last = complaints.base_id + complaints.n - 1
    for lo, hi in chunks(complaints.base_id, last):
        complaint_extras(loader, draw, lo, hi, ppl, now)
        search_rows(loader, draw, lo, hi, now)
    loader.flush()
    mdraw = draw_table(loader, matters, ppl, now_epoch, span, heavy=False)
    prefix = " ".join(f"WHEN {quote(kind)} THEN {quote(p)}" for kind, p in Matter.PREFIX.items())
    copy_root(loader, matters, mdraw, {
        "reference": f"(CASE t.kind {prefix} END) || '-' || {d.year(received('t'))} || '-' || {d.zpad('g.id', 7)}",
    })  # fmt: skip
    notifications(loader, ppl, now)
    finish_indexes(loader, dropped)
    if d.vendor == "postgresql":
        for sql in connection.ops.sequence_reset_sql(no_style(), [User, Complaint, Matter]):
            loader.run(sql)
        if checks_off:
            loader.run("SET session_replication_role = DEFAULT")

    timeline = Timeline(complaints, now_epoch, span)
    made = {
        "promotions": promotions(loader, ppl, timeline, max(10, min(2000, spec.complaints // 5000))),
        "alerts": alerts(loader, ppl, timeline, max(10, min(2000, spec.complaints // 10000))),
        "groups": groups(loader, ppl, timeline, now),
    }
    rollups_from_scratch(loader)
    if d.vendor == "sqlite":
        loader.run("PRAGMA journal_mode = WAL")
        loader.run("PRAGMA synchronous = NORMAL")
    analyze(loader)
    seconds = time.perf_counter() - started
    counts = {table(m): m.objects.count() for m in dict.fromkeys([User, *filled])}
    if d.vendor == "sqlite":
        (size,) = loader.rows_of(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        )[0]
    else:
        (size,) = loader.rows_of("SELECT pg_database_size(current_database())")[0]
    out(
        f"made {counts[table(Complaint)]:,} complaints in {seconds:.0f} s; the database holds {size / 1e9:.2f} GB"
    )
    return {
        "spec": spec.__dict__, "now": now.isoformat(), "seconds": round(seconds), "vendor": d.vendor, "bytes": size,
        "rows": counts, **made,
        "users": {"regulator": ppl.regulator, "district_officer": ppl.district_officer, "agent": ppl.agent,
                  "consumer": ppl.consumer},
        "largest_shop": ppl.shops[0][1], "district": ppl.districts[0],
    }  # fmt: skip
