"""Scale benchmark: every GET of the API and of the web pages, as every role, at millions of complaints, on
SQLite or PostgreSQL (issue 15: p95 < 150 ms at 10 M complaints on 2 vCPU).

1. Makes the database, or reuses the one in `--keep DIR` that this benchmark made before (its manifest,
   scale.json, says what it holds): migrates, loads `seed_demo` (the logins, and the stories the data set
   copies) and generates `--complaints N` complaints with everything around them (bench/dataset.py: shops
   of very different sizes, every state and kind, open and overdue deadlines, events, evidence, the
   centre's cases, reports, enquiries and letters, district bureaus with the shops in their charge,
   promotions, alerts, groups, flags, notifications, the search index and the rollups), then ANALYZE.
   SQLite in DIR; PostgreSQL (`--database postgresql`) at `--database-url` or DATABASE_URL, else on a
   throwaway server (gone at the end: keep a database by giving a server's URL).
2. Serves it with gunicorn as `make run` does (gunicorn.conf.py; DEBUG=0). The worker is not run (its sweep
   would breach the set's late duties mid-run); what the pages read from it is kept as the worker keeps it:
   the city's overdue count (`stats.overdue`), recounted when due by a thread of this process.
3. Requests, one client on loopback, every GET operation of /api/v1/openapi.json and every GET URL of
   web/urls.py (the resolver walked; a POST-only URL answers 405 and is listed as such), the path's ids
   filled with real ones (the largest shop, the benchmark consumer's complaint at it, its evidence, a
   letter, a report, a promotion, an alert, a group …), as every role: a city-level officer (seed_demo's
   regulator), a district officer (the largest shop's bureau), an agent of the largest shop, a consumer
   with many complaints, and anonymous for the public ones and the web pages. Each request as it is, with
   each typical filter its parameters offer (from the OpenAPI schema, or the page's query form), and deep:
   the page reached by following `next` (`--cursor-hops` times) when the list gives one, else page=2000.
   An answer that is not 2xx is taken once (its status is the result); the others once to warm up, then
   `--repeats` times (fewer when a request uses up `--budget` seconds).
4. Prints p50 / p95 / max per request and each as a multiple of `GET /api/v1/health` (measured before and
   after, in the same run); flags a p95 ≥ `--target-ms` (a download: its first byte; it is read to its first
   MB and dropped, its rate being bench/exports.py's). For the `--explain`
   slowest answers and every flagged one, runs the same request in this process with Django's query capture,
   and prints the slowest SQL query's plan (EXPLAIN QUERY PLAN; on PostgreSQL EXPLAIN ANALYZE for a SELECT),
   flagging a full scan of a big table (SQLite `SCAN t` without an index, PostgreSQL `Seq Scan on t`).
5. `--json OUT` writes every result; the end of the output is a table for docs/benchmarks.md. With
   `--check-target`, exit status 1 when anything is flagged.

Run (the data set takes about 5.4 GB of disk a million complaints on SQLite, 8.6 GB on PostgreSQL; building
it ~20 s per 50,000 on 2 busy cores; docs/scaling.md has the runs at 1 M and 10 M):
  .venv/bin/python bench/scale.py --complaints 50000                     # SQLite, in a throwaway folder
  .venv/bin/python bench/scale.py --complaints 1000000 --keep /tmp/scale-1m --json /tmp/scale-1m.json
  .venv/bin/python bench/scale.py --database postgresql --database-url postgres://…/scale_1m \
      --complaints 1000000 --keep /tmp/scale-1m-pg --json /tmp/scale-1m-pg.json
A kept database is timed again as it is (`--only REGEX` for some routes); `--verify` also checks every
rollup against the app's recomputation (small sizes: it reads everything).
"""

from __future__ import annotations

import argparse
import atexit
import html
import json
import logging
import os
import re
import runpy
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import psycopg
from dataset import Spec, build  # bench/ is on sys.path
from machine import ROOT, BenchError, Postgres, app_env, machine_info, manage, percentile, serve, stop

sys.path.insert(0, str(ROOT))
MANIFEST = "scale.json"
ROLES = ("regulator", "district", "agent", "consumer", "anonymous")
ACCOUNTS = {"regulator": "regulator", "district": "bench-district", "agent": "bench-agent",
            "consumer": "bench-consumer"}  # fmt: skip
DEEP_PAGE = 2000
SMALL_PAGE = 5  # a deep page of a short list (41 groups): its `next` at this page size
DOWNLOAD_HEAD = 1_000_000  # bytes of a download read before it is dropped (its first byte is timed)
WORDS = "退款 鼓包"  # a common word and a rarer one
SHOP_WORDS = "旗舰店"
STATE_PREFERENCE = ("escalated", "open", "received", "submitted", "in_mediation")


# ------------------------------------------------------------------------------------------ database


def prepare(args, data_dir: Path, database_url: str | None) -> dict:
    """Migrate, and make the data set unless this benchmark made it before: its manifest."""
    manifest_path = data_dir / MANIFEST
    env = os.environ
    target = _without_password(database_url) if database_url else "sqlite"
    if manifest_path.exists() and json.loads(manifest_path.read_text()).get("database") != target:
        raise BenchError(
            f"{data_dir} holds the data set of another database: one --keep directory a database"
        )
    if database_url:
        made = _postgres_holds_data(database_url)
    else:
        made = (data_dir / "complaintdesk.sqlite3").exists()
    if made and not manifest_path.exists():
        raise BenchError(
            f"the database {'at ' + database_url if database_url else 'in ' + str(data_dir)} holds data that "
            f"bench/scale.py did not make (no {manifest_path}): give an empty one"
        )
    manage(env, "migrate", "--noinput", "-v", "0")  # a kept database made by an older commit too
    manage(env, "collectstatic", "--noinput", "-v", "0")
    import django  # noqa: PLC0415 - after the environment is set

    django.setup()
    if made:
        # A settled database has statistics of every index (PostgreSQL's autovacuum; SQLite's ANALYZE, sampled):
        # an index a newer commit's migration made has none until then, and plans without them are a guess.
        from django.db import connection  # noqa: PLC0415 - after django.setup()

        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
        connection.close()
        manifest = json.loads(manifest_path.read_text())
        print(f"reusing the database of {manifest['rows']['complaints_complaint']:,} complaints made "
              f"{manifest['now']} ({manifest_path})", flush=True)  # fmt: skip
        return manifest
    manage(env, "seed_demo")
    spec = Spec.of(args.complaints, args.shops, args.consumers, args.days)
    print(f"making {spec.complaints:,} complaints, {spec.shops:,} shops, {spec.consumers:,} consumers over "
          f"{spec.days} days …", flush=True)  # fmt: skip
    manifest = build(spec, out=lambda line: print(line, flush=True))
    manifest["database"] = target
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def _postgres_holds_data(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return bool(
            conn.execute("SELECT to_regclass('complaints_complaint') IS NOT NULL").fetchone()[0]
        ) and bool(conn.execute("SELECT EXISTS (SELECT 1 FROM complaints_complaint)").fetchone()[0])


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]).geturl()


def verify() -> None:
    from complaintdesk.stats import rollups  # noqa: PLC0415 - after django.setup()

    problems = rollups.differences()
    print(f"rollups.differences(): {len(problems)} differences", flush=True)
    if problems:
        raise BenchError("the generated rollups differ from the raw rows:\n" + "\n".join(problems))


@dataclass
class Ids:
    """The real ids the paths are filled with, by the name of the path's parameter; `by_role`: those a
    role has of its own (a letter is the addressee's)."""

    values: dict[str, str]
    today: date
    by_role: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, role: str) -> dict[str, str]:
        return {**self.values, **self.by_role.get(role, {})}


def _first(queryset) -> int | None:
    return queryset.values_list("id", flat=True).first()


def pick_ids(manifest: dict) -> Ids:
    """The largest shop and what hangs on it, as the roles see it: the benchmark consumer's complaint at
    the largest shop, one that reached the centre if any, with the longest history (the agent, the consumer
    and the district officer of the shop's bureau all see it), its evidence, a letter to the consumer (to
    the shop for the agent), a report and an enquiry of the district, the shop's newest promotion filing,
    alert, group and flag."""
    from django.db.models import Count, Exists, OuterRef  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from complaintdesk.alerts.models import Alert  # noqa: PLC0415
    from complaintdesk.centre.models import CentreCase, Flag, Matter, MatterKind, Notice, Recipient  # noqa: PLC0415
    from complaintdesk.complaints.models import Complaint, ComplaintGroup, Evidence  # noqa: PLC0415
    from complaintdesk.notify.models import Notification  # noqa: PLC0415
    from complaintdesk.pledges.models import PledgeVersion  # noqa: PLC0415
    from complaintdesk.promotions.models import Promotion  # noqa: PLC0415

    shop, users = manifest["largest_shop"], manifest["users"]
    mine = Complaint.objects.filter(merchant_id=shop, consumer_id=users["consumer"])
    at_centre = Exists(CentreCase.objects.filter(complaint_id=OuterRef("pk")))
    complaint = _first(
        mine.annotate(at_centre=at_centre, n=Count("events")).order_by("-at_centre", "-n", "-id")
    ) or _first(Complaint.objects.filter(merchant_id=shop).order_by("-id"))
    evidence = _first(Evidence.objects.filter(complaint_id=complaint))
    if evidence is None:  # the requests need one: a copy of any, as bench/dataset.py writes them
        item = Evidence.objects.order_by("id").first()
        if item is not None:
            item.pk, item.complaint_id = None, complaint
            item.save()
            evidence = item.pk
    letters = Notice.objects.filter(complaint__isnull=False).order_by("-id")
    to_consumer = _first(letters.filter(complaint_id=complaint, recipient=Recipient.CONSUMER)) or _first(
        letters.filter(complaint__consumer_id=users["consumer"], recipient=Recipient.CONSUMER)
    )
    to_shop = _first(letters.filter(complaint__merchant_id=shop, recipient=Recipient.SHOP))
    matters = Matter.objects.filter(bureau_id=manifest["district"]).order_by("-id")
    report = _first(matters.filter(kind=MatterKind.REPORT))
    enquiry = _first(matters.filter(kind=MatterKind.ENQUIRY))
    values = {
        "merchant_id": shop, "complaint_id": complaint, "evidence_id": evidence,
        "notice_id": to_consumer or _first(letters), "matter_id": report or enquiry, "report_id": report,
        "enquiry_id": enquiry, "bureau_id": manifest["district"],
        "promotion_id": _first(Promotion.objects.filter(merchant_id=shop).order_by("-id")),
        "alert_id": _first(Alert.objects.filter(merchant_id=shop).order_by("-id")),
        "group_id": _first(ComplaintGroup.objects.filter(merchant_id=shop).order_by("-id")),
        "flag_id": _first(Flag.objects.filter(complaint__merchant_id=shop).order_by("-id")),
        "version_id": _first(PledgeVersion.objects.order_by("-id")),
        "mail_id": "none", "action": "respond",
    }  # fmt: skip
    by_role = {"agent": {"notice_id": to_shop}}
    for role, user in (("agent", "agent"), ("consumer", "consumer"), ("regulator", "regulator"),
                       ("district", "district_officer")):  # fmt: skip
        by_role.setdefault(role, {})["notification_id"] = _first(
            Notification.objects.filter(user_id=users[user]).order_by("-id")
        )

    def text(ids: dict) -> dict[str, str]:
        return {k: str(v) for k, v in ids.items() if v is not None}

    return Ids(text(values), timezone.localdate(), {role: text(v) for role, v in by_role.items()})


def credentials() -> dict[str, dict[str, str]]:
    """Each role's API token header and web session cookie (made in this process, kept in the database
    the server reads)."""
    from django.conf import settings  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from complaintdesk.accounts.models import ApiToken, User  # noqa: PLC0415

    out = {"anonymous": {}}
    for role, username in ACCOUNTS.items():
        user = User.objects.get(username=username)
        _, token = ApiToken.issue(user, name="bench/scale.py")
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        out[role] = {"token": token, "session": session}
    return out


# ------------------------------------------------------------------------------------------ requests


@dataclass
class Request:
    surface: str  # "api" or "web"
    route: str  # as declared, e.g. /api/v1/complaints/{complaint_id}
    variant: str  # "", "state=escalated", "deep" …
    role: str
    path: str  # with the ids filled in
    params: dict = field(default_factory=dict)
    deep: str = ""  # "cursor" or "page" when the variant is a deep page

    @property
    def label(self) -> str:
        return f"{self.route}{' ' + self.variant if self.variant else ''}"


@dataclass
class Result:
    request: Request
    status: int = 0
    runs: list[float] = field(default_factory=list)
    first_bytes: list[float] = field(default_factory=list)
    download: bool = False
    bytes: int = 0
    url: str = ""
    note: str = ""
    plan: dict | None = None

    def p(self, q: float, first_byte: bool = False) -> float | None:
        values = self.first_bytes if first_byte else self.runs
        return percentile(values, q) if values else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and bool(self.runs)


def _enum(schema) -> list:
    """The allowed values somewhere in an OpenAPI schema (an enum, maybe inside anyOf / allOf / a $ref)."""
    if isinstance(schema, dict):
        if "enum" in schema:
            return list(schema["enum"])
        for value in schema.values():
            found = _enum(value)
            if found:
                return found
    if isinstance(schema, list):
        for value in schema:
            found = _enum(value)
            if found:
                return found
    return []


def _resolve(schema, components: dict):
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _resolve(components.get(schema["$ref"].rsplit("/", 1)[-1], {}), components)
        return {k: _resolve(v, components) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_resolve(v, components) for v in schema]
    return schema


def _prefer(choices: list, initial=None) -> str | None:
    values = [str(c) for c in choices if c not in ("", None) and c != initial]
    for wanted in STATE_PREFERENCE:
        if wanted in values:
            return wanted
    return values[0] if values else None


def typical(name: str, route: str, ids: Ids, choices: list | None = None, initial=None) -> dict | None:
    """A typical value of a query parameter `name` of `route` (a pair for a period), or None."""
    today = ids.today
    if name in ("start", "end"):
        return {"start": str(today - timedelta(days=30)), "end": str(today)}
    if name in ("received_from", "received_to"):
        return {"received_from": str(today - timedelta(days=7)), "received_to": str(today)}
    if name in ("starts_from", "starts_to"):
        return {"starts_from": str(today - timedelta(days=90)), "starts_to": str(today)}
    if name == "q":
        return {"q": SHOP_WORDS if "director" in route or "shops" in route else WORDS}
    if name in ("overdue", "late"):
        return {name: "true"}
    if name == "compliant":
        return {name: "false"}
    if name in ("merchant", "shop"):
        return {name: ids.values["merchant_id"]}
    if name == "bureau":
        return {name: ids.values["bureau_id"]}
    if name == "complaint":
        return {name: ids.values["complaint_id"]}
    if name == "version" and "version_id" in ids.values:
        return {name: ids.values["version_id"]}
    if name == "number":
        return {name: "1"}
    if name == "received_at":
        return {name: f"{today}T10:00:00+08:00"}
    if name == "interval":
        return {"interval": "month", "start": str(date(today.year - 1, today.month, 1)), "end": str(today)}
    if name == "by":  # by shop: the breakdown with the most rows
        return {"by": "shop" if not choices or "shop" in choices else _prefer(choices, initial)}
    if name == "table":  # the complaint list: the download with the most rows
        return {
            "table": "complaints" if not choices or "complaints" in choices else _prefer(choices, initial)
        }
    if name == "format":
        return {"format": "csv"}
    if choices:
        value = _prefer(choices, initial)
        return {name: value} if value is not None else None
    return None


# Parameters that only say how to page or shape the answer, or that need a value no typical request has.
NOT_FILTERS = {"page", "page_size", "cursor", "format", "missing", "category", "week", "end", "received_to",
               "starts_to", "start", "received_from", "starts_from"}  # fmt: skip
PAIRS = {"received_from": "received_from", "starts_from": "starts_from"}


def api_requests(schema: dict, ids: Ids) -> list[Request]:
    """Every GET operation, as it is and with each typical filter, for the roles that may call it."""
    components = schema.get("components", {}).get("schemas", {})
    out = []
    for route, operations in schema["paths"].items():
        op = operations.get("get")
        if op is None:
            continue
        params = [_resolve(p, components) for p in op.get("parameters", [])]
        roles = ("anonymous",) if not op.get("security") else ROLES[:4]
        names = {p["name"] for p in params if p["in"] == "query"}
        base = {}
        for p in params:
            if p["in"] == "query" and p.get("required"):
                base.update(typical(p["name"], route, ids, _enum(p.get("schema"))) or {})
        if {"start", "end"} <= names and "start" not in base:
            base.update(typical("start", route, ids) or {})  # the statistics read this year by default
        if "table" in names:
            base.update(
                typical(
                    "table", route, ids, _enum(next(p for p in params if p["name"] == "table").get("schema"))
                )
                or {}
            )
        if route.endswith(("/export", "/open-data")):
            base.update(
                {"start": str(ids.today - timedelta(days=1)), "end": str(ids.today - timedelta(days=1))}
            )
        variants = [("", base)]
        for p in params:
            name = p["name"]
            if p["in"] != "query" or name in base or name in NOT_FILTERS - set(PAIRS):
                continue
            value = typical(name, route, ids, _enum(p.get("schema")))
            if value:
                variants.append(
                    ("&".join(f"{k}={v}" for k, v in value.items() if k not in base), {**base, **value})
                )
        deep = "cursor" if "cursor" in names else "page" if "page" in names else ""
        out += requests_of("api", route, ids, r"\{(\w+)\}", roles, variants, deep, base)
    return out


def requests_of(surface, route, ids, pattern, roles, variants, deep, base) -> list[Request]:
    """The route's requests: each variant and the deep page as each role, its ids filled for the role;
    none for a role without an id the path needs (one line says so)."""
    out = []
    for role in roles:
        path, missing = fill(route, ids.of(role), pattern)
        if missing:
            out.append(Request(surface, route, f"(no id for {', '.join(missing)})", role, ""))
            continue
        out += [Request(surface, route, label, role, path, query) for label, query in variants]
        if deep:
            out.append(Request(surface, route, "deep", role, path, base, deep=deep))
    return out


def fill(route: str, values: dict[str, str], pattern: str) -> tuple[str, list[str]]:
    missing = []

    def value(match):
        name = match.group(match.lastindex)
        if name not in values:
            missing.append(name)
            return "0"
        return values[name]

    return re.sub(pattern, value, route), missing


def _form_value(name: str, f, route: str, ids: Ids) -> dict | None:
    """A typical value of a web page's query parameter, by its form field."""
    from django import forms  # noqa: PLC0415

    if isinstance(f, forms.BooleanField):
        return {name: "on"}
    if isinstance(f, forms.ChoiceField):
        return typical(name, route, ids, [c for c, _ in f.choices], f.initial)
    if isinstance(f, forms.CharField) and name == "q":
        return typical("q", route, ids)
    if isinstance(f, forms.DateField | forms.IntegerField):
        return typical(name, route, ids)
    return None


def web_requests(ids: Ids) -> list[Request]:
    """Every URL of web/urls.py (its resolver's patterns), as it is, with each typical value of its query
    form, and deep, as every role and anonymous."""
    from complaintdesk.web import urls  # noqa: PLC0415

    out = []
    for pattern in urls.urlpatterns:
        route = "/" + str(pattern.pattern)
        form = getattr(pattern.callback, "query_form", None)
        fields = form.base_fields.items() if form else []
        base, deep = {}, ""
        for name, f in fields:  # what the page needs (a download's table): its typical value
            if f.required:
                base.update(_form_value(name, f, route, ids) or {})
        variants = [("", base)]
        for name, f in fields:
            if name == "page":
                deep = "page"
            elif name not in base and name not in NOT_FILTERS - set(PAIRS):
                value = _form_value(name, f, route, ids)
                if value:
                    variants.append(("&".join(f"{k}={v}" for k, v in value.items()), {**base, **value}))
        out += requests_of("web", route, ids, r"<(?:(\w+):)?(\w+)>", ROLES, variants, deep, base)
    return out


def headers_for(request: Request, creds: dict) -> dict:
    c = creds[request.role]
    if not c:
        return {}
    if request.surface == "api":
        return {"Authorization": f"Bearer {c['token']}"}
    return {"Cookie": f"sessionid={c['session']}"}


def timed_get(client: httpx.Client, url: str, headers: dict) -> tuple[int, float, float, int, bool, bytes]:
    """(status, milliseconds to the last byte, to the first, size, a download?, the first 200 KB). A
    download is read to DOWNLOAD_HEAD bytes and dropped: what a user waits for is its first byte (a whole
    year's list at 10 M complaints takes minutes to transfer, which bench/exports.py measures)."""
    started = time.perf_counter()
    first, size, head = None, 0, b""
    with client.stream("GET", url, headers=headers) as response:
        download = "attachment" in response.headers.get("content-disposition", "")
        for chunk in response.iter_raw():
            if first is None:
                first = time.perf_counter()
            size += len(chunk)
            if len(head) < 200_000:
                head += chunk
            if download and size >= DOWNLOAD_HEAD:
                break
    done = time.perf_counter()
    return (response.status_code, (done - started) * 1000, ((first or done) - started) * 1000, size, download,
            head if response.headers.get("content-encoding") is None else b"")  # fmt: skip


def deep_url(client: httpx.Client, request: Request, creds: dict, hops: int) -> tuple[str, str]:
    """The URL of a deep page: `next` followed `hops` times when the list gives one (the API's `next`, a
    cursor sent back as `cursor` with the same filters; a web page's link with a cursor), at SMALL_PAGE a
    page when the list is one page long (41 groups), else page=2000 (a list paged by number). And a note."""
    for params in (request.params, {**request.params, "page_size": SMALL_PAGE}):
        url, followed, paged_by_keys = walk(client, request, params, headers_for(request, creds), hops)
        if followed:
            return url, f"cursor, {followed + 1} pages in" + (
                f", page_size={SMALL_PAGE}" if params is not request.params else ""
            )
        if not paged_by_keys:
            return request.path + "?" + urlencode({**request.params, "page": DEEP_PAGE}), f"page={DEEP_PAGE}"
    return url, f"one page (no next page even at page_size={SMALL_PAGE})"


def walk(
    client: httpx.Client, request: Request, params: dict, headers: dict, hops: int
) -> tuple[str, int, bool]:
    """`next` followed up to `hops` times from the list with `params`: the last URL, the links followed, and
    whether the list pages by keys at all (an API answer with a `next` field, even a null one)."""
    url = request.path + (("?" + urlencode(params)) if params else "")
    followed, paged_by_keys = 0, False
    for _ in range(hops):
        # Read whole and decoded (not timed): a page of groups with their members' ids is 315 KB, gzipped.
        response = client.get(url, headers=headers)
        status, body = response.status_code, response.content
        if status != 200:
            break
        found = None
        if request.surface == "api" and body.startswith(b"{"):
            try:
                answer = json.loads(body)
            except ValueError:
                answer = {}
            paged_by_keys = paged_by_keys or "next" in answer
            found = answer.get("next")
        elif request.surface == "web":
            match = re.search(rb'href="([^"]*[?&](?:amp;)?cursor=[^"]*)"', body)
            found = html.unescape(match.group(1).decode()) if match else None
        if not found:
            break
        if found.startswith(("/", "?", "http")):
            parts = urlsplit(found)
            url = (parts.path or request.path) + ("?" + parts.query if parts.query else "")
        else:  # a bare cursor: sent back with the same filters
            url = request.path + "?" + urlencode({**params, "cursor": found})
        followed += 1
    return url, followed, paged_by_keys or bool(followed)


def measure(client: httpx.Client, request: Request, creds: dict, args) -> Result:
    """The request once to warm up (its status is the result when not 2xx), then `args.repeats` times.
    No answer at all (gunicorn ends a worker after 30 s, as in production) is status 0 with the error."""
    result = Result(request)
    if not request.path:
        result.note = request.variant
        return result
    try:
        if request.deep:
            result.url, result.note = deep_url(client, request, creds, args.cursor_hops)
        else:
            result.url = request.path + (("?" + urlencode(request.params)) if request.params else "")
        headers = headers_for(request, creds)
        status, ms, first, size, download, _ = timed_get(client, result.url, headers)
        result.status, result.download, result.bytes = status, download, size
        if not 200 <= status < 300:
            result.runs, result.first_bytes = [ms], [first]
            return result
        started = time.monotonic()
        for _ in range(args.repeats):
            status, ms, first, size, _, _ = timed_get(client, result.url, headers)
            result.runs.append(ms)
            result.first_bytes.append(first)
            if time.monotonic() - started > args.budget:
                result.note = (
                    result.note + "; " if result.note else ""
                ) + f"{len(result.runs)} runs (budget)"
                break
    except httpx.HTTPError as exc:
        result.status, result.runs, result.first_bytes = 0, [], []
        result.note = f"no answer: {type(exc).__name__} {exc}"[:200]
    return result


# ------------------------------------------------------------------------------------------ plans


def big_tables(threshold: int) -> dict[str, int]:
    """Tables of at least `threshold` rows, by the planner's own count (ANALYZE ran after the load)."""
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl, MAX(CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS INTEGER)) FROM sqlite_stat1 "
                "GROUP BY tbl"
            )
        else:
            cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind IN ('r', 'p')")
        return {name: int(n or 0) for name, n in cursor.fetchall() if (n or 0) >= threshold}


SQL_KEYWORDS = {"on", "where", "inner", "left", "outer", "join", "group", "order", "limit", "as", "using", "cross",
                "natural", "union", "having", "window", "offset", "right", "full"}  # fmt: skip


def full_scans(sql: str, plan: list[str], big: dict[str, int], vendor: str) -> tuple[list[str], list[str]]:
    """The big tables the plan reads whole (SQLite `SCAN t` without an index, PostgreSQL `Seq Scan on t`),
    and on SQLite those it reads in the order of a whole index (`SCAN t USING INDEX i`: every entry,
    unless a LIMIT stops it early)."""
    aliases = {}
    for name, alias in re.findall(r'"(\w+)"\s+(?:AS\s+)?"?(\w+)"?', sql):
        if alias.lower() not in SQL_KEYWORDS:
            aliases[alias] = name
    tables, indexes = [], []
    for line in plan:
        if vendor == "sqlite":
            whole = re.search(r"\bSCAN (\w+)\b(?! USING)(?!.*VIRTUAL TABLE)", line)
            ordered = re.search(r"\bSCAN (\w+) USING (?:COVERING )?INDEX (\w+)", line)
        else:
            whole, ordered = re.search(r"Seq Scan on (\w+)", line), None
        for m, out in ((whole, tables), (ordered, indexes)):
            name = aliases.get(m.group(1), m.group(1)) if m else None
            if name in big:
                out.append(f"{name} ({big[name]:,} rows)" + (f" by {m.group(2)}" if out is indexes else ""))
    return tables, indexes


def explain(result: Result, creds: dict, big: dict[str, int]) -> dict:
    """The request again in this process with its queries captured; the slowest one's plan."""
    from django.conf import settings  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    request = result.request
    c = creds[request.role]
    client = Client(
        raise_request_exception=False,
        **({"HTTP_AUTHORIZATION": f"Bearer {c['token']}"} if c and request.surface == "api" else {}),
    )
    if c and request.surface == "web":
        client.cookies[settings.SESSION_COOKIE_NAME] = c["session"]
    quiet = logging.getLogger("django.request")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a 500's traceback: the status says it, the server's log has it
    try:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(result.url)
            if response.streaming:  # its queries run as it streams: read it as far as the server is timed
                read = 0
                for chunk in response.streaming_content:
                    read += len(chunk)
                    if read >= DOWNLOAD_HEAD:
                        break
                response.close()
    finally:
        quiet.setLevel(level)
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    if not queries:
        return {"queries": 0}
    ms, sql = max(queries)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            rows = cursor.fetchall()
            depth = {0: -1}
            plan = []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                plan.append("  " * depth[node] + detail)
        else:
            reads = sql.lstrip().upper().startswith(("SELECT", "WITH"))
            cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if reads else "EXPLAIN ") + sql)
            plan = [row[0] for row in cursor.fetchall()]
    tables, indexes = full_scans(sql, plan, big, connection.vendor)
    return {
        "queries": len(queries), "sql_ms": round(sum(q[0] for q in queries), 1), "slowest_ms": round(ms, 1),
        "slowest_sql": sql[:4000], "plan": plan, "full_scans": tables, "index_scans": indexes,
        "status_in_process": response.status_code,
    }  # fmt: skip


# ------------------------------------------------------------------------------------------ report


def fmt(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def flagged(result: Result, target: float) -> bool:
    p95 = result.p(95, first_byte=result.download)
    return result.ok and p95 is not None and p95 >= target


def report(results: list[Result], health: list[float], args, info: dict, manifest: dict, vendor: str) -> dict:
    floor = statistics.median(health)
    print(f"\n== {vendor}, {manifest['rows']['complaints_complaint']:,} complaints; GET /api/v1/health p50 "
          f"{floor:.1f} ms (p95 {percentile(health, 95):.1f}, {len(health)} runs); gunicorn {args.workers} × "
          f"{args.worker_class} × {args.threads}, DEBUG=0; {info['nproc']} CPU ({info['cpu']}), load "
          f"{info['loadavg']}, commit {info['commit']}, {info['date']}")  # fmt: skip
    print(f"{'request':<64} {'role':<10} {'status':>6} {'p50':>7} {'p95':>7} {'max':>7} {'×health':>8}  note")
    for r in results:
        mark = " ⚑" if flagged(r, args.target_ms) else ""
        times = (r.p(50), r.p(95), max(r.runs)) if r.ok else (None, None, r.runs[0] if r.runs else None)
        ratio = f"{r.p(50) / floor:.0f}×" if r.ok else ""
        note = "; ".join(
            filter(
                None,
                [
                    ("download, first byte p95 " + fmt(r.p(95, True)) + " ms") if r.download and r.ok else "",
                    r.note,
                ],
            )
        )
        print(f"{r.request.label[:64]:<64} {r.request.role:<10} {r.status or '—':>6} {fmt(times[0]):>7} "
              f"{fmt(times[1]):>7} {fmt(times[2]):>7} {ratio:>8}{mark}  {note}")  # fmt: skip
    explained = [r for r in results if r.plan]
    if explained:
        print("\n== the slowest query of the slowest answers")
    for r in explained:
        p = r.plan
        if "error" in p:
            print(
                f"-- {r.request.label} as {r.request.role}: p95 {fmt(r.p(95))} ms; not planned: {p['error']}"
            )
            continue
        print(f"-- {r.request.label} as {r.request.role}: p95 {fmt(r.p(95))} ms; {p.get('queries', 0)} queries, "
              f"{p.get('sql_ms', 0)} ms of SQL; the slowest {p.get('slowest_ms', 0)} ms"
              f"{'; FULL SCAN of ' + ', '.join(p['full_scans']) if p.get('full_scans') else ''}"
              f"{'; whole-index scan of ' + ', '.join(p['index_scans']) if p.get('index_scans') else ''}")  # fmt: skip
        if p.get("slowest_sql"):
            print("   " + p["slowest_sql"][:600].replace("\n", " "))
            for line in p["plan"][:25]:
                print("   | " + line)
    ok = [r for r in results if r.ok]
    slow = [r for r in ok if flagged(r, args.target_ms)]
    scans = [r for r in explained if r.plan.get("full_scans")]
    print(f"\nrequests: {len(results)} ({len(ok)} answered 2xx and timed, "
          f"{sum(1 for r in results if r.status == 405)} POST only); p95 ≥ {args.target_ms:g} ms: {len(slow)}; "
          f"full scans of a big table: {len(scans)}")  # fmt: skip
    print(f"\n== for docs/benchmarks.md ({vendor}, {manifest['rows']['complaints_complaint']:,} complaints, "
          f"{info['date']}, commit {info['commit']}; health p50 {floor:.1f} ms; ms, medians and p95 of "
          f"{args.repeats})")  # fmt: skip
    print("| request | role | p50 | p95 | × health (p50) | slowest query's plan |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    shown = sorted(ok, key=lambda r: -(r.p(95, r.download) or 0))[: max(args.table_rows, len(slow))]
    for r in shown:
        plan = r.plan or {}
        scan = "; ".join(
            [
                *("full scan: " + t for t in plan.get("full_scans", [])),
                *("whole index: " + t for t in plan.get("index_scans", [])),
            ]
        )
        p95 = r.p(95, r.download)
        print(f"| `GET {r.request.label}`{' (first byte)' if r.download else ''} | {r.request.role} | "
              f"{fmt(r.p(50, r.download))} | {'**' + fmt(p95) + '**' if p95 >= args.target_ms else fmt(p95)} | "
              f"{r.p(50, r.download) / floor:.0f}× | {scan} |")  # fmt: skip
    print(
        f"| every other of the {len(ok)} timed answers | | | < {fmt(shown[-1].p(95, shown[-1].download)) if shown else '—'} | | |"
    )
    return {
        "machine": info, "vendor": vendor, "manifest": manifest, "health_ms": health, "target_ms": args.target_ms,
        "results": [{**asdict(r.request), "status": r.status, "url": r.url, "runs_ms": [round(x, 2) for x in r.runs],
                     "first_byte_ms": [round(x, 2) for x in r.first_bytes], "download": r.download, "bytes": r.bytes,
                     "p50": r.p(50), "p95": r.p(95), "max": max(r.runs) if r.runs else None,
                     "p50_x_health": r.p(50) / floor if r.ok else None, "p95_x_health": r.p(95) / floor if r.ok else None,
                     "max_x_health": max(r.runs) / floor if r.ok else None, "flagged": flagged(r, args.target_ms),
                     "note": r.note, "plan": r.plan} for r in results],
        "flagged": len(slow), "full_scans": len(scans),
    }  # fmt: skip


# ------------------------------------------------------------------------------------------ main


class KeptFigures(threading.Thread):
    """The worker's recount of the figures the pages read as it kept them (`stats.overdue.run_if_due`), done
    as the worker does it, every few seconds, while the requests are timed."""

    def __init__(self):
        super().__init__(daemon=True)
        self.done = threading.Event()

    def run(self):
        from django.db import close_old_connections, connection  # noqa: PLC0415 - after django.setup()
        from django.utils import timezone  # noqa: PLC0415

        from complaintdesk.stats import overdue  # noqa: PLC0415

        try:
            while not self.done.wait(5):
                close_old_connections()
                try:
                    overdue.run_if_due(timezone.now())
                except Exception as exc:  # as the worker: log and go on (the page counts live past MAX_AGE)
                    print(f"  the kept overdue count failed: {type(exc).__name__}: {exc}", flush=True)
        finally:
            connection.close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--complaints", type=int, default=10_000_000, help="when making the database (10,000,000)"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL: this database (empty, or made by this benchmark)")
    parser.add_argument("--keep", help="use (and keep) this data directory; made there when empty")
    parser.add_argument("--shops", type=int, help="default: complaints / 1,000, between 20 and 5,000")
    parser.add_argument("--consumers", type=int, help="default: complaints / 10, between 50 and 2,000,000")
    parser.add_argument("--days", type=int, default=1095, help="the history's length up to today (1095)")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs of each request (20)")
    parser.add_argument("--budget", type=float, default=60, help="seconds of runs at most per request (60)")
    parser.add_argument(
        "--cursor-hops", type=int, default=10, help="`next` links followed for a deep page (10)"
    )
    parser.add_argument(
        "--explain", type=int, default=10, help="the slowest answers whose queries are planned (10)"
    )
    parser.add_argument("--target-ms", type=float, default=150, help="the p95 flagged (150)")
    parser.add_argument("--table-rows", type=int, default=25, help="rows of the docs table at least (25)")
    parser.add_argument("--only", help="only the requests whose route matches this regular expression")
    parser.add_argument("--json", help="write every result here")
    parser.add_argument(
        "--verify", action="store_true", help="check the rollups against the raw rows (small sizes)"
    )
    parser.add_argument("--check-target", action="store_true", help="exit status 1 when a request is flagged")
    served = runpy.run_path(str(ROOT / "gunicorn.conf.py"))  # as `make run` serves the app
    parser.add_argument("--workers", type=int, default=served["workers"])
    parser.add_argument("--worker-class", default=served["worker_class"])
    parser.add_argument("--threads", type=int, default=served["threads"])
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)

    info = machine_info()
    data_dir = Path(args.keep or tempfile.mkdtemp(prefix="complaintdesk-bench-scale-"))
    if not args.keep:
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = None
    if args.database == "postgresql":
        database_url = args.database_url or os.environ.get("DATABASE_URL")
        if not database_url:
            postgres = Postgres()
            atexit.register(postgres.stop)
            database_url = postgres.start()
            print("a throwaway PostgreSQL server: its database goes when the run ends", flush=True)
    # This process reads the database as the server does (the ids, the sessions, the plans).
    env = app_env(data_dir, database_url, ALLOWED_HOSTS="127.0.0.1,testserver")
    os.environ.clear()
    os.environ.update(env)
    manifest = prepare(args, data_dir, database_url)
    if args.verify:
        verify()
    ids = pick_ids(manifest)
    creds = credentials()
    from django.db import connection  # noqa: PLC0415 - after django.setup()
    from django.urls import get_resolver  # noqa: PLC0415 - after django.setup()

    vendor = f"SQLite {connection.Database.sqlite_version}" if connection.vendor == "sqlite" else "PostgreSQL"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            vendor = f"PostgreSQL {cursor.fetchone()[0]}"
    from complaintdesk.stats import overdue  # noqa: PLC0415 - after django.setup()

    requests = web_requests(ids)
    overdue.refresh()
    # Every view imported now, as gunicorn imports them when it starts: the plans run the same code.
    get_resolver().url_patterns  # noqa: B018 - the import is the point
    connection.close()

    server, base = serve(env, data_dir / "gunicorn-scale.log", args.workers, args.worker_class, args.threads)
    results, health = [], []
    kept = KeptFigures()
    kept.start()
    try:
        with httpx.Client(base_url=base, timeout=httpx.Timeout(600, connect=10)) as client:
            schema = client.get("/api/v1/openapi.json").raise_for_status().json()
            requests = api_requests(schema, ids) + requests
            if args.only:
                requests = [r for r in requests if re.search(args.only, r.route)]

            def health_runs():
                for _ in range(args.repeats):
                    health.append(timed_get(client, "/api/v1/health", {})[1])

            timed_get(client, "/api/v1/health", {})
            health_runs()
            print(f"{len(requests)} requests; health p50 {statistics.median(health):.1f} ms", flush=True)
            for i, request in enumerate(requests, 1):
                result = measure(client, request, creds, args)
                results.append(result)
                if flagged(result, args.target_ms):
                    first_byte = " (first byte)" if result.download else ""
                    print(
                        f"  [{i}/{len(requests)}] {request.label} as {request.role}: p95{first_byte} "
                        f"{fmt(result.p(95, result.download))} ms",
                        flush=True,
                    )
            health_runs()
    finally:
        kept.done.set()
        kept.join()
        stop(server)

    ok = sorted((r for r in results if r.ok), key=lambda r: -(r.p(95) or 0))
    to_explain = ok[: args.explain] + [r for r in ok[args.explain :] if flagged(r, args.target_ms)][:40]
    if to_explain:
        big = big_tables(max(10_000, manifest["spec"]["complaints"] // 20))
        for r in to_explain:
            try:
                r.plan = explain(r, creds, big)
            except Exception as exc:  # noqa: BLE001 - a plan we cannot make is reported, not fatal
                r.plan = {"error": f"{type(exc).__name__}: {exc}"}
    out = report(results, health, args, info, manifest, vendor)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, ensure_ascii=False, default=str))
    return 1 if args.check_target and out["flagged"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/scale.py: {exc}", file=sys.stderr)
        sys.exit(1)
